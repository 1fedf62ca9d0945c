// SqliteIndex: the Index in one SQLite file (WAL, prepared statements, one writer; each find
// reads on its own connection so that a long C-FIND does not hold up storage).
#pragma once

#include <memory>
#include <string>

#include <dicomkit/server/index/index.hpp>

namespace dicomkit::server::index::sqlite {

class SqliteIndex final : public Index {
public:
    /// Opens or creates the database at `path` and applies the migrations it lacks.
    [[nodiscard]] static Result<std::unique_ptr<SqliteIndex>> open(const std::string& path);
    /// Opens an existing database at `path` for reading only (no migration, no write, no
    /// checkpoint): for a data folder whose disk is full. Finds and lookups work; add, add_many
    /// and remove fail (ErrorCode::IoError). An error when the database is missing or lacks a
    /// migration (it could not be applied).
    [[nodiscard]] static Result<std::unique_ptr<SqliteIndex>> open_read_only(const std::string& path);
    /// After open_read_only: opens the writer (applying the migrations) now that it can; finds
    /// and lookups go on meanwhile, on connections that see what is written from here on.
    /// Nothing when writable already.
    [[nodiscard]] Result<void> make_writable();
    ~SqliteIndex() override;

    [[nodiscard]] Result<AddStatus> add(const DataSet& attributes, const InstanceFile& file,
                                        DuplicatePolicy policy) override;
    /// One transaction for all; each item in a savepoint of its own, undone alone when it fails.
    [[nodiscard]] std::vector<Result<AddStatus>> add_many(const std::vector<AddItem>& items) override;
    using Index::find;
    [[nodiscard]] Result<std::uint64_t> find(const model::Query& query, const MatchFn& on_match) override;
    [[nodiscard]] Result<std::optional<InstanceFile>> instance(const std::string& sop_instance_uid) override;
    [[nodiscard]] Result<std::optional<std::vector<LocatedFile>>> files_under(const std::string& study,
                                                                             const std::string& series,
                                                                             const std::string& sop) override;
    [[nodiscard]] Result<bool> remove(const std::string& sop_instance_uid) override;
    [[nodiscard]] Result<Counts> counts() override;
    [[nodiscard]] Result<std::uint64_t> for_each_instance(const InstanceFn& fn) override;
    [[nodiscard]] Result<std::uint64_t> for_each_object(const std::string& sop_class_uid, const ObjectFn& fn) override;
    /// SqliteWorklist in the same file; null until the index is writable.
    [[nodiscard]] WorklistStore* worklist() noexcept override;

    struct Impl;

private:
    explicit SqliteIndex(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::server::index::sqlite
