// Ingest: the use case of taking in received instances (C-STORE now, STOW-RS later): the bytes
// stream into an incoming blob of the BlobStore (begin_incoming), the header is read from them,
// the transform hook may alter or refuse the instance, and the duplicate policy decides what
// becomes of a second copy; storage's group commit places it and the index takes it, in groups.
// Order (so that a crash at any point leaves nothing half-stored and nothing acknowledged
// lost, given reconcile() at the next start): the temporary files of a group are flushed (one
// syncfs); each is renamed into storage; the folder is fsynced; the index commits the group (one
// transaction, each instance undone alone if it fails); the copies they replaced, if any, are
// removed; only then is each store's caller told, and may acknowledge it. One thread commits
// the groups: what arrives while a group is flushed and committed forms the next one, so that
// concurrent stores (several associations, or an asynchronous operations window) share flushes.
// When a large group is queued behind one, the renamed files wait for that group's syncfs (which
// flushes their names with the new group's data) instead of a folder fsync of their own, and are
// indexed and answered then: one flush per group instead of two.
//
// With IngestOptions::answer_when_placed, a store is answered once its file is in place (and
// flushed, when durable), before it is indexed: a second thread indexes what was answered, in
// groups, while the sender sends the next instance. Storage is then the record of what was
// acknowledged (a crash before the index commit leaves a file the index does not name, which
// reconcile() indexes at the next start), and SettledIndex gives queries the index as it is once
// everything answered so far is indexed, so that nobody sees the difference. A second copy of an
// instance that is not indexed yet waits until it is.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <unordered_set>
#include <vector>
#include <string>
#include <string_view>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/storage/blob_store.hpp>

