// Removing instances from the archive (a study, a series or one instance, asked by an admin):
// each blob is removed first, then its index entry, so that a crash in between leaves an entry
// without its file, which the next start's reconciliation drops: what was removed stays removed.
#pragma once

#include <cstdint>
#include <vector>

#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/service/errors.hpp>
#include <dicomkit/server/service/retrieve.hpp>
#include <dicomkit/server/storage/blob_store.hpp>

namespace dicomkit::server::service {

struct Removed {
    std::uint64_t instances = 0;
    std::uint64_t bytes = 0;
};

/// Removes `items` (as Retrieve::instances lists them). OutOfResources when storage or the index
/// fails (what was removed before stays removed).
[[nodiscard]] ServiceResult<Removed> remove_instances(index::Index& index, storage::BlobStore& blobs,
                                                      const std::vector<RetrieveItem>& items);

}  // namespace dicomkit::server::service
