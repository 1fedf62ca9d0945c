// Association driver in process over 127.0.0.1 / ::1: establish, echo, release, collision, abort,
// rejection, refusal, timeouts, tracing.
#include <atomic>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "ul_test_util.hpp"

namespace dicomkit::net::ul {
namespace {

using namespace test;

std::unique_ptr<Server> start_echo_server(Recorder& rec, ServerOptions o = local_server_options()) {
    auto s = Server::start(std::move(o), [&rec](Association& a) { echo_until_end(a, rec); });
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
    return s ? std::move(*s) : nullptr;
}

TEST(Association, RequestEchoRelease) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    ASSERT_NE(server->port(), 0);
    std::vector<std::string> trace;
    auto o = client_options();
    o.trace = [&](std::string_view line) { trace.emplace_back(line); };
    FailureKind why = FailureKind::Io;
    auto a = Association::request({"127.0.0.1", server->port()}, echo_request(), o, &why);
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(why, FailureKind::None);
    EXPECT_EQ(a->state(), State::Sta6);
    ASSERT_EQ(a->contexts().size(), 1u);
    EXPECT_EQ(a->contexts()[0].id, 1);
    EXPECT_EQ(a->contexts()[0].transfer_syntax, kImplicitLe);
    EXPECT_NE(a->find_context(kVerification), nullptr);
    EXPECT_EQ(a->context_by_id(3), nullptr);
    EXPECT_EQ(a->peer_max_pdu(), 256u * 1024u);
    EXPECT_EQ(a->called_ae(), "TESTSCP");

    ASSERT_TRUE(a->send(pdata_of(1000)));
    auto in = a->receive(3s);
    ASSERT_TRUE(in) << in.error().to_string();
    ASSERT_EQ(in->kind, Incoming::Kind::PData);
    EXPECT_EQ(in->owned(), pdata_of(1000));

    ASSERT_TRUE(a->release());
    EXPECT_EQ(a->state(), State::Sta1);
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"released"});

    // One line per transition and per PDU, with the peer and the AE titles.
    auto has = [&](std::string_view needle) {
        for (const auto& l : trace)
            if (l.find(needle) != std::string::npos) return true;
        return false;
    };
    EXPECT_TRUE(has("TESTSCU->TESTSCP] Sta5 --Evt3 A-ASSOCIATE-AC PDU"));
    EXPECT_TRUE(has("/ AE-3--> Sta6"));
    EXPECT_TRUE(has("sent A-ASSOCIATE-RQ"));
    EXPECT_TRUE(has("received P-DATA-TF"));
    EXPECT_TRUE(has("Sta7 --Evt13"));
    EXPECT_TRUE(has("/ AR-3--> Sta1"));
    EXPECT_TRUE(has("127.0.0.1:"));
}

TEST(Association, OverIpv6) {
    Recorder rec;
    auto server = start_echo_server(rec, local_server_options("::1"));
    if (!server) GTEST_SKIP() << "no IPv6 loopback here";
    auto a = Association::request({"::1", server->port()}, echo_request(), client_options());
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(a->peer_address().rfind("[::1]:", 0), 0u) << a->peer_address();
    ASSERT_TRUE(a->release());
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"released"});
}

TEST(Association, RejectedCalledAe) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    FailureKind why = FailureKind::None;
    auto a = Association::request({"127.0.0.1", server->port()}, echo_request("NOBODY"),
                                  client_options(), &why);
    ASSERT_FALSE(a);
    EXPECT_EQ(why, FailureKind::Rejected);
    EXPECT_NE(a.error().message.find("rejected-permanent"), std::string::npos) << a.error().message;
    EXPECT_NE(a.error().message.find("called-AE-title-not-recognized"), std::string::npos);
    EXPECT_NE(a.error().message.find("reason 7"), std::string::npos);
}

TEST(Association, ConnectionRefused) {
    // A port that was free a moment ago: bind, read it, close.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acc(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acc.local_endpoint().port();
    acc.close();
    FailureKind why = FailureKind::None;
    auto a = Association::request({"127.0.0.1", port}, echo_request(), client_options(), &why);
    ASSERT_FALSE(a);
    EXPECT_EQ(why, FailureKind::Refused);
}

TEST(Association, NoAnswerTimesOut) {
    // A listener that accepts (the kernel does) but never answers.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acc(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    auto o = client_options();
    o.timeouts.acse = 300ms;
    FailureKind why = FailureKind::None;
    const auto start = std::chrono::steady_clock::now();
    auto a = Association::request({"127.0.0.1", acc.local_endpoint().port()}, echo_request(), o, &why);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(a);
    EXPECT_EQ(why, FailureKind::Timeout);
    EXPECT_TRUE(is_timeout(a.error())) << a.error().to_string();
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, 3s);
}