namespace dicomkit::server::service {

/// What became of a received copy.
enum class StoreAction {
    Added,     ///< a new instance
    Replaced,  ///< a second copy under "replace": it is the indexed one now, the old file is gone
    Kept,      ///< a second copy under "keep": dropped, the stored copy stays
    Rejected,  ///< a second copy under "reject": dropped, the store is refused
    /// Taken but not stored: IngestOptions::transform kept it aside (e.g. [validation]
    /// on_ingest = "quarantine"); Stored::path says why.
    Quarantined,
};
[[nodiscard]] std::string_view to_string(StoreAction a) noexcept;

struct Stored {
    StoreAction action = StoreAction::Added;
    std::string sop_instance_uid;
    std::string path;  ///< the blob the index names now: its id in the BlobStore
    /// Of the data set that came (for answers that name them, as STOW-RS's).
    std::string sop_class_uid, study_instance_uid, series_instance_uid;
};

/// The attributes of a Part 10 file as the index takes them.
struct FileAttributes {
    DataSet dataset;  ///< up to the pixel data
    std::string sop_instance_uid;
    index::InstanceFile file;
};

/// What a C-STORE request said of its data set (PS3.7 9.3.1.1): the data set must say the same.
/// What the request that brought a data set says it is: the data set must agree. An empty
/// field is not checked.
struct Received {
    std::string sop_class_uid;
    std::string sop_instance_uid;
    std::string study_instance_uid;  ///< STOW-RS to /studies/{study}
};

/// What IngestOptions::transform made of an instance.
struct TransformResult {
    enum class Kind {
        Unchanged,  ///< stored as received
        Changed,    ///< the file was altered (or replaced): stored as it is now
        Refused,    ///< not stored, for `reason`
        Diverted,   ///< taken (the transform kept it elsewhere) but not stored, for `reason`
    };
    /// Keeps a diverted instance: called with the bytes as received (the Part 10 file the store
    /// would have kept, not an encoding of the parsed data set) before the instance is answered.
    /// An error turns the diversion into a refusal: nothing is answered and lost.
    using Keep = std::function<Result<void>(std::span<const std::uint8_t> received)>;
    Kind kind = Kind::Unchanged;
    std::string reason;
    Keep keep;  ///< Diverted only; may be empty
    [[nodiscard]] static TransformResult unchanged() { return {}; }
    [[nodiscard]] static TransformResult changed() { return {Kind::Changed, {}, {}}; }
    [[nodiscard]] static TransformResult refused(std::string why) { return {Kind::Refused, std::move(why), {}}; }
    [[nodiscard]] static TransformResult diverted(std::string why, Keep keep = {}) {
        return {Kind::Diverted, std::move(why), std::move(keep)};
    }
};

/// Called with each received instance (the whole file, File Meta Information included) after its
/// header was checked and before it is stored and indexed: it may alter the data set (e.g.
/// de-identify it: new UIDs are taken as they are then), replace it, or refuse it.
using Transform = std::function<TransformResult(io::DicomFile& file)>;

struct IngestOptions {
    /// Answer a store once its file is in place, and index it after (see above). Only for an
    /// index of this process alone: other servers of a shared index could not wait for it.
    bool answer_when_placed = false;
    /// Where an instance that was answered but could not be indexed is told ("E: ..." lines).
    std::function<void(const std::string&)> log;
    /// Keep received instances whose SOP Instance, SOP Class, Study or Series Instance UID breaks
    /// PS3.5 9.1 (refused otherwise): some devices write such UIDs. Files are named by a hash of
    /// them then; log lines escape them always.
    bool lenient_uids = false;
    /// Free space kept for the index: a store is refused (ErrorCode::IoError, which the store
    /// handler answers 0xA700 out of resources, with the figures) while the file system of the
    /// data folder has fewer free bytes than this. 0: no reserve.
    std::uint64_t min_free_bytes = 0;
    /// See Transform. A refusal fails the store with ErrorCode::InvalidValue and the reason
    /// ("refused: ..."): nothing is stored or indexed.
    Transform transform;
};

/// Why submit() refused a received file before storing it, so that the store can be answered
/// with a status that says so (PS3.4 B.2.3): the data set cannot be parsed to its end
/// (ErrorCode::Truncated: cut short, or followed by what is not a data set), or it does not say
/// what it must (ErrorCode::InvalidValue: a UID missing, invalid, or other than the request's).
/// IoError: this side failed (out of resources).
[[nodiscard]] Result<void> check_received(const io::DicomFile& file, const Received* received, bool lenient_uids);

class Ingest {
public:
    Ingest(index::Index& index, storage::BlobStore& files, index::DuplicatePolicy policy, IngestOptions options = {});
    /// Commits and indexes what was submitted, then stops its threads.
    ~Ingest();
    Ingest(const Ingest&) = delete;
    Ingest& operator=(const Ingest&) = delete;

    using Done = std::function<void(Result<Stored>)>;
    /// A new incoming blob for a received instance (its bytes kept in memory when few, so that
    /// the header is read from them): the caller writes the Part 10 file into it, finishes and
    /// stages it, and submits the Staged.
    [[nodiscard]] Result<std::unique_ptr<storage::IncomingBlob>> begin_incoming();
    /// Takes over `staged`, a complete Part 10 file (written, not necessarily flushed), and
    /// places it into storage and the index, or discards it (kept or rejected duplicate, a
    /// refusal, or an error: the staged blob is gone whatever happens). Reads its header on the
    /// calling thread (from staged.contents when there), and calls the transform there; `done` is called once, from the committing thread (or at
    /// once when the header cannot be read). Two copies of one SOP Instance UID are never in one
    /// group: they end up as one file and one entry. `now`: nothing else is coming from this
    /// caller for the moment, so when no group is being committed, this thread commits what is
    /// queued itself (no hand-over to the committing thread and back; `done` runs before submit
    /// returns); otherwise the committing thread takes it with the next group.
    /// Before anything is stored, the file is checked (check_received, with `received` when
    /// given): a file that fails is discarded and `done` gets the reason.
    void submit(storage::Staged staged, Done done, bool now = true, const Received* received = nullptr);
    /// The same for a staged blob whose handle is `temp_path` (a FileStore's temporary file)
    /// and whose bytes are `contents`, when given.
    void submit(const std::string& temp_path, Done done, bool now = true, std::optional<Bytes> contents = {},
                const Received* received = nullptr) {
        submit(storage::Staged{temp_path, std::move(contents), 0}, std::move(done), now, received);
    }
    /// submit() and wait.
    [[nodiscard]] Result<Stored> store(storage::Staged staged, const Received* received = nullptr);
    [[nodiscard]] Result<Stored> store(const std::string& temp_path) { return store(storage::Staged{temp_path, {}, 0}); }

