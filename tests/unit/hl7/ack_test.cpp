#include <gtest/gtest.h>

#include <dicomkit/hl7/ack.hpp>

namespace dicomkit::hl7 {
namespace {

AckOptions opts(std::string id, std::string ts = {}) {
    AckOptions o;
    o.control_id = std::move(id);
    o.timestamp = std::move(ts);
    return o;
}

const char* kOrder = "MSH|^~\\&|RIS|HOSP|PACS|RAD|20261206||ORM^O01|CTRL42|P|2.3.1\rPID|1||P1\r";

TEST(Hl7Ack, AcceptSwapsSenderAndReceiver) {
    auto m = parse(kOrder);
    ASSERT_TRUE(m);
    std::string ack = build_ack(*m, Ack::accept(), opts("A1", "20261206120000"));
    EXPECT_EQ(ack, "MSH|^~\\&|PACS|RAD|RIS|HOSP|20261206120000||ACK^O01^ACK|A1|P|2.3.1\rMSA|AA|CTRL42\r");
    auto a = parse(ack);
    ASSERT_TRUE(a);
    EXPECT_EQ(read_ack(ack).code, "AA");
    EXPECT_EQ(read_ack(ack).control_id, "CTRL42");
}

TEST(Hl7Ack, ErrorCarriesReasonAndLocation) {
    auto m = parse(kOrder);
    ASSERT_TRUE(m);
    Ack e{AckCode::Error, "PID-3: no patient identifier | really", "101", "PID-3"};
    std::string ack = build_ack(*m, e, opts("A2"));
    auto a = parse(ack);
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(a->value("MSA", 1), "AE");
    EXPECT_EQ(a->value("MSA", 2), "CTRL42");
    EXPECT_EQ(a->value("MSA", 3), "PID-3: no patient identifier | really");
    EXPECT_EQ(a->value("ERR", 2, 1, 1), "PID");
    EXPECT_EQ(a->value("ERR", 2, 1, 3), "3");
    EXPECT_EQ(a->value("ERR", 3, 1, 1), "101");
    EXPECT_EQ(a->value("ERR", 4), "E");
    EXPECT_EQ(a->value("ERR", 8), "PID-3: no patient identifier | really");
    EXPECT_EQ(a->value("ERR", 1, 1, 4, 1), "101");
}

TEST(Hl7Ack, RejectSalvagesWhatItCanOfABrokenMessage) {
    // MSH readable, a later segment broken: the control ID is still echoed.
    std::string raw = "MSH|^~\\&|RIS|HOSP|PACS|RAD|20261206||ORM^O01|C77|P|2.5\rpid|x\r";
    auto parsed = parse(raw);
    ASSERT_FALSE(parsed);
    Ack ack = ack_for(parsed.error());
    EXPECT_EQ(ack.code, AckCode::Error);
    std::string text = build_ack_raw(raw, ack);
    AckSummary s = read_ack(text);
    EXPECT_EQ(s.code, "AE");
    EXPECT_EQ(s.control_id, "C77");
    auto a = parse(text);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->value("MSH", 3), "PACS");
    EXPECT_EQ(a->value("MSH", 5), "RIS");
    // Nothing readable: still a well-formed AR.
    auto junk = parse("\x01\x02garbage");
    ASSERT_FALSE(junk);
    Ack rej = ack_for(junk.error());
    EXPECT_EQ(rej.code, AckCode::Reject);
    std::string t2 = build_ack_raw("\x01\x02garbage", rej);
    EXPECT_EQ(read_ack(t2).code, "AR");
    EXPECT_EQ(read_ack(t2).control_id, "");
    // An MSH cut short, or with a repeated encoding character: the standard delimiters.
    for (std::string_view raw : {std::string_view("MSH\rPID|1\r"), std::string_view("MSH|^~^&|A|B|C|D|1||X|C9\r")}) {
        std::string t = build_ack_raw(raw, rej);
        EXPECT_EQ(read_ack(t).code, "AR") << t;
    }
}

TEST(Hl7Ack, AckForErrorKinds) {
    EXPECT_EQ(ack_for(Error(ErrorCode::Unsupported, "MSH-9: message type 'X'")).code, AckCode::Reject);
    EXPECT_EQ(ack_for(Error(ErrorCode::Unsupported, "MSH-9: message type 'X'")).error_code, "200");
    EXPECT_EQ(ack_for(Error(ErrorCode::Unsupported, "MSH-9: event ADT^A01")).error_code, "201");
    EXPECT_EQ(ack_for(Error(ErrorCode::LimitExceeded, "too big")).code, AckCode::Reject);
    EXPECT_EQ(ack_for(Error(ErrorCode::NotFound, "x")).error_code, "101");
    EXPECT_EQ(ack_for(Error(ErrorCode::InvalidValue, "x")).code, AckCode::Error);
}

TEST(Hl7Ack, NonAsciiBecomesQuestionMarks) {
    auto m = parse("MSH|^~\\&|R\xC3\xA9S|H|P|R|1||ORM^O01|C1|P|2.5\r");
    ASSERT_TRUE(m);
    std::string ack = build_ack(*m, Ack{AckCode::Error, "caf\xC3\xA9", "207", {}});
    for (char c : ack) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
    EXPECT_NE(ack.find("R?S"), std::string::npos);
}

}  // namespace
}  // namespace dicomkit::hl7
