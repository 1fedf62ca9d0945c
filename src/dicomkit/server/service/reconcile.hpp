// Reconcile: brings the index and the files in storage back into agreement after a crash
// (DESIGN 4), given the order Ingest::store keeps: temporary files are dropped, files the index
// does not name are indexed, entries whose file is gone are dropped, and when two files hold one
// instance (a replacement interrupted between placing the new file and removing the old one)
// the newer one stays. What does not belong in storage (a file that does not parse, is cut
// short, holds an instance the index refuses or sits under a name serve does not give; a folder
// or link; an indexed file that is no longer what was indexed) is moved to DATA/quarantine with
// a NAME.reason file beside it, never deleted, and never stops the start.
#pragma once

#include <cstdint>
#include <string>

#include <dicomkit/server/service/ingest.hpp>
#include <dicomkit/server/storage/file_store.hpp>

namespace dicomkit::server::service {

struct ReconcileReport {
    std::uint64_t files = 0;             ///< instance files found in storage
    std::uint64_t entries = 0;           ///< instances in the index before
    std::uint64_t temp_removed = 0;      ///< temporary files of interrupted stores
    std::uint64_t indexed = 0;           ///< files that were not in the index
    std::uint64_t dropped = 0;           ///< entries whose file was missing
    std::uint64_t copies_removed = 0;    ///< older copies of an instance that had two files
    std::uint64_t quarantined = 0;       ///< moved to DATA/quarantine (files, folders, links)
    std::uint64_t unreadable = 0;        ///< of those that should have been quarantined, left where they are
    std::uint64_t recent = 0;            ///< shared: recent files left to the node writing them
    bool kept_missing = false;           ///< storage was empty: missing entries were not dropped
    /// The index could not be written (a full disk, an I/O error): reconciliation stopped there,
    /// the files it had not indexed yet stay in storage for the next one. Empty when it could.
    std::string index_error;
    std::string warnings;                ///< one line per file quarantined or left, or entry dropped
    std::string notes;                   ///< one line per older copy removed
};

struct ReconcileOptions {
    /// Other servers may be storing into the same folder now (several nodes on one PostgreSQL
    /// index): a temporary file is only removed when nothing has written it for
    /// `temp_age_seconds`, and a file the index does not name is only indexed when it is older
    /// than `settle_seconds` (another node places a file, then commits its index entry, within
    /// milliseconds). Entries whose file is gone are dropped as always: a node commits an entry
    /// only after its file is in place.
    bool shared = false;
    /// Stores of this server may be under way (a reconciliation while it serves, with stores
    /// refused): as with `shared`, temporary files written within `temp_age_seconds` stay.
    bool keep_recent_temps = false;
    std::int64_t temp_age_seconds = 3600;
    std::int64_t settle_seconds = 60;
};

/// Compares the file names in storage with the paths in the index: only the files the index
/// does not name, and the named ones whose size is not the indexed one, are opened, so the cost
/// is one listing of storage (with a stat of each name) and one pass over the index.
/// Unless `options.shared`, it must run before the server accepts stores (nothing else may write
/// storage meanwhile). When storage holds no file at all but the index lists instances, nothing
/// is dropped: that looks like storage that is not mounted rather than files that are lost.
/// An error only when storage cannot be listed or the index cannot be read; a failure to write
/// the index is `index_error`.
/// `files`: the FileStore `ingest` stores into.
[[nodiscard]] Result<ReconcileReport> reconcile(index::Index& index, Ingest& ingest, storage::FileStore& files,
                                                const ReconcileOptions& options = {});

/// Whether the file at `path` (an id of `files`, or absolute) is a complete Part 10
/// file: it parses, and no value, item or fragment is cut short by the end of the file (the
/// pixel data is not loaded, only its length checked against the bytes there are).
[[nodiscard]] Result<void> check_complete(const storage::FileStore& files, const std::string& path);

}  // namespace dicomkit::server::service
