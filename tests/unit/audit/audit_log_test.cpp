// AuditLog: delivery to a file and over UDP, bounded queues that drop the oldest, sinks that fail
// or hang never making submit() wait.
#include <dicomkit/audit/audit_log.hpp>
#include <dicomkit/audit/events.hpp>
#include <dicomkit/audit/sinks.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace dicomkit::audit {
namespace {

namespace fs = std::filesystem;

Message sample(const std::string& study) {
    StudyRecord s;
    s.study_uid = study;
    s.add("1.2.840.10008.5.1.4.1.1.7", "1.2.3", false);
    return instances_transferred('C', application("A", "A", "127.0.0.1", true), application("B", "B", "", false), {}, s,
                                 Outcome::Success);
}

std::vector<std::string> lines_of(const fs::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("dicomkit-audit-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

TEST(AuditLog, FileGetsOneLinePerMessageWithTheSource) {
    const fs::path dir = temp_dir("file");
    {
        std::vector<std::unique_ptr<Sink>> sinks;
        sinks.push_back(file_sink((dir / "audit.log").string(), 1 << 20));
        AuditLogOptions o;
        o.source.source_id = "ARCHIVE@test";
        AuditLog log(std::move(sinks), o);
        for (int i = 0; i < 50; ++i) log.submit(sample("1.2." + std::to_string(i)));
        log.stop();
        EXPECT_EQ(log.stats().delivered, 50u);
        EXPECT_EQ(log.stats().dropped, 0u);
    }
    const auto lines = lines_of(dir / "audit.log");
    ASSERT_EQ(lines.size(), 50u);
    EXPECT_NE(lines[7].find("ParticipantObjectID=\"1.2.7\""), std::string::npos);
    EXPECT_NE(lines[0].find("AuditSourceID=\"ARCHIVE@test\""), std::string::npos);
    EXPECT_EQ(fs::status(dir / "audit.log").permissions() & fs::perms::others_read, fs::perms::none);
    fs::remove_all(dir);
}

TEST(AuditLog, FileIsRotatedAtItsLimit) {
    const fs::path dir = temp_dir("rotate");
    const std::string line = to_xml(sample("1.2.0"));
    {
        std::vector<std::unique_ptr<Sink>> sinks;
        sinks.push_back(file_sink((dir / "audit.log").string(), (line.size() + 1) * 10));
        AuditLog log(std::move(sinks), {});
        for (int i = 0; i < 25; ++i) log.submit(sample("1.2.0"));
    }
    EXPECT_EQ(lines_of(dir / "audit.log.1").size(), 10u);
    EXPECT_EQ(lines_of(dir / "audit.log").size(), 5u);
    fs::remove_all(dir);
}

/// A sink that blocks until released, or fails while `fail` is set.
class SlowSink final : public Sink {
public:
    std::atomic<bool> hold{true}, fail{false};
    std::atomic<int> written{0};
    std::string name() const override { return "slow"; }
    Result<void> write(const std::string&, std::chrono::system_clock::time_point) override {
        while (hold) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (fail) return make_error(ErrorCode::IoError, "slow: down");
        ++written;
        return {};
    }
};

TEST(AuditLog, AFullQueueDropsTheOldestAndNeverWaits) {
    auto sink = std::make_unique<SlowSink>();
    SlowSink* slow = sink.get();
    std::vector<std::unique_ptr<Sink>> sinks;
    sinks.push_back(std::move(sink));
    AuditLogOptions o;
    o.queue_capacity = 10;
    std::vector<std::string> lines;
    std::mutex m;
    o.log = [&](const std::string& l) {
        std::lock_guard lock(m);
        lines.push_back(l);
    };
    AuditLog log(std::move(sinks), o);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i) log.submit(sample("1.2." + std::to_string(i)));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    const AuditStats s = log.stats();
    EXPECT_EQ(s.submitted, 1000u);
    EXPECT_GE(s.dropped, 989u);  // 10 wait, one may be in the sink's hands
    slow->hold = false;
    log.stop();
    EXPECT_EQ(log.stats().delivered + log.stats().dropped, 1000u);
    std::lock_guard lock(m);
    bool reported = false;
    for (const auto& l : lines) reported = reported || l.find("dropped") != std::string::npos;
    EXPECT_TRUE(reported);
}

TEST(AuditLog, AFailingSinkIsRetriedWithTheMessageKept) {
    auto sink = std::make_unique<SlowSink>();
    SlowSink* slow = sink.get();
    slow->hold = false;
    slow->fail = true;
    std::vector<std::unique_ptr<Sink>> sinks;
    sinks.push_back(std::move(sink));
    AuditLogOptions o;
    o.first_retry = std::chrono::milliseconds(10);
    o.max_retry = std::chrono::milliseconds(40);
    std::atomic<int> warnings{0};
    o.log = [&](const std::string& l) {
        if (l.rfind("W: audit: slow: down", 0) == 0) ++warnings;
    };
    AuditLog log(std::move(sinks), o);
    for (int i = 0; i < 3; ++i) log.submit(sample("1.2." + std::to_string(i)));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_GE(log.stats().failures, 3u);
    EXPECT_EQ(warnings.load(), 1);  // logged once, not per retry
    slow->fail = false;
    for (int i = 0; i < 200 && log.stats().delivered < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(log.stats().delivered, 3u);
    EXPECT_EQ(slow->written.load(), 3);
    log.stop();
}

TEST(AuditLog, UdpSyslogDatagrams) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SyslogHeader h;
    h.hostname = "test";
    std::vector<std::unique_ptr<Sink>> sinks;
    sinks.push_back(udp_syslog_sink("127.0.0.1", ntohs(a.sin_port), h));
    AuditLog log(std::move(sinks), {});
    log.submit(sample("1.2.99"));
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    const std::string got(buf, static_cast<std::size_t>(n));
    EXPECT_EQ(got.rfind("<85>1 ", 0), 0u);
    EXPECT_NE(got.find(" test dicomkit "), std::string::npos);
    EXPECT_NE(got.find("IHE+RFC-3881 - \xEF\xBB\xBF<AuditMessage>"), std::string::npos);
    EXPECT_NE(got.find("ParticipantObjectID=\"1.2.99\""), std::string::npos);
    ::close(fd);
}

}  // namespace
}  // namespace dicomkit::audit
