// Runs the Index contract against PostgresIndex (a fresh database per test), and what only a shared
// database has to survive: nodes migrating at once, adds from two processes at once.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/postgres/pg.hpp>
#include <dicomkit/server/index/postgres/postgres_index.hpp>
#include <dicomkit/server/index/postgres/postgres_workflow_store.hpp>
#include <dicomkit/server/index/schema/migrations.hpp>

#include "index_contract.hpp"
#include "worklist_contract.hpp"
#include "workflow_store_contract.hpp"

namespace dicomkit::server::index::test {
namespace {

namespace fs = std::filesystem;
using postgres::PostgresIndex;

/// The test server (tests/support/pg_test_server.sh): the one of the CTest fixture, whose state
/// folder is $DICOMKIT_TEST_PG, or else one started for this run. Its absence is a failure.
class PgServer : public ::testing::Environment {
public:
    static inline std::string conninfo;  ///< of database postgres

    void SetUp() override {
        const char* state = std::getenv("DICOMKIT_TEST_PG");
        if (state && *state) {
            read(state);
            return;
        }
        own_ = fs::temp_directory_path() / ("dk-pg-test-" + std::to_string(::getpid()));
        const std::string cmd = script() + " start " + own_.string() + " > /dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        read(own_);
    }
    void TearDown() override {
        if (own_.empty()) return;
        const std::string cmd = script() + " stop " + own_.string();
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
        fs::remove_all(own_);
    }

private:
    static std::string script() { return std::string("bash ") + DICOMKIT_SOURCE_DIR + "/tests/support/pg_test_server.sh"; }
    static void read(const fs::path& state) {
        std::ifstream in(state / "conninfo");
        std::getline(in, conninfo);
        ASSERT_FALSE(conninfo.empty()) << "no PostgreSQL test server: " << (state / "conninfo")
                                       << " is missing (see tests/support/pg_test_server.sh)";
    }
    fs::path own_;
};

const auto* const kServer = ::testing::AddGlobalTestEnvironment(new PgServer);

/// Creates an empty database; its conninfo.
std::string fresh_database(const std::string& options = "") {
    static std::atomic<int> n{0};
    const std::string name = "dk_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    auto c = postgres::Conn::connect(PgServer::conninfo);
    if (!c) {
        ADD_FAILURE() << c.error().to_string();
        return {};
    }
    auto r = (*c)->exec("CREATE DATABASE " + name + options);
    if (!r) ADD_FAILURE() << r.error().to_string();
    std::string info = PgServer::conninfo;
    info.replace(info.find("dbname=postgres"), std::string("dbname=postgres").size(), "dbname=" + name);
    return info;
}

std::unique_ptr<Index> fresh_postgres() {
    auto ix = PostgresIndex::open(fresh_database());
    if (!ix) ADD_FAILURE() << ix.error().to_string();
    return ix ? std::move(*ix) : nullptr;
}

/// A fresh database migrated by the index, with the workflow store over it (the index kept
/// alive beside it).
std::shared_ptr<WorkflowStore> fresh_postgres_workflow() {
    const std::string info = fresh_database();
    auto ix = PostgresIndex::open(info);
    if (!ix) {
        ADD_FAILURE() << ix.error().to_string();
        return nullptr;
    }
    auto s = postgres::PostgresWorkflowStore::open(info);
    if (!s) {
        ADD_FAILURE() << s.error().to_string();
        return nullptr;
    }
    struct Both {
        std::unique_ptr<PostgresIndex> index;
        std::unique_ptr<postgres::PostgresWorkflowStore> store;
    };
    auto both = std::make_shared<Both>(Both{std::move(*ix), std::move(*s)});
    return std::shared_ptr<WorkflowStore>(both, both->store.get());
}

DataSet instance(const std::string& study, const std::string& series, const std::string& sop) {
    DataSet ds;
    ds.set_string(tags::PatientID, VR::LO, "P");
    ds.set_string(tags::StudyInstanceUID, VR::UI, study);
    ds.set_string(tags::SeriesInstanceUID, VR::UI, series);
    ds.set_string(tags::SOPInstanceUID, VR::UI, sop);
    return ds;
}

std::uint64_t count(Index& ix, model::Level level, DataSet q) {
    q.set_string(tags::QueryRetrieveLevel, VR::CS, model::to_string(level));
    auto n = find_identifier(ix, model::Root::Study, q, [](const DataSet&) { return true; });
    EXPECT_TRUE(n) << n.error().to_string();
    return n ? *n : 0;
}

/// Runs `work(w)` in two child processes (w = 0, 1) at once; their exit statuses.
std::vector<int> in_two_processes(const std::function<int(int)>& work) {
    pid_t children[2];
    for (int w = 0; w < 2; ++w) {
        children[w] = ::fork();
        if (children[w] == 0) ::_exit(work(w));
    }
    std::vector<int> statuses;
    for (pid_t child : children) {
        int status = 0;
        if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) statuses.push_back(-1);
        else statuses.push_back(WEXITSTATUS(status));
    }
    return statuses;
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(postgres, IndexContract, ::testing::Values(IndexFactory(fresh_postgres)),
                         [](const auto&) { return std::string("postgres"); });
INSTANTIATE_TEST_SUITE_P(postgres, WorkflowStoreContract, ::testing::Values(WorkflowStoreFactory(fresh_postgres_workflow)),
                         [](const auto&) { return std::string("postgres"); });
INSTANTIATE_TEST_SUITE_P(postgres, WorklistContract, ::testing::Values(IndexFactory(fresh_postgres)),
                         [](const auto&) { return std::string("postgres"); });

TEST(PostgresIndex, ReopenKeepsDataAndDescribesItself) {
    const std::string info = fresh_database();
    {
        auto ix = PostgresIndex::open(info);
        ASSERT_TRUE(ix) << ix.error().to_string();
        ASSERT_TRUE((*ix)->add(instance("1", "1.1", "1.1.1"), {"a", 1, ""}, DuplicatePolicy::Reject));
        EXPECT_TRUE((*ix)->description().starts_with("postgres dicomkit@127.0.0.1:")) << (*ix)->description();
        EXPECT_EQ((*ix)->description().find("password"), std::string::npos);
    }
    auto ix = PostgresIndex::open(info);
    ASSERT_TRUE(ix) << ix.error().to_string();
    auto f = (*ix)->instance("1.1.1");
    ASSERT_TRUE(f && *f);
    EXPECT_EQ((*f)->path, "a");
}

TEST(PostgresIndex, MigratesAVersion1Database) {
    const std::string info = fresh_database();
    {
        auto c = postgres::Conn::connect(info);
        ASSERT_TRUE(c);
        ASSERT_TRUE((*c)->exec(std::string(postgres_migrations().at(0).sql)));
        ASSERT_TRUE((*c)->exec(kVersion1Rows));
        ASSERT_TRUE((*c)->exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                               "applied_at TIMESTAMPTZ NOT NULL DEFAULT now()); "
                               "INSERT INTO schema_version(version, name) VALUES (1, '001_initial')"));
    }
    auto ix = PostgresIndex::open(info);
    ASSERT_TRUE(ix) << ix.error().to_string();
    expect_migrated_from_version_1(**ix);
}

TEST(PostgresIndex, NodesOpeningAtOnceMigrateOnce) {
    const std::string info = fresh_database();
    std::vector<std::thread> nodes;
    std::atomic<int> opened{0};
    for (int i = 0; i < 6; ++i)
        nodes.emplace_back([&] {
            auto ix = PostgresIndex::open(info);
            if (ix) ++opened;
            else ADD_FAILURE() << ix.error().to_string();
        });
    for (auto& t : nodes) t.join();
    EXPECT_EQ(opened, 6);
    auto c = postgres::Conn::connect(info);
    ASSERT_TRUE(c);
    auto r = (*c)->exec("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_version");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->text(0, 0), r->text(0, 1)) << "each migration recorded once";
    EXPECT_NE(r->text(0, 0), "0");
}

