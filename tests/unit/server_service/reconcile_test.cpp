// reconcile(): each state a crash can leave storage and index in (see Ingest::store's order),
// built by hand, comes back consistent.
#include <chrono>

#include <dicomkit/server/service/reconcile.hpp>

#include "archive_fixture.hpp"

namespace dicomkit::server::service::test {
namespace {

using Names = std::set<std::string>;

void age(const std::string& path, int seconds) {
    fs::last_write_time(path, fs::last_write_time(path) - std::chrono::seconds(seconds));
}

TEST_F(Archive, ReconcileOfAConsistentArchiveChangesNothing) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    ASSERT_TRUE(ingest_->store(temp("1.2", 1)));
    auto r = reconcile(*index_, *ingest_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->files, 2u);
    EXPECT_EQ(r->entries, 2u);
    EXPECT_EQ(r->temp_removed + r->indexed + r->dropped + r->copies_removed + r->unreadable, 0u);
    EXPECT_EQ(names(), (Names{"1.1.dcm", "1.2.dcm"}));
}

TEST_F(Archive, ReconcileRepairsEveryCrashState) {
    // Consistent: 1.1.
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    // A store interrupted while its data set arrived or before the rename: a temporary file,
    // in storage/.incoming, or in storage itself where earlier versions made them.
    temp("1.9", 1);
    put("storage/.dk-oldxxx.part", part10("1.10", 1));
    // A store interrupted after the rename, before the index commit: a file the index lacks.
    put("storage/1.3.dcm", part10("1.3", 1));
    // An entry whose file is gone (e.g. removed by hand).
    ASSERT_TRUE(ingest_->store(temp("1.4", 1)));
    fs::remove(root_ + "/storage/1.4.dcm");
    // A replacement interrupted after its commit, before the old file's removal: the index
    // names the new copy, the old one lingers.
    ASSERT_TRUE(ingest_->store(temp("1.5", 1)));
    age(root_ + "/storage/1.5.dcm", 60);
    ASSERT_TRUE(ingest_->store(temp("1.5", 2)));  // -> 1.5_2.dcm, 1.5.dcm removed
    put("storage/1.5.dcm", part10("1.5", 1));
    age(root_ + "/storage/1.5.dcm", 60);
    // A replacement interrupted before its commit (or whose commit a power loss took back):
    // the index names the old copy, the newer one is there unindexed.
    ASSERT_TRUE(ingest_->store(temp("1.6", 1)));
    age(root_ + "/storage/1.6.dcm", 60);
    put("storage/1.6_2.dcm", part10("1.6", 2));
    // Something that is not DICOM: left alone, reported.
    put("storage/notes.txt", Bytes(10, 'x'));

    auto r = reconcile(*index_, *ingest_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->temp_removed, 2u);
    EXPECT_EQ(r->indexed, 2u) << "1.3 and the newer 1.6";
    EXPECT_EQ(r->dropped, 1u) << "1.4";
    EXPECT_EQ(r->copies_removed, 2u) << "the older 1.5 and 1.6";
    EXPECT_EQ(r->unreadable, 1u);
    EXPECT_NE(r->warnings.find("notes.txt"), std::string::npos) << r->warnings;
    EXPECT_FALSE(r->kept_missing);

    EXPECT_EQ(names(), (Names{"1.1.dcm", "1.3.dcm", "1.5_2.dcm", "1.6_2.dcm", "notes.txt"}));
    EXPECT_EQ(path_of("1.3"), "storage/1.3.dcm");
    EXPECT_EQ(path_of("1.4"), "");
    EXPECT_EQ(path_of("1.5"), "storage/1.5_2.dcm");
    EXPECT_EQ(indexed_version("1.5"), "2");
    EXPECT_EQ(path_of("1.6"), "storage/1.6_2.dcm");
    EXPECT_EQ(indexed_version("1.6"), "2");

    // Every entry has its file, every DICOM file its entry: a second pass finds nothing.
    r = reconcile(*index_, *ingest_);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->temp_removed + r->indexed + r->dropped + r->copies_removed, 0u);
    EXPECT_EQ(r->entries, 4u);
}

// A folder shared by the nodes of one PostgreSQL index: what another node may be writing now
// (a recent temporary file) or has placed but not yet indexed (a recent file) is left to it;
// old leftovers are repaired as always.
TEST_F(Archive, SharedReconcileLeavesOtherNodesRecentFilesAlone) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    const std::string fresh_temp = temp("1.7", 1);
    const std::string old_temp = temp("1.8", 1);
    age(old_temp, 7200);
    put("storage/1.3.dcm", part10("1.3", 1));  // placed a moment ago by another node
    put("storage/1.4.dcm", part10("1.4", 1));  // placed long ago, its commit lost
    age(root_ + "/storage/1.4.dcm", 600);
    ReconcileOptions o;
    o.shared = true;
    auto r = reconcile(*index_, *ingest_, o);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->temp_removed, 1u);
    EXPECT_EQ(r->indexed, 1u) << "1.4";
    EXPECT_EQ(r->recent, 2u) << "the fresh temporary file and 1.3";
    EXPECT_TRUE(fs::exists(fresh_temp));
    EXPECT_FALSE(fs::exists(old_temp));
    auto indexed = index_->instance("1.3");
    ASSERT_TRUE(indexed);
    EXPECT_FALSE(indexed->has_value());
    // Not shared: everything not indexed is adopted, every temporary file goes.
    r = reconcile(*index_, *ingest_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->indexed, 1u) << "1.3";
    EXPECT_EQ(r->temp_removed, 1u);
}

TEST_F(Archive, ReconcileDropsNothingWhenStorageIsEmpty) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    ASSERT_TRUE(ingest_->store(temp("1.2", 1)));
    fs::remove(root_ + "/storage/1.1.dcm");
    fs::remove(root_ + "/storage/1.2.dcm");
    auto r = reconcile(*index_, *ingest_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->kept_missing);
    EXPECT_EQ(r->dropped, 0u);
    EXPECT_NE(r->warnings.find("mounted"), std::string::npos);
    EXPECT_EQ(path_of("1.1"), "storage/1.1.dcm");
}

}  // namespace
}  // namespace dicomkit::server::service::test
