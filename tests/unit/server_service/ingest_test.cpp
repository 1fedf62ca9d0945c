// Ingest::store: a received file into storage and the index under each duplicate policy, with
// never more than one file per instance and never a temporary file left behind.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <dicomkit/server/service/query.hpp>
#include <dicomkit/server/service/reconcile.hpp>

#include "archive_fixture.hpp"

namespace dicomkit::server::service::test {
namespace {

using Names = std::set<std::string>;

TEST_P(IngestModes, NewInstanceIsPlacedAndIndexed) {
    auto s = ingest_->store(temp("1.2.3.4", 1));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Added);
    EXPECT_EQ(s->sop_instance_uid, "1.2.3.4");
    EXPECT_EQ(s->path, "1.2.3.4.dcm");
    EXPECT_EQ(names(), (Names{"1.2.3.4.dcm"}));
    EXPECT_EQ(path_of("1.2.3.4"), "1.2.3.4.dcm");
    EXPECT_EQ(index_->instance("1.2.3.4")->value().size, fs::file_size(root_ + "/storage/1.2.3.4.dcm"));
    EXPECT_EQ(indexed_version("1.2.3.4"), "1");
}

TEST_P(IngestModes, ReplaceAlternatesBetweenTwoSlotsAndRemovesTheOldCopy) {
    ASSERT_TRUE(ingest_->store(temp("1.2.3.4", 1)));
    auto s = ingest_->store(temp("1.2.3.4", 2));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Replaced);
    EXPECT_EQ(s->path, "1.2.3.4_2.dcm");
    EXPECT_EQ(names(), (Names{"1.2.3.4_2.dcm"}));
    EXPECT_EQ(indexed_version("1.2.3.4"), "2");
    EXPECT_EQ(version_in("storage/" + path_of("1.2.3.4")), "2");
    s = ingest_->store(temp("1.2.3.4", 3));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->path, "1.2.3.4.dcm");
    EXPECT_EQ(names(), (Names{"1.2.3.4.dcm"}));
    EXPECT_EQ(indexed_version("1.2.3.4"), "3");
    EXPECT_EQ(version_in("storage/1.2.3.4.dcm"), "3");
}

TEST_P(IngestModes, KeepDropsTheNewCopy) {
    use(index::DuplicatePolicy::Keep);
    ASSERT_TRUE(ingest_->store(temp("1.2.3.4", 1)));
    auto s = ingest_->store(temp("1.2.3.4", 2));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Kept);
    EXPECT_EQ(s->path, "1.2.3.4.dcm");
    EXPECT_EQ(names(), (Names{"1.2.3.4.dcm"})) << "no temporary file, no second copy";
    EXPECT_EQ(indexed_version("1.2.3.4"), "1");
    EXPECT_EQ(version_in("storage/1.2.3.4.dcm"), "1");
}

TEST_P(IngestModes, RejectDropsTheNewCopy) {
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

TEST_P(IngestModes, AnEntryWithoutItsFileIsReplacedWhateverThePolicy) {
    use(index::DuplicatePolicy::Reject);
    ASSERT_TRUE(ingest_->store(temp("1.2.3.4", 1)));
    fs::remove(root_ + "/storage/1.2.3.4.dcm");
    auto s = ingest_->store(temp("1.2.3.4", 2));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->action, StoreAction::Replaced);
    EXPECT_EQ(names(), (Names{"1.2.3.4_2.dcm"}));
    EXPECT_EQ(indexed_version("1.2.3.4"), "2");
}

TEST_P(IngestModes, UnreadableFileIsRemovedAndNotIndexed) {
    const std::string t = put("storage/.dk-badxxx.part", Bytes(300, 0x55));
    auto s = ingest_->store(t);
    EXPECT_FALSE(s);
    EXPECT_NE(s.error().code, ErrorCode::IoError) << "the data set's fault, not the archive's";
    EXPECT_TRUE(names().empty());
}

TEST_P(IngestModes, InvalidUidIsRefusedOrUnderLenientUidsGetsAHashedName) {
    auto refused = ingest_->store(temp("../../etc/passwd", 1));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidValue);
    EXPECT_NE(refused.error().message.find("invalid SOP Instance UID"), std::string::npos) << refused.error().message;
    EXPECT_TRUE(names().empty()) << "nothing kept, no temporary file left";
    options_.lenient_uids = true;
    use(index::DuplicatePolicy::Replace);
    auto s = ingest_->store(temp("../../etc/passwd", 1));
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->path.rfind("x", 0), 0u) << s->path;
    EXPECT_EQ(names().size(), 1u);
}

TEST_P(IngestModes, ConcurrentCopiesOfOneInstanceEndAsOneFile) {
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
    EXPECT_EQ(*n.begin(), path_of("1.2.3.9"));
    EXPECT_EQ(version_in("storage/" + path_of("1.2.3.9")), indexed_version("1.2.3.9")) << "file and index agree";
}