    /// Reads the header of stored blob `id` up to the pixel data: what the index takes, and
    /// the SOP Instance UID.
    [[nodiscard]] Result<FileAttributes> read(const storage::BlobId& id) const;
    /// The same of a staged blob (from its contents when there); `check`: also
    /// check_received(file, received, options' lenient_uids).
    [[nodiscard]] Result<FileAttributes> read_staged(const storage::Staged& staged, const Received* received,
                                                     bool check) const;

    /// Returns once every store answered before the call is indexed (at once when stores are
    /// answered after indexing).
    void wait_indexed();
    /// Stores answered whose index entry failed (each logged): their files are in storage, and
    /// only a reconcile() indexes them.
    [[nodiscard]] std::uint64_t unindexed();

    /// Refuses every new store with `why` (ErrorCode::IoError) until called with an empty one:
    /// an index that cannot be written (a start on a full disk serving read-only).
    void refuse_stores(std::string why);
    /// Why a new store would be refused now (read-only, the index failing to write, too little
    /// free space); empty when it would be taken.
    [[nodiscard]] std::string refusal();

    [[nodiscard]] index::DuplicatePolicy policy() const noexcept { return policy_; }
    [[nodiscard]] storage::BlobStore& files() noexcept { return files_; }

private:
    struct Job {
        storage::Staged staged;
        FileAttributes attrs;
        Done done;
    };
    void run();
    /// Moves the next group out of the queue (mutex_ held).
    void take_group(std::vector<Job>& group);
    /// A job renamed into storage, to be indexed once the folder is flushed.
    struct Placed {
        Job job;
        std::string path, old_path;
    };
    /// On the thread of the store's caller (submit with `now`) or on the committing thread.
    void commit(std::vector<Job>& group);
    /// Indexes `placed` (the folder has been flushed since they were renamed), removes the old
    /// copies they replace and tells their callers; clears it. With answer_when_placed: tells
    /// the callers and hands the files to the indexing thread.
    void finish(std::vector<Placed>& placed);
    /// answer_when_placed: indexes what is queued, in groups, unless another thread is at it.
    void index_pending();
    /// One group of it: index_placed(), failures logged and counted.
    void index_group(std::vector<Placed>& group);
    /// Indexes `placed` (add_many with Replace) and removes the old copies of those indexed; one
    /// result each.
    [[nodiscard]] std::vector<Result<index::AddStatus>> index_placed(const std::vector<Placed>& placed);
    /// answer_when_placed: the indexing thread.
    void index_run();
    /// answer_when_placed: waits until no copy of `uid` is answered and not yet indexed.
    void wait_not_pending(const std::string& uid);
    /// Reads a file's header from `file` (named `id` in the index); `check` as read_staged.
    [[nodiscard]] Result<FileAttributes> attributes(io::DicomFile file, const std::string& id, std::uint64_t size,
                                                    const Received* received, bool check) const;
    /// options_.transform on `staged` (replaced by the altered file when it changes it). The
    /// reason when the transform diverted it (not to be stored), else empty.
    [[nodiscard]] Result<std::optional<std::string>> transform(storage::Staged& staged, FileAttributes& attrs);
    /// Whether a new store may be taken (see refusal()).
    [[nodiscard]] Result<void> admit();
    /// answer_when_placed: an answered group that the index failed to take for an I/O error (a
    /// full disk): new stores are refused until retry_failed() indexes them.
    void keep_for_retry(const Placed& placed, const Error& error);
    /// Indexes what keep_for_retry() kept (those whose instance was not indexed again since);
    /// stores are taken again once the index takes them.
    void retry_failed();

