// Ingest: indexes an instance that storage has just written, so that file and index entry are one
// unit of work (the index commit follows the rename and precedes the C-STORE-RSP).
#pragma once

#include <string>

#include <dicomkit/server/index/index.hpp>

namespace dicomkit::server::service {

class Ingest {
public:
    Ingest(index::Index& index, std::string storage_root, index::DuplicatePolicy policy)
        : index_(index), root_(std::move(storage_root)), policy_(policy) {}

    /// Reads the Part 10 file at `path` up to the pixel data and indexes it; the index keeps the
    /// path relative to the storage root.
    [[nodiscard]] Result<index::AddStatus> add_file(const std::string& path);

private:
    index::Index& index_;
    std::string root_;
    index::DuplicatePolicy policy_;
};

}  // namespace dicomkit::server::service
