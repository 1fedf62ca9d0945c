// The plain-TCP transport against a raw socket peer: read-ahead through readable(), reads that
// wait in poll() (with their deadline), the peer closing, and writes larger than the socket holds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <dicomkit/net/ul/transport.hpp>

namespace dicomkit::net::ul {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// A transport connected to a raw socket on 127.0.0.1 that the test drives byte by byte.
struct Pair {
    std::unique_ptr<Transport> transport;
    int peer = -1;

    Pair() {
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(listener, 1) != 0 || ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            ADD_FAILURE() << "no listening socket";
            if (listener >= 0) ::close(listener);
            return;
        }
        auto t = connect("127.0.0.1", ntohs(a.sin_port), 3s);
        if (!t) {
            ADD_FAILURE() << t.error().to_string();
            ::close(listener);
            return;
        }
        transport = std::move(*t);
        peer = ::accept(listener, nullptr, nullptr);
        ::close(listener);
        if (peer < 0) ADD_FAILURE() << "accept failed";
    }
    ~Pair() {
        transport.reset();
        if (peer >= 0) ::close(peer);
    }
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;

    /// Sends all of `bytes` from the peer (blocking).
    bool send(const std::vector<std::uint8_t>& bytes, std::size_t from = 0) const {
        while (from < bytes.size()) {
            const ssize_t n = ::send(peer, bytes.data() + from, bytes.size() - from, MSG_NOSIGNAL);
            if (n <= 0) return false;
            from += static_cast<std::size_t>(n);
        }
        return true;
    }
};

std::vector<std::uint8_t> pattern(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 7 + i / 251) & 0xFF);
    return v;
}

TEST(Transport, ReadableReadsAheadAndTheReadsKeepTheOrder) {
    Pair p;
    ASSERT_TRUE(p.transport);
    const auto sent = pattern(200 * 1024);  // more than the read-ahead holds
    std::thread peer([&] { EXPECT_TRUE(p.send(sent)); });
    const auto end = Clock::now() + 3s;
    while (!p.transport->readable() && Clock::now() < end) std::this_thread::sleep_for(1ms);
    std::vector<std::uint8_t> got(sent.size());
    std::span<std::uint8_t> all(got);
    // A small read out of the read-ahead, one larger than it (partly from it, then straight into
    // the caller's buffer), then the rest.
    ASSERT_TRUE(p.transport->read_exact(all.subspan(0, 6), 3s));
    ASSERT_TRUE(p.transport->read_exact(all.subspan(6, 70000), 3s));
    (void)p.transport->readable();  // may read ahead again, into a buffer that still holds bytes
    ASSERT_TRUE(p.transport->read_exact(all.subspan(70006), 3s));
    peer.join();
    EXPECT_EQ(got, sent);
}

TEST(Transport, AReadOnAnEmptySocketWaitsForTheData) {
    Pair p;
    ASSERT_TRUE(p.transport);
    EXPECT_FALSE(p.transport->readable());  // nothing sent yet
    const auto sent = pattern(10);
    std::thread peer([&] {
        std::this_thread::sleep_for(100ms);
        EXPECT_TRUE(p.send(sent));
    });
    std::vector<std::uint8_t> got(sent.size());
    const auto start = Clock::now();
    auto r = p.transport->read_exact(got, 3s);
    const auto took = Clock::now() - start;
    peer.join();
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(got, sent);
    EXPECT_GE(took, 80ms);
    EXPECT_LT(took, 2s);
}

TEST(Transport, AReadTimesOutAfterItsDeadline) {
    Pair p;
    ASSERT_TRUE(p.transport);
    EXPECT_FALSE(p.transport->readable());
    std::array<std::uint8_t, 1> byte{};
    const auto start = Clock::now();
    auto r = p.transport->read_exact(byte, 200ms);
    const auto took = Clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_TRUE(is_timeout(r.error())) << r.error().to_string();
    EXPECT_NE(r.error().message.find("200 ms"), std::string::npos) << r.error().to_string();
    EXPECT_GE(took, 190ms);
    EXPECT_LT(took, 2s);
    // The stream is out of step after a failed read: later reads say so rather than read on.
    auto again = p.transport->read_exact(byte, 200ms);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("out of step"), std::string::npos) << again.error().to_string();
}

TEST(Transport, APeerThatClosesMidReadIsTruncated) {
    Pair p;
    ASSERT_TRUE(p.transport);
    ASSERT_TRUE(p.send(pattern(5)));
    ::shutdown(p.peer, SHUT_WR);
    EXPECT_TRUE(p.transport->readable());  // the five bytes
    std::array<std::uint8_t, 10> ten{};
    auto r = p.transport->read_exact(ten, 3s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Truncated) << r.error().to_string();
    EXPECT_NE(r.error().message.find("peer closed"), std::string::npos) << r.error().to_string();
}

TEST(Transport, AWriteLargerThanTheSocketHoldsWaitsForThePeer) {
    Pair p;
    ASSERT_TRUE(p.transport);
    const auto sent = pattern(16 * 1024 * 1024);  // far more than the socket buffers
    std::vector<std::uint8_t> got;
    got.reserve(sent.size());
    std::thread peer([&] {
        std::vector<std::uint8_t> chunk(64 * 1024);
        std::this_thread::sleep_for(50ms);  // the first send fills the socket and must wait
        while (got.size() < sent.size()) {
            const ssize_t n = ::recv(p.peer, chunk.data(), chunk.size(), 0);
            if (n <= 0) break;
            got.insert(got.end(), chunk.begin(), chunk.begin() + n);
        }
    });
    auto r = p.transport->write_all(sent, 10s);
    peer.join();
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(got, sent);
}

TEST(Transport, AWriteToAPeerThatHasGoneFailsAndCloses) {
    Pair p;
    ASSERT_TRUE(p.transport);
    ::close(p.peer);
    p.peer = -1;
    std::this_thread::sleep_for(20ms);
    const auto bytes = pattern(64 * 1024);
    Result<void> r;
    for (int i = 0; i < 50 && r; ++i) r = p.transport->write_all(bytes, 3s);  // the reset comes with a later send
    ASSERT_FALSE(r);
    auto after = p.transport->write_all(bytes, 3s);
    EXPECT_FALSE(after);  // closed after the failure
}

}  // namespace
}  // namespace dicomkit::net::ul
