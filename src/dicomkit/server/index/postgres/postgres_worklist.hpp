// PostgresWorklist: the worklist items (schema 006) in the PostgreSQL index database.
#pragma once

#include <memory>
#include <string>

#include <dicomkit/server/index/worklist_store.hpp>

namespace dicomkit::server::index::postgres {

class PostgresWorklist final : public WorklistStore {
public:
    /// Connections to `conninfo` (a database PostgresIndex has migrated) on demand, pooled.
    explicit PostgresWorklist(const std::string& conninfo);
    ~PostgresWorklist() override;

    [[nodiscard]] Result<std::int64_t> put(std::string_view order_key, const DataSet& item,
                                           const SpecificCharacterSet& charset) override;
    /// One transaction.
    [[nodiscard]] Result<std::vector<std::int64_t>> put_many(const std::vector<std::pair<std::string, DataSet>>& items,
                                                             const SpecificCharacterSet& charset) override;
    [[nodiscard]] Result<bool> replace(std::int64_t id, const DataSet& item, const SpecificCharacterSet& charset) override;
    [[nodiscard]] Result<std::optional<WorklistEntry>> get(std::int64_t id) override;
    /// One SELECT on a pooled connection, rows streamed to `fn` (which may call this store: it
    /// leases another connection).
    [[nodiscard]] Result<std::uint64_t> find(const WorklistFilter& filter, const WorklistFn& fn) override;
    [[nodiscard]] Result<bool> remove(std::int64_t id) override;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::server::index::postgres