    index::Index& index_;
    storage::BlobStore& files_;
    index::DuplicatePolicy policy_;
    IngestOptions options_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    bool committing_ = false;  ///< a group is being committed (by the thread or by a submitter)
    /// The previous group's files, renamed but not yet indexed, when another group was queued
    /// behind it: that group's syncfs flushes their names too (one flush per group instead of
    /// two). Touched by the committer only (committing_).
    std::vector<Placed> unflushed_;

    // answer_when_placed: what was answered and is not indexed yet.
    std::mutex index_mutex_;
    std::condition_variable index_wake_;  ///< the indexing thread: index now, or stop
    std::condition_variable indexed_;     ///< waiters: a group was indexed
    std::deque<Placed> to_index_;
    std::unordered_set<std::string> pending_;  ///< their SOP Instance UIDs
    std::uint64_t answered_ = 0, indexed_count_ = 0, unindexed_ = 0;
    bool index_stopping_ = false;
    bool indexing_ = false;   ///< a thread is indexing a group
    std::thread indexer_;
    std::deque<Placed> retry_;  ///< answered, not indexed for an I/O error: retried (under index_mutex_)
    std::uint64_t retrying_ = 0;  ///< taken from retry_ by retry_failed() and not yet settled (under index_mutex_)

    // admit(): why stores are refused, and the free space last seen.
    std::mutex admit_mutex_;
    std::string refused_;        ///< refuse_stores()
    std::string index_failing_;  ///< the index's last I/O error while retry_ is not empty
    std::chrono::steady_clock::time_point space_checked_{};
    std::uint64_t space_free_ = 0;

    std::thread thread_;  ///< last: started when the rest is ready
};

/// An index as queries should see it when stores are answered before they are indexed: each
/// read first waits until everything answered so far is indexed (Ingest::wait_indexed), so that a
/// query sent after a store's answer finds it. Writes go straight through.
class SettledIndex final : public index::Index {
public:
    SettledIndex(index::Index& inner, Ingest& ingest) : inner_(inner), ingest_(ingest) {}
    Result<index::AddStatus> add(const DataSet& attributes, const index::InstanceFile& file,
                                 index::DuplicatePolicy policy) override {
        return inner_.add(attributes, file, policy);
    }
    std::vector<Result<index::AddStatus>> add_many(const std::vector<AddItem>& items) override {
        return inner_.add_many(items);
    }
    Result<std::uint64_t> find(const model::Query& query, const index::MatchFn& on_match) override {
        ingest_.wait_indexed();
        return inner_.find(query, on_match);
    }
    using index::Index::find;
    Result<std::optional<index::InstanceFile>> instance(const std::string& sop_instance_uid) override {
        ingest_.wait_indexed();
        return inner_.instance(sop_instance_uid);
    }
    Result<std::optional<std::vector<LocatedFile>>> files_under(const std::string& study, const std::string& series,
                                                               const std::string& sop) override {
        ingest_.wait_indexed();
        return inner_.files_under(study, series, sop);
    }
    Result<bool> remove(const std::string& sop_instance_uid) override {
        ingest_.wait_indexed();
        return inner_.remove(sop_instance_uid);
    }
    Result<index::Counts> counts() override {
        ingest_.wait_indexed();
        return inner_.counts();
    }
    Result<std::uint64_t> for_each_instance(const index::InstanceFn& fn) override {
        ingest_.wait_indexed();
        return inner_.for_each_instance(fn);
    }
    Result<std::uint64_t> for_each_object(const std::string& sop_class_uid, const index::ObjectFn& fn) override {
        ingest_.wait_indexed();
        return inner_.for_each_object(sop_class_uid, fn);
    }

private:
    index::Index& inner_;
    Ingest& ingest_;
};

}  // namespace dicomkit::server::service
