// Reconcile: index and storage back into agreement after a crash; what does not belong to
// quarantine.
#include <algorithm>
#include <chrono>
#include <dicomkit/base/log.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/server/service/reconcile.hpp>
#include <optional>
#include <set>
#include <vector>

namespace dicomkit::server::service {

namespace {

using storage::FileStore;

/// Entries dropped for a missing file are listed one by one up to this many, then counted.
constexpr std::uint64_t kMaxDroppedLines = 100;

/// Whether a file was modified within the last `seconds` (a missing file is not recent).
bool modified_within(const FileStore& files, const std::string& path, std::int64_t seconds) {
    const auto info = files.info(path);
    if (!info) return false;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    return now - info->mtime_ns < seconds * 1'000'000'000;
}

/// An error as a reason: what and where in the file, without the file's path (the line names it).
std::string reason_of(Error e) {
    e.file.clear();
    return e.to_string();
}

std::string base_name(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct ByName {
    bool operator()(const FileStore::Entry& a, const FileStore::Entry& b) const {
        return a.name < b.name;
    }
    bool operator()(const FileStore::Entry& a, std::string_view b) const { return a.name < b; }
};

/// What storage holds, apart from the temporary files (removed on the way).
struct Listing {
    std::vector<FileStore::Entry> files;  ///< regular files in storage, sorted by name
    std::vector<FileStore::Entry>
        others;  ///< folders (but .incoming), links, special files: sorted
    std::vector<std::string>
        strays;  ///< what is in .incoming and is not a temporary file (relative)
};

class Reconciler {
  public:
    Reconciler(index::Index& index, Ingest& ingest, FileStore& files, const ReconcileOptions& o, ReconcileReport& rep)
        : index_(index), ingest_(ingest), files_(files), o_(o), rep_(rep) {}

    Result<void> run();

  private:
    /// How reports name a file of storage ("storage/<id>").
    [[nodiscard]] std::string shown(const std::string& id) const { return files_.display(id); }
    Result<Listing> list();
    /// Moves `path` to the quarantine folder, with `reason`; logged either way.
    void quarantine(const std::string& path, const std::string& reason);
    /// A write to the index failed: true (and the run stops writing) when the index is at fault
    /// (an I/O error: a full disk), false when it refused this instance.
    bool index_failed(const Error& e) {
        if (e.code != ErrorCode::IoError) return false;
        if (rep_.index_error.empty()) rep_.index_error = e.to_string();
        return true;
    }
    [[nodiscard]] bool index_ok() const { return rep_.index_error.empty(); }
    /// A complete Part 10 file, read as Ingest reads it.
    Result<FileAttributes> examine(const std::string& path) const {
        if (auto c = check_complete(files_, path); !c) return tl::unexpected(c.error());
        return ingest_.read(path);
    }
    Result<void> adopt(const std::string& path);
    Result<void> recheck(const std::string& uid, const std::string& path);
    void drop_missing(const std::vector<std::pair<std::string, std::string>>& missing);

    index::Index& index_;
    Ingest& ingest_;
    FileStore& files_;
    const ReconcileOptions& o_;
    ReconcileReport& rep_;
};

void Reconciler::quarantine(const std::string& path, const std::string& reason) {
    std::string note;
    auto q = files_.quarantine(path, reason, &note);
    if (q) {
        ++rep_.quarantined;
        rep_.warnings += shown(path) + ": moved to " + *q + ": " + reason +
                         (note.empty() ? "" : " (" + note + ")") + "\n";
    } else {
        ++rep_.unreadable;
        rep_.warnings += shown(path) + ": " + reason + "; left where it is: " + q.error().message + "\n";
    }
}

Result<Listing> Reconciler::list() {
    Listing l;
    std::vector<std::string> temps;  // absolute
    auto listed = files_.for_each_entry([&](const FileStore::Entry& e) {
        if (e.kind == FileStore::Kind::Folder && e.name == FileStore::kIncoming) return;
        if (e.kind == FileStore::Kind::File && FileStore::is_temp_name(e.name))
            temps.push_back(files_.folder() + "/" + e.name);  // where earlier versions made them
        else if (e.kind == FileStore::Kind::File)
            l.files.push_back(e);
        else
            l.others.push_back(e);
    });
    if (!listed) return tl::unexpected(listed.error());
    const std::string incoming = std::string(FileStore::kIncoming) + "/";
    listed = files_.for_each_entry(
        [&](const FileStore::Entry& e) {
            if (e.kind == FileStore::Kind::File && FileStore::is_temp_name(e.name))
                temps.push_back(files_.incoming() + "/" + e.name);
            else
                l.strays.push_back(incoming + e.name);
        },
        true);
    if (!listed) return tl::unexpected(listed.error());
    for (const auto& path : temps) {
        if ((o_.shared || o_.keep_recent_temps) && modified_within(files_, path, o_.temp_age_seconds)) {
            ++rep_.recent;  // perhaps another node's store in progress
            continue;
        }
        if (files_.remove(path)) ++rep_.temp_removed;
    }
    std::sort(l.files.begin(), l.files.end(), ByName{});
    std::sort(l.others.begin(), l.others.end(), ByName{});
    rep_.files = l.files.size();
    return l;
}

/// A file the index does not name: index it, unless it is the older of two copies of one
/// instance. Two copies exist only when a replacement (Ingest::store) stopped between placing
/// the new file and removing the old one; the newer file is the one the sender was (or was
/// about to be) told about: if the index commit made it, the index names it already; if it did
/// not (a crash before the commit, or a commit that a power loss took back), taking the newer
/// copy loses nothing that was acknowledged. What serve cannot have placed (a file that does not
/// parse or is cut short, one under another name than its instance's, one the index refuses)
/// goes to quarantine.
Result<void> Reconciler::adopt(const std::string& path) {
    auto a = examine(path);
    if (!a) {
        quarantine(path, "not a complete DICOM file: " + reason_of(a.error()));
        return {};
    }
    const std::string& uid = a->sop_instance_uid;
    const std::string first = files_.id_for(uid), second = files_.id_for(uid, first);
    if (path != first && path != second) {
        quarantine(path, "holds instance " + log::printable(uid) + ", whose files serve names " +
                             base_name(first) + " or " + base_name(second) +
                             ": not a file serve placed");
        return {};
    }
    auto current = index_.instance(uid);
    if (!current) return tl::unexpected(current.error());
    if (*current && (*current)->path != path) {
        const auto mine = files_.info(path);
        const auto theirs = files_.info((*current)->path);
        if (theirs && (!mine || mine->mtime_ns <= theirs->mtime_ns)) {
            if (auto r = files_.remove(path); !r) {
                rep_.warnings += shown(path) + ": an older copy of " + log::printable(uid) +
                                 ", left: " + r.error().message + "\n";
                return {};
            }
            ++rep_.copies_removed;
            rep_.notes += shown(path) + ": removed, an older copy of " + log::printable(uid) +
                          " (the index names " + shown((*current)->path) + ")\n";
            return {};
        }
    }
    auto added = index_.add(a->dataset, a->file, index::DuplicatePolicy::Replace);
    if (!added) {
        if (index_failed(added.error())) return {};  // left for the next reconciliation
        quarantine(path, "the index refuses instance " + log::printable(uid) + ": " +
                             reason_of(added.error()));
        return {};
    }
    ++rep_.indexed;
    if (*current && (*current)->path != path) {  // the indexed copy was the older one
        if (auto r = files_.remove((*current)->path); !r) {
            rep_.warnings += shown((*current)->path) + ": an older copy of " + log::printable(uid) +
                             ", left: " + r.error().message + "\n";
            return {};
        }
        ++rep_.copies_removed;
        rep_.notes += shown((*current)->path) + ": removed, an older copy of " + log::printable(uid) +
                      " (now " + shown(path) + ")\n";
    }
    return {};
}

/// An indexed file whose size is not the indexed one: still the instance (indexed again, as it
/// is now), or not (quarantined, and the entry dropped: nothing can be retrieved from it).
Result<void> Reconciler::recheck(const std::string& uid, const std::string& path) {
    auto a = examine(path);
    std::string why;
    if (a && a->sop_instance_uid == uid) {
        auto added = index_.add(a->dataset, a->file, index::DuplicatePolicy::Replace);
        if (added || index_failed(added.error())) return {};
        why = "which the index now refuses: " + reason_of(added.error());
    } else {
        why = a ? "holds instance " + log::printable(a->sop_instance_uid)
                : "not a complete DICOM file: " + reason_of(a.error());
    }
    quarantine(path, "indexed as " + log::printable(uid) + " but no longer that file (" + why +
                         "); its index entry is dropped");
    auto r = index_.remove(uid);
    if (!r) {
        if (!index_failed(r.error()))
            rep_.warnings += log::printable(uid) + " (" + shown(path) +
                             "): cannot drop the entry: " + r.error().message + "\n";
    } else if (*r) {
        ++rep_.dropped;
    }
    return {};
}

void Reconciler::drop_missing(const std::vector<std::pair<std::string, std::string>>& missing) {
    for (const auto& [uid, path] : missing) {
        if (!index_ok()) return;
        auto r = index_.remove(uid);
        if (!r) {
            if (index_failed(r.error())) return;
            rep_.warnings += log::printable(uid) + " (" + shown(path) +
                             "): cannot drop the entry: " + r.error().message + "\n";
            continue;
        }
        if (!*r) continue;
        if (++rep_.dropped <= kMaxDroppedLines)
            rep_.warnings +=
                log::printable(uid) + ": dropped from the index: its file " + shown(path) + " is gone\n";
    }
    if (rep_.dropped > kMaxDroppedLines)
        rep_.warnings += std::to_string(rep_.dropped - kMaxDroppedLines) +
                         " more entries dropped: their files are gone\n";
}

Result<void> Reconciler::run() {
    auto l = list();
    if (!l) return tl::unexpected(l.error());

    // Which files the index names, and which entries name no file. Ids of storage are names in
    // its folder; anything else (an absolute path, elsewhere) is looked at on disk.
    std::vector<char> named(l->files.size(), 0), used(l->others.size(), 0);
    std::vector<std::pair<std::string, std::string>> missing;  // uid, path
    std::vector<std::pair<std::string, std::string>>
        resized;  // uid, path: the size is not the indexed one
    auto n = index_.for_each_instance([&](const std::string& uid, const index::InstanceFile& f) {
        bool present = false;
        if (!f.path.empty() && f.path.front() != '/') {
            const std::string_view rest = f.path;
            const std::string_view name = rest.substr(0, rest.find('/'));
            auto it = std::lower_bound(l->files.begin(), l->files.end(), name, ByName{});
            if (name == rest && it != l->files.end() && it->name == name) {
                present = true;
                named[static_cast<std::size_t>(it - l->files.begin())] = 1;
                if (it->size != f.size) resized.emplace_back(uid, f.path);
            } else {
                // In a folder or behind a link that an entry names: left as it is.
                auto o = std::lower_bound(l->others.begin(), l->others.end(), name, ByName{});
                const bool other = o != l->others.end() && o->name == name;
                if (other) used[static_cast<std::size_t>(o - l->others.begin())] = 1;
                present = (name != rest || other) && files_.exists(f.path);
            }
        } else {
            present = files_.exists(f.path);
        }
        if (!present) missing.emplace_back(uid, f.path);
        return true;
    });
    if (!n) return tl::unexpected(n.error());
    rep_.entries = *n;

    if (l->files.empty() && !missing.empty() && missing.size() == rep_.entries) {
        rep_.kept_missing = true;
        rep_.warnings += files_.folder() + " holds no file but the index lists " +
                         std::to_string(rep_.entries) +
                         " instances: nothing dropped (is the storage mounted?)\n";
    } else {
        drop_missing(missing);
    }
    for (const auto& [uid, path] : resized) {
        if (!index_ok()) break;
        if (o_.shared && modified_within(files_, path, o_.settle_seconds)) continue;
        if (auto r = recheck(uid, path); !r) return r;
    }
    for (std::size_t i = 0; i < l->files.size() && index_ok(); ++i) {
        if (named[i]) continue;
        const std::string path = l->files[i].name;
        if (o_.shared && modified_within(files_, files_.absolute(path), o_.settle_seconds)) {
            ++rep_.recent;  // placed by another node that has not committed yet
            continue;
        }
        if (auto r = adopt(path); !r) return r;
    }
    for (std::size_t i = 0; i < l->others.size(); ++i) {
        if (used[i]) continue;
        const auto& e = l->others[i];
        quarantine(e.name,
                   e.kind == FileStore::Kind::Folder
                       ? "a folder in storage, where serve keeps files only"
                       : "a link or special file in storage, where serve keeps regular files only");
    }
    for (const auto& path : l->strays)
        quarantine(path, "in " + shown(std::string(FileStore::kIncoming)) +
                             ", where serve keeps only the temporary files of stores (.dk-*.part)");
    return {};
}

}  // namespace

Result<void> check_complete(const storage::FileStore& files, const std::string& path) {
    io::ReadOptions options;
    options.defer_larger_than = 4096;  // the pixel data's length is checked, its bytes not read
    const std::string abs = files.absolute(path);
    auto file = io::read_file(abs, options);
    if (!file) return tl::unexpected(file.error());
    for (const Error& w : file->diagnostics.warnings)
        if (w.code == ErrorCode::Truncated) {
            Error e = w;
            e.message = "cut short: " + e.message;
            return tl::unexpected(std::move(e));
        }
    return {};
}

Result<ReconcileReport> reconcile(index::Index& index, Ingest& ingest, storage::FileStore& files,
                                  const ReconcileOptions& options) {
    ReconcileReport rep;
    Reconciler r(index, ingest, files, options, rep);
    if (auto ok = r.run(); !ok) return tl::unexpected(ok.error());
    return rep;
}

}  // namespace dicomkit::server::service
