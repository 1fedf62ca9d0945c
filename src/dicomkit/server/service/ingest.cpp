// Ingest: received files into storage and the index, with the duplicate policy.
#include <dicomkit/server/service/ingest.hpp>

#include <functional>
#include <optional>
#include <unordered_set>

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

/// How many stores one group takes at most.
constexpr std::size_t kMaxGroup = 256;

}  // namespace

Ingest::Ingest(index::Index& index, storage::FileStore& files, index::DuplicatePolicy policy)
    : index_(index), files_(files), policy_(policy), thread_([this] { run(); }) {}

Ingest::~Ingest() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

Result<FileAttributes> Ingest::read(const std::string& path, std::optional<Bytes> contents) const {
    io::ReadOptions options;
    options.stop_before = tags::PixelData;
    options.defer_larger_than = 64 * 1024;
    const std::string abs = files_.absolute(path);
    const bool in_memory = contents.has_value();
    const std::uint64_t size = in_memory ? contents->size() : 0;
    auto file = contents ? io::read_bytes(std::move(*contents), options, abs) : io::read_file(abs, options);
    if (!file) return tl::unexpected(file.error());
    FileAttributes a;
    a.sop_instance_uid = std::string(trim_padding(file->dataset.string_or(tags::SOPInstanceUID)));
    if (a.sop_instance_uid.empty())
        return tl::unexpected(Error(ErrorCode::InvalidValue, "no SOP Instance UID in the data set").in_file(abs));
    a.file = {path, in_memory ? size : files_.size(path), file->transfer_syntax_uid};
    if (a.file.transfer_syntax.empty()) a.file.transfer_syntax = std::string(file->transfer_syntax.uid);
    a.dataset = std::move(file->dataset);
    return a;
}

void Ingest::submit(const std::string& temp_path, Done done, bool now, std::optional<Bytes> contents) {
    auto attrs = read(temp_path, std::move(contents));
    if (!attrs) {
        (void)files_.remove(temp_path);
        done(tl::unexpected(attrs.error()));
        return;
    }
    std::unique_lock lock(mutex_);
    queue_.push_back(Job{temp_path, std::move(*attrs), std::move(done)});
    if (!now || committing_) {
        lock.unlock();
        wake_.notify_all();
        return;
    }
    committing_ = true;
    std::vector<Job> group;
    take_group(group);
    lock.unlock();
    commit(group);
    lock.lock();
    committing_ = false;
    const bool more = !queue_.empty();
    lock.unlock();
    if (more) wake_.notify_all();
}

Result<Stored> Ingest::store(const std::string& temp_path) {
    std::mutex m;
    std::condition_variable cv;
    std::optional<Result<Stored>> out;
    submit(temp_path, [&](Result<Stored> r) {
        std::lock_guard lock(m);
        out = std::move(r);
        cv.notify_all();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return out.has_value(); });
    return std::move(*out);
}

void Ingest::take_group(std::vector<Job>& group) {
    // A second copy of a UID in this group waits for the next one, so that each group sees the
    // index as the groups before it left it.
    std::unordered_set<std::string> uids;
    for (auto it = queue_.begin(); it != queue_.end() && group.size() < kMaxGroup;) {
        if (uids.insert(it->attrs.sop_instance_uid).second) {
            group.push_back(std::move(*it));
            it = queue_.erase(it);
        } else {
            ++it;
        }
    }
}

void Ingest::run() {
    std::vector<Job> group;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return (stopping_ && !committing_) || (!queue_.empty() && !committing_); });
            if (queue_.empty()) return;  // stopping, and nothing left
            committing_ = true;
            take_group(group);
        }
        commit(group);
        group.clear();
        {
            std::lock_guard lock(mutex_);
            committing_ = false;
        }
        wake_.notify_all();
    }
}

