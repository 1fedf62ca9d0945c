// SqliteWorkflowStore: MPPS and commitment rows (schema/007_mpps.sql).
#include <dicomkit/server/index/sqlite/sqlite_workflow_store.hpp>
#include <dicomkit/base/try.hpp>

#include <mutex>

#include <dicomkit/server/index/sqlite/db.hpp>

namespace dicomkit::server::index::sqlite {


struct SqliteWorkflowStore::Impl {
    std::string path;
    std::mutex mutex;
    Db db;

    Result<Stmt> prepare(std::string_view sql) {
        auto s = db.prepare(sql);
        if (!s) return make_error(ErrorCode::IoError, path + ": " + s.error().message);
        return s;
    }
};

namespace {

constexpr std::string_view kMppsColumns = "sop_instance_uid, status, dataset, study_uids, created, updated";
constexpr std::string_view kCommitmentColumns =
    "transaction_uid, requester_ae, state, requested, committed, failed, attempts, last_error, created, updated";

MppsRecord mpps_row(const Stmt& s) {
    MppsRecord r;
    r.sop_instance_uid = s.text(0);
    r.status = s.text(1);
    r.dataset = s.blob(2);
    r.study_uids = split_uids(s.text(3));
    r.created = s.integer(4);
    r.updated = s.integer(5);
    return r;
}

CommitmentRecord commitment_row(const Stmt& s) {
    CommitmentRecord r;
    r.transaction_uid = s.text(0);
    r.requester_ae = s.text(1);
    r.state = parse_commitment_state(s.text(2)).value_or(CommitmentState::Failed);
    r.requested = split_items(s.text(3));
    r.committed = split_items(s.text(4));
    r.failed = split_items(s.text(5));
    r.attempts = static_cast<int>(s.integer(6));
    r.last_error = s.text(7);
    r.created = s.integer(8);
    r.updated = s.integer(9);
    return r;
}

Result<void> bind_mpps(Stmt& s, const MppsRecord& r) {
    DK_RETURN_IF_ERROR(s.bind(1, r.sop_instance_uid));
    DK_RETURN_IF_ERROR(s.bind(2, r.status));
    DK_RETURN_IF_ERROR(s.bind_blob(3, r.dataset));
    DK_RETURN_IF_ERROR(s.bind(4, join_uids(r.study_uids)));
    DK_RETURN_IF_ERROR(s.bind(5, static_cast<std::int64_t>(r.created)));
    DK_RETURN_IF_ERROR(s.bind(6, static_cast<std::int64_t>(r.updated)));
    return {};
}

}  // namespace

SqliteWorkflowStore::SqliteWorkflowStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteWorkflowStore::~SqliteWorkflowStore() = default;

Result<std::unique_ptr<SqliteWorkflowStore>> SqliteWorkflowStore::open(const std::string& path) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    auto db = Db::open(path, false);
    if (!db) return make_error(ErrorCode::IoError, path + ": " + db.error().message);
    impl->db = std::move(*db);
    auto check = impl->db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('mpps', 'commitment')");
    if (!check) return make_error(ErrorCode::IoError, path + ": " + check.error().message);
    DK_RETURN_IF_ERROR(check->step());
    if (check->integer(0) != 2)
        return make_error(ErrorCode::IoError, path + ": the index lacks migration 7 (007_mpps): open it with the index first");
    return std::unique_ptr<SqliteWorkflowStore>(new SqliteWorkflowStore(std::move(impl)));
}

