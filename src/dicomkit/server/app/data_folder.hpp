// DataFolder: the server's hold on its data folder: a lock (one server per folder: start-up
// reconciliation removes other writers' temporary files) and the mark that says whether the
// last server stopped cleanly.
#pragma once

#include <memory>
#include <string>

#include <dicomkit/base/error.hpp>

namespace dicomkit::server::app {

class DataFolder {
public:
    /// Creates `path` if needed and locks DATA/lock (flock; the kernel drops it when the process
    /// dies, kill -9 included): exclusively, or `shared` by the nodes of one PostgreSQL index
    /// (then no server with an index of its own can take the folder while they run, nor they
    /// while it runs). An error when the lock is taken the other way.
    [[nodiscard]] static Result<DataFolder> open(const std::string& path, bool shared = false);
    DataFolder(DataFolder&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) { o.fd_ = -1; }
    DataFolder& operator=(DataFolder&&) = delete;
    DataFolder(const DataFolder&) = delete;
    ~DataFolder();

    /// Whether DATA/clean is there: the last server wrote it after it stopped and closed its
    /// index, and no server ran since.
    [[nodiscard]] bool was_clean() const;
    /// Removes DATA/clean, durably (fsync of the folder), before anything is stored: from here
    /// on a crash leaves no mark, and the next start reconciles.
    [[nodiscard]] Result<void> mark_running();
    /// Writes DATA/clean, durably. Call after the index is closed.
    [[nodiscard]] Result<void> mark_clean();

private:
    DataFolder(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
    std::string path_;
    int fd_ = -1;
};

}  // namespace dicomkit::server::app
