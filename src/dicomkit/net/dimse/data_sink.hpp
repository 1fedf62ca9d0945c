// DataSink: where the data set of an incoming DIMSE message goes while it arrives (memory with a
// limit, a temporary file, or nowhere), so that a received data set is never wholly in memory
// unless the caller asks for that.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

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

/// Temporary files made ahead in one folder, so that a store does not wait while the file system
/// creates one (an inode allocation, which on a busy ext4 can take longer than everything else a
/// store does): a thread keeps up to `ahead` of them created and open; take() hands one over, or
/// creates one at once when none is ready. Thread-safe. The ones not taken are removed when the
/// pool goes; after a crash they are temporary files like any other (empty, ".part"). None is
/// handed out older than kMaxAge (a server that shares the folder with others removes temporary
/// files that nothing has written for an hour).
class TempFilePool {
public:
    struct File {
        int fd = -1;
        std::string path;
        std::chrono::steady_clock::time_point made{};
    };
    static constexpr std::chrono::minutes kMaxAge{10};
    explicit TempFilePool(std::string dir, std::size_t ahead = 16, std::string prefix = ".dk-");
    ~TempFilePool();
    TempFilePool(const TempFilePool&) = delete;
    TempFilePool& operator=(const TempFilePool&) = delete;

    /// A new empty file of `dir` (mode 0644 less the umask), open for reading and writing.
    [[nodiscard]] Result<File> take();
    [[nodiscard]] const std::string& dir() const noexcept { return dir_; }

private:
    void run();
    std::string dir_, prefix_;
    std::size_t ahead_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<File> ready_;
    bool stopping_ = false;
    std::thread thread_;  ///< last: started when the rest is ready
};

/// Writes to a new temporary file in a folder (buffered). finish() flushes and fsyncs; the owner
/// then moves the file to its final name with commit() (rename in the same folder, atomic).
/// A file that is aborted, or destroyed without commit(), is removed: nothing half-written stays.
class FileSink final : public DataSink {
public:
    /// Creates `dir/<prefix>XXXXXX.part` (six random letters or digits, a name not yet taken),
    /// with mode 0644 less the umask.
    [[nodiscard]] static Result<std::unique_ptr<FileSink>> create(const std::string& dir,
                                                                  std::string_view prefix = ".dk-");
    /// The same with a file of `pool` (in pool.dir()).
    [[nodiscard]] static Result<std::unique_ptr<FileSink>> create(TempFilePool& pool);
    ~FileSink() override;
    FileSink(const FileSink&) = delete;
    FileSink& operator=(const FileSink&) = delete;

    /// Writes bytes that are not part of the data set (e.g. a Part 10 header before it); they
    /// are not counted by size().
    [[nodiscard]] Result<void> write_prefix(std::span<const std::uint8_t> bytes);
    [[nodiscard]] Result<void> write(std::span<const std::uint8_t> bytes) override;
    [[nodiscard]] Result<void> finish() override;
    void abort() noexcept override;
    [[nodiscard]] std::uint64_t size() const noexcept override { return size_; }
    /// Renames the finished file to `final_path` (replacing it) and fsyncs the folder.
    [[nodiscard]] Result<void> commit(const std::string& final_path);
    /// Hands the finished file over to the caller, who moves or removes it (e.g. after deciding
    /// what a duplicate becomes): returns its path, and the sink no longer removes it. Unlike
    /// removing by name later, this cannot hit another sink's new file of the same name.
    [[nodiscard]] Result<std::string> release();
    /// Whether finish() and commit() fsync (default). Off: faster, but a crash may lose a file
    /// whose store was already acknowledged (what storescp does).
    void set_durable(bool durable) noexcept { durable_ = durable; }
    [[nodiscard]] const std::string& temp_path() const noexcept { return path_; }
    /// Keep the file's bytes in memory after finish() when the whole file fitted in the write
    /// buffer (512 KiB, small PDV fragments): take_contents() then gives them, so that the
    /// receiver can read the header without opening the file again.
    void keep_contents(bool keep) noexcept { keep_contents_ = keep; }
    /// The whole file, as written, when keep_contents() was on and it fitted; otherwise nullopt.
    [[nodiscard]] std::optional<Bytes> take_contents() {
        std::optional<Bytes> c = std::move(contents_);
        contents_.reset();
        return c;
    }

private:
    FileSink() = default;
    [[nodiscard]] static std::unique_ptr<FileSink> adopt(TempFilePool::File f, const std::string& dir);
    [[nodiscard]] Result<void> append(std::span<const std::uint8_t> bytes);
    [[nodiscard]] Result<void> flush();
    [[nodiscard]] Result<void> write_all(std::span<const std::uint8_t> bytes);
    int fd_ = -1;
    std::string dir_;
    std::string path_;
    Bytes buffer_;
    std::uint64_t size_ = 0;
    bool finished_ = false;
    bool committed_ = false;
    bool durable_ = true;
    bool keep_contents_ = false;
    bool wrote_ = false;  ///< some bytes went to the file already (the buffer is not the whole file)
    std::optional<Bytes> contents_;
};

}  // namespace dicomkit::net::dimse
