// Ingest: a received instance into storage and the index as one unit of work, following the
// duplicate policy. Order (so that a crash at any point leaves nothing half-stored and nothing
// acknowledged lost, given reconcile() at the next start): the caller's temporary file has been
// fsynced; it is renamed into storage and the folder fsynced; the index commits; the copy it
// replaced, if any, is removed; only then may the caller acknowledge the store.
#pragma once

#include <array>
#include <mutex>
#include <string>
#include <string_view>

#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/storage/file_store.hpp>

namespace dicomkit::server::service {

/// What became of a received copy.
enum class StoreAction {
    Added,     ///< a new instance
    Replaced,  ///< a second copy under "replace": it is the indexed one now, the old file is gone
    Kept,      ///< a second copy under "keep": dropped, the stored copy stays
    Rejected,  ///< a second copy under "reject": dropped, the store is refused
};
[[nodiscard]] std::string_view to_string(StoreAction a) noexcept;

struct Stored {
    StoreAction action = StoreAction::Added;
    std::string sop_instance_uid;
    std::string path;  ///< the file the index names now (relative to the data root)
};

/// The attributes of a Part 10 file as the index takes them.
struct FileAttributes {
    DataSet dataset;  ///< up to the pixel data
    std::string sop_instance_uid;
    index::InstanceFile file;
};

class Ingest {
public:
    Ingest(index::Index& index, storage::FileStore& files, index::DuplicatePolicy policy)
        : index_(index), files_(files), policy_(policy) {}

    /// Takes over `temp_path`, a complete and fsynced Part 10 file in files().folder(), and moves
    /// it into storage and the index, or removes it (kept or rejected duplicate, or an error: the
    /// temporary file is gone whatever happens). Stores of the same SOP Instance UID are
    /// serialised, so that two copies arriving at once still end up as one file and one entry.
    [[nodiscard]] Result<Stored> store(const std::string& temp_path);

    /// Reads the header of a file (path relative to the data root, or absolute) up to the pixel
    /// data: what the index takes, and the SOP Instance UID.
    [[nodiscard]] Result<FileAttributes> read(const std::string& path) const;

    [[nodiscard]] index::DuplicatePolicy policy() const noexcept { return policy_; }
    [[nodiscard]] storage::FileStore& files() noexcept { return files_; }

private:
    std::mutex& lock_for(std::string_view sop_instance_uid);

    index::Index& index_;
    storage::FileStore& files_;
    index::DuplicatePolicy policy_;
    std::array<std::mutex, 64> locks_;  ///< by hash of the SOP Instance UID
};

}  // namespace dicomkit::server::service