TEST_P(IngestModes, QueuedStoresAreCommittedInGroupsAndEachAnswered) {
    // Durable, so that groups are flushed and a group's renames may wait for the next group's
    // flush; four submitters queue 240 stores of 30 instances (copies of one instance in one
    // queue), most without committing themselves.
    ingest_.reset();
    files_ = std::make_unique<storage::FileStore>(root_, true);
    use(index::DuplicatePolicy::Replace);
    constexpr int kThreads = 4, kEach = 60, kUids = 30;
    std::mutex m;
    std::condition_variable cv;
    int answered = 0, failed = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const std::string uid = "1.2.3." + std::to_string(100 + (t * kEach + i) % kUids);
                ingest_->submit(
                    temp(uid, t * kEach + i + 1),
                    [&](Result<Stored> r) {
                        std::lock_guard lock(m);
                        ++answered;
                        if (!r || (r->action != StoreAction::Added && r->action != StoreAction::Replaced)) ++failed;
                        cv.notify_all();
                    },
                    i % 10 == 9);
            }
        });
    for (auto& t : threads) t.join();
    {
        std::unique_lock lock(m);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return answered == kThreads * kEach; }))
            << answered << " answered";
    }
    EXPECT_EQ(failed, 0);
    const Names n = names();
    EXPECT_EQ(n.size(), static_cast<std::size_t>(kUids)) << "one file per instance, no temporary file";
    for (int k = 0; k < kUids; ++k) {
        const std::string uid = "1.2.3." + std::to_string(100 + k);
        EXPECT_EQ(version_in("storage/" + path_of(uid)), indexed_version(uid)) << uid << ": file and index agree";
    }
}

/// An index whose adds fail (the rest goes to `inner`).
class FailingAdds final : public index::Index {
public:
    explicit FailingAdds(index::Index& inner) : inner_(inner) {}
    Result<index::AddStatus> add(const DataSet&, const index::InstanceFile&, index::DuplicatePolicy) override {
        return make_error(ErrorCode::IoError, "disk I/O error (test)");
    }
    Result<std::uint64_t> find(const model::Query& q, const index::MatchFn& fn) override { return inner_.find(q, fn); }
    Result<std::optional<index::InstanceFile>> instance(const std::string& uid) override { return inner_.instance(uid); }
    Result<bool> remove(const std::string& uid) override { return inner_.remove(uid); }
    Result<std::uint64_t> for_each_instance(const index::InstanceFn& fn) override {
        return inner_.for_each_instance(fn);
    }

private:
    index::Index& inner_;
};

// Answered before indexing: everything answered is there for a query through SettledIndex
// the moment the answer is out, however little was indexed by then.
TEST_F(Archive, AnsweredStoresAreFoundByTheNextQuery) {
    options_.answer_when_placed = true;
    use(index::DuplicatePolicy::Replace);
    SettledIndex settled(*index_, *ingest_);
    for (int i = 0; i < 50; ++i) {
        const std::string uid = "1.2.3." + std::to_string(i);
        auto s = ingest_->store(temp(uid, 1));  // answered; the query below indexes it, or the indexing thread
        ASSERT_TRUE(s) << s.error().to_string();
        EXPECT_EQ(s->action, StoreAction::Added);
        DataSet q;
        q.set_string(tags::QueryRetrieveLevel, VR::CS, "IMAGE");
        q.set_string(tags::StudyInstanceUID, VR::UI, "1.2");
        q.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3");
        q.set_string(tags::SOPInstanceUID, VR::UI, uid);
        auto n = service::Query(settled).find(model::Root::Study, q, [](const DataSet&) { return true; });
        ASSERT_TRUE(n) << n.error().message;
        EXPECT_EQ(*n, 1u) << uid << " answered, then not found";
        auto f = settled.instance(uid);
        ASSERT_TRUE(f && *f) << uid;
        EXPECT_EQ((*f)->path, uid + ".dcm");
    }
    EXPECT_EQ(ingest_->unindexed(), 0u);
}

// Answered before indexing, then the index fails: the file stays (it was acknowledged), the
// failure is logged and counted (ServerApp then leaves no clean mark), and a reconcile with a
// working index indexes it.
TEST_F(Archive, AnIndexFailureAfterTheAnswerKeepsTheFile) {
    FailingAdds failing(*index_);
    std::mutex m;
    std::vector<std::string> lines;
    IngestOptions o;
    o.answer_when_placed = true;
    o.log = [&](const std::string& l) {
        std::lock_guard lock(m);
        lines.push_back(l);
    };
    {
        Ingest ingest(failing, *files_, index::DuplicatePolicy::Replace, o);
        auto s = ingest.store(temp("1.2.3.4", 1));
        ASSERT_TRUE(s) << s.error().to_string();
        EXPECT_EQ(s->action, StoreAction::Added);
        ingest.wait_indexed();
        EXPECT_EQ(ingest.unindexed(), 1u);
    }
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("1.2.3.4"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("disk I/O error (test)"), std::string::npos) << lines[0];
    EXPECT_EQ(names(), (Names{"1.2.3.4.dcm"}));
    EXPECT_EQ(path_of("1.2.3.4"), "");
    auto r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->indexed, 1u);
    EXPECT_EQ(path_of("1.2.3.4"), "1.2.3.4.dcm");
}

INSTANTIATE_TEST_SUITE_P(Answer, IngestModes, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "WhenPlaced" : "WhenIndexed"; });

}  // namespace
}  // namespace dicomkit::server::service::test
