// DataSink: where the data set of an incoming DIMSE message goes while it arrives (memory with a
// limit, nowhere, or a sink of the receiver's own such as a file of the archive's storage), so
// that a received data set is never wholly in memory unless the caller asks for that.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/element.hpp>

namespace dicomkit::net::dimse {

/// Receives the fragments of one data set in order (PS3.8 Annex E), then finish() or abort().
class DataSink {
public:
    virtual ~DataSink() = default;
    [[nodiscard]] virtual Result<void> write(std::span<const std::uint8_t> bytes) = 0;
    /// The last fragment arrived: make the data durable where that applies.
    [[nodiscard]] virtual Result<void> finish() = 0;
    /// The message will not complete (A-ABORT, error): drop whatever was written.
    virtual void abort() noexcept = 0;
    /// Data set bytes written so far (not counting anything the owner wrote before them).
    [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
};

/// Keeps the data set in memory, refusing more than `limit` bytes (LimitExceeded).
class MemorySink final : public DataSink {
public:
    explicit MemorySink(std::uint64_t limit = 64u * 1024u * 1024u) : limit_(limit) {}
    [[nodiscard]] Result<void> write(std::span<const std::uint8_t> bytes) override;
    [[nodiscard]] Result<void> finish() override { return {}; }
    void abort() noexcept override { bytes_.clear(); }
    [[nodiscard]] std::uint64_t size() const noexcept override { return bytes_.size(); }
    [[nodiscard]] const Bytes& bytes() const noexcept { return bytes_; }
    [[nodiscard]] Bytes take() noexcept { return std::move(bytes_); }

private:
    std::uint64_t limit_;
    Bytes bytes_;
};

/// Counts and drops the bytes: for a data set that must be read off the wire but not kept.
class DiscardSink final : public DataSink {
public:
    [[nodiscard]] Result<void> write(std::span<const std::uint8_t> bytes) override {
        size_ += bytes.size();
        return {};
    }
    [[nodiscard]] Result<void> finish() override { return {}; }
    void abort() noexcept override {}
    [[nodiscard]] std::uint64_t size() const noexcept override { return size_; }

private:
    std::uint64_t size_ = 0;
};

}  // namespace dicomkit::net::dimse
