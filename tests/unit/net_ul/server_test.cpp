// Server and driver against hostile or vanishing peers: ARTIM, PDU size limit, garbage, a peer
// gone mid-PDU, the association limit, 100 at once, stop with associations open.
#include <atomic>
#include <thread>

#include <sys/resource.h>

#include "ul_test_util.hpp"

namespace dicomkit::net::ul {
namespace {

using namespace test;

std::unique_ptr<Server> start_echo_server(Recorder& rec, ServerOptions o = local_server_options()) {
    auto s = Server::start(std::move(o), [&rec](Association& a) { echo_until_end(a, rec); });
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
    return s ? std::move(*s) : nullptr;
}

/// Waits (bounded) until the server has no association open.
bool becomes_idle(Server& s, std::chrono::milliseconds limit = 5s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (s.active() == 0) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

bool echo_works(std::uint16_t port) {
    auto a = Association::request({"127.0.0.1", port}, echo_request(), client_options());
    if (!a || !a->send(pdata_of(100))) return false;
    auto in = a->receive(3s);
    return in && in->kind == Incoming::Kind::PData && in->owned() == pdata_of(100) && a->release();
}

TEST(Server, ArtimDropsASilentClient) {
    Recorder rec;
    auto o = local_server_options();
    o.association.timeouts.acse = 300ms;
    auto server = start_echo_server(rec, std::move(o));
    ASSERT_TRUE(server);
    auto t = connect("127.0.0.1", server->port(), 3s);
    ASSERT_TRUE(t);
    const auto start = std::chrono::steady_clock::now();
    std::array<std::uint8_t, 1> byte{};
    auto r = (*t)->read_exact(byte, 5s);  // the server closes without a word
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Truncated) << r.error().to_string();
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, 3s);
    EXPECT_TRUE(becomes_idle(*server));
    EXPECT_TRUE(rec.events().empty());  // the handler never ran
}

TEST(Server, PduOverHardLimitAborts) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    auto t = raw_associated(server->port());
    ASSERT_TRUE(t);
    const std::array<std::uint8_t, 6> header{0x04, 0, 0xFF, 0xFF, 0xFF, 0xF0};
    ASSERT_TRUE(t->write_all(header, 3s));
    auto abort = read_raw_pdu(*t);
    ASSERT_TRUE(abort);
    ASSERT_EQ(abort->size(), 10u);
    EXPECT_EQ((*abort)[0], 0x07);  // A-ABORT
    EXPECT_EQ((*abort)[8], 2);     // service-provider
    EXPECT_EQ((*abort)[9], 6);     // invalid-PDU-parameter value
    const auto events = rec.wait_for(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].rfind("error:", 0), 0u) << events[0];
    std::array<std::uint8_t, 1> byte{};
    EXPECT_FALSE(t->read_exact(byte, 3s));  // then closed
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    EXPECT_LT(usage.ru_maxrss, 512L * 1024L);  // KiB: nothing near 4 GiB was allocated
}

TEST(Server, GarbageOnThePort) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    auto t = connect("127.0.0.1", server->port(), 3s);
    ASSERT_TRUE(t);
    const std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_TRUE((*t)->write_all(std::span(reinterpret_cast<const std::uint8_t*>(get.data()), get.size()), 3s));
    auto answer = read_raw_pdu(**t);  // AA-1 in Sta2: an A-ABORT, then close
    ASSERT_TRUE(answer);
    EXPECT_EQ((*answer)[0], 0x07);
    EXPECT_TRUE(becomes_idle(*server));
    EXPECT_TRUE(echo_works(server->port()));  // still serving
}

TEST(Server, PeerVanishesMidPdu) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    auto t = raw_associated(server->port());
    ASSERT_TRUE(t);
    const std::array<std::uint8_t, 12> partial{0x04, 0, 0, 0, 0, 100, 0, 0, 0, 96, 1, 0};
    ASSERT_TRUE(t->write_all(partial, 3s));
    t.reset();  // gone
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"closed"});
    EXPECT_TRUE(becomes_idle(*server));
}

TEST(Server, UnexpectedPduInSta6Aborts) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    auto t = raw_associated(server->port());
    ASSERT_TRUE(t);
    pdu::AssociateRq again;
    again.calling_ae_title = "RAW";
    again.called_ae_title = "TESTSCP";
    again.presentation_contexts.push_back({1, kVerification, {kImplicitLe}});
    auto bytes = pdu::encode(again);
    ASSERT_TRUE(bytes);
    ASSERT_TRUE(t->write_all(*bytes, 3s));
    auto abort = read_raw_pdu(*t);
    ASSERT_TRUE(abort);
    EXPECT_EQ((*abort)[0], 0x07);
    EXPECT_EQ((*abort)[9], 2);  // unexpected-PDU (AA-8)
    const auto events = rec.wait_for(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_NE(events[0].find("A-ASSOCIATE-RQ in Sta6"), std::string::npos) << events[0];
}

