// serve's HL7 port: the listener ServerApp starts on [hl7] port, the events of each message handed
// to ServerAppOptions::on_hl7_event (whose ACK answers the message), the default hook's AA, and
// the event line per message.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <vector>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/hl7/listener.hpp>
#include <dicomkit/server/app/server_app.hpp>

namespace dicomkit::server::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kOrder =
    "MSH|^~\\&|RIS|H|ARCHIVE|R|20261206||ORM^O01|ORD-1|P|2.3.1\r"
    "PID|1||P77^^^HOSP||Doe^Jane||19700102|F\r"
    "ORC|NW|PL1^RIS\r"
    "OBR|1|PL1^RIS||CT1^CT chest^LOCAL||||||||||||||ACC77||||||CT\r";
const std::string kUpdate = "MSH|^~\\&|RIS|H|ARCHIVE|R|20261206||ADT^A08|UPD-1|P|2.5\rPID|1||P77^^^HOSP||Doe^Janet\r";

struct ServeHl7 : ::testing::Test {
    std::string data;
    Config config;
    std::mutex mutex;
    std::vector<std::string> lines;
    std::vector<hl7::Event> events;

    void SetUp() override {
        static std::atomic<int> n{0};
        data = (fs::temp_directory_path() / ("dk-serve-hl7-" + std::to_string(::getpid()) + "-" + std::to_string(n++)))
                   .string();
        fs::remove_all(data);
        config.port = 0;
        config.http.enabled = false;
        config.data = data;
        config.hl7.port = 0;
    }
    void TearDown() override { fs::remove_all(data); }
    std::unique_ptr<ServerApp> start(bool hook) {
        ServerAppOptions o;
        o.bind = "127.0.0.1";
        o.durable = false;
        o.log = [this](const std::string& line) {
            std::lock_guard lock(mutex);
            lines.push_back(line);
        };
        if (hook)
            o.on_hl7_event = [this](const hl7::Event& e) {
                std::lock_guard lock(mutex);
                events.push_back(e);
                if (std::holds_alternative<hl7::PatientUpdate>(e))
                    return hl7::Ack{hl7::AckCode::Error, "unknown patient", "204", "PID-3"};
                return hl7::Ack::accept();
            };
        auto a = ServerApp::start(config, std::move(o));
        EXPECT_TRUE(a) << a.error().to_string();
        return a ? std::move(*a) : nullptr;
    }
};

TEST_F(ServeHl7, EventsGoToTheHookWhoseAckAnswers) {
    auto app = start(true);
    ASSERT_TRUE(app);
    ASSERT_NE(app->hl7_port(), 0);
    auto acks = hl7::send_messages("127.0.0.1", app->hl7_port(), {kOrder, kUpdate}, 5s);
    ASSERT_TRUE(acks) << acks.error().to_string();
    EXPECT_EQ(hl7::read_ack(acks->at(0)).code, "AA");
    EXPECT_EQ(hl7::read_ack(acks->at(1)).code, "AE");
    EXPECT_EQ(hl7::read_ack(acks->at(1)).text, "unknown patient");
    app->stop();
    std::lock_guard lock(mutex);
    ASSERT_EQ(events.size(), 2u);
    const auto& order = std::get<hl7::OrderEvent>(events[0]);
    EXPECT_EQ(order.order_key, "PL1^RIS");
    EXPECT_EQ(order.item.string_or(tags::AccessionNumber), "ACC77");
    bool order_line = false, error_line = false;
    for (const auto& l : lines) {
        order_line = order_line || (l.find("HL7 127.0.0.1:") != std::string::npos && l.find("ORM^O01 ORD-1: AA") != std::string::npos);
        error_line = error_line || (l.starts_with("W: HL7 ") && l.find("ADT^A08 UPD-1: AE unknown patient") != std::string::npos);
    }
    EXPECT_TRUE(order_line);
    EXPECT_TRUE(error_line);
}

TEST_F(ServeHl7, WithoutAHookOrdersGoToTheWorklist) {
    auto app = start(false);
    ASSERT_TRUE(app);
    auto ack = hl7::send("127.0.0.1", app->hl7_port(), kOrder, 5s);
    ASSERT_TRUE(ack) << ack.error().to_string();
    EXPECT_EQ(hl7::read_ack(*ack).code, "AA") << hl7::read_ack(*ack).text;
    app->stop();
    std::lock_guard lock(mutex);
    bool logged = false;
    for (const auto& l : lines)
        logged = logged || (l.starts_with("I: HL7 order NW PL1^RIS patient P77 accession ACC77") &&
                            l.find(": worklist item ") != std::string::npos);
    EXPECT_TRUE(logged);
}

TEST_F(ServeHl7, OffByDefault) {
    config.hl7.port.reset();
    auto app = start(false);
    ASSERT_TRUE(app);
    EXPECT_EQ(app->hl7_port(), 0);
}

}  // namespace
}  // namespace dicomkit::server::app
