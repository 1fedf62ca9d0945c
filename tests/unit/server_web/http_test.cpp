// The HTTP layer of the web front: router (path checks), authentication, and the Beast server
// over a real socket on 127.0.0.1 (keep-alive, chunked answers, 100-continue, limits, timeouts).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <dicomkit/server/web/auth.hpp>
#include <dicomkit/server/web/http_server.hpp>
#include <dicomkit/server/web/router.hpp>

namespace dicomkit::server::web {
namespace {

TEST(Router, MatchesPatternsAndDecodesParameters) {
    Router r;
    int hit = 0;
    r.add("GET", "/dicom-web/studies/{study}/series/{series}", Role::Read, [&](Request&) {
        hit = 1;
        return Response{};
    });
    r.add("GET", "/files/{*}", Role::None, [&](Request&) {
        hit = 2;
        return Response{};
    });
    auto m = r.match("GET", "/dicom-web/studies/1.2.3/series/4%2E5");
    ASSERT_TRUE(m);
    ASSERT_NE(m->handler, nullptr);
    EXPECT_EQ(m->role, Role::Read);
    ASSERT_EQ(m->params.size(), 2u);
    EXPECT_EQ(m->params[0], "1.2.3");
    EXPECT_EQ(m->params[1], "4.5");
    auto tail = r.match("GET", "/files/a/b/c.js");
    ASSERT_TRUE(tail && tail->handler);
    EXPECT_EQ(tail->params.at(0), "a/b/c.js");
    auto other = r.match("POST", "/dicom-web/studies/1/series/2");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->handler, nullptr);
    EXPECT_TRUE(other->path_known);  // 405, not 404
    auto none = r.match("GET", "/dicom-web/studies/1");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->handler, nullptr);
    EXPECT_FALSE(none->path_known);
}

TEST(Router, RefusesPathsThatClimbOut) {
    Router r;
    r.add("GET", "/studies/{*}", Role::None, [](Request&) { return Response{}; });
    for (const char* bad : {"/studies/../../etc/passwd", "/studies/%2e%2e/x", "/studies/%2E%2E", "/studies/a%2fb",
                            "/studies/a%5cb", "/studies/a%00b", "/studies/%zz", "/studies/./x", "studies"}) {
        auto m = r.match("GET", bad);
        EXPECT_FALSE(m) << bad;
        if (!m) {
            EXPECT_EQ(m.error().code, ErrorCode::InvalidArgument) << bad;
        }
    }
}

TEST(Auth, PasswordHashesVerifyAndDiffer) {
    const std::string h1 = hash_password("secret", 1000), h2 = hash_password("secret", 1000);
    EXPECT_NE(h1, h2);  // salted
    EXPECT_TRUE(h1.starts_with("pbkdf2-sha256$1000$"));
    EXPECT_TRUE(verify_password("secret", h1));
    EXPECT_FALSE(verify_password("Secret", h1));
    EXPECT_FALSE(verify_password("secret", "pbkdf2-sha256$x$00$00"));
    EXPECT_FALSE(verify_password("secret", "plain"));
}

Request with_header(std::string name, std::string value) {
    Request r;
    r.headers.push_back({std::move(name), std::move(value)});
    return r;
}

TEST(Auth, BearerBasicAndSessions) {
    AuthSettings s;
    s.users.push_back({"alice", hash_password("pw-alice", 1000), Role::Write});
    s.tokens.push_back({"ci", "0123456789abcdef0123", Role::Admin});
    Auth auth(s);
    EXPECT_FALSE(auth.authenticate(Request{}));
    auto t = auth.authenticate(with_header("Authorization", "Bearer 0123456789abcdef0123"));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->role, Role::Admin);
    EXPECT_FALSE(auth.authenticate(with_header("Authorization", "Bearer 0123456789abcdef0124")));
    // "alice:pw-alice" in base64.
    auto b = auth.authenticate(with_header("Authorization", "Basic YWxpY2U6cHctYWxpY2U="));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->user, "alice");
    EXPECT_EQ(b->role, Role::Write);
    EXPECT_FALSE(auth.authenticate(with_header("Authorization", "Basic YWxpY2U6d3Jvbmc=")));  // alice:wrong
    EXPECT_FALSE(auth.login("alice", "wrong"));
    auto session = auth.login("alice", "pw-alice");
    ASSERT_TRUE(session);
    const std::string& cookie = session->first;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    const std::string value(cookie.substr(0, cookie.find(';')));
    auto who = auth.authenticate(with_header("Cookie", "other=1; " + value));
    ASSERT_TRUE(who);
    EXPECT_EQ(who->user, "alice");
    (void)auth.logout(with_header("Cookie", value));
    EXPECT_FALSE(auth.authenticate(with_header("Cookie", value)));
}

