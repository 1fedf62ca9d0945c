// Incoming files of a folder store: temporary files made ahead (TempFilePool) and the file an
// arriving blob is written to (FileSink), fsynced and renamed into place once complete, or
// removed. Their names: "<prefix>XXXXXX.part" (is_temp_name), which reconciliation recognises.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/server/storage/blob_store.hpp>

namespace dicomkit::server::storage {

/// The prefix of the temporary files the archive makes.
inline constexpr std::string_view kTempPrefix = ".dk-";
/// Whether `name` is that of a temporary file made here (a store in progress, or one a crash
/// interrupted): "<kTempPrefix>XXXXXX.part".
[[nodiscard]] bool is_temp_name(std::string_view name) noexcept;

/// Temporary files made ahead in one folder, so that a store does not wait while the file system
/// creates one (an inode allocation, which on a busy ext4 can take longer than everything else a
/// store does): a thread keeps up to `ahead` of them created and open; take() hands one over, or
/// creates one at once when none is ready. Thread-safe. The ones not taken are removed when the
/// pool goes; after a crash they are temporary files like any other (empty, ".part": is_temp_name). None is
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
    explicit TempFilePool(std::string dir, std::size_t ahead = 16, std::string prefix = std::string(kTempPrefix));
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
class FileSink final : public IncomingBlob {
public:
    /// Creates `dir/<prefix>XXXXXX.part` (six random letters or digits, a name not yet taken),
    /// with mode 0644 less the umask.
    [[nodiscard]] static Result<std::unique_ptr<FileSink>> create(const std::string& dir,
                                                                  std::string_view prefix = kTempPrefix);
    /// The same with a file of `pool` (in pool.dir()).
    [[nodiscard]] static Result<std::unique_ptr<FileSink>> create(TempFilePool& pool);
    ~FileSink() override;
    FileSink(const FileSink&) = delete;
    FileSink& operator=(const FileSink&) = delete;

    /// Writes bytes that are not part of the data set (e.g. a Part 10 header before it); they
    /// are not counted by size().
    [[nodiscard]] Result<void> write_prefix(std::span<const std::uint8_t> bytes) override;
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
    /// release() as a Staged blob (its handle the temporary file's path, its contents kept).
    [[nodiscard]] Result<Staged> stage() override;
    /// Whether finish() and commit() fsync (default). Off: faster, but a crash may lose a file
    /// whose store was already acknowledged (what storescp does).
    void set_durable(bool durable) noexcept { durable_ = durable; }
    [[nodiscard]] const std::string& temp_path() const noexcept { return path_; }
    /// Keep the file's bytes in memory after finish() when the whole file fitted in the write
    /// buffer (512 KiB, small PDV fragments): take_contents() then gives them, so that the
    /// receiver can read the header without opening the file again.
    void keep_contents(bool keep) noexcept override { keep_contents_ = keep; }
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

}  // namespace dicomkit::server::storage
