// BatchFileIo over POSIX *at() calls on open folders.
#include "batch_io.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace dicomkit::cli {

namespace {
constexpr std::size_t kInitialBuffer = 256 * 1024;
/// A buffer grown past this for one large file is given back after it.
constexpr std::size_t kKeptBuffer = 64 * 1024 * 1024;

Error os_error(const std::string& dir, std::string_view name, std::string_view what, int err) {
    return Error(ErrorCode::IoError, fmt::format("{}/{}: {}: {}", dir, name, what, std::strerror(err)));
}
}  // namespace

BatchFileIo::~BatchFileIo() {
    if (in_.fd >= 0) ::close(in_.fd);
    if (out_dir_.fd >= 0) ::close(out_dir_.fd);
}

Result<int> BatchFileIo::folder(Folder& f, const std::string& path) {
    if (f.fd >= 0 && f.path == path) return f.fd;
    if (f.fd >= 0) ::close(f.fd);
    f.path = path;
    f.fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (f.fd < 0) {
        const int err = errno;
        f.path.clear();
        return make_error(ErrorCode::IoError, fmt::format("{}: cannot open the folder: {}", path, std::strerror(err)));
    }
    return f.fd;
}

Result<std::span<const std::uint8_t>> BatchFileIo::read(const std::string& dir, const std::string& name) {
    auto dfd = folder(in_, dir);
    if (!dfd) return Unexpected(std::move(dfd.error()));
    if (buffer_.size() > kKeptBuffer) RawBuffer().swap(buffer_);
    if (buffer_.size() < kInitialBuffer) buffer_.resize(kInitialBuffer);
    const int fd = ::openat(*dfd, name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Unexpected(os_error(dir, name, "cannot open", errno));
    // For a regular file, read() returns fewer bytes than asked only at its end: a file smaller
    // than the buffer takes one read, with no fstat for its size.
    std::size_t have = 0;
    for (;;) {
        if (have == buffer_.size()) buffer_.resize(buffer_.size() * 2);
        const ssize_t n = ::read(fd, buffer_.data() + have, buffer_.size() - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            return Unexpected(os_error(dir, name, "read failed", err));
        }
        const std::size_t asked = buffer_.size() - have;
        have += static_cast<std::size_t>(n);
        if (static_cast<std::size_t>(n) < asked) break;
    }
    ::close(fd);
    return std::span<const std::uint8_t>(buffer_.data(), have);
}

namespace {
/// Writes all of `bytes` to `fd`; 0 or the errno of the failure.
int write_all(int fd, std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : EIO;
        done += static_cast<std::size_t>(n);
    }
    return 0;
}
}  // namespace

Result<void> BatchFileIo::write(const std::string& dir, const std::string& name, std::span<const std::uint8_t> bytes) {
    auto dfd = folder(out_dir_, dir);
    if (!dfd) return Unexpected(std::move(dfd.error()));
    if (unnamed_files_) {
        // An unnamed file in the target folder (O_TMPFILE), given its name by linkat once
        // complete: never visible half written, and one name made instead of a temporary name
        // and a rename. Where the file system or the kernel does not allow it, the temporary name
        // and rename below serve from then on.
        const int fd = ::openat(*dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
        if (fd >= 0) {
            if (const int err = write_all(fd, bytes); err != 0) {
                ::close(fd);  // the unnamed file goes with its descriptor
                return Unexpected(os_error(dir, name, "write failed", err));
            }
            if (::linkat(fd, "", *dfd, name.c_str(), AT_EMPTY_PATH) == 0) {
                if (::close(fd) != 0) return Unexpected(os_error(dir, name, "write failed", errno));
                return {};
            }
            if (errno == EEXIST) {
                // Replacing a file: named under the temporary name first, then renamed over it.
                tmp_.clear();
                fmt::format_to(std::back_inserter(tmp_), ".{}.tmp{}", name, pid_);
                int linked = ::linkat(fd, "", *dfd, tmp_.c_str(), AT_EMPTY_PATH);
                if (linked != 0 && errno == EEXIST && ::unlinkat(*dfd, tmp_.c_str(), 0) == 0)
                    linked = ::linkat(fd, "", *dfd, tmp_.c_str(), AT_EMPTY_PATH);
                const int err = linked != 0 ? errno : 0;
                ::close(fd);
                if (linked != 0) return Unexpected(os_error(dir, tmp_, "cannot create", err));
                if (::renameat(*dfd, tmp_.c_str(), *dfd, name.c_str()) != 0) {
                    const int rerr = errno;
                    ::unlinkat(*dfd, tmp_.c_str(), 0);
                    return Unexpected(os_error(dir, name, "write failed", rerr));
                }
                return {};
            }
            ::close(fd);
        }
        unnamed_files_ = false;
    }
    tmp_.clear();
    fmt::format_to(std::back_inserter(tmp_), ".{}.tmp{}", name, pid_);
    const int fd = ::openat(*dfd, tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Unexpected(os_error(dir, tmp_, "cannot create", errno));
    if (const int err = write_all(fd, bytes); err != 0) {
        ::close(fd);
        ::unlinkat(*dfd, tmp_.c_str(), 0);
        return Unexpected(os_error(dir, name, "write failed", err));
    }
    if (::close(fd) != 0 || ::renameat(*dfd, tmp_.c_str(), *dfd, name.c_str()) != 0) {
        const int err = errno;
        ::unlinkat(*dfd, tmp_.c_str(), 0);
        return Unexpected(os_error(dir, name, "write failed", err));
    }
    return {};
}

}  // namespace dicomkit::cli
