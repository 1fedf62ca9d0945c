// Ingest: received files into storage and the index, with the duplicate policy.
#include <dicomkit/server/service/ingest.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <unordered_set>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>

namespace dicomkit::server::service {

std::string_view to_string(StoreAction a) noexcept {
    switch (a) {
        case StoreAction::Added: return "added";
        case StoreAction::Replaced: return "replaced";
        case StoreAction::Kept: return "kept";
        case StoreAction::Rejected: return "rejected";
        case StoreAction::Quarantined: return "quarantined";
    }
    return "?";
}

namespace {

/// The answer for a stored (or dropped) data set: what it is, and where its blob is now.
Stored stored_of(StoreAction action, const FileAttributes& attrs, std::string path) {
    Stored s{action, attrs.sop_instance_uid, std::move(path), {}, {}, {}};
    s.sop_class_uid = attrs.dataset.string_or(Tag{0x0008, 0x0016});
    s.study_instance_uid = attrs.dataset.string_or(Tag{0x0020, 0x000D});
    s.series_instance_uid = attrs.dataset.string_or(Tag{0x0020, 0x000E});
    return s;
}

/// How many stores one group takes at most.
constexpr std::size_t kMaxGroup = 256;
/// answer_when_placed: the indexing thread indexes once this many answered stores are queued, or
/// once the first of them has waited kIndexLinger. One commit writes each page it changed once,
/// so a larger group writes fewer pages per instance (in SQLite: 14.6 write calls per instance
/// added alone, 3.1 in groups of 32, 1.7 in groups of 128). Nobody waits for it: a query first
/// indexes what is queued (wait_indexed).
constexpr std::size_t kIndexBatch = 128;
constexpr auto kIndexLinger = std::chrono::milliseconds(50);
/// answer_when_placed: at most this many answered stores wait for the index (each holds its
/// header); past it, placing waits for indexing, so that memory stays bounded when stores come
/// faster than the index takes them.
constexpr std::size_t kIndexBacklog = 1024;
/// answer_when_placed: how often answered stores that the index failed to take (a full disk)
/// are offered to it again.
constexpr auto kIndexRetry = std::chrono::seconds(2);
/// admit(): the free space is looked up again after this long, or at each store once it is
/// within kSpaceMargin of the reserve.
constexpr auto kSpaceCheck = std::chrono::milliseconds(100);
constexpr std::uint64_t kSpaceMargin = 64ull << 20;

}  // namespace

Ingest::Ingest(index::Index& index, storage::BlobStore& files, index::DuplicatePolicy policy, IngestOptions options)
    : index_(index), files_(files), policy_(policy), options_(std::move(options)), thread_([this] { run(); }) {
    if (options_.answer_when_placed) indexer_ = std::thread([this] { index_run(); });
}

Ingest::~Ingest() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (indexer_.joinable()) {  // after the committer: it may hand over one more group
        {
            std::lock_guard lock(index_mutex_);
            index_stopping_ = true;
        }
        index_wake_.notify_all();
        indexer_.join();
    }
}

void Ingest::wait_indexed() {
    if (!options_.answer_when_placed) return;
    std::unique_lock lock(index_mutex_);
    const std::uint64_t target = answered_;
    lock.unlock();
    index_pending();  // rather than wait for whoever would
    lock.lock();
    indexed_.wait(lock, [&] { return indexed_count_ >= target; });
}

std::uint64_t Ingest::unindexed() {
    std::lock_guard lock(index_mutex_);
    return unindexed_ + retry_.size() + retrying_;  // those being retried are not indexed yet
}

void Ingest::wait_not_pending(const std::string& uid) {
    std::unique_lock lock(index_mutex_);
    if (!pending_.contains(uid)) return;
    lock.unlock();
    index_pending();
    lock.lock();
    indexed_.wait(lock, [&] { return !pending_.contains(uid); });
}

