// DataFolder: lock and clean-stop mark of the data folder.
#include <dicomkit/server/app/data_folder.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dicomkit::server::app {

namespace {

Unexpected os_error(const std::string& what, const std::string& path) {
    return tl::unexpected(Error(ErrorCode::IoError, what + ": " + std::strerror(errno)).in_file(path));
}

Result<void> fsync_folder(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error("cannot open the folder", path);
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return os_error("fsync of the folder failed", path);
    return {};
}

}  // namespace

Result<DataFolder> DataFolder::open(const std::string& path, bool shared) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (!std::filesystem::is_directory(path))
        return make_error(ErrorCode::IoError, path + ": cannot create the folder");
    const std::string lock = path + "/lock";
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return os_error("cannot open", lock);
    if (::flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return make_error(ErrorCode::IoError,
                              path + (shared ? ": a server with an index of its own is using this data folder"
                                             : ": another server is using this data folder"));
        errno = err;
        return os_error("cannot lock", lock);
    }
    return DataFolder(path, fd);
}

DataFolder::~DataFolder() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
}

bool DataFolder::was_clean() const {
    struct stat st {};
    return ::stat((path_ + "/clean").c_str(), &st) == 0;
}

Result<void> DataFolder::mark_running() {
    const std::string mark = path_ + "/clean";
    if (::unlink(mark.c_str()) != 0 && errno != ENOENT) return os_error("cannot remove", mark);
    return fsync_folder(path_);
}

Result<void> DataFolder::mark_clean() {
    const std::string mark = path_ + "/clean";
    const int fd = ::open(mark.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return os_error("cannot create", mark);
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return os_error("fsync failed", mark);
    return fsync_folder(path_);
}

}  // namespace dicomkit::server::app