Result<bool> SqliteWorkflowStore::add_mpps(const MppsRecord& r) {
    std::lock_guard lock(impl_->mutex);
    DK_ASSIGN_OR_RETURN(s, impl_->prepare("INSERT INTO mpps (" + std::string(kMppsColumns) +
                                    ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sop_instance_uid) DO NOTHING"));
    DK_RETURN_IF_ERROR(bind_mpps(s, r));
    DK_RETURN_IF_ERROR(s.step());
    auto changes = impl_->prepare("SELECT changes()");
    if (!changes) return tl::unexpected(changes.error());
    DK_RETURN_IF_ERROR(changes->step());
    return changes->integer(0) == 1;
}

Result<bool> SqliteWorkflowStore::update_mpps(const MppsRecord& r, const std::string& expected_status) {
    std::lock_guard lock(impl_->mutex);
    DK_ASSIGN_OR_RETURN(s, impl_->prepare("UPDATE mpps SET status = ?2, dataset = ?3, study_uids = ?4, updated = ?6 "
                                    "WHERE sop_instance_uid = ?1 AND status = ?7 AND ?5 = ?5"));
    DK_RETURN_IF_ERROR(bind_mpps(s, r));
    DK_RETURN_IF_ERROR(s.bind(7, expected_status));
    DK_RETURN_IF_ERROR(s.step());
    auto changes = impl_->prepare("SELECT changes()");
    if (!changes) return tl::unexpected(changes.error());
    DK_RETURN_IF_ERROR(changes->step());
    return changes->integer(0) == 1;
}

Result<std::optional<MppsRecord>> SqliteWorkflowStore::mpps(const std::string& uid) {
    std::lock_guard lock(impl_->mutex);
    DK_ASSIGN_OR_RETURN(s, impl_->prepare("SELECT " + std::string(kMppsColumns) + " FROM mpps WHERE sop_instance_uid = ?"));
    DK_RETURN_IF_ERROR(s.bind(1, uid));
    DK_ASSIGN_OR_RETURN(row, s.step());
    if (!row) return std::optional<MppsRecord>{};
    return std::optional<MppsRecord>(mpps_row(s));
}

Result<std::vector<MppsRecord>> SqliteWorkflowStore::list_mpps(std::size_t limit) {
    std::lock_guard lock(impl_->mutex);
    DK_ASSIGN_OR_RETURN(s, impl_->prepare("SELECT " + std::string(kMppsColumns) +
                                    " FROM mpps ORDER BY updated DESC, rowid DESC LIMIT ?"));
    DK_RETURN_IF_ERROR(s.bind(1, static_cast<std::int64_t>(limit)));
    std::vector<MppsRecord> out;
    for (;;) {
        DK_ASSIGN_OR_RETURN(row, s.step());
        if (!row) break;
        out.push_back(mpps_row(s));
    }
    return out;
}

Result<void> SqliteWorkflowStore::put_commitment(const CommitmentRecord& r) {
    std::lock_guard lock(impl_->mutex);
    DK_ASSIGN_OR_RETURN(s, impl_->prepare("INSERT OR REPLACE INTO commitment (" + std::string(kCommitmentColumns) +
                                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    DK_RETURN_IF_ERROR(s.bind(1, r.transaction_uid));
    DK_RETURN_IF_ERROR(s.bind(2, r.requester_ae));
    DK_RETURN_IF_ERROR(s.bind(3, std::string_view(to_string(r.state))));
    DK_RETURN_IF_ERROR(s.bind(4, join_items(r.requested, false)));
    DK_RETURN_IF_ERROR(s.bind(5, join_items(r.committed, false)));
    DK_RETURN_IF_ERROR(s.bind(6, join_items(r.failed, true)));
    DK_RETURN_IF_ERROR(s.bind(7, static_cast<std::int64_t>(r.attempts)));
    DK_RETURN_IF_ERROR(s.bind(8, r.last_error));
    DK_RETURN_IF_ERROR(s.bind(9, static_cast<std::int64_t>(r.created)));
    DK_RETURN_IF_ERROR(s.bind(10, static_cast<std::int64_t>(r.updated)));
    DK_RETURN_IF_ERROR(s.step());
    return {};
}

Result<std::optional<CommitmentRecord>> SqliteWorkflowStore::commitment(const std::string& uid) {
    std::lock_guard lock(impl_->mutex);
    DK_ASSIGN_OR_RETURN(s, impl_->prepare("SELECT " + std::string(kCommitmentColumns) +
                                    " FROM commitment WHERE transaction_uid = ?"));
    DK_RETURN_IF_ERROR(s.bind(1, uid));
    DK_ASSIGN_OR_RETURN(row, s.step());
    if (!row) return std::optional<CommitmentRecord>{};
    return std::optional<CommitmentRecord>(commitment_row(s));
}

Result<std::vector<CommitmentRecord>> SqliteWorkflowStore::list_commitments(std::optional<CommitmentState> state,
                                                                           std::size_t limit) {
    std::lock_guard lock(impl_->mutex);
    DK_ASSIGN_OR_RETURN(s, impl_->prepare("SELECT " + std::string(kCommitmentColumns) +
                                    " FROM commitment WHERE (?1 = '' OR state = ?1) ORDER BY updated DESC, rowid DESC LIMIT ?2"));
    DK_RETURN_IF_ERROR(s.bind(1, std::string_view(state ? to_string(*state) : "")));
    DK_RETURN_IF_ERROR(s.bind(2, static_cast<std::int64_t>(limit)));
    std::vector<CommitmentRecord> out;
    for (;;) {
        DK_ASSIGN_OR_RETURN(row, s.step());
        if (!row) break;
        out.push_back(commitment_row(s));
    }
    return out;
}

}  // namespace dicomkit::server::index::sqlite