void Ingest::finish(std::vector<Placed>& placed) {
    if (placed.empty()) return;
    std::vector<index::Index::AddItem> items;
    items.reserve(placed.size());
    for (const Placed& p : placed)
        items.push_back({&p.job.attrs.dataset, p.job.attrs.file, index::DuplicatePolicy::Replace});
    auto added = index_.add_many(items);
    for (std::size_t k = 0; k < placed.size(); ++k) {
        Placed& p = placed[k];
        if (k >= added.size() || !added[k]) {
            (void)files_.remove(p.path);  // not the indexed copy (see path_for): back to where we were
            p.job.done(k < added.size() ? Result<Stored>(tl::unexpected(added[k].error()))
                                        : make_error(ErrorCode::IoError, "index: no result for the instance"));
            continue;
        }
        // After the commit: a crash before this unlink leaves a file the index does not name,
        // which reconcile() removes.
        if (!p.old_path.empty() && p.old_path != p.path) (void)files_.remove(p.old_path);
        p.job.done(Stored{*added[k] == index::AddStatus::Replaced ? StoreAction::Replaced : StoreAction::Added,
                          p.job.attrs.sop_instance_uid, p.path});
    }
    placed.clear();
}

void Ingest::commit(std::vector<Job>& group) {
    std::vector<std::string> temps;
    temps.reserve(group.size());
    for (const Job& job : group) temps.push_back(job.temp);
    bool everything = false;  // the file system was flushed: the previous group's renames too
    auto flushed = files_.sync_files(temps, &everything);  // the data of every temporary file of the group
    // The previous group (renamed while this one was queued) is indexed before this group's
    // duplicates are looked up, and only once its folder entries are flushed.
    if (!unflushed_.empty()) {
        if (!everything) {
            if (auto r = files_.sync_folder(); !r) {
                for (Placed& p : unflushed_) {
                    (void)files_.remove(p.path);
                    p.job.done(tl::unexpected(r.error()));
                }
                unflushed_.clear();
            }
        }
        finish(unflushed_);
    }
    std::vector<Placed> placed;
    for (Job& job : group) {
        auto fail = [&](const Error& e) {
            (void)files_.remove(job.temp);
            job.done(tl::unexpected(e));
        };
        if (!flushed) {
            fail(flushed.error());
            continue;
        }
        const std::string& uid = job.attrs.sop_instance_uid;
        auto current = index_.instance(uid);
        if (!current) {
            fail(current.error());
            continue;
        }
        // A copy counts as stored when its file is there too: an entry whose file has gone is
        // replaced whatever the policy, rather than kept pointing at nothing.
        const bool stored = *current && files_.exists((*current)->path);
        if (stored && (policy_ == index::DuplicatePolicy::Keep || policy_ == index::DuplicatePolicy::Reject)) {
            (void)files_.remove(job.temp);
            job.done(Stored{policy_ == index::DuplicatePolicy::Keep ? StoreAction::Kept : StoreAction::Rejected, uid,
                            (*current)->path});
            continue;
        }
        // Never over the copy the index names: if we stopped between rename and commit, the
        // index would describe one data set and the file hold another, and nothing could tell.
        std::string old_path = *current ? (*current)->path : std::string();
        std::string path = files_.path_for(uid, old_path);
        if (auto r = files_.rename_into(job.temp, path); !r) {
            fail(r.error());
            continue;
        }
        job.attrs.file.path = path;
        placed.push_back(Placed{std::move(job), std::move(path), std::move(old_path)});
    }
    if (placed.empty()) return;
    bool more = false;
    {
        std::lock_guard lock(mutex_);
        more = queue_.size() >= 8;
    }
    if (more && files_.durable()) {  // the next group's syncfs covers these names too
        unflushed_ = std::move(placed);
        return;
    }
    if (auto r = files_.sync_folder(); !r) {
        for (Placed& p : placed) {
            (void)files_.remove(p.path);
            p.job.done(tl::unexpected(r.error()));
        }
        return;
    }
    finish(placed);
}

}  // namespace dicomkit::server::service