TEST(Server, MaxAssociationsRejectsTransient) {
    Recorder rec;
    auto o = local_server_options();
    o.max_associations = 2;
    auto server = start_echo_server(rec, std::move(o));
    ASSERT_TRUE(server);
    auto a1 = Association::request({"127.0.0.1", server->port()}, echo_request(), client_options());
    auto a2 = Association::request({"127.0.0.1", server->port()}, echo_request(), client_options());
    ASSERT_TRUE(a1 && a2);
    EXPECT_EQ(server->active(), 2u);
    FailureKind why = FailureKind::None;
    auto a3 = Association::request({"127.0.0.1", server->port()}, echo_request(), client_options(), &why);
    ASSERT_FALSE(a3);
    EXPECT_EQ(why, FailureKind::Rejected);
    EXPECT_NE(a3.error().message.find("rejected-transient"), std::string::npos) << a3.error().message;
    EXPECT_NE(a3.error().message.find("local-limit-exceeded"), std::string::npos);
    EXPECT_NE(a3.error().message.find("source 3"), std::string::npos);
    ASSERT_TRUE(a1->release());
    ASSERT_TRUE(a2->release());
    EXPECT_TRUE(becomes_idle(*server));
    EXPECT_TRUE(echo_works(server->port()));  // room again
}

TEST(Server, HundredConcurrentAssociations) {
    Recorder rec;
    auto o = local_server_options();
    o.max_associations = 128;
    o.association.timeouts.acse = 20s;
    auto server = start_echo_server(rec, std::move(o));
    ASSERT_TRUE(server);
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 100; ++i) {
        clients.emplace_back([&, i] {
            auto co = client_options();
            co.timeouts.acse = 20s;
            co.timeouts.connect = 20s;
            auto a = Association::request({"127.0.0.1", server->port()}, echo_request(), co);
            if (!a) return;
            const auto payload = pdata_of(1000 + i, static_cast<std::uint8_t>(i));
            if (!a->send(payload)) return;
            auto in = a->receive(20s);
            if (!in || in->kind != Incoming::Kind::PData || in->owned() != payload) return;
            if (a->release()) ++ok;
        });
    }
    for (auto& c : clients) c.join();
    EXPECT_EQ(ok.load(), 100);
    EXPECT_EQ(rec.wait_for(100, 20s).size(), 100u);
    EXPECT_TRUE(becomes_idle(*server));
}

TEST(Server, StopAbortsOpenAssociationsQuickly) {
    Recorder rec;
    auto o = local_server_options();
    auto server = Server::start(std::move(o), [&rec](Association& a) { echo_until_end(a, rec, 60s); });
    ASSERT_TRUE(server);
    auto a = Association::request({"127.0.0.1", (*server)->port()}, echo_request(), client_options());
    ASSERT_TRUE(a);
    auto silent = connect("127.0.0.1", (*server)->port(), 3s);  // waiting in ARTIM
    ASSERT_TRUE(silent);
    std::this_thread::sleep_for(100ms);
    const auto start = std::chrono::steady_clock::now();
    (*server)->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    auto in = a->receive(3s);
    ASSERT_TRUE(in) << in.error().to_string();
    EXPECT_EQ(in->kind, Incoming::Kind::Aborted);
    const auto events = rec.wait_for(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_NE(events[0].find("interrupted"), std::string::npos) << events[0];
    (*server)->stop();  // idempotent
}

TEST(Server, DualStackBind) {
    Recorder rec;
    auto server = Server::start(local_server_options("::"), [&rec](Association& a) { echo_until_end(a, rec); });
    if (!server) GTEST_SKIP() << "no IPv6 here: " << server.error().to_string();
    auto v4 = Association::request({"127.0.0.1", (*server)->port()}, echo_request(), client_options());
    ASSERT_TRUE(v4) << v4.error().to_string();
    ASSERT_TRUE(v4->release());
    auto v6 = Association::request({"::1", (*server)->port()}, echo_request(), client_options());
    ASSERT_TRUE(v6) << v6.error().to_string();
    ASSERT_TRUE(v6->release());
    EXPECT_EQ(rec.wait_for(2).size(), 2u);
}

TEST(Server, BindFailures) {
    auto o = local_server_options("not-an-address");
    EXPECT_FALSE(Server::start(o, [](Association&) {}));
    Recorder rec;
    auto first = start_echo_server(rec);
    ASSERT_TRUE(first);
    auto o2 = local_server_options();
    o2.port = first->port();
    EXPECT_FALSE(Server::start(o2, [](Association&) {}));  // in use
}

}  // namespace
}  // namespace dicomkit::net::ul
