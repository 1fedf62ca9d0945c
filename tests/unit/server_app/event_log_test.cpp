// serve's event lines: what they say, and that no value from a peer can break a line.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace dicomkit::server::app
