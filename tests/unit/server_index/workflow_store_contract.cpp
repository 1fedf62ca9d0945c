// The WorkflowStore contract: MPPS records (add once, update only from the expected status, list
// newest first) and commitment transactions (replace, lists and failure reasons kept, by state).
#include "workflow_store_contract.hpp"

namespace dicomkit::server::index::test {

namespace {

MppsRecord mpps(const std::string& uid, std::int64_t t) {
    return {uid, "IN PROGRESS", std::string("\x08\x00\x18\x00\0\0", 6) + uid, {"1.2.3", "1.2.4"}, t, t};
}

}  // namespace

TEST_P(WorkflowStoreContract, MppsAddedOnceAndReadBack) {
    auto a = store->add_mpps(mpps("1.9.1", 100));
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_TRUE(*a);
    auto again = store->add_mpps(mpps("1.9.1", 200));
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
    auto r = store->mpps("1.9.1");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ(**r, mpps("1.9.1", 100));  // the binary data set (with a NUL) and both studies kept
    auto none = store->mpps("1.9.2");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
}

TEST_P(WorkflowStoreContract, MppsUpdatedOnlyFromTheExpectedStatus) {
    ASSERT_TRUE(store->add_mpps(mpps("1.9.1", 100)));
    MppsRecord done = mpps("1.9.1", 100);
    done.status = "COMPLETED";
    done.dataset = "other";
    done.study_uids = {"1.2.5"};
    done.updated = 150;
    auto wrong = store->update_mpps(done, "COMPLETED");
    ASSERT_TRUE(wrong);
    EXPECT_FALSE(*wrong);
    auto ok = store->update_mpps(done, "IN PROGRESS");
    ASSERT_TRUE(ok);
    EXPECT_TRUE(*ok);
    auto twice = store->update_mpps(done, "IN PROGRESS");
    ASSERT_TRUE(twice);
    EXPECT_FALSE(*twice);  // a second N-SET that read IN PROGRESS before the first one wrote
    auto r = store->mpps("1.9.1");
    ASSERT_TRUE(r && r->has_value());
    EXPECT_EQ(**r, done);
    EXPECT_EQ((*r)->created, 100);
    MppsRecord ghost = mpps("1.9.9", 1);
    auto nobody = store->update_mpps(ghost, "IN PROGRESS");
    ASSERT_TRUE(nobody);
    EXPECT_FALSE(*nobody);
}

TEST_P(WorkflowStoreContract, MppsListedNewestFirst) {
    ASSERT_TRUE(store->add_mpps(mpps("1.9.1", 100)));
    ASSERT_TRUE(store->add_mpps(mpps("1.9.2", 300)));
    ASSERT_TRUE(store->add_mpps(mpps("1.9.3", 200)));
    auto all = store->list_mpps(10);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].sop_instance_uid, "1.9.2");
    EXPECT_EQ((*all)[1].sop_instance_uid, "1.9.3");
    EXPECT_EQ((*all)[2].sop_instance_uid, "1.9.1");
    auto two = store->list_mpps(2);
    ASSERT_TRUE(two);
    EXPECT_EQ(two->size(), 2u);
}

TEST_P(WorkflowStoreContract, CommitmentKeptReplacedAndListedByState) {
    CommitmentRecord r;
    r.transaction_uid = "2.25.7";
    r.requester_ae = "MODALITY";
    r.requested = {{"1.2.840.10008.5.1.4.1.1.2", "1.2.3.1", 0}, {"1.2.840.10008.5.1.4.1.1.2", "1.2.3.2", 0}};
    r.committed = {r.requested[0]};
    r.failed = {{"1.2.840.10008.5.1.4.1.1.2", "1.2.3.2", 0x0112}};
    r.created = r.updated = 10;
    ASSERT_TRUE(store->put_commitment(r));
    auto back = store->commitment("2.25.7");
    ASSERT_TRUE(back && back->has_value());
    EXPECT_EQ(**back, r);

    r.state = CommitmentState::Reported;
    r.attempts = 2;
    r.last_error = "";
    r.updated = 20;
    ASSERT_TRUE(store->put_commitment(r));
    CommitmentRecord other = r;
    other.transaction_uid = "2.25.8";
    other.state = CommitmentState::Pending;
    other.failed.clear();
    other.last_error = "connection refused";
    other.updated = 30;
    ASSERT_TRUE(store->put_commitment(other));

    auto all = store->list_commitments(std::nullopt, 10);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].transaction_uid, "2.25.8");
    auto pending = store->list_commitments(CommitmentState::Pending, 10);
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0], other);
    auto reported = store->list_commitments(CommitmentState::Reported, 10);
    ASSERT_TRUE(reported);
    ASSERT_EQ(reported->size(), 1u);
    EXPECT_EQ((*reported)[0].attempts, 2);
    EXPECT_EQ((*reported)[0].failed.at(0).failure_reason, 0x0112);
    auto none = store->commitment("2.25.9");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
}

}  // namespace dicomkit::server::index::test
