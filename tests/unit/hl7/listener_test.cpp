#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include <boost/asio.hpp>

#include <dicomkit/hl7/listener.hpp>
#include <dicomkit/hl7/mllp.hpp>

namespace dicomkit::hl7 {
namespace {

using namespace std::chrono_literals;

const std::string kMsg = "MSH|^~\\&|RIS|H|PACS|R|1||ADT^A08|C1|P|2.5\rPID|1||P1\r";

struct Fixture {
    std::mutex mutex;
    std::vector<ListenerEvent> events;
    std::unique_ptr<Listener> listener;

    explicit Fixture(MessageHandler h, std::size_t max_bytes = 1 << 20, std::chrono::milliseconds timeout = 5s) {
        ListenerOptions o;
        o.bind_address = "127.0.0.1";
        o.port = 0;
        o.limits.max_message_bytes = max_bytes;
        o.read_timeout = timeout;
        o.on_event = [this](const ListenerEvent& e) {
            std::lock_guard lock(mutex);
            events.push_back(e);
        };
        auto l = Listener::start(std::move(o), std::move(h));
        EXPECT_TRUE(l) << l.error().to_string();
        listener = std::move(*l);
    }
};

TEST(Hl7Listener, AnswersEachMessageOnOneConnection) {
    std::atomic<int> calls{0};
    Fixture f([&](const Message& m) {
        ++calls;
        if (m.control_id() == "C2") return Ack{AckCode::Error, "no such patient", "204", "PID-3"};
        return Ack::accept();
    });
    std::string second = kMsg;
    second.replace(second.find("C1"), 2, "C2");
    auto acks = send_messages("127.0.0.1", f.listener->port(), {kMsg, second, "garbage"}, 5s);
    ASSERT_TRUE(acks) << acks.error().to_string();
    ASSERT_EQ(acks->size(), 3u);
    EXPECT_EQ(read_ack(acks->at(0)).code, "AA");
    EXPECT_EQ(read_ack(acks->at(0)).control_id, "C1");
    EXPECT_EQ(read_ack(acks->at(1)).code, "AE");
    EXPECT_EQ(read_ack(acks->at(1)).text, "no such patient");
    EXPECT_EQ(read_ack(acks->at(2)).code, "AR");
    EXPECT_EQ(calls.load(), 2);
    f.listener->stop();
    std::lock_guard lock(f.mutex);
    int messages = 0;
    for (const auto& e : f.events) messages += e.kind == ListenerEvent::Kind::Message;
    EXPECT_EQ(messages, 3);
}

TEST(Hl7Listener, HandlerExceptionBecomesAe) {
    Fixture f([](const Message&) -> Ack { throw std::runtime_error("boom"); });
    auto ack = send("127.0.0.1", f.listener->port(), kMsg, 5s);
    ASSERT_TRUE(ack) << ack.error().to_string();
    EXPECT_EQ(read_ack(*ack).code, "AE");
    EXPECT_NE(read_ack(*ack).text.find("boom"), std::string::npos);
}

TEST(Hl7Listener, OversizeFrameIsRejectedAndTheConnectionGoesOn) {
    Fixture f([](const Message&) { return Ack::accept(); }, 200);
    std::string big = kMsg + "NTE|1||" + std::string(5000, 'x') + "\r";
    auto acks = send_messages("127.0.0.1", f.listener->port(), {big, kMsg}, 5s);
    ASSERT_TRUE(acks) << acks.error().to_string();
    EXPECT_EQ(read_ack(acks->at(0)).code, "AR");
    EXPECT_EQ(read_ack(acks->at(0)).control_id, "C1");  // salvaged from the frame's head
    EXPECT_EQ(read_ack(acks->at(1)).code, "AA");
}

TEST(Hl7Listener, IdleConnectionIsClosedAfterTheTimeout) {
    Fixture f([](const Message&) { return Ack::accept(); }, 1 << 20, 200ms);
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), f.listener->port()});
    boost::asio::write(s, boost::asio::buffer(std::string("\x0BMSH|")));  // a frame never finished
    char c;
    boost::system::error_code ec;
    auto t0 = std::chrono::steady_clock::now();
    s.read_some(boost::asio::buffer(&c, 1), ec);
    EXPECT_TRUE(ec);  // closed by the listener
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
}

TEST(Hl7Listener, SendToClosedPortFails) {
    Fixture f([](const Message&) { return Ack::accept(); });
    std::uint16_t port = f.listener->port();
    f.listener->stop();
    auto r = send("127.0.0.1", port, kMsg, 1s);
    EXPECT_FALSE(r);
}

}  // namespace
}  // namespace dicomkit::hl7
