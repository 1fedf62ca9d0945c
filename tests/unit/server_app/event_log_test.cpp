// serve's event lines: what they say, and that no value from a peer can break a line.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/app/event_log.hpp>

namespace dicomkit::server::app {
namespace {

namespace nd = net::dimse;

TEST(EventLog, EchoIsOneInfoLine) {
    nd::RequestContext rc{nullptr, "WS", "10.0.0.9:5000"};
    nd::Command rq;
    rq.field = nd::CommandField::C_ECHO_RQ;
    rq.affected_sop_class_uid = "1.2.840.10008.1.1";
    nd::Command rsp = nd::Command::response(rq, nd::status::Success);
    const std::string line = describe_request({rc, rq, rsp, nullptr, std::chrono::microseconds(1500), false, 0});
    EXPECT_EQ(line.rfind("I: WS@10.0.0.9:5000 C-ECHO: 0x0000", 0), 0u) << line;
    EXPECT_NE(line.find("1.5 ms"), std::string::npos) << line;
}

TEST(EventLog, PeerValuesCannotForgeALine) {
    nd::RequestContext rc{nullptr, std::string("EVIL\r\nI: x\0y", 12), "127.0.0.1:1"};
    nd::Command rq;
    rq.field = nd::CommandField::C_MOVE_RQ;
    rq.affected_sop_class_uid = "1.2.840.10008.5.1.4.1.2.2.2";
    rq.move_destination = "NO\nBODY";
    DataSet id;
    id.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    id.set_string(tags::StudyInstanceUID, VR::UI, "1.2\n3");
    id.set_string(tags::PatientName, VR::PN, "");
    nd::Command rsp = nd::Command::response(rq, nd::status::MoveDestinationUnknown);
    rsp.error_comment = "unknown move destination NO\nBODY";
    const std::string line = describe_request({rc, rq, rsp, &id, std::chrono::microseconds(20), false, 0});
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
    EXPECT_EQ(line.find('\0'), std::string::npos) << line;
    EXPECT_EQ(line.rfind("W: EVIL\\x0d\\x0aI: x\\x00y@127.0.0.1:1 C-MOVE Study Root STUDY StudyInstanceUID=1.2\\x0a3 "
                         "(+1 empty keys) to NO\\x0aBODY: 0xA801",
                         0),
              0u)
        << line;
    const std::string uid = "1.2.3\n4";
    const std::string reason = "no accepted presentation context";
    const std::string sub = describe_sub_operation({rc, rq, uid, std::nullopt, reason});
    EXPECT_EQ(sub.find('\n'), std::string::npos) << sub;
    EXPECT_NE(sub.find("sub-operation 1.2.3\\x0a4 to NO\\x0aBODY failed: no accepted"), std::string::npos) << sub;
}

TEST(EventLog, AssociationLineCountsCommands) {
    nd::ServeSummary s;
    s.end = nd::ServeSummary::End::Released;
    s.requests = 3;
    s.by_command = {{"C-ECHO", 1}, {"C-FIND", 2}};
    EXPECT_EQ(describe_association("WS", "10.0.0.9:5000", s),
              "I: WS@10.0.0.9:5000 association released after 3 requests (C-ECHO 1, C-FIND 2)");
    s.end = nd::ServeSummary::End::Aborted;
    s.failures = 1;
    EXPECT_EQ(describe_association("WS", "10.0.0.9:5000", s).rfind("W: WS@10.0.0.9:5000 association aborted", 0), 0u);
}

/// The JSON line of an event parses, carries the line's words as its message and the event's
/// fields, and peer values (quotes, line feeds, non-ASCII) arrive intact, escaped by the encoder.
TEST(EventLog, JsonLineHasTheEventsFields) {
    nd::RequestContext rc{nullptr, "Q\"UOTE\nM\xc3\xbc", "10.0.0.9:5000"};
    nd::Command rq;
    rq.field = nd::CommandField::C_FIND_RQ;
    rq.affected_sop_class_uid = std::string(dimse::kStudyRootFind);
    DataSet id;
    id.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    id.set_string(tags::PatientID, VR::LO, "12*");
    nd::Command rsp = nd::Command::response(rq, nd::status::Success);
    const nd::RequestEvent e{rc, rq, rsp, &id, std::chrono::microseconds(2500), false, 3};
    std::string line = describe_request(e);
    ASSERT_EQ(line.rfind("I: ", 0), 0u);
    const log::Fields fields = request_fields(e);
    const std::string json = log::format({std::chrono::system_clock::now(), log::Level::Info,
                                          std::string_view(line).substr(3), &fields},
                                         log::Format::Json);
    EXPECT_EQ(json.find('\n'), std::string::npos) << json;
    for (char c : json) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << json;
    const auto o = nlohmann::json::parse(json);
    EXPECT_EQ(o["level"], "info");
    EXPECT_EQ(o["message"], line.substr(3));
    EXPECT_EQ(o["event"], "request");
    EXPECT_EQ(o["calling_ae"], "Q\"UOTE\nM\xc3\xbc");
    EXPECT_EQ(o["peer"], "10.0.0.9:5000");
    EXPECT_EQ(o["command"], "C-FIND");
    EXPECT_EQ(o["model"], "Study Root");
    EXPECT_EQ(o["qr_level"], "STUDY");
    EXPECT_EQ(o["status"], "0x0000");
    EXPECT_EQ(o["matches"], "3");
    EXPECT_EQ(o["duration_ms"], "2.5");

    nd::ServeSummary s;
    s.end = nd::ServeSummary::End::Aborted;
    s.requests = 2;
    s.failures = 1;
    const auto a = association_fields("WS", "10.0.0.9:5000", s);
    const auto ao = nlohmann::json::parse(log::format({{}, log::Level::Warn, "x", &a}, log::Format::Json));
    EXPECT_EQ(ao["event"], "association");
    EXPECT_EQ(ao["end"], "aborted");
    EXPECT_EQ(ao["requests"], "2");
    EXPECT_EQ(ao["failures"], "1");
}

}  // namespace
}  // namespace dicomkit::server::app
