// Server before the association under attack: oversized, malformed and duplicate-ID requests
// answered and reported, the first-PDU deadline, idle and trickling sockets (slowloris) that must
// not keep a legitimate caller out, and a flood of PDU headers that must not reserve memory.
#include <atomic>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ul_test_util.hpp"

namespace dicomkit::net::ul {
namespace {

using namespace test;
using Clock = std::chrono::steady_clock;

/// A plain blocking socket to 127.0.0.1:port, for peers that do not speak DICOM properly.
class RawSocket {
public:
    explicit RawSocket(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
        timeval tv{0, 200'000};  // reads wait at most 200 ms at a time
        if (fd_ >= 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;
    ~RawSocket() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] bool ok() const { return fd_ >= 0; }
    bool send(std::span<const std::uint8_t> bytes) {
        return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }
    /// Reads what comes until the server closes or `limit` passes; true if it closed.
    bool closed_within(std::chrono::milliseconds limit, std::vector<std::uint8_t>* got = nullptr) {
        const auto end = Clock::now() + limit;
        std::uint8_t buf[4096];
        while (Clock::now() < end) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n == 0) return true;
            if (n > 0) {
                if (got) got->insert(got->end(), buf, buf + n);
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;  // reset
        }
        return false;
    }

private:
    int fd_ = -1;
};

/// VmRSS or Threads of this process from /proc/self/status (kB for VmRSS).
long proc_status(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string k;
    while (in >> k) {
        if (k == key + ":") {
            long v = 0;
            in >> v;
            return v;
        }
        std::string rest;
        std::getline(in, rest);
    }
    return -1;
}

pdu::AssociateRq raw_request(std::string called = "TESTSCP", std::string calling = "RAW") {
    pdu::AssociateRq rq;
    rq.calling_ae_title = std::move(calling);
    rq.called_ae_title = std::move(called);
    rq.presentation_contexts.push_back({1, kVerification, {kImplicitLe}});
    rq.presentation_contexts.push_back({3, kVerification, {kExplicitLe}});
    rq.user_information.maximum_length = 16384;
    rq.user_information.implementation_class_uid = "1.2.3.4";
    return rq;
}

struct Refusals {
    Recorder rec;
    void install(ServerOptions& o) {
        o.refused = [this](const std::string& peer, const std::string& why) { rec.add(peer + " " + why); };
    }
    /// The first refusal that contains `text`, waiting up to `limit` for it.
    std::string find(const std::string& text, std::chrono::milliseconds limit = 5s) {
        const auto end = Clock::now() + limit;
        while (Clock::now() < end) {
            for (const std::string& e : rec.events())
                if (e.find(text) != std::string::npos) return e;
            std::this_thread::sleep_for(20ms);
        }
        return {};
    }
};

std::unique_ptr<Server> start(ServerOptions o, Recorder& rec) {
    auto s = Server::start(std::move(o), [&rec](Association& a) { echo_until_end(a, rec); });
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
    return s ? std::move(*s) : nullptr;
}

bool echo_works(std::uint16_t port) {
    auto a = Association::request({"127.0.0.1", port}, echo_request(), client_options());
    if (!a || !a->send(pdata_of(100))) return false;
    auto in = a->receive(3s);
    return in && in->kind == Incoming::Kind::PData && in->owned() == pdata_of(100) && a->release();
}

TEST(ServerAttack, OversizedAssociateRqIsAbortedBeforeAllocation) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    RawSocket s(server->port());
    ASSERT_TRUE(s.ok());
    const std::array<std::uint8_t, 6> header{0x01, 0, 0x00, 0x10, 0x00, 0x00};  // 1 MiB
    ASSERT_TRUE(s.send(header));
    std::vector<std::uint8_t> got;
    EXPECT_TRUE(s.closed_within(3s, &got));
    ASSERT_EQ(got.size(), 10u);
    EXPECT_EQ(got[0], 0x07);  // A-ABORT (AA-1 in Sta2)
    const std::string line = refusals.find("max_associate_length");
    EXPECT_NE(line.find("PDU-length 1048576 is over the limit of 262144"), std::string::npos) << line;
    EXPECT_TRUE(echo_works(server->port()));
}

TEST(ServerAttack, MalformedFirstPduIsReportedWithItsOffset) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    RawSocket s(server->port());
    ASSERT_TRUE(s.ok());
    const std::array<std::uint8_t, 10> short_rq{0x01, 0, 0, 0, 0, 4, 0, 1, 0, 0};
    ASSERT_TRUE(s.send(short_rq));
    EXPECT_TRUE(s.closed_within(3s));
    const std::string line = refusals.find("instead of A-ASSOCIATE-RQ");
    EXPECT_NE(line.find("at offset 2"), std::string::npos) << line;
    EXPECT_NE(line.find("shorter than the 68 bytes"), std::string::npos) << line;
    RawSocket http(server->port());
    const std::string get = "GET / HTTP/1.1\r\n\r\n";
    ASSERT_TRUE(http.send(std::span(reinterpret_cast<const std::uint8_t*>(get.data()), get.size())));
    EXPECT_TRUE(http.closed_within(3s));
    EXPECT_NE(refusals.find("unrecognized PDU type 47H"), "");
}

TEST(ServerAttack, DuplicateContextIdGetsAnAssociateRjAndALogLine) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    auto bytes = pdu::encode(raw_request());
    ASSERT_TRUE(bytes);
    // The second presentation context item (20H) gets the first one's ID.
    std::size_t at = 74, contexts = 0;
    while (at + 4 < bytes->size()) {
        const std::size_t len = (std::size_t{(*bytes)[at + 2]} << 8) | (*bytes)[at + 3];
        if ((*bytes)[at] == 0x20 && ++contexts == 2) {
            ASSERT_EQ((*bytes)[at + 4], 3);
            (*bytes)[at + 4] = 1;
            break;
        }
        at += 4 + len;
    }
    ASSERT_EQ(contexts, 2u);
    RawSocket s(server->port());
    ASSERT_TRUE(s.send(*bytes));
    std::vector<std::uint8_t> got;
    EXPECT_TRUE(s.closed_within(3s, &got));
    ASSERT_EQ(got.size(), 10u);
    EXPECT_EQ(got[0], 0x03);  // A-ASSOCIATE-RJ, not A-ABORT
    EXPECT_EQ(got[7], 1);     // rejected-permanent
    EXPECT_EQ(got[8], 2);     // DICOM UL service-provider (ACSE related function)
    EXPECT_EQ(got[9], 1);     // no-reason-given
    const std::string line = refusals.find("used twice");
    EXPECT_NE(line.find("presentation context ID 1 is used twice"), std::string::npos) << line;
    EXPECT_TRUE(rec.events().empty());  // the handler never ran
}

