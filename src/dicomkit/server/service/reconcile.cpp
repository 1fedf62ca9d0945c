// Reconcile: index and storage back into agreement after a crash.
#include <dicomkit/server/service/reconcile.hpp>

#include <algorithm>
#include <chrono>
#include <vector>

namespace dicomkit::server::service {

namespace {

using storage::FileStore;

/// Whether a file was modified within the last `seconds` (a missing file is not recent).
bool modified_within(const FileStore& files, const std::string& path, std::int64_t seconds) {
    const auto info = files.info(path);
    if (!info) return false;
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    return now - info->mtime_ns < seconds * 1'000'000'000;
}

/// The file names in storage (sorted) and the temporary files removed on the way.
Result<std::vector<std::string>> list_files(FileStore& files, const ReconcileOptions& o, ReconcileReport& rep) {
    std::vector<std::string> names, temps;  // temps: absolute
    auto listed = files.for_each_name([&](const std::string& n) {
        if (FileStore::is_temp_name(n))
            temps.push_back(files.folder() + "/" + n);  // where earlier versions made them
        else
            names.push_back(n);
    });
    if (!listed) return tl::unexpected(listed.error());
    listed = files.for_each_incoming([&](const std::string& n) {
        if (FileStore::is_temp_name(n)) temps.push_back(files.incoming() + "/" + n);
    });
    if (!listed) return tl::unexpected(listed.error());
    for (const auto& path : temps) {
        if (o.shared && modified_within(files, path, o.temp_age_seconds)) {
            ++rep.recent;  // perhaps another node's store in progress
            continue;
        }
        if (files.remove(path)) ++rep.temp_removed;
    }
    std::sort(names.begin(), names.end());
    rep.files = names.size();
    return names;
}

/// A file the index does not name: index it, unless it is the older of two copies of one
/// instance. Two copies exist only when a replacement (Ingest::store) stopped between placing
/// the new file and removing the old one; the newer file is the one the sender was (or was
/// about to be) told about: if the index commit made it, the index names it already; if it did
/// not (a crash before the commit, or a commit that a power loss took back), taking the newer
/// copy loses nothing that was acknowledged.
Result<void> adopt(index::Index& index, Ingest& ingest, const std::string& path, ReconcileReport& rep) {
    FileStore& files = ingest.files();
    auto a = ingest.read(path);
    if (!a) {
        ++rep.unreadable;
        rep.warnings += path + ": not indexed: " + a.error().message + "\n";
        return {};
    }
    auto current = index.instance(a->sop_instance_uid);
    if (!current) return tl::unexpected(current.error());
    if (*current && (*current)->path != path) {
        const auto mine = files.info(path);
        const auto theirs = files.info((*current)->path);
        if (theirs && (!mine || mine->mtime_ns <= theirs->mtime_ns)) {
            if (auto r = files.remove(path); !r) return r;
            ++rep.copies_removed;
            return {};
        }
    }
    auto added = index.add(a->dataset, a->file, index::DuplicatePolicy::Replace);
    if (!added) return tl::unexpected(added.error());
    ++rep.indexed;
    if (*current && (*current)->path != path) {  // the indexed copy was the older one
        if (auto r = files.remove((*current)->path); !r) return r;
        ++rep.copies_removed;
    }
    return {};
}

}  // namespace

Result<ReconcileReport> reconcile(index::Index& index, Ingest& ingest, const ReconcileOptions& options) {
    FileStore& files = ingest.files();
    ReconcileReport rep;
    auto names = list_files(files, options, rep);
    if (!names) return tl::unexpected(names.error());

    // Which files the index names, and which entries name no file. Paths in storage are
    // "storage/<name>"; anything else (absolute, elsewhere) is looked at on disk.
    const std::string prefix = std::string(FileStore::kFolder) + "/";
    std::vector<char> named(names->size(), 0);
    std::vector<std::string> missing;
    auto n = index.for_each_instance([&](const std::string& uid, const index::InstanceFile& f) {
        bool present = false;
        if (f.path.starts_with(prefix) && f.path.find('/', prefix.size()) == std::string::npos) {
            const std::string_view name = std::string_view(f.path).substr(prefix.size());
            auto it = std::lower_bound(names->begin(), names->end(), name);
            present = it != names->end() && *it == name;
            if (present) named[static_cast<std::size_t>(it - names->begin())] = 1;
        } else {
            present = files.exists(f.path);
        }
        if (!present) missing.push_back(uid);
        return true;
    });
    if (!n) return tl::unexpected(n.error());
    rep.entries = *n;

    if (names->empty() && !missing.empty() && missing.size() == rep.entries) {
        rep.kept_missing = true;
        rep.warnings += files.folder() + " holds no file but the index lists " + std::to_string(rep.entries) +
                        " instances: nothing dropped (is the storage mounted?)\n";
    } else {
        for (const auto& uid : missing) {
            auto r = index.remove(uid);
            if (!r) return tl::unexpected(r.error());
            if (*r) ++rep.dropped;
        }
    }
    for (std::size_t i = 0; i < names->size(); ++i) {
        if (named[i]) continue;
        if (options.shared && modified_within(files, files.absolute(prefix + (*names)[i]), options.settle_seconds)) {
            ++rep.recent;  // placed by another node that has not committed yet
            continue;
        }
        if (auto r = adopt(index, ingest, prefix + (*names)[i], rep); !r) return tl::unexpected(r.error());
    }
    return rep;
}

}  // namespace dicomkit::server::service
