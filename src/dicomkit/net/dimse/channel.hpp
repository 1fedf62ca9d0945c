// Channel: what the DIMSE layer needs of an established association (send PDVs, receive PDUs,
// the accepted contexts, release/abort, tracing). AssociationChannel adapts ul::Association;
// tests drive the DIMSE code through an in-memory channel.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/pdu/codec.hpp>
#include <dicomkit/net/ul/association.hpp>

namespace dicomkit::net::dimse {

class Channel {
public:
    virtual ~Channel() = default;
    /// One P-DATA-TF PDU of the given PDVs (the caller keeps it within peer_max_pdu()).
    [[nodiscard]] virtual Result<void> send(std::span<const pdu::PdvView> pdvs) = 0;
    [[nodiscard]] virtual Result<ul::Incoming> receive(ul::Millis timeout) = 0;
    [[nodiscard]] virtual Result<void> confirm_release() = 0;
    virtual void abort(std::uint8_t source, std::uint8_t reason) = 0;
    [[nodiscard]] virtual const ul::AcceptedContext* context_by_id(std::uint8_t id) const noexcept = 0;
    [[nodiscard]] virtual const ul::AcceptedContext* find_context(std::string_view abstract_syntax,
                                                                  std::string_view transfer_syntax) const noexcept = 0;
    [[nodiscard]] virtual std::uint32_t peer_max_pdu() const noexcept = 0;
    [[nodiscard]] virtual std::string calling_ae() const = 0;
    [[nodiscard]] virtual std::string peer_address() const = 0;
    [[nodiscard]] virtual ul::Timeouts timeouts() const = 0;
    [[nodiscard]] virtual bool tracing() const noexcept = 0;
    virtual void trace(std::string_view line) const = 0;
    /// Whether receive() would return without waiting for the peer (default: unknown, false).
    [[nodiscard]] virtual bool has_input() noexcept { return false; }
};

/// The Channel of a ul::Association (which must outlive it).
class AssociationChannel final : public Channel {
public:
    explicit AssociationChannel(ul::Association& a) : a_(a) {}
    [[nodiscard]] Result<void> send(std::span<const pdu::PdvView> pdvs) override;
    [[nodiscard]] Result<ul::Incoming> receive(ul::Millis timeout) override;
    [[nodiscard]] Result<void> confirm_release() override;
    void abort(std::uint8_t source, std::uint8_t reason) override;
    [[nodiscard]] const ul::AcceptedContext* context_by_id(std::uint8_t id) const noexcept override;
    [[nodiscard]] const ul::AcceptedContext* find_context(std::string_view abstract_syntax,
                                                          std::string_view transfer_syntax) const noexcept override;
    [[nodiscard]] std::uint32_t peer_max_pdu() const noexcept override;
    [[nodiscard]] std::string calling_ae() const override;
    [[nodiscard]] std::string peer_address() const override;
    [[nodiscard]] ul::Timeouts timeouts() const override;
    [[nodiscard]] bool tracing() const noexcept override;
    void trace(std::string_view line) const override;
    [[nodiscard]] bool has_input() noexcept override { return a_.readable(); }

private:
    ul::Association& a_;
};

}  // namespace dicomkit::net::dimse
