// The WorkflowStore contract against SQLite (the index file, migrated by SqliteIndex::open).
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/server/index/sqlite/sqlite_workflow_store.hpp>

#include "workflow_store_contract.hpp"

namespace dicomkit::server::index::test {
namespace {

std::shared_ptr<WorkflowStore> fresh_sqlite_store() {
    static std::atomic<int> n{0};
    const auto dir = std::filesystem::temp_directory_path() / ("dk-workflow-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / ("w" + std::to_string(n++) + ".db");
    std::filesystem::remove(path);
    auto ix = sqlite::SqliteIndex::open(path.string());
    if (!ix) {
        ADD_FAILURE() << ix.error().to_string();
        return nullptr;
    }
    auto s = sqlite::SqliteWorkflowStore::open(path.string());
    if (!s) ADD_FAILURE() << s.error().to_string();
    return s ? std::shared_ptr<WorkflowStore>(std::move(*s)) : nullptr;
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(sqlite, WorkflowStoreContract, ::testing::Values(WorkflowStoreFactory(fresh_sqlite_store)),
                         [](const auto&) { return std::string("sqlite"); });

TEST(SqliteWorkflowStore, RefusesADatabaseWithoutTheMigration) {
    const auto path = std::filesystem::temp_directory_path() / ("dk-workflow-none-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    auto s = sqlite::SqliteWorkflowStore::open(path.string());
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("007_mpps"), std::string::npos) << s.error().message;
    std::filesystem::remove(path);
}

}  // namespace dicomkit::server::index::test