TEST(Association, ReleaseCollision) {
    Recorder rec;
    auto server = Server::start(local_server_options(), [&rec](Association& a) {
        auto r = a.release();  // at the same time as the requestor
        rec.add(r ? "acceptor released" : "acceptor: " + r.error().message);
    });
    ASSERT_TRUE(server);
    std::vector<std::string> trace;
    auto o = client_options();
    o.trace = [&](std::string_view line) { trace.emplace_back(line); };
    auto a = Association::request({"127.0.0.1", (*server)->port()}, echo_request(), o);
    ASSERT_TRUE(a) << a.error().to_string();
    auto r = a->release();
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(a->state(), State::Sta1);
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"acceptor released"});
    bool collided = false;
    for (const auto& l : trace)
        if (l.find("Sta7 --Evt12") != std::string::npos && l.find("AR-8--> Sta9") != std::string::npos)
            collided = true;
    EXPECT_TRUE(collided);
}

TEST(Association, RequestorAborts) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    auto a = Association::request({"127.0.0.1", server->port()}, echo_request(), client_options());
    ASSERT_TRUE(a);
    a->abort();
    EXPECT_EQ(a->state(), State::Sta1);
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"aborted 0"});
    a->abort();  // harmless once over
    EXPECT_FALSE(a->send(pdata_of(10)));
}

TEST(Association, AcceptorAborts) {
    auto server = Server::start(local_server_options(), [](Association& a) { a.abort(2, 0); });
    ASSERT_TRUE(server);
    auto a = Association::request({"127.0.0.1", (*server)->port()}, echo_request(), client_options());
    ASSERT_TRUE(a);
    auto in = a->receive(3s);
    ASSERT_TRUE(in) << in.error().to_string();
    ASSERT_EQ(in->kind, Incoming::Kind::Aborted);
    EXPECT_EQ(in->abort.source, pdu::AbortSource::ServiceProvider);
    EXPECT_EQ(a->state(), State::Sta1);
}

TEST(Association, DestructorAbortsEstablished) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    {
        auto a = Association::request({"127.0.0.1", server->port()}, echo_request(), client_options());
        ASSERT_TRUE(a);
    }
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"aborted 0"});
}

TEST(Association, ReceiveTimeoutAborts) {
    Recorder rec;
    auto server = start_echo_server(rec);
    ASSERT_TRUE(server);
    auto a = Association::request({"127.0.0.1", server->port()}, echo_request(), client_options());
    ASSERT_TRUE(a);
    auto in = a->receive(200ms);  // the echo server sends nothing unprompted
    ASSERT_FALSE(in);
    EXPECT_TRUE(is_timeout(in.error()));
    EXPECT_EQ(a->state(), State::Sta1);
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"aborted 0"});
}

TEST(Association, PDataOverPeerMaximumRefusedLocally) {
    Recorder rec;
    auto o = local_server_options();
    o.policy.max_pdu_receive = 4096;
    auto server = start_echo_server(rec, std::move(o));
    ASSERT_TRUE(server);
    auto a = Association::request({"127.0.0.1", server->port()}, echo_request(), client_options());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->peer_max_pdu(), 4096u);
    auto r = a->send(pdata_of(5000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
    EXPECT_EQ(a->state(), State::Sta6);  // nothing was sent
    ASSERT_TRUE(a->release());
}

TEST(Association, RoleSelectionSeenByBothSides) {
    Recorder rec;
    auto o = local_server_options();
    o.policy.syntaxes[0].scp_role_allowed = true;
    auto server = Server::start(std::move(o), [&rec](Association& a) {
        const AcceptedContext* c = a.find_context(kVerification);
        rec.add(c && c->scp_role && c->scu_role ? "both roles" : "default roles");
        echo_until_end(a, rec);
    });
    ASSERT_TRUE(server);
    auto rq = echo_request();
    rq.role_selections.push_back({kVerification, true, true});
    auto a = Association::request({"127.0.0.1", (*server)->port()}, rq, client_options());
    ASSERT_TRUE(a);
    ASSERT_EQ(a->contexts().size(), 1u);
    EXPECT_TRUE(a->contexts()[0].scp_role);
    ASSERT_TRUE(a->release());
    EXPECT_EQ(rec.wait_for(2), (std::vector<std::string>{"both roles", "released"}));
}

}  // namespace
}  // namespace dicomkit::net::ul