TEST(PostgresIndex, RefusesASchemaNewerThanItKnows) {
    const std::string info = fresh_database();
    ASSERT_TRUE(PostgresIndex::open(info));
    auto c = postgres::Conn::connect(info);
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->exec("INSERT INTO schema_version(version, name) VALUES (999, '999_future')"));
    auto ix = PostgresIndex::open(info);
    ASSERT_FALSE(ix);
    EXPECT_NE(ix.error().message.find("newer"), std::string::npos) << ix.error().message;
}

TEST(PostgresIndex, RefusesADatabaseThatIsNotUtf8) {
    auto ix = PostgresIndex::open(fresh_database(" ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"));
    ASSERT_FALSE(ix);
    EXPECT_NE(ix.error().message.find("UTF8"), std::string::npos) << ix.error().message;
}

TEST(PostgresIndex, UnreachableServerIsAnError) {
    auto ix = PostgresIndex::open("host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=5");
    ASSERT_FALSE(ix);
    EXPECT_NE(ix.error().message.find("cannot connect"), std::string::npos) << ix.error().message;
}

/// Two processes add at once into one study and series: 200 instances of their own each, and the
/// same 50 instances with the policy Keep (each is added by exactly one of them) and the same 50
/// with Replace (each ends up indexed once).
TEST(PostgresIndex, ConcurrentAddsFromTwoProcesses) {
    const std::string info = fresh_database();
    ASSERT_TRUE(PostgresIndex::open(info));
    constexpr int kOwn = 200, kShared = 50;
    // Exit status: how many of the shared Keep instances the process added, 255 on an error.
    const auto statuses = in_two_processes([&](int w) {
        auto ix = PostgresIndex::open(info);
        if (!ix) return 255;
        int added = 0;
        for (int i = 0; i < kOwn; ++i) {
            const std::string n = std::to_string(i);
            auto keep = (*ix)->add(instance("9", "9.1", "9.1.7." + std::to_string(i % kShared)), {"k", 1, ""},
                                   DuplicatePolicy::Keep);
            auto own = (*ix)->add(instance("9", "9.1", "9.1." + std::to_string(w + 1) + "." + n), {"o", 1, ""},
                                  DuplicatePolicy::Reject);
            auto rep = (*ix)->add(instance("9", "9.1", "9.1.8." + std::to_string(i % kShared)), {"r", 1, ""},
                                  DuplicatePolicy::Replace);
            if (!keep || !own || !rep || *own != AddStatus::Added) return 255;
            if (i < kShared && *keep == AddStatus::Added) ++added;
            if (i >= kShared && *keep != AddStatus::Kept) return 255;
        }
        return added;
    });
    int added = 0;
    for (int status : statuses) {
        ASSERT_TRUE(status >= 0 && status != 255) << "a child's add failed";
        added += status;
    }
    EXPECT_EQ(added, kShared) << "each shared Keep instance added by exactly one process";
    auto ix = PostgresIndex::open(info);
    ASSERT_TRUE(ix);
    DataSet q;
    q.set_string(tags::StudyInstanceUID, VR::UI, "9");
    q.set_string(tags::SeriesInstanceUID, VR::UI, "9.1");
    q.set_string(tags::SOPInstanceUID, VR::UI, "");
    EXPECT_EQ(count(**ix, model::Level::Image, q), 2u * kOwn + 2u * kShared);
    DataSet studies;
    studies.set_string(tags::StudyInstanceUID, VR::UI, "");
    EXPECT_EQ(count(**ix, model::Level::Study, studies), 1u);
}

