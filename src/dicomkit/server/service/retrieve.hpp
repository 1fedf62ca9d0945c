// Retrieve: the instances a C-MOVE or C-GET identifier names (PS3.4 C.4.2.2.1, C.4.3.2.1), found
// through the Index, with the stored file of each.
#pragma once

#include <string>
#include <vector>

#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/service/errors.hpp>

namespace dicomkit::server::service {

/// One instance to send: its SOP class and instance, and its file as stored.
struct RetrieveItem {
    std::string sop_class_uid;
    std::string sop_instance_uid;
    std::string path;             ///< absolute (storage root joined)
    std::string transfer_syntax;  ///< of the stored data set
};

class Retrieve {
public:
    Retrieve(index::Index& index, std::string storage_root) : index_(index), root_(std::move(storage_root)) {}
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
    std::string root_;
};

}  // namespace dicomkit::server::service
