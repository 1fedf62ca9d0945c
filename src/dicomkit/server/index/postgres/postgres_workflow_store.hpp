// PostgresWorkflowStore: the WorkflowStore in the index's PostgreSQL database (schema 007,
// applied by PostgresIndex::open), over a pool of connections of its own.
#pragma once

#include <memory>
#include <string>

#include <dicomkit/server/index/workflow_store.hpp>

namespace dicomkit::server::index::postgres {

class PostgresWorkflowStore final : public WorkflowStore {
public:
    /// Connects with `conninfo` to a database that PostgresIndex::open has migrated (an error when
    /// the tables of migration 007 are missing).
    [[nodiscard]] static Result<std::unique_ptr<PostgresWorkflowStore>> open(const std::string& conninfo);
    ~PostgresWorkflowStore() override;

    [[nodiscard]] Result<bool> add_mpps(const MppsRecord& r) override;
    [[nodiscard]] Result<bool> update_mpps(const MppsRecord& r, const std::string& expected_status) override;
    [[nodiscard]] Result<std::optional<MppsRecord>> mpps(const std::string& sop_instance_uid) override;
    [[nodiscard]] Result<std::vector<MppsRecord>> list_mpps(std::size_t limit) override;
    [[nodiscard]] Result<void> put_commitment(const CommitmentRecord& r) override;
    [[nodiscard]] Result<std::optional<CommitmentRecord>> commitment(const std::string& transaction_uid) override;
    [[nodiscard]] Result<std::vector<CommitmentRecord>> list_commitments(std::optional<CommitmentState> state,
                                                                         std::size_t limit) override;

    struct Impl;

private:
    explicit PostgresWorkflowStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::server::index::postgres
