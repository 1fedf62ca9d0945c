// JobRunner: the request body's checks, the bounded queue (at most max_running at once, the list
// bounded), progress and times in the JSON, and stop (queued jobs cancelled, running ones asked
// to stop and joined). The jobs here run a stand-in that waits for the test's go.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <dicomkit/server/app/jobs.hpp>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>
#include <vector>

namespace dicomkit::server::app {
namespace {

using nlohmann::json;

TEST(JobRequest, ParsesSendAndRetrieve) {
    auto s = parse_job_request(
        R"({"type":"send","peer":"PACS","study":"1.2.3","series":"1.2.3.4","instance":"1.2.3.4.5"})");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->type, JobType::Send);
    EXPECT_EQ(s->peer, "PACS");
    EXPECT_EQ(s->study, "1.2.3");
    EXPECT_EQ(s->series, "1.2.3.4");
    EXPECT_EQ(s->instance, "1.2.3.4.5");
    auto r = parse_job_request(R"({"type":"retrieve","peer":"PACS","study":"1.2.3"})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->type, JobType::Retrieve);
    EXPECT_TRUE(r->series.empty());
}

TEST(JobRequest, ParsesImport) {
    auto i = parse_job_request(R"({"type":"import","path":"/media/cdrom/DICOMDIR"})");
    ASSERT_TRUE(i) << i.error().message;
    EXPECT_EQ(i->type, JobType::Import);
    EXPECT_EQ(i->path, "/media/cdrom/DICOMDIR");
    EXPECT_TRUE(i->peer.empty());
}

TEST(JobRequest, RefusesBadBodiesSayingWhy) {
    const std::pair<const char*, const char*> cases[] = {
        {"not json", "not a JSON object"},
        {"[1]", "not a JSON object"},
        {R"({"peer":"P","study":"1.2"})", "\"type\" is missing"},
        {R"({"type":"copy","peer":"P","study":"1.2"})", "\"send\", \"retrieve\" or \"import\""},
        {R"({"type":"import"})", "\"path\" must be an absolute path"},
        {R"({"type":"import","path":"media/cd"})", "\"path\" must be an absolute path"},
        {R"({"type":"import","path":"/media/cd","study":"1.2"})", "an import takes only \"path\""},
        {R"({"type":"send","peer":"P","study":"1.2","path":"/media"})", "\"path\" is for an import"},
        {R"({"type":"send","study":"1.2"})", "\"peer\" is missing"},
        {R"({"type":"send","peer":"P"})", "\"study\" is missing"},
        {R"({"type":"send","peer":"P","study":12})", "\"study\" must be a string"},
        {R"({"type":"send","peer":"P","study":"1.2","serie":"1.3"})", "unknown key \"serie\""},
        {R"({"type":"send","peer":"P","study":"1..2"})", "\"study\" is not a UID"},
        {R"({"type":"send","peer":"P","study":"1.2","instance":"1.2.3"})", "needs its \"series\""},
        {R"({"type":"retrieve","peer":"P","study":"1.2","series":"1.3","instance":"1.4"})",
         "\"instance\" is for send"},
    };
    for (const auto& [body, why] : cases) {
        auto r = parse_job_request(body);
        ASSERT_FALSE(r) << body;
        EXPECT_EQ(r.error().code, ErrorCode::InvalidValue) << body;
        EXPECT_NE(r.error().message.find(why), std::string::npos)
            << body << " -> " << r.error().message;
    }
}

TEST(JobTimes, IsoUtc) {
    EXPECT_EQ(iso_utc(std::chrono::system_clock::time_point(std::chrono::seconds(1733424955))),
              "2024-12-05T18:55:55Z");
}

/// Jobs that count themselves and wait for the test to let them end (or for a cancel).
struct Gate {
    std::mutex m;
    std::condition_variable cv;
    int running = 0, peak = 0, ran = 0;
    bool open = false;