void Ingest::index_pending() {
    std::vector<Placed> group;
    for (;;) {
        {
            std::lock_guard lock(index_mutex_);
            if (indexing_ || to_index_.empty()) return;  // one at a time, so that groups commit in order
            indexing_ = true;
            while (!to_index_.empty() && group.size() < kMaxGroup) {
                group.push_back(std::move(to_index_.front()));
                to_index_.pop_front();
            }
        }
        index_group(group);
        {
            std::lock_guard lock(index_mutex_);
            for (const Placed& p : group) pending_.erase(p.job.attrs.sop_instance_uid);
            indexed_count_ += group.size();
            indexing_ = false;
        }
        indexed_.notify_all();
        group.clear();
    }
}

void Ingest::index_run() {
    // Asleep while nothing is queued; then gathers up to kIndexBatch, for at most kIndexLinger
    // (a reader may take them meanwhile). While the index fails to take answered stores, they
    // are retried every kIndexRetry.
    for (;;) {
        bool stop = false, retry = false;
        {
            std::unique_lock lock(index_mutex_);
            auto woken = [&] { return index_stopping_ || !to_index_.empty(); };
            if (retry_.empty())  // until something is queued, or a reader's group failed (keep_for_retry)
                index_wake_.wait(lock, [&] { return woken() || !retry_.empty(); });
            else
                index_wake_.wait_for(lock, kIndexRetry, woken);
            index_wake_.wait_for(lock, kIndexLinger, [&] {
                return index_stopping_ || to_index_.size() >= kIndexBatch || to_index_.empty();
            });
            stop = index_stopping_;
            retry = !retry_.empty();
        }
        index_pending();
        if (retry) retry_failed();
        if (stop) {
            std::lock_guard lock(index_mutex_);
            if (to_index_.empty() && !indexing_) return;
        }
    }
}

std::vector<Result<index::AddStatus>> Ingest::index_placed(const std::vector<Placed>& placed) {
    std::vector<index::Index::AddItem> items;
    items.reserve(placed.size());
    for (const Placed& p : placed)
        items.push_back({&p.job.attrs.dataset, p.job.attrs.file, index::DuplicatePolicy::Replace});
    auto added = index_.add_many(items);
    added.resize(placed.size(), make_error(ErrorCode::IoError, "index: no result for the instance"));
    for (std::size_t k = 0; k < placed.size(); ++k) {
        const Placed& p = placed[k];
        // After the commit: a crash before this unlink leaves a file the index does not name,
        // which reconcile() removes.
        if (added[k] && !p.old_path.empty() && p.old_path != p.path) (void)files_.remove(p.old_path);
    }
    return added;
}

void Ingest::index_group(std::vector<Placed>& group) {
    const auto added = index_placed(group);
    for (std::size_t k = 0; k < group.size(); ++k) {
        if (added[k]) continue;
        // Answered already: the file stays where it is (the old copy too, which the index still
        // names), and the next start reconciles (ServerApp leaves no clean mark).
        const Placed& p = group[k];
        if (added[k].error().code == ErrorCode::IoError) {  // the index's fault, not the instance's
            keep_for_retry(p, added[k].error());
            continue;
        }
        {
            std::lock_guard lock(index_mutex_);
            ++unindexed_;
        }
        if (options_.log)
            options_.log("E: index: " + log::printable(p.job.attrs.sop_instance_uid) + " (" + files_.display(p.path) +
                         ") was stored but not indexed: " + added[k].error().to_string() +
                         "; the next start indexes it");
    }
}

