// Runs the Index contract against SqliteIndex (a fresh database file per test).
#include <atomic>
#include <filesystem>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/schema/migrations.hpp>
#include <dicomkit/server/index/sqlite/db.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>

#include "index_contract.hpp"
#include "worklist_contract.hpp"

namespace dicomkit::server::index::test {
namespace {

std::unique_ptr<Index> fresh_sqlite() {
    static std::atomic<int> n{0};
    const auto dir = std::filesystem::temp_directory_path() / ("dk-index-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / ("t" + std::to_string(n++) + ".db");
    std::filesystem::remove(path);
    auto ix = sqlite::SqliteIndex::open(path.string());
    if (!ix) ADD_FAILURE() << ix.error().to_string();
    return ix ? std::move(*ix) : nullptr;
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(sqlite, IndexContract, ::testing::Values(IndexFactory(fresh_sqlite)),
                         [](const auto&) { return std::string("sqlite"); });
INSTANTIATE_TEST_SUITE_P(sqlite, WorklistContract, ::testing::Values(IndexFactory(fresh_sqlite)),
                         [](const auto&) { return std::string("sqlite"); });

TEST(SqliteIndex, ReopenKeepsDataAndSchemaVersion) {
    const auto path = std::filesystem::temp_directory_path() / ("dk-reopen-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    {
        auto ix = sqlite::SqliteIndex::open(path.string());
        ASSERT_TRUE(ix);
        DataSet ds;
        ds.set_string(tags::StudyInstanceUID, VR::UI, "1");
        ds.set_string(tags::SeriesInstanceUID, VR::UI, "1.1");
        ds.set_string(tags::SOPInstanceUID, VR::UI, "1.1.1");
        ASSERT_TRUE((*ix)->add(ds, {"a", 1, ""}, DuplicatePolicy::Reject));
    }
    auto ix = sqlite::SqliteIndex::open(path.string());
    ASSERT_TRUE(ix) << ix.error().to_string();
    auto f = (*ix)->instance("1.1.1");
    ASSERT_TRUE(f && *f);
    EXPECT_EQ((*f)->path, "a");
    std::filesystem::remove(path);
}

TEST(SqliteIndex, MigratesAVersion1Database) {
    const auto path = std::filesystem::temp_directory_path() / ("dk-v1-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    {
        auto db = sqlite::Db::open(path.string(), false);
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec(std::string(migrations().at(0).sql)));
        ASSERT_TRUE(db->exec(kVersion1Rows));
        ASSERT_TRUE(db->exec("PRAGMA user_version = 1"));
    }
    auto ix = sqlite::SqliteIndex::open(path.string());
    ASSERT_TRUE(ix) << ix.error().to_string();
    expect_migrated_from_version_1(**ix);
    std::filesystem::remove(path);
}

}  // namespace dicomkit::server::index::test