/// A blocking client on 127.0.0.1: sends bytes, reads until the peer closes or `until` is seen.
class Client {
public:
    explicit Client(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~Client() { ::close(fd_); }
    bool connected() const { return connected_; }
    void send(const std::string& s) { (void)!::write(fd_, s.data(), s.size()); }
    /// Reads until `until` has arrived (or the connection ends): everything read so far.
    std::string read_until(const std::string& until) {
        while (buf_.find(until) == std::string::npos) {
            char b[4096];
            const auto n = ::read(fd_, b, sizeof b);
            if (n <= 0) break;
            buf_.append(b, static_cast<std::size_t>(n));
        }
        return buf_;
    }
    bool closed_by_peer() {
        char b;
        return ::read(fd_, &b, 1) == 0;
    }
    void clear() { buf_.clear(); }

private:
    int fd_ = -1;
    bool connected_ = false;
    std::string buf_;
};

class HttpServerTest : public ::testing::Test {
protected:
    void start(HttpServerOptions o = {}) {
        o.bind = "127.0.0.1";
        o.port = 0;
        auto s = HttpServer::start(o, [](Request& r) {
            if (r.path == "/echo") {
                auto body = r.read_body(1 << 20);
                if (!body) return Response::error(413, body.error().message);
                return Response::text(200, *body);
            }
            if (r.path == "/stream" || r.path == "/big") {
                Response res;
                res.set("Content-Type", "text/plain");
                const int parts = r.path == "/big" ? 20000 : 3;
                res.stream = [parts](BodySink& out) -> Result<void> {
                    for (int i = 0; i < parts; ++i)
                        if (auto w = out.write("part" + std::to_string(i) + ";"); !w) return w;
                    return {};
                };
                return res;
            }
            return Response::text(200, "hello " + r.method);
        });
        ASSERT_TRUE(s) << s.error().to_string();
        server_ = std::move(*s);
    }
    std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveChunkedAndHead) {
    start();
    Client c(server_->port());
    ASSERT_TRUE(c.connected());
    c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
    std::string r = c.read_until("hello GET");
    EXPECT_NE(r.find("HTTP/1.1 200"), std::string::npos);
    c.clear();
    // The same connection: a produced answer that fits one piece goes whole, with its length...
    c.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
    r = c.read_until("part2;");
    EXPECT_NE(r.find("Content-Length: 18"), std::string::npos);
    EXPECT_EQ(r.find("Transfer-Encoding: chunked"), std::string::npos);
    EXPECT_NE(r.find("part0;part1;part2;"), std::string::npos);
    c.clear();
    // ... a longer one is chunked.
    c.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n");
    r = c.read_until("\r\n0\r\n\r\n");
    EXPECT_NE(r.find("Transfer-Encoding: chunked"), std::string::npos);
    EXPECT_NE(r.find("part19999;"), std::string::npos);
    c.clear();
    c.send("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n");
    r = c.read_until("\r\n\r\n");
    EXPECT_NE(r.find("Content-Length: 10"), std::string::npos);  // "hello HEAD", not sent
    EXPECT_EQ(r.find("hello HEAD"), std::string::npos);
    c.clear();
    c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde");
    r = c.read_until("abcde");
    EXPECT_NE(r.find("200 OK"), std::string::npos);
    EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(HttpServerTest, ExpectContinueIsAnsweredWhenTheBodyIsRead) {
    start();
    Client c(server_->port());
    c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    std::string r = c.read_until("100 Continue\r\n\r\n");
    ASSERT_NE(r.find("HTTP/1.1 100 Continue"), std::string::npos);
    c.send("xyz");
    r = c.read_until("xyz");
    EXPECT_NE(r.find("200 OK"), std::string::npos);
}

TEST_F(HttpServerTest, OversizedHeadGets431AndGarbage400) {
    HttpServerOptions o;
    o.max_header_bytes = 1024;
    start(o);
    {
        Client c(server_->port());
        c.send("GET / HTTP/1.1\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
        EXPECT_NE(c.read_until("}").find("431"), std::string::npos);
    }
    {
        Client c(server_->port());
        c.send("NOT HTTP AT ALL\r\n\r\n");
        EXPECT_NE(c.read_until("}").find("400"), std::string::npos);
    }
}

TEST_F(HttpServerTest, SilentConnectionsAreClosed) {
    HttpServerOptions o;
    o.idle_timeout = std::chrono::milliseconds(300);
    o.header_timeout = std::chrono::milliseconds(300);
    start(o);
    Client c(server_->port());
    c.send("GET /x HTTP/1.1\r\nHost: a\r\n");  // the head never ends
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_by_peer());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST_F(HttpServerTest, StopEndsOpenConnections) {
    start();
    Client c(server_->port());
    c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
    c.read_until("hello GET");
    const auto t0 = std::chrono::steady_clock::now();
    server_->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
    EXPECT_TRUE(c.closed_by_peer());
}

}  // namespace
}  // namespace dicomkit::server::web
