// Retrieve: the instances a C-MOVE or C-GET identifier names (PS3.4 C.4.2.2.1, C.4.3.2.1), found
// through the Index, with the id of each one's blob in the BlobStore they are read from.
#pragma once

#include <string>
#include <vector>

#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/service/errors.hpp>
#include <dicomkit/server/storage/blob_store.hpp>

namespace dicomkit::server::service {

/// One instance to send: its SOP class and instance, and its blob as stored.
struct RetrieveItem {
    std::string sop_class_uid;
    std::string sop_instance_uid;
    storage::BlobId blob;         ///< empty when the instance is no longer stored
    std::string transfer_syntax;  ///< of the stored data set
};

class Retrieve {
public:
    Retrieve(index::Index& index, storage::BlobStore& blobs) : index_(index), blobs_(blobs) {}
    /// Where the items' blobs are read from.
    [[nodiscard]] storage::BlobStore& blobs() const noexcept { return blobs_; }
    /// PS3.4 C.4.2.2.1: matches the unique keys of `identifier` at and above its Query/Retrieve
    /// Level in `root` and lists every instance below. Other keys are ignored. BadIdentifier when
    /// the level is missing or unknown. `relational` (PS3.4 C.4.2.2.2, C.4.3.2.2: relational
    /// retrieve, negotiated): the unique keys of the levels above may be absent, but the level's
    /// own unique key has to be there (BadIdentifier otherwise). OutOfResources when the index fails.
    [[nodiscard]] ServiceResult<std::vector<RetrieveItem>> instances(model::Root root, const DataSet& identifier,
                                                              bool relational = false);

private:
    ServiceResult<void> descend(model::Root root, const DataSet& keys, model::Level level, std::vector<RetrieveItem>& out,
                         bool relational = false);

    index::Index& index_;
    storage::BlobStore& blobs_;
};

}  // namespace dicomkit::server::service
