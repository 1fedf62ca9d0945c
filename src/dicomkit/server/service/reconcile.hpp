// Reconcile: brings the index and the files in storage back into agreement after a crash
// (DESIGN 4), given the order Ingest::store keeps: temporary files are dropped, files the index
// does not name are indexed, entries whose file is gone are dropped, and when two files hold one
// instance (a replacement interrupted between placing the new file and removing the old one)
// the newer one stays.
#pragma once

#include <cstdint>
#include <string>

#include <dicomkit/server/service/ingest.hpp>

namespace dicomkit::server::service {

struct ReconcileReport {
    std::uint64_t files = 0;             ///< instance files found in storage
    std::uint64_t entries = 0;           ///< instances in the index before
    std::uint64_t temp_removed = 0;      ///< temporary files of interrupted stores
    std::uint64_t indexed = 0;           ///< files that were not in the index
    std::uint64_t dropped = 0;           ///< entries whose file was missing
    std::uint64_t copies_removed = 0;    ///< older copies of an instance that had two files
    std::uint64_t unreadable = 0;        ///< files that do not parse: left where they are, logged
    std::uint64_t recent = 0;            ///< shared: recent files left to the node writing them
    bool kept_missing = false;           ///< storage was empty: missing entries were not dropped
    std::string warnings;                ///< one line per unreadable file or refusal
};

struct ReconcileOptions {
    /// Other servers may be storing into the same folder now (several nodes on one PostgreSQL
    /// index): a temporary file is only removed when nothing has written it for
    /// `temp_age_seconds`, and a file the index does not name is only indexed when it is older
    /// than `settle_seconds` (another node places a file, then commits its index entry, within
    /// milliseconds). Entries whose file is gone are dropped as always: a node commits an entry
    /// only after its file is in place.
    bool shared = false;
    std::int64_t temp_age_seconds = 3600;
    std::int64_t settle_seconds = 60;
};

/// Compares the file names in storage with the paths in the index: only the files the index
/// does not name are opened, so the cost is one directory listing and one pass over the index.
/// Unless `options.shared`, it must run before the server accepts stores (nothing else may write
/// storage meanwhile). When storage holds no file at all but the index lists instances, nothing
/// is dropped: that looks like storage that is not mounted rather than files that are lost.
[[nodiscard]] Result<ReconcileReport> reconcile(index::Index& index, Ingest& ingest,
                                                const ReconcileOptions& options = {});

}  // namespace dicomkit::server::service