TEST(ServerAttack, CalledAeRejectionIsLoggedWithoutForgingALine) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    AssociationRequest rq = echo_request("OTHER");
    rq.calling_ae = "EVIL\r\nW: FORGED";
    FailureKind why = FailureKind::None;
    auto a = Association::request({"127.0.0.1", server->port()}, rq, client_options(), &why);
    ASSERT_FALSE(a);
    EXPECT_EQ(why, FailureKind::Rejected);
    EXPECT_NE(a.error().message.find("called-AE-title-not-recognized"), std::string::npos) << a.error().message;
    const std::string line = refusals.find("called-AE-title-not-recognized");
    EXPECT_NE(line.find("EVIL\\x0d\\x0aW: FORGED->OTHER"), std::string::npos) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line.find('\r'), std::string::npos);
}

TEST(ServerAttack, FirstPduDeadlineForIdleAndTricklingConnections) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();
    o.association.timeouts.request = 500ms;
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    RawSocket idle(server->port());
    RawSocket trickle(server->port());
    ASSERT_TRUE(idle.ok() && trickle.ok());
    auto bytes = pdu::encode(raw_request());
    ASSERT_TRUE(bytes);
    const auto start_time = Clock::now();
    bool closed = false;
    for (std::size_t i = 0; i < bytes->size() && !closed; ++i) {  // a byte every 100 ms
        trickle.send(std::span(*bytes).subspan(i, 1));
        closed = trickle.closed_within(100ms);
    }
    const auto took = Clock::now() - start_time;
    EXPECT_TRUE(closed);
    EXPECT_GE(took, 400ms);
    EXPECT_LT(took, 2s);
    EXPECT_TRUE(idle.closed_within(2s));
    EXPECT_NE(refusals.find("within 500 ms of the connection (only part of one arrived)"), "");
    EXPECT_NE(refusals.find("within 500 ms of the connection (nothing arrived)"), "");
}

TEST(ServerAttack, ConnectionThatSendsNothingAndClosesIsNotReported) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    { RawSocket scan(server->port()); }
    RawSocket garbage(server->port());  // reported, and after the scan's thread has seen its end
    const std::array<std::uint8_t, 6> bad{0x09, 0, 0, 0, 0, 0};
    ASSERT_TRUE(garbage.send(bad));
    EXPECT_TRUE(garbage.closed_within(3s));
    EXPECT_NE(refusals.find("unrecognized PDU type 09H"), "");
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(refusals.rec.events().size(), 1u);
}

TEST(ServerAttack, PendingCapsDropTheOldestNotTheNewCaller) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();
    o.max_pending_per_address = 4;
    o.pending_grace = 50ms;
    o.max_associations = 1;
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    std::vector<std::unique_ptr<RawSocket>> idle;
    for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<RawSocket>(server->port()));
    std::this_thread::sleep_for(100ms);  // accepted, in this order
    // Idle connections hold no association slot: the one slot is free for a caller.
    EXPECT_TRUE(echo_works(server->port()));
    EXPECT_TRUE(idle[0]->closed_within(2s));  // made room for the echo
    EXPECT_FALSE(idle[3]->closed_within(100ms));
    const std::string line = refusals.find("dropped to make room");
    EXPECT_NE(line.find("more than 4 connections from 127.0.0.1 without an association"), std::string::npos)
        << line;
}

