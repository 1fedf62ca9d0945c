// MetadataCache: the DICOM JSON of instances already written (WADO-RS metadata), so that a viewer
// opening a study again, or many viewers opening it, do not read and convert the same files at
// each request. An entry is named by the file's identity (path, inode, size, modification time):
// a stored file is never written in place (a new copy is a new file, renamed), so a changed
// instance has another key and its old entry is simply never asked for again. Least recently used
// entries go first once the total passes the limit. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace dicomkit::server::web {

class MetadataCache {
public:
    explicit MetadataCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
    /// The key of a local file, or nullopt when it cannot be looked at.
    [[nodiscard]] static std::optional<std::string> key_of(const std::string& path);
    [[nodiscard]] std::shared_ptr<const std::string> find(const std::string& key);
    void put(const std::string& key, std::string json);
    [[nodiscard]] std::size_t bytes() const;

private:
    using Entry = std::pair<std::string, std::shared_ptr<const std::string>>;
    mutable std::mutex mutex_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::list<Entry> order_;  ///< most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace dicomkit::server::web
