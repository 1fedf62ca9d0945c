// Ingest: received files into storage and the index, with the duplicate policy.
#include <dicomkit/server/service/ingest.hpp>

#include <functional>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>

namespace dicomkit::server::service {

std::string_view to_string(StoreAction a) noexcept {
    switch (a) {
        case StoreAction::Added: return "added";
        case StoreAction::Replaced: return "replaced";
        case StoreAction::Kept: return "kept";
        case StoreAction::Rejected: return "rejected";
    }
    return "?";
}

namespace {

/// Removes the temporary file when the store does not move it into place.
struct TempFile {
    storage::FileStore& files;
    std::string path;
    bool owned = true;
    ~TempFile() {
        if (owned) (void)files.remove(path);
    }
};

}  // namespace

std::mutex& Ingest::lock_for(std::string_view sop_instance_uid) {
    return locks_[std::hash<std::string_view>{}(sop_instance_uid) % locks_.size()];
}

Result<FileAttributes> Ingest::read(const std::string& path) const {
    io::ReadOptions options;
    options.stop_before = tags::PixelData;
    options.defer_larger_than = 64 * 1024;
    const std::string abs = files_.absolute(path);
    auto file = io::read_file(abs, options);
    if (!file) return tl::unexpected(file.error());
    FileAttributes a;
    a.sop_instance_uid = std::string(trim_padding(file->dataset.string_or(tags::SOPInstanceUID)));
    if (a.sop_instance_uid.empty())
        return tl::unexpected(Error(ErrorCode::InvalidValue, "no SOP Instance UID in the data set").in_file(abs));
    a.file = {path, files_.size(path), file->transfer_syntax_uid};
    if (a.file.transfer_syntax.empty()) a.file.transfer_syntax = std::string(file->transfer_syntax.uid);
    a.dataset = std::move(file->dataset);
    return a;
}

Result<Stored> Ingest::store(const std::string& temp_path) {
    TempFile temp{files_, temp_path};
    auto attrs = read(temp_path);
    if (!attrs) return tl::unexpected(attrs.error());
    const std::string& uid = attrs->sop_instance_uid;
    std::lock_guard lock(lock_for(uid));
    auto current = index_.instance(uid);
    if (!current) return tl::unexpected(current.error());
    // A copy counts as stored when its file is there too: an entry whose file has gone is
    // replaced whatever the policy, rather than kept pointing at nothing.
    const bool stored = *current && files_.exists((*current)->path);
    if (stored && policy_ == index::DuplicatePolicy::Keep) return Stored{StoreAction::Kept, uid, (*current)->path};
    if (stored && policy_ == index::DuplicatePolicy::Reject)
        return Stored{StoreAction::Rejected, uid, (*current)->path};

    // Never over the copy the index names: if we stopped between rename and commit, the index
    // would describe one data set and the file hold another, and nothing could tell.
    const std::string old_path = *current ? (*current)->path : std::string();
    const std::string path = files_.path_for(uid, old_path);
    attrs->file.path = path;
    if (auto r = files_.place(temp_path, path); !r) return tl::unexpected(r.error());
    temp.owned = false;
    auto added = index_.add(attrs->dataset, attrs->file, index::DuplicatePolicy::Replace);
    if (!added) {
        (void)files_.remove(path);  // not the indexed copy (see path_for): back to where we were
        return tl::unexpected(added.error());
    }
    // After the commit: a crash before this unlink leaves a file the index does not name, which
    // reconcile() removes.
    if (!old_path.empty() && old_path != path) (void)files_.remove(old_path);
    return Stored{*added == index::AddStatus::Replaced ? StoreAction::Replaced : StoreAction::Added, uid, path};
}

}  // namespace dicomkit::server::service
