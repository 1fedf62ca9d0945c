// Read-only access to a whole file's bytes: memory-mapped when possible, so that bytes never
// looked at (pixel data of a header read) are never read from disk.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>

namespace dicomkit {

class MappedFile {
public:
    MappedFile() = default;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    ~MappedFile();

    /// Opens `path` ("-" reads standard input into memory). Files up to `read_threshold` bytes
    /// are read into memory (cheaper than mapping small files); larger ones are mapped, so pages
    /// never looked at are never read.
    [[nodiscard]] static Result<MappedFile> open(const std::string& path, std::size_t read_threshold = 256 * 1024);
    /// Wraps bytes already in memory.
    [[nodiscard]] static MappedFile from_bytes(std::vector<std::uint8_t> bytes);

    [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return {data_, size_}; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    void release() noexcept;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
    std::vector<std::uint8_t> owned_;
    std::string path_;
};

/// Reads at most `max_bytes` from the start of a file; the bool says whether more remains.
[[nodiscard]] Result<std::pair<std::vector<std::uint8_t>, bool>> read_file_prefix(const std::string& path,
                                                                                 std::size_t max_bytes);

/// Reads a whole file into memory.
[[nodiscard]] Result<std::vector<std::uint8_t>> read_whole_file(const std::string& path);

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename. On failure the
/// destination is untouched and the temporary file removed.
[[nodiscard]] Result<void> write_file_atomic(const std::string& path,
                                             std::span<const std::uint8_t> bytes);

}  // namespace dicomkit