void Ingest::submit(storage::Staged staged, Done done, bool now, const Received* received) {
    if (auto ok = admit(); !ok) {
        files_.discard(staged);
        done(tl::unexpected(ok.error()));
        return;
    }
    auto attrs = read_staged(staged, received, true);
    if (attrs && options_.transform) {
        auto t = transform(staged, *attrs);
        if (!t) {
            attrs = tl::unexpected(t.error());
        } else if (*t) {  // kept aside by the transform: answered, not stored
            files_.discard(staged);
            done(stored_of(StoreAction::Quarantined, *attrs, std::move(**t)));
            return;
        }
    }
    if (!attrs) {
        files_.discard(staged);
        done(tl::unexpected(attrs.error()));
        return;
    }
    staged.contents.reset();  // read: not kept while queued
    std::unique_lock lock(mutex_);
    queue_.push_back(Job{std::move(staged), std::move(*attrs), std::move(done)});
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

Result<Stored> Ingest::store(storage::Staged staged, const Received* received) {
    std::mutex m;
    std::condition_variable cv;
    std::optional<Result<Stored>> out;
    submit(std::move(staged), [&](Result<Stored> r) {
        std::lock_guard lock(m);
        out = std::move(r);
        cv.notify_all();
    }, true, received);
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
    if (options_.answer_when_placed) {
        std::vector<std::pair<Done, Stored>> answers;
        answers.reserve(placed.size());
        bool wake = false;
        {
            std::lock_guard lock(index_mutex_);
            // The indexing thread sleeps while nothing is queued, and then until a batch is.
            const std::size_t before = to_index_.size();
            wake = before == 0 || (before < kIndexBatch && before + placed.size() >= kIndexBatch);
            for (Placed& p : placed) {
                const std::string& uid = p.job.attrs.sop_instance_uid;
                answers.emplace_back(std::move(p.job.done),
                                     stored_of(p.old_path.empty() ? StoreAction::Added : StoreAction::Replaced,
                                               p.job.attrs, p.path));
                pending_.insert(uid);
                to_index_.push_back(std::move(p));
            }
            answered_ += placed.size();  // before the answers: a query after one of them waits for these
        }
        if (wake) index_wake_.notify_all();
        placed.clear();
        for (auto& [done, stored] : answers) done(std::move(stored));
        std::unique_lock lock(index_mutex_);
        if (to_index_.size() >= kIndexBacklog) {
            lock.unlock();
            index_pending();
            lock.lock();
            indexed_.wait(lock, [&] { return to_index_.size() < kIndexBacklog; });
        }
        return;
    }
    const auto added = index_placed(placed);
    for (std::size_t k = 0; k < placed.size(); ++k) {
        Placed& p = placed[k];
        if (!added[k]) {
            (void)files_.remove(p.path);  // not the indexed copy (see id_for): back to where we were
            p.job.done(tl::unexpected(added[k].error()));
            continue;
        }
        p.job.done(stored_of(*added[k] == index::AddStatus::Replaced ? StoreAction::Replaced : StoreAction::Added,
                             p.job.attrs, p.path));
    }
    placed.clear();
}

void Ingest::commit(std::vector<Job>& group) {
    std::vector<const storage::Staged*> staged;
    staged.reserve(group.size());
    for (const Job& job : group) staged.push_back(&job.staged);
    bool everything = false;  // the flush covered the previous group's placements too
    auto flushed = files_.seal(staged, &everything);  // the data of every staged blob of the group
    // The previous group (renamed while this one was queued) is indexed before this group's
    // duplicates are looked up, and only once its folder entries are flushed.
    if (!unflushed_.empty()) {
        if (!everything) {
            if (auto r = files_.sync_names(); !r) {
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
            files_.discard(job.staged);
            job.done(tl::unexpected(e));
        };
        if (!flushed) {
            fail(flushed.error());
            continue;
        }
        const std::string& uid = job.attrs.sop_instance_uid;
        if (options_.answer_when_placed) wait_not_pending(uid);  // an answered copy: once it is indexed
        auto current = index_.instance(uid);
        if (!current) {
            fail(current.error());
            continue;
        }
        // A copy counts as stored when its file is there too: an entry whose file has gone is
        // replaced whatever the policy, rather than kept pointing at nothing.
        const bool stored = *current && files_.exists((*current)->path);
        if (stored && (policy_ == index::DuplicatePolicy::Keep || policy_ == index::DuplicatePolicy::Reject)) {
            files_.discard(job.staged);
            job.done(stored_of(policy_ == index::DuplicatePolicy::Keep ? StoreAction::Kept : StoreAction::Rejected,
                               job.attrs, (*current)->path));
            continue;
        }
        // Never over the copy the index names: if we stopped between rename and commit, the
        // index would describe one data set and the file hold another, and nothing could tell.
        std::string old_path = *current ? (*current)->path : std::string();
        std::string path = files_.id_for(uid, old_path);
        if (auto r = files_.place(job.staged, path); !r) {
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
        more = queue_.size() >= files_.group_size();
    }
    if (more && files_.durable()) {  // the next group's syncfs covers these names too
        unflushed_ = std::move(placed);
        return;
    }
    if (auto r = files_.sync_names(); !r) {
        for (Placed& p : placed) {
            (void)files_.remove(p.path);
            p.job.done(tl::unexpected(r.error()));
        }
        return;
    }
    finish(placed);
}

void Ingest::refuse_stores(std::string why) {
    std::lock_guard lock(admit_mutex_);
    refused_ = std::move(why);
}

std::string Ingest::refusal() {
    auto ok = admit();
    return ok ? std::string() : ok.error().message;
}

Result<void> Ingest::admit() {
    std::lock_guard lock(admit_mutex_);
    if (!refused_.empty()) return make_error(ErrorCode::IoError, refused_);
    if (!index_failing_.empty())
        return make_error(ErrorCode::IoError, "the index cannot be written (" + index_failing_ + "): retried");
    if (options_.min_free_bytes == 0) return {};
    const auto now = std::chrono::steady_clock::now();
    if (now - space_checked_ >= kSpaceCheck || space_free_ < options_.min_free_bytes + kSpaceMargin) {
        auto free = files_.free_bytes();
        if (!free) return {};  // cannot tell: the writes themselves will say
        space_free_ = *free;
        space_checked_ = now;
    }
    if (space_free_ >= options_.min_free_bytes) return {};
    return make_error(ErrorCode::IoError, std::to_string(space_free_ >> 20) + " MiB free in the data folder, below "
                                          "the reserve of " + std::to_string(options_.min_free_bytes >> 20) + " MiB");
}

void Ingest::keep_for_retry(const Placed& placed, const Error& error) {
    {
        std::lock_guard lock(admit_mutex_);
        index_failing_ = error.message;
    }
    {
        std::lock_guard lock(index_mutex_);
        retry_.push_back(placed);
    }
    // The indexing thread retries: while stores are refused, nothing else would wake it.
    index_wake_.notify_all();
    if (options_.log)
        options_.log("E: index: " + log::printable(placed.job.attrs.sop_instance_uid) + " (" + files_.display(placed.path) +
                     ") was stored but not indexed: " + error.to_string() +
                     "; new stores are refused until the index takes it (retried every " +
                     std::to_string(std::chrono::seconds(kIndexRetry).count()) + " s, or at the next start)");
}

void Ingest::retry_failed() {
    std::vector<Placed> group;
    {
        std::lock_guard lock(index_mutex_);
        if (indexing_ || retry_.empty()) return;
        indexing_ = true;
        group.assign(std::make_move_iterator(retry_.begin()), std::make_move_iterator(retry_.end()));
        retry_.clear();
        retrying_ = group.size();
    }
    // One whose instance was indexed again since (a newer copy) is left to the next start's
    // reconciliation, which keeps the newer file.
    std::vector<Placed> again;
    std::uint64_t skipped = 0;
    for (Placed& p : group) {
        auto current = index_.instance(p.job.attrs.sop_instance_uid);
        if (current && *current && (*current)->path != p.path && (*current)->path != p.old_path)
            ++skipped;
        else
            again.push_back(std::move(p));
    }
    const auto added = again.empty() ? std::vector<Result<index::AddStatus>>{} : index_placed(again);
    std::string error;
    std::uint64_t indexed = 0;
    {
        std::lock_guard lock(index_mutex_);
        unindexed_ += skipped;
        for (std::size_t k = 0; k < again.size(); ++k) {
            if (added[k]) {
                ++indexed;
            } else if (added[k].error().code == ErrorCode::IoError) {
                if (error.empty()) error = added[k].error().message;
                retry_.push_back(std::move(again[k]));
            } else {
                ++unindexed_;
            }
        }
        retrying_ = 0;
        indexing_ = false;
    }
    indexed_.notify_all();
    // Logged before stores are taken again, so that the line precedes whatever they log.
    if (options_.log && indexed > 0)
        options_.log("I: index: " + std::to_string(indexed) + " stored instances indexed on a retry" +
                     (error.empty() ? std::string("; stores are taken again") : "; " + error));
    {
        std::lock_guard lock(admit_mutex_);
        index_failing_ = error;
    }
}

}  // namespace dicomkit::server::service
