// Incoming files: temporary files made ahead, and the file sink with fsync and rename.
#include <dicomkit/server/storage/incoming.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <random>

namespace dicomkit::server::storage {

namespace {

constexpr std::size_t kFileBuffer = 512 * 1024;
/// Writes at least this long skip the buffer (after flushing it): PDV fragments of usual sizes
/// go from the PDU to the file without another copy.
constexpr std::size_t kDirectWrite = 64 * 1024;

Unexpected io_error(const std::string& what, const std::string& path) {
    return tl::unexpected(Error(ErrorCode::IoError, what + ": " + std::strerror(errno)).in_file(path));
}

}  // namespace

bool is_temp_name(std::string_view name) noexcept {
    return name.size() > kTempPrefix.size() + 5 && name.starts_with(kTempPrefix) && name.ends_with(".part");
}

namespace {

/// Creates `dir/<prefix>XXXXXX.part`, a name not taken yet (six random letters or digits).
/// Not mkstemps: its files are 0600, and making them readable took one more call per store.
Result<TempFilePool::File> create_temp(const std::string& dir, std::string_view prefix) {
    static constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937_64 random{std::random_device{}()};
    std::string path = dir + "/" + std::string(prefix) + "XXXXXX.part";
    const std::size_t at = path.size() - 11;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        std::uint64_t r = random();
        for (std::size_t k = 0; k < 6; ++k, r /= kLetters.size()) path[at + k] = kLetters[r % kLetters.size()];
        fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) return io_error("cannot create a temporary file", path);
    return TempFilePool::File{fd, std::move(path), std::chrono::steady_clock::now()};
}

}  // namespace

TempFilePool::TempFilePool(std::string dir, std::size_t ahead, std::string prefix)
    : dir_(std::move(dir)), prefix_(std::move(prefix)), ahead_(std::max<std::size_t>(ahead, 2)),
      thread_([this] { run(); }) {}

TempFilePool::~TempFilePool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    for (const File& f : ready_) {
        ::close(f.fd);
        ::unlink(f.path.c_str());
    }
}

Result<TempFilePool::File> TempFilePool::take() {
    std::vector<File> stale;  // made before an idle spell: removed, not handed out
    std::optional<File> f;
    {
        std::lock_guard lock(mutex_);
        const auto too_old = std::chrono::steady_clock::now() - kMaxAge;
        auto fresh = std::find_if(ready_.begin(), ready_.end(), [&](const File& r) { return r.made > too_old; });
        std::move(ready_.begin(), fresh, std::back_inserter(stale));  // the oldest come first
        ready_.erase(ready_.begin(), fresh);
        if (!ready_.empty()) {
            f = std::move(ready_.back());
            ready_.pop_back();
        }
        if (ready_.size() <= ahead_ / 2) wake_.notify_one();
    }
    for (const File& s : stale) {
        ::close(s.fd);
        ::unlink(s.path.c_str());
    }
    if (f) return std::move(*f);
    return create_temp(dir_, prefix_);  // none ready (the first, or a burst): at once
}

void TempFilePool::run() {
    // Asleep until half of them are taken, then makes up the number: one wake-up per ahead/2
    // stores, and never a file more than `ahead` waiting.
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || ready_.size() <= ahead_ / 2; });
        if (stopping_) return;
        while (!stopping_ && ready_.size() < ahead_) {
            lock.unlock();
            auto f = create_temp(dir_, prefix_);
            lock.lock();
            if (!f) break;  // take() creates its own, and reports the error if it persists
            ready_.push_back(std::move(*f));
        }
        if (!stopping_ && ready_.size() < ahead_) {  // failed: try again later, not in a loop
            lock.unlock();
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            lock.lock();
        }
    }
}

std::unique_ptr<FileSink> FileSink::adopt(TempFilePool::File f, const std::string& dir) {
    std::unique_ptr<FileSink> s(new FileSink());
    s->fd_ = f.fd;
    s->dir_ = dir;
    s->path_ = std::move(f.path);
    s->buffer_.reserve(kFileBuffer);
    return s;
}

Result<std::unique_ptr<FileSink>> FileSink::create(const std::string& dir, std::string_view prefix) {
    auto f = create_temp(dir, prefix);
    if (!f) return tl::unexpected(f.error());
    return adopt(std::move(*f), dir);
}

Result<std::unique_ptr<FileSink>> FileSink::create(TempFilePool& pool) {
    auto f = pool.take();
    if (!f) return tl::unexpected(f.error());
    return adopt(std::move(*f), pool.dir());
}

FileSink::~FileSink() {
    if (!committed_) abort();
}

Result<void> FileSink::write_all(std::span<const std::uint8_t> bytes) {
    wrote_ = true;
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t w = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return io_error("write failed", path_);
        done += static_cast<std::size_t>(w);
    }
    return {};
}

Result<void> FileSink::flush() {
    auto r = write_all(buffer_);
    buffer_.clear();
    return r;
}

Result<void> FileSink::append(std::span<const std::uint8_t> bytes) {
    if (fd_ < 0 || finished_) return make_error(ErrorCode::InvalidArgument, "write to a closed file sink");
    if (buffer_.size() + bytes.size() > kFileBuffer || bytes.size() >= kDirectWrite) {
        if (auto r = flush(); !r) return r;
    }
    if (bytes.size() >= kDirectWrite) return write_all(bytes);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return {};
}

Result<void> FileSink::write_prefix(std::span<const std::uint8_t> bytes) { return append(bytes); }

Result<void> FileSink::write(std::span<const std::uint8_t> bytes) {
    auto r = append(bytes);
    if (r) size_ += bytes.size();
    return r;
}

Result<void> FileSink::finish() {
    if (fd_ < 0) return make_error(ErrorCode::InvalidArgument, "finish of a closed file sink");
    const bool whole = keep_contents_ && !wrote_;  // the buffer holds the whole file
    if (auto r = write_all(buffer_); !r) return r;
    if (whole) {
        contents_ = std::move(buffer_);
        buffer_ = Bytes{};
    } else {
        buffer_.clear();
    }
    if (durable_ && ::fsync(fd_) != 0) return io_error("fsync failed", path_);
    if (::close(fd_) != 0) {
        fd_ = -1;
        return io_error("close failed", path_);
    }
    fd_ = -1;
    finished_ = true;
    return {};
}

void FileSink::abort() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!path_.empty() && !committed_) ::unlink(path_.c_str());
    buffer_.clear();
    finished_ = false;
}

Result<std::string> FileSink::release() {
    if (!finished_) return make_error(ErrorCode::InvalidArgument, "release before finish");
    committed_ = true;
    return path_;
}

Result<void> FileSink::commit(const std::string& final_path) {
    if (!finished_) return make_error(ErrorCode::InvalidArgument, "commit before finish");
    if (::rename(path_.c_str(), final_path.c_str()) != 0) return io_error("rename failed", final_path);
    committed_ = true;
    if (!durable_) return {};
    int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

Result<Staged> FileSink::stage() {
    auto path = release();
    if (!path) return tl::unexpected(path.error());
    return Staged{std::move(*path), take_contents(), size_};
}

}  // namespace dicomkit::server::storage
