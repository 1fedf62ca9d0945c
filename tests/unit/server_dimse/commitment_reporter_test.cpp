// CommitmentReporter: a transaction left pending (as a stop leaves it) is reported at the next
// start (resume) on a new association to the requester, which takes it (event type 2 with the
// failed instance); a requester that is no configured peer fails the report for good once the
// retries are spent.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <dicomkit/server/dimse/workflow_handlers.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/server/index/sqlite/sqlite_workflow_store.hpp>

#include "commitment_scp.hpp"

using namespace dicomkit;
namespace ix = dicomkit::server::index;
namespace svc = dicomkit::server::service;
namespace sd = dicomkit::server::dimse;

namespace {

struct Store {
    std::filesystem::path path;
    std::unique_ptr<ix::sqlite::SqliteIndex> index;
    std::unique_ptr<ix::sqlite::SqliteWorkflowStore> store;
    Store() {
        static std::atomic<int> n{0};
        path = std::filesystem::temp_directory_path() /
               ("dk-reporter-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".db");
        std::filesystem::remove(path);
        index = std::move(*ix::sqlite::SqliteIndex::open(path.string()));
        store = std::move(*ix::sqlite::SqliteWorkflowStore::open(path.string()));
    }
    ~Store() {
        store.reset();
        index.reset();
        std::filesystem::remove(path);
    }
};

ix::CommitmentRecord pending(const std::string& uid, const std::string& ae) {
    ix::CommitmentRecord r;
    r.transaction_uid = uid;
    r.requester_ae = ae;
    r.requested = {{"1.2.840.10008.5.1.4.1.1.2", "1.2.3.1", 0}, {"1.2.840.10008.5.1.4.1.1.2", "1.2.3.2", 0}};
    r.committed = {r.requested[0]};
    r.failed = {{"1.2.840.10008.5.1.4.1.1.2", "1.2.3.2", svc::kFailureNoSuchObject}};
    r.created = r.updated = 1;
    return r;
}

/// Waits (bounded) until the transaction leaves the pending state.
ix::CommitmentRecord settled(svc::Commitment& c, const std::string& uid) {
    for (int i = 0; i < 500; ++i) {
        auto r = c.get(uid);
        if (r && *r && (*r)->state != ix::CommitmentState::Pending) return **r;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {};
}

}  // namespace

TEST(CommitmentReporter, ResumedReportGoesOnANewAssociation) {
    Store s;
    test::CommitmentServer requester;
    ASSERT_TRUE(requester.server);
    ASSERT_TRUE(s.store->put_commitment(pending("2.25.11", "MOD")));
    svc::Commitment commitment(*s.store, *s.index);
    sd::ReporterOptions o;
    o.our_ae = "ARCHIVE";
    const std::uint16_t port = requester.server->port();
    o.find_peer = [port](const std::string& ae) -> std::optional<sd::Destination> {
        if (ae != "MOD") return std::nullopt;
        return sd::Destination{"MOD", "127.0.0.1", port, std::nullopt, nullptr};
    };
    sd::CommitmentReporter reporter(commitment, o);
    EXPECT_EQ(reporter.resume(), 1u);
    const auto r = settled(commitment, "2.25.11");
    EXPECT_EQ(r.state, ix::CommitmentState::Reported) << r.last_error;
    EXPECT_EQ(r.attempts, 1);
    std::lock_guard lock(requester.scp->m);
    EXPECT_EQ(requester.scp->received_event, 2);  // failures exist
}

TEST(CommitmentReporter, UnknownRequesterFailsAfterTheRetries) {
    Store s;
    ASSERT_TRUE(s.store->put_commitment(pending("2.25.12", "NOBODY")));
    svc::Commitment commitment(*s.store, *s.index);
    sd::ReporterOptions o;
    o.find_peer = [](const std::string&) { return std::optional<sd::Destination>{}; };
    o.retries = 2;
    o.retry_interval = std::chrono::milliseconds(20);
    sd::CommitmentReporter reporter(commitment, o);
    reporter.enqueue("2.25.12");
    const auto r = settled(commitment, "2.25.12");
    EXPECT_EQ(r.state, ix::CommitmentState::Failed);
    EXPECT_EQ(r.attempts, 3);
    EXPECT_NE(r.last_error.find("not a configured peer"), std::string::npos) << r.last_error;
}
