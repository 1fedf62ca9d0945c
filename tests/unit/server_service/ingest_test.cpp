// Ingest::store: a received file into storage and the index under each duplicate policy, with
// never more than one file per instance and never a temporary file left behind.
#include <thread>
#include <vector>

#include "archive_fixture.hpp"

namespace dicomkit::server::service::test {
namespace {

using Names = std::set<std::string>;

TEST_F(Archive, NewInstanceIsPlacedAndIndexed) {
    auto s = ingest_->store(temp("1.2.3.4", 1));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Added);
    EXPECT_EQ(s->sop_instance_uid, "1.2.3.4");
    EXPECT_EQ(s->path, "storage/1.2.3.4.dcm");
    EXPECT_EQ(names(), (Names{"1.2.3.4.dcm"}));
    EXPECT_EQ(path_of("1.2.3.4"), "storage/1.2.3.4.dcm");
    EXPECT_EQ(index_->instance("1.2.3.4")->value().size, fs::file_size(root_ + "/storage/1.2.3.4.dcm"));
    EXPECT_EQ(indexed_version("1.2.3.4"), "1");
}

TEST_F(Archive, ReplaceAlternatesBetweenTwoSlotsAndRemovesTheOldCopy) {
    ASSERT_TRUE(ingest_->store(temp("1.2.3.4", 1)));
    auto s = ingest_->store(temp("1.2.3.4", 2));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Replaced);
    EXPECT_EQ(s->path, "storage/1.2.3.4_2.dcm");
    EXPECT_EQ(names(), (Names{"1.2.3.4_2.dcm"}));
    EXPECT_EQ(indexed_version("1.2.3.4"), "2");
    EXPECT_EQ(version_in(path_of("1.2.3.4")), "2");
    s = ingest_->store(temp("1.2.3.4", 3));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->path, "storage/1.2.3.4.dcm");
    EXPECT_EQ(names(), (Names{"1.2.3.4.dcm"}));
    EXPECT_EQ(indexed_version("1.2.3.4"), "3");
    EXPECT_EQ(version_in("storage/1.2.3.4.dcm"), "3");
}

TEST_F(Archive, KeepDropsTheNewCopy) {
    use(index::DuplicatePolicy::Keep);
    ASSERT_TRUE(ingest_->store(temp("1.2.3.4", 1)));
    auto s = ingest_->store(temp("1.2.3.4", 2));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Kept);
    EXPECT_EQ(s->path, "storage/1.2.3.4.dcm");
    EXPECT_EQ(names(), (Names{"1.2.3.4.dcm"})) << "no temporary file, no second copy";
    EXPECT_EQ(indexed_version("1.2.3.4"), "1");
    EXPECT_EQ(version_in("storage/1.2.3.4.dcm"), "1");
}

TEST_F(Archive, RejectDropsTheNewCopy) {
    use(index::DuplicatePolicy::Reject);
    ASSERT_TRUE(ingest_->store(temp("1.2.3.4", 1)));
    auto s = ingest_->store(temp("1.2.3.4", 2));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Rejected);
    EXPECT_EQ(names(), (Names{"1.2.3.4.dcm"}));
    EXPECT_EQ(indexed_version("1.2.3.4"), "1");
    EXPECT_EQ(version_in("storage/1.2.3.4.dcm"), "1");
    s = ingest_->store(temp("1.2.3.5", 1));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->action, StoreAction::Added) << "other instances still come in";
}

TEST_F(Archive, AnEntryWithoutItsFileIsReplacedWhateverThePolicy) {
    use(index::DuplicatePolicy::Reject);
    ASSERT_TRUE(ingest_->store(temp("1.2.3.4", 1)));
    fs::remove(root_ + "/storage/1.2.3.4.dcm");
    auto s = ingest_->store(temp("1.2.3.4", 2));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Replaced);
    EXPECT_EQ(names(), (Names{"1.2.3.4_2.dcm"}));
    EXPECT_EQ(indexed_version("1.2.3.4"), "2");
}

TEST_F(Archive, UnreadableFileIsRemovedAndNotIndexed) {
    const std::string t = put("storage/.dk-badxxx.part", Bytes(300, 0x55));
    auto s = ingest_->store(t);
    EXPECT_FALSE(s);
    EXPECT_NE(s.error().code, ErrorCode::IoError) << "the data set's fault, not the archive's";
    EXPECT_TRUE(names().empty());
}

TEST_F(Archive, InvalidUidGetsAHashedName) {
    auto s = ingest_->store(temp("../../etc/passwd", 1));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->path.rfind("storage/x", 0), 0u) << s->path;
    EXPECT_EQ(names().size(), 1u);
}

TEST_F(Archive, ConcurrentCopiesOfOneInstanceEndAsOneFile) {
    std::vector<std::string> temps;
    for (int i = 0; i < 16; ++i) temps.push_back(temp("1.2.3.9", i + 1));
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (const auto& t : temps)
        threads.emplace_back([&, t] {
            if (ingest_->store(t)) ++ok;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 16);
    const Names n = names();
    ASSERT_EQ(n.size(), 1u);
    EXPECT_EQ("storage/" + *n.begin(), path_of("1.2.3.9"));
    EXPECT_EQ(version_in(path_of("1.2.3.9")), indexed_version("1.2.3.9")) << "file and index agree";
}

}  // namespace
}  // namespace dicomkit::server::service::test
