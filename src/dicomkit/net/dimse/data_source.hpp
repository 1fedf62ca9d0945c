// DataSource: where the bytes of an outgoing data set come from (memory, or a region of a file
// read in chunks), so that sending a data set of any size uses bounded memory.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/element.hpp>

namespace dicomkit::net::dimse {

/// A data set's encoded bytes, read front to back once.
class DataSource {
public:
    virtual ~DataSource() = default;
    /// Total number of bytes; known before the first read (PS3.8 Annex E needs no total, but
    /// progress and the even-fragment rule do).
    [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
    /// Fills `out` with the next bytes; returns how many (less than out.size() only at the end).
    [[nodiscard]] virtual Result<std::size_t> read(std::span<std::uint8_t> out) = 0;
};

/// Bytes in memory, owned or viewed.
class MemorySource final : public DataSource {
public:
    /// Views `bytes`; they must outlive the source.
    explicit MemorySource(std::span<const std::uint8_t> bytes) : view_(bytes) {}
    /// Owns `bytes`.
    explicit MemorySource(Bytes bytes) : owned_(std::move(bytes)), view_(owned_) {}
    MemorySource(const MemorySource&) = delete;
    MemorySource& operator=(const MemorySource&) = delete;

    [[nodiscard]] std::uint64_t size() const noexcept override { return view_.size(); }
    [[nodiscard]] Result<std::size_t> read(std::span<std::uint8_t> out) override;

private:
    Bytes owned_;
    std::span<const std::uint8_t> view_;
    std::size_t pos_ = 0;
};

/// `length` bytes of a file from `offset`, read with pread() in the caller's chunk size.
class FileRegionSource final : public DataSource {
public:
    /// Opens `path`; `length` = UINT64_MAX means "to the end of the file".
    [[nodiscard]] static Result<FileRegionSource> open(const std::string& path, std::uint64_t offset,
                                                       std::uint64_t length = UINT64_MAX);
    FileRegionSource(FileRegionSource&& o) noexcept;
    FileRegionSource& operator=(FileRegionSource&& o) noexcept;
    FileRegionSource(const FileRegionSource&) = delete;
    FileRegionSource& operator=(const FileRegionSource&) = delete;
    ~FileRegionSource() override;

    [[nodiscard]] std::uint64_t size() const noexcept override { return length_; }
    [[nodiscard]] Result<std::size_t> read(std::span<std::uint8_t> out) override;

private:
    FileRegionSource() = default;
    int fd_ = -1;
    std::uint64_t offset_ = 0;
    std::uint64_t length_ = 0;
    std::uint64_t pos_ = 0;
    std::string path_;
};

}  // namespace dicomkit::net::dimse
