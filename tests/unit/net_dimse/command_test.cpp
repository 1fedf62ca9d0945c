// DIMSE command sets: wire bytes, round trips, required fields, status meanings.
#include <dicomkit/net/dimse/command.hpp>
#include <dicomkit/net/dimse/status.hpp>

#include <gtest/gtest.h>

using namespace dicomkit;
using namespace dicomkit::net::dimse;

TEST(Command, EchoRequestWireBytes) {
    Command c;
    c.field = CommandField::C_ECHO_RQ;
    c.message_id = 1;
    c.affected_sop_class_uid = "1.2.840.10008.1.1";
    auto b = encode(c);
    ASSERT_TRUE(b) << b.error().to_string();
    const std::vector<std::uint8_t> expected = {
        0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00,  // (0000,0000) UL 56
        0x00, 0x00, 0x02, 0x00, 0x12, 0x00, 0x00, 0x00,                          // (0000,0002) 18 bytes
        '1', '.', '2', '.', '8', '4', '0', '.', '1', '0', '0', '0', '8', '.', '1', '.', '1', 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x30, 0x00,  // (0000,0100) C-ECHO-RQ
        0x00, 0x00, 0x10, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00,  // (0000,0110) message id 1
        0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01,  // (0000,0800) no data set
    };
    EXPECT_EQ(*b, expected);
    auto back = decode(*b);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, c);
}

TEST(Command, StoreRoundTripAndResponse) {
    Command rq;
    rq.field = CommandField::C_STORE_RQ;
    rq.message_id = 7;
    rq.affected_sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
    rq.affected_sop_instance_uid = "1.2.3.4.5";
    rq.priority = 0;
    rq.has_dataset = true;
    rq.move_originator_ae = "MOVESCU";
    rq.move_originator_message_id = 3;
    auto back = decode(encode(rq).value());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, rq);
    Command rsp = Command::response(rq, status::Success);
    EXPECT_EQ(rsp.field, CommandField::C_STORE_RSP);
    EXPECT_EQ(rsp.message_id_being_responded_to, 7);
    EXPECT_EQ(rsp.affected_sop_instance_uid, "1.2.3.4.5");
    EXPECT_FALSE(rsp.has_dataset);
    auto rsp_back = decode(encode(rsp).value());
    ASSERT_TRUE(rsp_back);
    EXPECT_EQ(*rsp_back, rsp);
    EXPECT_NE(describe(rq).find("C-STORE-RQ id=7 class=CTImageStorage instance=1.2.3.4.5"), std::string::npos);
}

TEST(Command, MoveResponseCountsAndOffendingElements) {
    Command rq;
    rq.field = CommandField::C_MOVE_RQ;
    rq.message_id = 2;
    rq.affected_sop_class_uid = "1.2.840.10008.5.1.4.1.2.2.2";
    rq.move_destination = "DEST";
    rq.has_dataset = true;
    Command rsp = Command::response(rq, status::Pending);
    rsp.remaining = 5;
    rsp.completed = 1;
    rsp.failed = 0;
    rsp.warning = 0;
    rsp.offending_elements = {Tag(0x0010, 0x0010), Tag(0x0008, 0x0052)};
    auto back = decode(encode(rsp).value());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->remaining, 5);
    EXPECT_EQ(back->offending_elements, rsp.offending_elements);
    EXPECT_EQ(status_kind(*back->status), StatusKind::Pending);
}

TEST(Command, MissingRequiredFieldsAreRefused) {
    Command c;
    c.field = CommandField::C_STORE_RQ;
    c.message_id = 1;
    c.affected_sop_class_uid = "1.2";
    c.has_dataset = true;
    auto r = encode(c);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("Affected SOP Instance UID"), std::string::npos);
    Command m;
    m.field = CommandField::C_MOVE_RQ;
    m.message_id = 1;
    m.affected_sop_class_uid = "1.2";
    m.has_dataset = true;
    EXPECT_FALSE(encode(m));
    Command rsp;
    rsp.field = CommandField::C_ECHO_RSP;
    rsp.message_id_being_responded_to = 1;
    EXPECT_FALSE(encode(rsp));  // no status
}

TEST(Command, MalformedCommandSets) {
    // Not group 0000.
    std::vector<std::uint8_t> b = {0x08, 0x00, 0x60, 0x00, 0x02, 0x00, 0x00, 0x00, 'C', 'T'};
    EXPECT_FALSE(decode(b));
    // Unknown command field 0x1234.
    std::vector<std::uint8_t> c = {0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x34, 0x12,
                                   0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01};
    auto r = decode(c);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("0x1234"), std::string::npos);
    // Truncated.
    std::vector<std::uint8_t> t = {0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x30};
    EXPECT_FALSE(decode(t));
}

TEST(Status, KindsAndMeanings) {
    EXPECT_EQ(status_kind(0x0000), StatusKind::Success);
    EXPECT_EQ(status_kind(0xFF01), StatusKind::Pending);
    EXPECT_EQ(status_kind(0xFE00), StatusKind::Cancel);
    EXPECT_EQ(status_kind(0xB007), StatusKind::Warning);
    EXPECT_EQ(status_kind(0xA702), StatusKind::Failure);
    EXPECT_EQ(status_kind(0xC123), StatusKind::Failure);
    EXPECT_EQ(describe_status(0xA801, CommandField::C_MOVE_RSP), "0xA801 Refused: move destination unknown");
    EXPECT_EQ(describe_status(0xA710), "0xA710 Refused: out of resources");
    EXPECT_EQ(describe_status(0xB000, CommandField::C_MOVE_RSP),
              "0xB000 Warning: sub-operations complete, one or more failures");
}
