// Pieces of the SCP serving loop (serve.cpp) that are not the session itself: the queue of
// C-STOREs awaiting their outcome, the role-filtered channel C-GET stores on, refusals.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>

namespace dicomkit::net::dimse::detail {

/// C-STOREs handed to StoreHandler::end_async whose responses are not sent yet, oldest first.
/// Shared with the completions, which may run on another thread after the session has ended.
struct Inflight {
    struct Entry {
        std::uint8_t context_id = 1;
        Command rq;
        std::optional<Outcome> outcome;  ///< set by the completion
        std::chrono::steady_clock::time_point start;
    };
    std::mutex mutex;
    std::condition_variable done;
    std::deque<std::shared_ptr<Entry>> entries;  ///< touched by the session only; outcome under mutex
};

/// How many C-STOREs may wait for their outcome at once on one association (the most serve
/// grants as Maximum Number Operations Invoked).
constexpr std::size_t kMaxInflight = 64;

/// The association seen only through the contexts on which the requestor accepted the SCP role:
/// where C-GET sends its C-STORE sub-operations.
class RoleChannel final : public Channel {
public:
    explicit RoleChannel(Channel& inner) : in_(inner) {}
    Result<void> send(std::span<const pdu::PdvView> pdvs) override { return in_.send(pdvs); }
    Result<ul::Incoming> receive(ul::Millis timeout) override { return in_.receive(timeout); }
    Result<void> confirm_release() override { return in_.confirm_release(); }
    void abort(std::uint8_t source, std::uint8_t reason) override { in_.abort(source, reason); }
    const ul::AcceptedContext* context_by_id(std::uint8_t id) const noexcept override { return in_.context_by_id(id); }
    const ul::AcceptedContext* find_context(std::string_view abstract_syntax,
                                            std::string_view transfer_syntax) const noexcept override {
        for (unsigned id = 1; id < 256; id += 2) {
            const auto* c = in_.context_by_id(static_cast<std::uint8_t>(id));
            if (c && c->scp_role && c->abstract_syntax == abstract_syntax &&
                (transfer_syntax.empty() || c->transfer_syntax == transfer_syntax))
                return c;
        }
        return nullptr;
    }
    std::uint32_t peer_max_pdu() const noexcept override { return in_.peer_max_pdu(); }
    std::string calling_ae() const override { return in_.calling_ae(); }
    std::string peer_address() const override { return in_.peer_address(); }
    ul::Timeouts timeouts() const override { return in_.timeouts(); }
    bool tracing() const noexcept override { return in_.tracing(); }
    void trace(std::string_view line) const override { in_.trace(line); }

private:
    Channel& in_;
};

/// What the request event of a response needs beyond the request and the response.
struct EventInfo {
    std::chrono::steady_clock::time_point start;
    const DataSet* identifier = nullptr;
    bool by_store_handler = false;
    std::uint64_t matches = 0;
};

/// The outcome of a request no handler took (PS3.7 C.4: 0x0211, 0x0122), with a reason.
inline Outcome refusal(std::uint16_t st, const Command& rq) {
    std::string what(to_string(rq.field));
    if (what.ends_with("-RQ")) what.resize(what.size() - 3);
    if (st == status::SOPClassNotSupported)
        return {st, "SOP Class " + sop_class_of(rq) + " not supported for " + what};
    if (st == status::UnrecognizedOperation) return {st, what + " not supported here"};
    return {st, {}};
}

/// `ds` encoded in the transfer syntax of presentation context `context_id`.
inline Result<Bytes> encode_for(const Channel& ch, std::uint8_t context_id, const DataSet& ds) {
    const auto* ctx = ch.context_by_id(context_id);
    const auto* ts = ctx ? io::find_transfer_syntax(ctx->transfer_syntax) : nullptr;
    if (!ts) return make_error(ErrorCode::InvalidValue, "unknown transfer syntax");
    return io::encode_dataset(ds, *ts);
}

}  // namespace dicomkit::net::dimse::detail
