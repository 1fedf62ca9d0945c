// SqliteWorklist: the worklist items (schema 006) in the index's SQLite file.
#pragma once

#include <memory>
#include <string>

#include <dicomkit/server/index/worklist_store.hpp>

namespace dicomkit::server::index::sqlite {

class SqliteWorklist final : public WorklistStore {
public:
    /// Opens the database at `path`, which SqliteIndex has migrated (schema 006 included).
    [[nodiscard]] static Result<std::unique_ptr<SqliteWorklist>> open(const std::string& path);
    ~SqliteWorklist() override;

    [[nodiscard]] Result<std::int64_t> put(std::string_view order_key, const DataSet& item,
                                           const SpecificCharacterSet& charset) override;
    /// One transaction.
    [[nodiscard]] Result<std::vector<std::int64_t>> put_many(const std::vector<std::pair<std::string, DataSet>>& items,
                                                             const SpecificCharacterSet& charset) override;
    [[nodiscard]] Result<bool> replace(std::int64_t id, const DataSet& item, const SpecificCharacterSet& charset) override;
    [[nodiscard]] Result<std::optional<WorklistEntry>> get(std::int64_t id) override;
    /// Reads on a connection of its own (a snapshot), rows handed over as read; `fn` may call
    /// this store.
    [[nodiscard]] Result<std::uint64_t> find(const WorklistFilter& filter, const WorklistFn& fn) override;
    [[nodiscard]] Result<bool> remove(std::int64_t id) override;

    struct Impl;

private:
    explicit SqliteWorklist(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::server::index::sqlite
