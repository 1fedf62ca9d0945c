// PostgresIndex: the Index in a PostgreSQL database that several `serve` nodes may share.
#pragma once

#include <memory>
#include <string>

#include <dicomkit/server/index/index.hpp>

namespace dicomkit::server::index::postgres {

class PostgresIndex final : public Index {
public:
    /// Connects with `conninfo` (a postgresql:// URI or key=value pairs, as libpq takes them; a
    /// password may also come from PGPASSWORD or ~/.pgpass) and applies the migrations the database
    /// lacks (postgres/schema/NNN_*.sql, recorded in table schema_version), all in one transaction
    /// under an advisory lock, so that nodes starting together migrate once. The database must
    /// use the UTF8 encoding.
    [[nodiscard]] static Result<std::unique_ptr<PostgresIndex>> open(const std::string& conninfo);
    ~PostgresIndex() override;

    /// In one transaction; instances with the same SOP Instance UID are added one at a time across
    /// all connections and processes (a transaction advisory lock on the UID), so the duplicate
    /// policy holds under concurrent adds. Retried on deadlock or serialization failure, and when
    /// pruning an emptied parent meets an instance added to it meanwhile.
    [[nodiscard]] Result<AddStatus> add(const DataSet& attributes, const InstanceFile& file,
                                        DuplicatePolicy policy) override;
    using Index::find;
    /// One SELECT on a pooled connection, rows streamed to `on_match` as they come.
    [[nodiscard]] Result<std::uint64_t> find(const model::Query& query, const MatchFn& on_match) override;
    [[nodiscard]] Result<std::optional<InstanceFile>> instance(const std::string& sop_instance_uid) override;
    [[nodiscard]] Result<std::optional<std::vector<LocatedFile>>> files_under(const std::string& study,
                                                                             const std::string& series,
                                                                             const std::string& sop) override;
    /// In one transaction under the instance's advisory lock, like add().
    [[nodiscard]] Result<bool> remove(const std::string& sop_instance_uid) override;
    [[nodiscard]] Result<Counts> counts() override;
    /// One SELECT (a snapshot) on a pooled connection, streamed.
    [[nodiscard]] Result<std::uint64_t> for_each_instance(const InstanceFn& fn) override;
    [[nodiscard]] Result<std::uint64_t> for_each_object(const std::string& sop_class_uid, const ObjectFn& fn) override;

    /// PostgresWorklist in the same database.
    [[nodiscard]] WorklistStore* worklist() noexcept override;

    /// "postgres user@host:port/database": where the index is, for the log (never the password).
    [[nodiscard]] std::string description() const;

    struct Impl;

private:
    explicit PostgresIndex(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::server::index::postgres
