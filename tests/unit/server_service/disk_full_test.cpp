// Ingest on a full disk: stores refused below the free-space reserve and while the index cannot
// be written, each with its reason; answered stores that the index failed to take are retried
// and, once it takes them, stores are taken again.
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "archive_fixture.hpp"

namespace dicomkit::server::service::test {
namespace {

using Names = std::set<std::string>;

/// An index whose writes fail as SQLite's do on a full disk while `full` is set.
class FullWhileSet final : public index::Index {
  public:
    explicit FullWhileSet(index::Index& inner) : inner_(inner) {}
    std::atomic<bool> full{false};
    Result<index::AddStatus> add(const DataSet& a, const index::InstanceFile& f,
                                 index::DuplicatePolicy p) override {
        if (full) return make_error(ErrorCode::IoError, "sqlite: step: database or disk is full");
        return inner_.add(a, f, p);
    }
    std::vector<Result<index::AddStatus>> add_many(const std::vector<AddItem>& items) override {
        if (full) return index::Index::add_many(items);  // each fails as add() does
        return inner_.add_many(items);
    }
    Result<std::uint64_t> find(const model::Query& q, const index::MatchFn& fn) override {
        return inner_.find(q, fn);
    }
    Result<std::optional<index::InstanceFile>> instance(const std::string& uid) override {
        return inner_.instance(uid);
    }
    Result<bool> remove(const std::string& uid) override { return inner_.remove(uid); }
    Result<std::uint64_t> for_each_instance(const index::InstanceFn& fn) override {
        return inner_.for_each_instance(fn);
    }

  private:
    index::Index& inner_;
};

TEST_F(Archive, StoresBelowTheFreeSpaceReserveAreRefusedWithTheFigures) {
    options_.min_free_bytes = std::uint64_t{1} << 62;  // more than any disk has
    use(index::DuplicatePolicy::Replace);
    const std::string t = temp("1.1", 1);
    auto s = ingest_->store(t);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::IoError);  // the store handler's 0xA700 out of resources
    EXPECT_NE(s.error().message.find(
                  " MiB free in the data folder, below the reserve of 4398046511104 MiB"),
              std::string::npos)
        << s.error().message;
    EXPECT_FALSE(fs::exists(t)) << "the temporary file is removed";
    EXPECT_EQ(names(), Names{});
    EXPECT_EQ(path_of("1.1"), "");
    EXPECT_FALSE(ingest_->refusal().empty());
    // A reserve the disk has: taken.
    options_.min_free_bytes = 1;
    use(index::DuplicatePolicy::Replace);
    EXPECT_EQ(ingest_->refusal(), "");
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    EXPECT_EQ(path_of("1.1"), "1.1.dcm");
}

TEST_F(Archive, RefusedStoresSayWhyUntilTakenAgain) {
    ingest_->refuse_stores("read-only: the disk of the archive is full");
    auto s = ingest_->store(temp("1.1", 1));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::IoError);
    EXPECT_EQ(s.error().message, "read-only: the disk of the archive is full");
    EXPECT_EQ(names(), Names{});
    ingest_->refuse_stores("");
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
}

// Answered when placed, then the index is full: the answered store keeps its file, the next
// stores are refused (not answered Success and then lost), and once the index takes writes
// again the retry indexes the answered one and stores are taken again.
TEST_F(Archive, AFullIndexStopsStoresUntilTheRetryIndexesTheAnsweredOnes) {
    FullWhileSet index(*index_);
    std::mutex m;
    std::vector<std::string> lines;
    IngestOptions o;
    o.answer_when_placed = true;
    o.log = [&](const std::string& l) {
        std::lock_guard lock(m);
        lines.push_back(l);
    };
    Ingest ingest(index, *files_, index::DuplicatePolicy::Replace, o);
    index.full = true;
    auto s = ingest.store(temp("1.1", 1));
    ASSERT_TRUE(s) << s.error().to_string();  // answered once placed
    ingest.wait_indexed();
    EXPECT_EQ(ingest.unindexed(), 1u);
    auto refused = ingest.store(temp("1.2", 1));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::IoError);
    EXPECT_NE(refused.error().message.find(
                  "the index cannot be written (sqlite: step: database or disk is full)"),
              std::string::npos)
        << refused.error().message;
    EXPECT_EQ(names(), (Names{"1.1.dcm"}));
    index.full = false;
    // Retried within a few seconds.
    for (int i = 0; i < 100 && !ingest.refusal().empty(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(ingest.refusal(), "");
    EXPECT_EQ(ingest.unindexed(), 0u);
    EXPECT_EQ(path_of("1.1"), "1.1.dcm");
    ASSERT_TRUE(ingest.store(temp("1.2", 1)));
    ingest.wait_indexed();
    EXPECT_EQ(path_of("1.2"), "1.2.dcm");
    std::lock_guard lock(m);
    ASSERT_GE(lines.size(), 2u);
    EXPECT_NE(lines[0].find("1.1 (storage/1.1.dcm) was stored but not indexed"), std::string::npos)
        << lines[0];
    EXPECT_NE(lines[0].find("new stores are refused until the index takes it"), std::string::npos)
        << lines[0];
    EXPECT_NE(lines.back().find("1 stored instances indexed on a retry; stores are taken again"),
              std::string::npos)
        << lines.back();
}

}  // namespace
}  // namespace dicomkit::server::service::test
