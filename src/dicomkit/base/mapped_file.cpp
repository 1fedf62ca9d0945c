// MappedFile and whole-file helpers over POSIX.
#include <dicomkit/base/mapped_file.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dicomkit {

namespace {
Error os_error(const std::string& what, const std::string& path) {
    return std::move(Error(ErrorCode::IoError, what + ": " + std::strerror(errno))).in_file(path);
}

Result<std::vector<std::uint8_t>> read_fd(int fd, const std::string& path) {
    std::vector<std::uint8_t> out;
    std::uint8_t buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Unexpected(os_error("read", path));
        }
        if (n == 0) break;
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}
}  // namespace

MappedFile::MappedFile(MappedFile&& o) noexcept
    : data_(o.data_), size_(o.size_), mapped_(o.mapped_), owned_(std::move(o.owned_)),
      path_(std::move(o.path_)) {
    if (!mapped_) data_ = owned_.data();
    o.data_ = nullptr;
    o.size_ = 0;
    o.mapped_ = false;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
    if (this != &o) {
        release();
        data_ = o.data_;
        size_ = o.size_;
        mapped_ = o.mapped_;
        owned_ = std::move(o.owned_);
        path_ = std::move(o.path_);
        if (!mapped_) data_ = owned_.data();
        o.data_ = nullptr;
        o.size_ = 0;
        o.mapped_ = false;
    }
    return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() noexcept {
    if (mapped_ && data_ && size_) ::munmap(const_cast<std::uint8_t*>(data_), size_);
    data_ = nullptr;
    size_ = 0;
    mapped_ = false;
}

MappedFile MappedFile::from_bytes(const std::vector<std::uint8_t>& bytes) {
    return from_buffer(RawBuffer(bytes.begin(), bytes.end()));
}

MappedFile MappedFile::from_buffer(RawBuffer bytes) {
    MappedFile f;
    f.owned_ = std::move(bytes);
    f.data_ = f.owned_.data();
    f.size_ = f.owned_.size();
    return f;
}

Result<MappedFile> MappedFile::open(const std::string& path, std::size_t read_threshold) {
    if (path == "-") {
        auto bytes = read_fd(0, "<stdin>");
        if (!bytes) return Unexpected(bytes.error());
        MappedFile f = from_bytes(std::move(*bytes));
        f.path_ = "<stdin>";
        return f;
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Unexpected(os_error("cannot open", path));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        auto e = os_error("stat", path);
        ::close(fd);
        return Unexpected(e);
    }
    MappedFile f;
    f.path_ = path;
    if (!S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            ::close(fd);
            return Unexpected(std::move(Error(ErrorCode::IoError, "is a directory")).in_file(path));
        }
        auto bytes = read_fd(fd, path);
        ::close(fd);
        if (!bytes) return Unexpected(bytes.error());
        f.owned_.assign(bytes->begin(), bytes->end());
        f.data_ = f.owned_.data();
        f.size_ = f.owned_.size();
        return f;
    }
    if (st.st_size > 0 && static_cast<std::uint64_t>(st.st_size) <= read_threshold) {
        // Small files: one read() costs less than mapping, faulting and unmapping.
        f.owned_.resize(static_cast<std::size_t>(st.st_size));
        std::size_t done = 0;
        while (done < f.owned_.size()) {
            ssize_t n = ::read(fd, f.owned_.data() + done, f.owned_.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                auto e = os_error("read", path);
                ::close(fd);
                return Unexpected(e);
            }
            done += static_cast<std::size_t>(n);
        }
        f.data_ = f.owned_.data();
        f.size_ = f.owned_.size();
    } else if (st.st_size > 0) {
        void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            auto e = os_error("mmap", path);
            ::close(fd);
            return Unexpected(e);
        }
        f.data_ = static_cast<const std::uint8_t*>(p);
        f.size_ = static_cast<std::size_t>(st.st_size);
        f.mapped_ = true;
    }
    ::close(fd);
    return f;
}

Result<std::pair<RawBuffer, bool>> read_file_prefix(const std::string& path, std::size_t max_bytes) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Unexpected(os_error("cannot open", path));
    // One read of max_bytes + 1 tells whether more remains without an fstat.
    RawBuffer out(max_bytes + 1);
    std::size_t done = 0;
    while (done < out.size()) {
        ssize_t n = ::read(fd, out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            auto e = os_error("read", path);
            ::close(fd);
            return Unexpected(e);
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    bool more = done > max_bytes;
    out.resize(std::min(done, max_bytes));
    return std::make_pair(std::move(out), more);
}

Result<std::vector<std::uint8_t>> read_whole_file(const std::string& path) {
    auto f = MappedFile::open(path);
    if (!f) return Unexpected(f.error());
    auto b = f->bytes();
    return std::vector<std::uint8_t>(b.begin(), b.end());
}

Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Unexpected(os_error("cannot create", tmp));
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            auto e = os_error("write", tmp);
            ::close(fd);
            ::unlink(tmp.c_str());
            return Unexpected(e);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        auto e = os_error("fsync/close", tmp);
        ::unlink(tmp.c_str());
        return Unexpected(e);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        auto e = os_error("rename", path);
        ::unlink(tmp.c_str());
        return Unexpected(e);
    }
    return {};
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), tmp_(std::move(other.tmp_)) {
    other.fd_ = -1;
}

AtomicFileWriter& AtomicFileWriter::operator=(AtomicFileWriter&& other) noexcept {
    if (this != &other) {
        discard();
        fd_ = other.fd_;
        path_ = std::move(other.path_);
        tmp_ = std::move(other.tmp_);
        other.fd_ = -1;
    }
    return *this;
}

AtomicFileWriter::~AtomicFileWriter() { discard(); }

void AtomicFileWriter::discard() noexcept {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(tmp_.c_str());
    fd_ = -1;
}

Result<AtomicFileWriter> AtomicFileWriter::create(const std::string& path) {
    AtomicFileWriter w;
    w.path_ = path;
    w.tmp_ = path + ".tmp." + std::to_string(::getpid());
    w.fd_ = ::open(w.tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w.fd_ < 0) return Unexpected(os_error("cannot create", w.tmp_));
    return w;
}

Result<void> AtomicFileWriter::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) const {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return Unexpected(os_error("write", tmp_));
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

Result<void> AtomicFileWriter::commit() {
    if (fd_ < 0) return make_error(ErrorCode::InvalidArgument, "file already committed or not open");
    const int fd = fd_;
    fd_ = -1;
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        auto e = os_error("fsync/close", tmp_);
        ::unlink(tmp_.c_str());
        return Unexpected(e);
    }
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
        auto e = os_error("rename", path_);
        ::unlink(tmp_.c_str());
        return Unexpected(e);
    }
    return {};
}

}  // namespace dicomkit
