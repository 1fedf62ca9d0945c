// PostgresWorkflowStore: MPPS and commitment rows (postgres/schema/007_mpps.sql), one statement
// per call, each on a pooled connection.
#include <dicomkit/server/index/postgres/postgres_workflow_store.hpp>
#include <dicomkit/base/try.hpp>

#include <dicomkit/server/index/postgres/pg.hpp>

namespace dicomkit::server::index::postgres {


struct PostgresWorkflowStore::Impl {
    explicit Impl(const std::string& conninfo) : pool(conninfo, [](Conn&) -> Result<void> { return {}; }, 4) {}
    Pool pool;

    Result<PgResult> run(const std::string& sql, const std::vector<std::string>& params) {
        auto lease = pool.acquire();
        if (!lease) return tl::unexpected(lease.error());
        return (*lease)->exec(sql, params, true);
    }
};

namespace {

constexpr const char* kMppsColumns = "sop_instance_uid, status, dataset, study_uids, created, updated";
constexpr const char* kCommitmentColumns =
    "transaction_uid, requester_ae, state, requested, committed, failed, attempts, last_error, created, updated";

/// bytea in its text input form ("\x" and hexadecimal digits).
std::string hex_bytes(const std::string& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\\x";
    out.reserve(2 + bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    return out;
}

MppsRecord mpps_row(const PgResult& r, int row) {
    MppsRecord m;
    m.sop_instance_uid = r.text(row, 0);
    m.status = r.text(row, 1);
    m.dataset = r.bytes(row, 2);
    m.study_uids = split_uids(r.text(row, 3));
    m.created = std::stoll(r.text(row, 4));
    m.updated = std::stoll(r.text(row, 5));
    return m;
}

CommitmentRecord commitment_row(const PgResult& r, int row) {
    CommitmentRecord c;
    c.transaction_uid = r.text(row, 0);
    c.requester_ae = r.text(row, 1);
    c.state = parse_commitment_state(r.text(row, 2)).value_or(CommitmentState::Failed);
    c.requested = split_items(r.text(row, 3));
    c.committed = split_items(r.text(row, 4));
    c.failed = split_items(r.text(row, 5));
    c.attempts = std::stoi(r.text(row, 6));
    c.last_error = r.text(row, 7);
    c.created = std::stoll(r.text(row, 8));
    c.updated = std::stoll(r.text(row, 9));
    return c;
}

std::vector<std::string> mpps_params(const MppsRecord& r) {
    return {r.sop_instance_uid, r.status, hex_bytes(r.dataset), join_uids(r.study_uids),
            std::to_string(r.created), std::to_string(r.updated)};
}

}  // namespace

PostgresWorkflowStore::PostgresWorkflowStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresWorkflowStore::~PostgresWorkflowStore() = default;

Result<std::unique_ptr<PostgresWorkflowStore>> PostgresWorkflowStore::open(const std::string& conninfo) {
    auto impl = std::make_unique<Impl>(conninfo);
    DK_ASSIGN_OR_RETURN(r, impl->run("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                               "AND table_name IN ('mpps', 'commitment')", {}));
    if (r.text(0, 0) != "2")
        return make_error(ErrorCode::IoError, "the index lacks migration 7 (007_mpps): open it with the index first");
    return std::unique_ptr<PostgresWorkflowStore>(new PostgresWorkflowStore(std::move(impl)));
}

Result<bool> PostgresWorkflowStore::add_mpps(const MppsRecord& r) {
    DK_ASSIGN_OR_RETURN(res, impl_->run(std::string("INSERT INTO mpps (") + kMppsColumns +
                                      ") VALUES ($1, $2, $3::bytea, $4, $5::bigint, $6::bigint) "
                                      "ON CONFLICT (sop_instance_uid) DO NOTHING RETURNING 1",
                                  mpps_params(r)));
    return res.rows() == 1;
}

Result<bool> PostgresWorkflowStore::update_mpps(const MppsRecord& r, const std::string& expected_status) {
    auto params = mpps_params(r);
    params.push_back(expected_status);
    DK_ASSIGN_OR_RETURN(res, impl_->run("UPDATE mpps SET status = $2, dataset = $3::bytea, study_uids = $4, updated = $6::bigint "
                                  "WHERE sop_instance_uid = $1 AND status = $7 AND $5::bigint = $5::bigint RETURNING 1",
                                  params));
    return res.rows() == 1;
}

Result<std::optional<MppsRecord>> PostgresWorkflowStore::mpps(const std::string& uid) {
    DK_ASSIGN_OR_RETURN(res, impl_->run(std::string("SELECT ") + kMppsColumns + " FROM mpps WHERE sop_instance_uid = $1", {uid}));
    if (res.rows() == 0) return std::optional<MppsRecord>{};
    return std::optional<MppsRecord>(mpps_row(res, 0));
}

Result<std::vector<MppsRecord>> PostgresWorkflowStore::list_mpps(std::size_t limit) {
    DK_ASSIGN_OR_RETURN(res, impl_->run(std::string("SELECT ") + kMppsColumns +
                                      " FROM mpps ORDER BY updated DESC, created DESC, sop_instance_uid DESC LIMIT $1::bigint",
                                  {std::to_string(limit)}));
    std::vector<MppsRecord> out;
    for (int i = 0; i < res.rows(); ++i) out.push_back(mpps_row(res, i));
    return out;
}

Result<void> PostgresWorkflowStore::put_commitment(const CommitmentRecord& r) {
    DK_ASSIGN_OR_RETURN(res, impl_->run(std::string("INSERT INTO commitment (") + kCommitmentColumns +
                                      ") VALUES ($1, $2, $3, $4, $5, $6, $7::integer, $8, $9::bigint, $10::bigint) "
                                      "ON CONFLICT (transaction_uid) DO UPDATE SET requester_ae = EXCLUDED.requester_ae, "
                                      "state = EXCLUDED.state, requested = EXCLUDED.requested, committed = EXCLUDED.committed, "
                                      "failed = EXCLUDED.failed, attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error, "
                                      "created = EXCLUDED.created, updated = EXCLUDED.updated",
                                  {r.transaction_uid, r.requester_ae, to_string(r.state), join_items(r.requested, false),
                                   join_items(r.committed, false), join_items(r.failed, true), std::to_string(r.attempts),
                                   r.last_error, std::to_string(r.created), std::to_string(r.updated)}));
    (void)res;
    return {};
}

Result<std::optional<CommitmentRecord>> PostgresWorkflowStore::commitment(const std::string& uid) {
    DK_ASSIGN_OR_RETURN(res, impl_->run(std::string("SELECT ") + kCommitmentColumns +
                                      " FROM commitment WHERE transaction_uid = $1",
                                  {uid}));
    if (res.rows() == 0) return std::optional<CommitmentRecord>{};
    return std::optional<CommitmentRecord>(commitment_row(res, 0));
}

Result<std::vector<CommitmentRecord>> PostgresWorkflowStore::list_commitments(std::optional<CommitmentState> state,
                                                                             std::size_t limit) {
    DK_ASSIGN_OR_RETURN(res, impl_->run(std::string("SELECT ") + kCommitmentColumns +
                                      " FROM commitment WHERE ($1 = '' OR state = $1) "
                                      "ORDER BY updated DESC, created DESC, transaction_uid DESC LIMIT $2::bigint",
                                  {state ? to_string(*state) : "", std::to_string(limit)}));
    std::vector<CommitmentRecord> out;
    for (int i = 0; i < res.rows(); ++i) out.push_back(commitment_row(res, i));
    return out;
}

}  // namespace dicomkit::server::index::postgres
