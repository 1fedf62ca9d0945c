// DataSource implementations: memory and file regions.
#include <dicomkit/net/dimse/data_source.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace dicomkit::net::dimse {

Result<std::size_t> MemorySource::read(std::span<std::uint8_t> out) {
    std::size_t n = std::min(out.size(), view_.size() - pos_);
    if (n > 0) std::memcpy(out.data(), view_.data() + pos_, n);
    pos_ += n;
    return n;
}

Result<FileRegionSource> FileRegionSource::open(const std::string& path, std::uint64_t offset,
                                                std::uint64_t length) {
    FileRegionSource s;
    s.path_ = path;
    s.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (s.fd_ < 0) {
        return tl::unexpected(
            Error(ErrorCode::IoError, std::string("cannot open: ") + std::strerror(errno)).in_file(path));
    }
    struct stat st {};
    if (::fstat(s.fd_, &st) != 0)
        return tl::unexpected(Error(ErrorCode::IoError, "cannot stat").in_file(path));
    auto file_size = static_cast<std::uint64_t>(st.st_size);
    if (offset > file_size)
        return tl::unexpected(Error(ErrorCode::InvalidArgument, "offset past the end of the file").in_file(path));
    s.offset_ = offset;
    s.length_ = std::min(length, file_size - offset);
#ifdef POSIX_FADV_SEQUENTIAL
    (void)::posix_fadvise(s.fd_, static_cast<off_t>(offset), 0, POSIX_FADV_SEQUENTIAL);
#endif
    return s;
}

FileRegionSource::FileRegionSource(FileRegionSource&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), offset_(o.offset_), length_(o.length_), pos_(o.pos_),
      path_(std::move(o.path_)) {}

FileRegionSource& FileRegionSource::operator=(FileRegionSource&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
        offset_ = o.offset_;
        length_ = o.length_;
        pos_ = o.pos_;
        path_ = std::move(o.path_);
    }
    return *this;
}

FileRegionSource::~FileRegionSource() {
    if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> FileRegionSource::read(std::span<std::uint8_t> out) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), length_ - pos_));
    std::size_t got = 0;
    while (got < want) {
        ssize_t r = ::pread(fd_, out.data() + got, want - got, static_cast<off_t>(offset_ + pos_ + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0)
            return tl::unexpected(
                Error(ErrorCode::IoError, std::string("read failed: ") + std::strerror(errno)).in_file(path_));
        if (r == 0)
            return tl::unexpected(Error(ErrorCode::Truncated, "file shrank while being sent").in_file(path_));
        got += static_cast<std::size_t>(r);
    }
    pos_ += got;
    return got;
}

}  // namespace dicomkit::net::dimse
