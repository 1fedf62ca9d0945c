// Read-only access to a whole file's bytes: memory-mapped when possible, so that bytes never
// looked at (pixel data of a header read) are never read from disk.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <dicomkit/base/error.hpp>

namespace dicomkit {

/// An allocator that leaves new elements uninitialised, so a buffer sized for read() is not
/// first filled with zeros.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = DefaultInitAllocator<U>;
    };
    using std::allocator<T>::allocator;
    template <typename U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

/// Bytes read from a file into memory.
using RawBuffer = std::vector<std::uint8_t, DefaultInitAllocator<std::uint8_t>>;

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
    [[nodiscard]] static MappedFile from_bytes(const std::vector<std::uint8_t>& bytes);
    [[nodiscard]] static MappedFile from_buffer(RawBuffer bytes);

    [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return {data_, size_}; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    void release() noexcept;
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
    RawBuffer owned_;
    std::string path_;
};

/// Reads at most `max_bytes` from the start of a file; the bool says whether more remains.
[[nodiscard]] Result<std::pair<RawBuffer, bool>> read_file_prefix(const std::string& path,
                                                                                 std::size_t max_bytes);

/// Reads a whole file into memory.
[[nodiscard]] Result<std::vector<std::uint8_t>> read_whole_file(const std::string& path);

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename. On failure the
/// destination is untouched and the temporary file removed.
[[nodiscard]] Result<void> write_file_atomic(const std::string& path,
                                             std::span<const std::uint8_t> bytes);

/// A file written in pieces at given offsets (several threads may write at once), then made
/// visible atomically as write_file_atomic does: a temporary file beside `path`, fsync, rename.
/// Destroyed without commit(), the temporary file is removed and `path` is untouched.
class AtomicFileWriter {
public:
    AtomicFileWriter() = default;
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
    AtomicFileWriter(AtomicFileWriter&& other) noexcept;
    AtomicFileWriter& operator=(AtomicFileWriter&& other) noexcept;
    ~AtomicFileWriter();

    [[nodiscard]] static Result<AtomicFileWriter> create(const std::string& path);
    /// Writes `bytes` at `offset` (pwrite: safe from several threads for disjoint ranges).
    [[nodiscard]] Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) const;
    /// fsync, close, rename over `path`.
    [[nodiscard]] Result<void> commit();

private:
    void discard() noexcept;
    int fd_ = -1;
    std::string path_, tmp_;
};

}  // namespace dicomkit