TEST(ServerAttack, SlowlorisDoesNotKeepEchoesOut) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();  // the default caps
    o.association.timeouts.acse = 30s;
    o.association.timeouts.request = 3s;  // so that the reconnecting attacker comes back within the test
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    const std::uint16_t port = server->port();
    std::vector<std::unique_ptr<RawSocket>> idle, trickling;
    for (int i = 0; i < 64; ++i) idle.push_back(std::make_unique<RawSocket>(port));
    for (int i = 0; i < 64; ++i) trickling.push_back(std::make_unique<RawSocket>(port));
    auto rq = pdu::encode(raw_request());
    ASSERT_TRUE(rq);
    std::atomic<bool> stop{false};
    std::thread trickler([&] {  // one byte a second on each trickling socket
        for (std::size_t i = 0; i < rq->size() && !stop; ++i) {
            for (auto& s : trickling) s->send(std::span(*rq).subspan(i, 1));
            for (int k = 0; k < 10 && !stop; ++k) std::this_thread::sleep_for(100ms);
        }
    });
    std::atomic<int> reconnects{0};
    std::thread reconnector([&] {  // connects again as soon as it is closed
        while (!stop) {
            RawSocket s(port);
            ++reconnects;
            while (!stop && !s.closed_within(200ms)) {
            }
        }
    });
    std::this_thread::sleep_for(1500ms);
    long max_threads = 0;
    int ok = 0;
    Clock::duration slowest{};
    for (int i = 0; i < 20; ++i) {
        const auto t0 = Clock::now();
        const bool worked = echo_works(port);
        const auto took = Clock::now() - t0;
        slowest = std::max(slowest, took);
        EXPECT_TRUE(worked) << "echo " << i;
        EXPECT_LT(took, 2s) << "echo " << i;
        ok += worked ? 1 : 0;
        max_threads = std::max(max_threads, proc_status("Threads"));
        std::this_thread::sleep_for(150ms);  // the echoes span the first-PDU deadline
    }
    stop = true;
    trickler.join();
    reconnector.join();
    EXPECT_EQ(ok, 20);
    EXPECT_GE(reconnects.load(), 2);  // the reconnecting attacker was dropped and came back
    // One thread per connection without an association: capped (twice max_pending at most).
    EXPECT_LT(max_threads, 2 * 64 + 16) << max_threads;
    EXPECT_NE(refusals.find("dropped to make room"), "");
    EXPECT_NE(refusals.find("within 3000 ms of the connection (only part of one arrived)"), "");
    std::printf("slowloris: 20 of 20 echoes, slowest %lld ms, %d reconnects, at most %ld threads\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count()),
                reconnects.load(), max_threads);
}

TEST(ServerAttack, PduHeaderFloodReservesNoMemory) {
    Recorder rec;
    Refusals refusals;
    auto o = local_server_options();
    o.max_associations = 100;
    o.max_pending = 100;
    o.max_pending_per_address = 100;
    refusals.install(o);
    auto server = start(std::move(o), rec);
    ASSERT_TRUE(server);
    ASSERT_TRUE(echo_works(server->port()));  // the server's own buffers are in place
    const long before = proc_status("VmRSS");
    // 70 connections announce a 64 MiB A-ASSOCIATE-RQ, 60 associations a 64 MiB P-DATA-TF; all idle.
    std::vector<std::unique_ptr<RawSocket>> raw;
    const std::array<std::uint8_t, 6> rq_header{0x01, 0, 0x04, 0x00, 0x00, 0x00};
    for (int i = 0; i < 70; ++i) {
        raw.push_back(std::make_unique<RawSocket>(server->port()));
        EXPECT_TRUE(raw.back()->send(rq_header));
    }
    std::vector<std::unique_ptr<Transport>> associated;
    const std::array<std::uint8_t, 6> data_header{0x04, 0, 0x03, 0xFF, 0xFF, 0xF0};
    for (int i = 0; i < 60; ++i) {
        associated.push_back(raw_associated(server->port()));
        ASSERT_TRUE(associated.back());
        ASSERT_TRUE(associated.back()->write_all(data_header, 3s));
    }
    std::this_thread::sleep_for(1s);
    EXPECT_TRUE(echo_works(server->port()));
    const long after = proc_status("VmRSS");
    EXPECT_LT(after - before, 64L * 1024L) << "VmRSS " << before << " kB -> " << after << " kB";
    std::printf("PDU header flood: VmRSS %ld kB -> %ld kB\n", before, after);
    EXPECT_NE(refusals.find("max_associate_length"), "");
}

}  // namespace
}  // namespace dicomkit::net::ul
