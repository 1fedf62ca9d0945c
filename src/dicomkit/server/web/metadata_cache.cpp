#include <dicomkit/server/web/metadata_cache.hpp>

#include <sys/stat.h>

namespace dicomkit::server::web {

std::optional<std::string> MetadataCache::key_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return path + '\n' + std::to_string(st.st_ino) + ':' + std::to_string(st.st_size) + ':' +
           std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec);
}

std::shared_ptr<const std::string> MetadataCache::find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
}

void MetadataCache::put(const std::string& key, std::string json) {
    if (json.size() > max_bytes_ / 4) return;  // one huge instance would push out everything else
    auto value = std::make_shared<const std::string>(std::move(json));
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
        bytes_ -= it->second->second->size() + it->first.size();
        order_.erase(it->second);
        index_.erase(it);
    }
    order_.emplace_front(key, value);
    index_[key] = order_.begin();
    bytes_ += value->size() + key.size();
    while (bytes_ > max_bytes_ && !order_.empty()) {
        const Entry& last = order_.back();
        bytes_ -= last.second->size() + last.first.size();
        index_.erase(last.first);
        order_.pop_back();
    }
}

std::size_t MetadataCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace dicomkit::server::web
