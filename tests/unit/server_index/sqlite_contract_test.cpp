// Runs the Index contract against SqliteIndex (a fresh database file per test).
#include <atomic>
#include <filesystem>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/schema/migrations.hpp>
#include <dicomkit/server/index/sqlite/db.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>

#include "index_contract.hpp"

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

TEST(SqliteIndex, OpenAppliesTheMissingMigrationsToAnOlderIndex) {
    // An index made by a build that knew migration 001 only, with one instance in it.
    const auto path = std::filesystem::temp_directory_path() / ("dk-upgrade-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path);
    {
        auto db = sqlite::Db::open(path.string(), false);
        ASSERT_TRUE(db);
        ASSERT_EQ(migrations().front().version, 1);
        ASSERT_TRUE(db->exec(std::string(migrations().front().sql)));
        ASSERT_TRUE(db->exec("PRAGMA user_version = 1; INSERT INTO patient(patient_id) VALUES('P');"
                             "INSERT INTO study(patient_pk, study_uid) VALUES(1, '1');"
                             "INSERT INTO series(study_pk, series_uid, modality) VALUES(1, '1.1', 'CT');"
                             "INSERT INTO instance(series_pk, sop_uid, path) VALUES(1, '1.1.1', 'a');"));
    }
    auto ix = sqlite::SqliteIndex::open(path.string());
    ASSERT_TRUE(ix) << ix.error().to_string();
    auto f = (*ix)->instance("1.1.1");
    ASSERT_TRUE(f && *f);
    EXPECT_EQ((*f)->path, "a");
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    q.set_string(tags::StudyInstanceUID, VR::UI, "");
    q.set_string(tags::ModalitiesInStudy, VR::CS, "");
    std::string modalities;
    auto n = (*ix)->find(model::Root::Study, q, [&](const DataSet& m) {
        modalities = m.string_or(tags::ModalitiesInStudy);
        return true;
    });
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1u);
    EXPECT_EQ(modalities, "CT");
    auto db = sqlite::Db::open(path.string(), true);
    ASSERT_TRUE(db);
    auto v = db->prepare("PRAGMA user_version");
    ASSERT_TRUE(v && *v->step());
    EXPECT_EQ(v->integer(0), migrations().back().version);
    std::filesystem::remove(path);
}

}  // namespace dicomkit::server::index::test