    JobOutcome run(JobCounters& n) {
        std::unique_lock lock(m);
        peak = std::max(peak, ++running);
        ++ran;
        n.total = 3;
        n.done = 1;
        cv.notify_all();
        // The runner sets the cancel flag (an atomic) without this mutex: looked at every 10 ms.
        bool opened = false;
        for (int k = 0; k < 2000 && !opened; ++k)
            opened = cv.wait_for(lock, std::chrono::milliseconds(10),
                                 [&] { return open || n.cancel.load(); });
        --running;
        cv.notify_all();
        if (!opened) return {"the test never opened the gate"};
        if (n.cancel) return {"cancelled"};
        n.done = 3;
        return {};
    }
    void wait_running(int k) {
        std::unique_lock lock(m);
        cv.wait_for(lock, std::chrono::seconds(10), [&] { return running == k; });
    }
    void let_go() {
        std::lock_guard lock(m);
        open = true;
        cv.notify_all();
    }
};

struct Fixture {
    Config config;
    Gate gate;
    std::vector<std::string> lines;
    std::mutex lines_mutex;
    std::unique_ptr<JobRunner> runner;

    explicit Fixture(std::size_t max_kept = 100) {
        config.ae_title = "ARCHIVE";
        config.peers.push_back(Peer{"PACS", "127.0.0.1", 11112, {}, false, false, {}, {}, {}});
        JobRunnerOptions o;
        o.max_running = 2;
        o.max_kept = max_kept;
        o.run = [this](const JobContext&, const JobRequest&, const Peer&, JobCounters& n) {
            return gate.run(n);
        };
        runner = std::make_unique<JobRunner>(
            JobContext{&config, nullptr, nullptr, nullptr, {}},
            [this](const std::string& l) {
                std::lock_guard lock(lines_mutex);
                lines.push_back(l);
            },
            o);
    }
    std::uint64_t submit() {
        auto id = runner->submit({JobType::Send, "PACS", "1.2.3", "", "", ""});
        EXPECT_TRUE(id) << (id ? "" : id.error().message);
        return id.value_or(0);
    }
    json job(std::uint64_t id) {
        const std::string s = runner->job_json(id);
        return s.empty() ? json() : json::parse(s);
    }
    /// Two jobs run side by side, so a later job may end before an earlier one: waits (at most
    /// 10 s) until every one of `ids` is done.
    void wait_done(const std::vector<std::uint64_t>& ids) {
        auto all_done = [&] {
            return std::all_of(ids.begin(), ids.end(),
                               [&](std::uint64_t id) { return job(id)["state"] == "done"; });
        };
        for (int i = 0; i < 400 && !all_done(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    std::size_t count_lines(const std::string& part) {
        std::lock_guard lock(lines_mutex);
        return std::count_if(lines.begin(), lines.end(),
                             [&](const auto& l) { return l.find(part) != std::string::npos; });
    }
};

TEST(JobRunner, UnknownPeerIsNotFound) {
    Fixture f;
    auto id = f.runner->submit({JobType::Send, "NOBODY", "1.2.3", "", "", ""});
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error().code, ErrorCode::NotFound);
    auto body = f.runner->start_json(R"({"type":"send","peer":"PACS","study":"x y"})");
    ASSERT_FALSE(body);
    EXPECT_EQ(body.error().code, ErrorCode::InvalidValue);
    EXPECT_EQ(f.runner->list_json(), "[]");
}

TEST(JobRunner, AtMostTwoRunTheRestWaitInOrder) {
    Fixture f;
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(f.submit());
    EXPECT_EQ(ids, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    f.gate.wait_running(2);
    EXPECT_EQ(f.job(1)["state"], "running");
    EXPECT_EQ(f.job(2)["state"], "running");
    EXPECT_EQ(f.job(3)["state"], "queued");
    EXPECT_TRUE(f.job(3)["started"].is_null());
    const json running = f.job(1);
    EXPECT_EQ(running["total"], 3);
    EXPECT_EQ(running["done"], 1);
    EXPECT_TRUE(running["ended"].is_null());
    EXPECT_TRUE(std::regex_match(running["started"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")))
        << running;
    f.gate.let_go();
    f.wait_done(ids);
    for (auto id : ids) {
        const json j = f.job(id);
        EXPECT_EQ(j["state"], "done") << j;
        EXPECT_EQ(j["done"], 3) << j;
        EXPECT_EQ(j["failed"], 0) << j;
        EXPECT_TRUE(j["error"].is_null()) << j;
        EXPECT_FALSE(j["ended"].is_null()) << j;
        EXPECT_EQ(j["peer"], "PACS");
        EXPECT_EQ(j["type"], "send");
    }
    EXPECT_EQ(f.gate.peak, 2);
    EXPECT_EQ(f.gate.ran, 5);
    const json list = json::parse(f.runner->list_json());
    ASSERT_EQ(list.size(), 5u);
    EXPECT_EQ(list[0]["id"], 5);  // newest first
    EXPECT_EQ(f.count_lines("started: send study 1.2.3 to PACS"), 5u);
    EXPECT_EQ(f.count_lines(" done: send study 1.2.3 to PACS: 3 of 3 instances, 0 failed"), 5u);
    EXPECT_TRUE(f.runner->job_json(99).empty());
}

TEST(JobRunner, KeepsTheLastJobsAndRefusesBeyondTheUnfinished) {
    Fixture f(3);
    f.gate.let_go();
    for (int i = 0; i < 3; ++i) f.submit();
    f.wait_done({1, 2, 3});
    ASSERT_EQ(f.job(1)["state"], "done");
    ASSERT_EQ(f.job(2)["state"], "done");
    ASSERT_EQ(f.job(3)["state"], "done");
    f.submit();  // 4: the oldest finished one goes
    EXPECT_TRUE(f.runner->job_json(1).empty());
    EXPECT_EQ(json::parse(f.runner->list_json()).size(), 3u);

    Fixture g(3);  // the gate stays shut: 2 run, 1 waits, then the list is full of unfinished jobs
    for (int i = 0; i < 3; ++i) g.submit();
    auto refused = g.runner->submit({JobType::Send, "PACS", "1.2.3", "", "", ""});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::LimitExceeded);
}

TEST(JobRunner, CancelStopsOneRunningOrQueuedJobOnly) {
    Fixture f;
    for (int i = 0; i < 3; ++i) f.submit();
    f.gate.wait_running(2);
    // Queued: never runs.
    auto queued = f.runner->cancel_json(3);
    ASSERT_TRUE(queued) << queued.error().message;
    EXPECT_EQ(json::parse(*queued)["state"], "failed");
    EXPECT_EQ(f.job(3)["error"], "cancelled");
    // Running: asked to stop, ends failed "cancelled"; job 2 goes on.
    auto running = f.runner->cancel_json(1);
    ASSERT_TRUE(running) << running.error().message;
    for (int i = 0; i < 400 && f.job(1)["state"] == "running"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    EXPECT_EQ(f.job(1)["state"], "failed");
    EXPECT_EQ(f.job(1)["error"], "cancelled");
    EXPECT_EQ(f.job(2)["state"], "running");
    f.gate.let_go();
    f.wait_done({2});
    EXPECT_EQ(f.job(2)["state"], "done");
    EXPECT_EQ(f.gate.ran, 2);  // the cancelled queued one never ran
    // Ended or unknown.
    auto ended = f.runner->cancel_json(2);
    ASSERT_FALSE(ended);
    EXPECT_EQ(ended.error().code, ErrorCode::InvalidArgument);
    auto unknown = f.runner->cancel_json(99);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    EXPECT_EQ(f.count_lines("job 3 cancelled before it started"), 1u);
    EXPECT_EQ(f.count_lines("job 1 asked to stop"), 1u);
}

TEST(JobRunner, StopCancelsQueuedAndRunningJobs) {
    Fixture f;
    for (int i = 0; i < 3; ++i) f.submit();
    f.gate.wait_running(2);
    const auto t0 = std::chrono::steady_clock::now();
    f.runner->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_EQ(f.gate.running, 0);
    EXPECT_EQ(f.job(1)["state"], "failed");
    EXPECT_EQ(f.job(1)["error"], "cancelled");
    EXPECT_EQ(f.job(3)["state"], "failed");
    EXPECT_EQ(f.job(3)["error"], "cancelled: serve stopped");
    EXPECT_EQ(f.gate.ran, 2);  // the queued one never ran
    auto late = f.runner->submit({JobType::Send, "PACS", "1.2.3", "", "", ""});
    EXPECT_FALSE(late);
}

}  // namespace
}  // namespace dicomkit::server::app