/// Two processes add instances to one new series and remove them again, so that pruning the
/// emptied series, study and patient races with adds to them.
TEST(PostgresIndex, ConcurrentRemovesAndAddsFromTwoProcesses) {
    const std::string info = fresh_database();
    ASSERT_TRUE(PostgresIndex::open(info));
    const auto statuses = in_two_processes([&](int w) {
        auto ix = PostgresIndex::open(info);
        if (!ix) return 1;
        for (int i = 0; i < 100; ++i) {
            const std::string sop = "8.1." + std::to_string(w) + "." + std::to_string(i);
            auto a = (*ix)->add(instance("8", "8.1", sop), {"f", 1, ""}, DuplicatePolicy::Reject);
            auto r = (*ix)->remove(sop);
            if (!a || !r || !*r) {
                std::fprintf(stderr, "%s\n", (!a ? a.error() : !r ? r.error() : Error()).to_string().c_str());
                return 1;
            }
        }
        return 0;
    });
    EXPECT_EQ(statuses, (std::vector<int>{0, 0}));
    auto ix = PostgresIndex::open(info);
    ASSERT_TRUE(ix);
    DataSet studies;
    studies.set_string(tags::StudyInstanceUID, VR::UI, "");
    EXPECT_EQ(count(**ix, model::Level::Study, studies), 0u) << "the emptied study was pruned";
    auto n = (*ix)->for_each_instance([](const std::string&, const InstanceFile&) { return true; });
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0u);
}

}  // namespace dicomkit::server::index::test
