// A-ASSOCIATE-RQ/AC against hand-written wire bytes (PS3.8 9.3.2, 9.3.3) and real DCMTK captures.
#include <gtest/gtest.h>

#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/net/pdu/codec.hpp>

#include "wire.hpp"

// Wire bytes stay one field group per line, each with its field names.
// clang-format off
namespace dicomkit::net::pdu {
namespace {

using test::expect_wire;
using test::Wire;

constexpr const char* kVerification = "1.2.840.10008.1.1";
constexpr const char* kImplicitLE = "1.2.840.10008.1.2";
constexpr const char* kExplicitLE = "1.2.840.10008.1.2.1";

AssociateRq sample_rq() {
    AssociateRq rq;
    rq.called_ae_title = "ANY-SCP";
    rq.calling_ae_title = "ECHOSCU";
    rq.presentation_contexts.push_back({1, kVerification, {kImplicitLE, kExplicitLE}});
    rq.user_information.maximum_length = 16384;
    rq.user_information.implementation_class_uid = "1.2.3.4";
    rq.user_information.implementation_version_name = "DK_TEST";
    return rq;
}

// Header and fixed fields of an A-ASSOCIATE-RQ/AC with the titles above (PS3.8 Table 9-11).
Wire& fixed_fields(Wire& w, std::uint8_t type, std::uint32_t pdu_length) {
    return w.u8(type)                // PDU-type
        .u8(0x00)                    // reserved
        .u32(pdu_length)             // PDU-length
        .u16(0x0001)                 // Protocol-version: bit 0 = version 1
        .u16(0x0000)                 // reserved
        .ae("ANY-SCP")               // Called-AE-title, bytes 11-26
        .ae("ECHOSCU")               // Calling-AE-title, bytes 27-42
        .zeros(32)                   // reserved, bytes 43-74
        .u8(0x10).u8(0).u16(21)      // Application Context item (Table 9-12), length 21
        .text("1.2.840.10008.3.1.1.1");
}

// The RQ's presentation context item (PS3.8 Table 9-13): 4 + 69 bytes.
Wire& rq_context(Wire& w) {
    return w.u8(0x20).u8(0).u16(69)  // item-type 20H, reserved, item-length 4+21+21+23
        .u8(1).zeros(3)              // Presentation-context-ID 1, three reserved bytes
        .u8(0x30).u8(0).u16(17).text(kVerification)  // Abstract Syntax sub-item (Table 9-14)
        .u8(0x40).u8(0).u16(17).text(kImplicitLE)    // Transfer Syntax sub-item (Table 9-15)
        .u8(0x40).u8(0).u16(19).text(kExplicitLE);
}

// User information item (PS3.8 Table 9-16) with max length, implementation UID and version.
Wire& user_info(Wire& w, std::uint32_t max_length) {
    return w.u8(0x50).u8(0).u16(30)          // item-type 50H, item-length 8+11+11
        .u8(0x51).u8(0).u16(4).u32(max_length)  // Maximum Length sub-item (PS3.8 D.1)
        .u8(0x52).u8(0).u16(7).text("1.2.3.4")  // Implementation Class UID (PS3.7 D.3.3.2.1)
        .u8(0x55).u8(0).u16(7).text("DK_TEST"); // Implementation Version Name (D.3.3.2.3)
}

TEST(AssociateRq, EncodesToTheStandardsLayout) {
    Wire w;
    fixed_fields(w, 0x01, 200);  // 68 fixed + 25 application context + 73 context + 34 user info
    rq_context(w);
    user_info(w, 16384);
    ASSERT_EQ(w.get().size(), 206u);
    expect_wire(sample_rq(), w);
}

TEST(AssociateAc, EncodesToTheStandardsLayout) {
    AssociateAc ac;
    ac.called_ae_title = "ANY-SCP";
    ac.calling_ae_title = "ECHOSCU";
    ac.presentation_contexts.push_back({1, ContextResult::Acceptance, kExplicitLE});
    ac.presentation_contexts.push_back({3, ContextResult::AbstractSyntaxNotSupported, ""});
    ac.user_information.maximum_length = 32768;
    ac.user_information.implementation_class_uid = "1.2.3.4";
    ac.user_information.implementation_version_name = "DK_TEST";

    Wire w;
    fixed_fields(w, 0x02, 170);       // 68 + 25 + 31 + 12 + 34
    w.u8(0x21).u8(0).u16(27)          // Presentation Context item (Table 9-18), length 4+23
        .u8(1).u8(0).u8(0).u8(0)      // ID 1, reserved, Result/Reason 0 acceptance, reserved
        .u8(0x40).u8(0).u16(19).text(kExplicitLE)  // the accepted Transfer Syntax sub-item
        .u8(0x21).u8(0).u16(8)        // second context, length 4+4
        .u8(3).u8(0).u8(3).u8(0)      // ID 3, Result/Reason 3 abstract-syntax-not-supported
        .u8(0x40).u8(0).u16(0);       // Transfer Syntax sub-item, not significant: empty
    user_info(w, 32768);
    ASSERT_EQ(w.get().size(), 176u);
    expect_wire(ac, w);
}

TEST(AssociateRq, PaddingAndReservedFieldsAreLenient) {
    Wire w;
    w.u8(0x01).u8(0xAB).u32(200)  // reserved byte not 00H: not tested
        .u16(0x0003).u16(0xFFFF)  // versions 1 and 2 offered; reserved FFFFH
        .text("   ANY-SCP      ")  // leading spaces are not significant
        .text("ECHOSCU").zeros(9)  // NUL padding instead of spaces
        .u8(0x77).zeros(31)        // reserved
        .u8(0x10).u8(0).u16(21).text("1.2.840.10008.3.1.1.1");
    rq_context(w);
    user_info(w, 16384);
    auto pdu = decode(w.get());
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    AssociateRq expected = sample_rq();
    expected.protocol_version = 3;
    EXPECT_EQ(std::get<AssociateRq>(*pdu), expected);
}

TEST(AssociateRq, UidPaddingIsRemovedAndUnknownItemsSkipped) {
    Wire w;
    fixed_fields(w, 0x01, 200 + 1 + 7);  // one NUL of UID padding, one 7-byte unknown item
    w.u8(0x20).u8(0).u16(70).u8(1).zeros(3)
        .u8(0x30).u8(0).u16(18).text(kVerification).u8(0)  // abstract syntax with NUL padding
        .u8(0x40).u8(0).u16(17).text(kImplicitLE)
        .u8(0x40).u8(0).u16(19).text(kExplicitLE)
        .u8(0x60).u8(0).u16(3).text("xyz");  // PS3.8 9.3.1: unrecognized item, ignored
    user_info(w, 16384);
    auto pdu = decode(w.get());
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    EXPECT_EQ(std::get<AssociateRq>(*pdu), sample_rq());
}

TEST(AssociateRq, RoundTripsManyContexts) {
    AssociateRq rq = sample_rq();
    rq.presentation_contexts.clear();
    for (int id = 1; id <= 255; id += 2) {
        std::string abstract = "1.2.840.10008.5.1.4.1.1." + std::to_string(id);
        auto context_id = static_cast<std::uint8_t>(id);
        rq.presentation_contexts.push_back({context_id, abstract, {kExplicitLE}});
    }
    auto bytes = encode(rq);
    ASSERT_TRUE(bytes.has_value()) << bytes.error().to_string();
    auto back = decode(*bytes);
    ASSERT_TRUE(back.has_value()) << back.error().to_string();
    EXPECT_EQ(std::get<AssociateRq>(*back), rq);
    EXPECT_EQ(std::get<AssociateRq>(*back).presentation_contexts.size(), 128u);
}

TEST(AssociateRq, EncodeRefusesWhatThePduCannotCarry) {
    AssociateRq rq = sample_rq();
    rq.called_ae_title = "A-TITLE-OF-17-CHR";
    EXPECT_EQ(encode(rq).error().code, ErrorCode::InvalidArgument);
    rq = sample_rq();
    rq.calling_ae_title = "   ";
    EXPECT_EQ(encode(rq).error().code, ErrorCode::InvalidArgument);
    rq = sample_rq();
    rq.presentation_contexts[0].id = 2;
    EXPECT_EQ(encode(rq).error().code, ErrorCode::InvalidArgument);
    rq = sample_rq();
    rq.presentation_contexts[0].transfer_syntaxes.clear();
    EXPECT_EQ(encode(rq).error().code, ErrorCode::InvalidArgument);
    rq = sample_rq();
    rq.user_information.unknown_sub_items.push_back({0x51, {0, 0, 0, 1}});  // a known type
    EXPECT_EQ(encode(rq).error().code, ErrorCode::InvalidArgument);
    rq = sample_rq();
    rq.user_information.extended_negotiations.push_back({"1.2", Bytes(70000, 0)});  // > 16-bit
    EXPECT_EQ(encode(rq).error().code, ErrorCode::InvalidArgument);
}

std::vector<std::uint8_t> load(const std::string& name) {
    auto bytes = read_whole_file(std::string(DICOMKIT_TEST_DATA) + "/net/" + name);
    EXPECT_TRUE(bytes.has_value()) << name;
    return bytes ? *bytes : std::vector<std::uint8_t>{};
}

// Captured from DCMTK 3.6.7 `echoscu 127.0.0.1 PORT` (tests/data/PROVENANCE.md).
TEST(AssociateRq, DecodesDcmtkEchoscu) {
    const auto capture = load("echoscu_associate_rq.bin");
    ASSERT_EQ(capture.size(), 211u);
    auto pdu = decode(capture);
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    const auto& rq = std::get<AssociateRq>(*pdu);
    EXPECT_EQ(rq.protocol_version, 1);
    EXPECT_EQ(rq.called_ae_title, "ANY-SCP");
    EXPECT_EQ(rq.calling_ae_title, "ECHOSCU");
    EXPECT_EQ(rq.application_context_name, kDicomApplicationContext);
    ASSERT_EQ(rq.presentation_contexts.size(), 1u);
    EXPECT_EQ(rq.presentation_contexts[0].id, 1);
    EXPECT_EQ(rq.presentation_contexts[0].abstract_syntax, kVerification);
    EXPECT_EQ(rq.presentation_contexts[0].transfer_syntaxes, std::vector<std::string>{kImplicitLE});
    EXPECT_EQ(rq.user_information.maximum_length, 16384u);
    EXPECT_EQ(rq.user_information.implementation_class_uid, "1.2.276.0.7230010.3.0.3.6.7");
    EXPECT_EQ(rq.user_information.implementation_version_name, "OFFIS_DCMTK_367");
    EXPECT_TRUE(rq.user_information.unknown_sub_items.empty());

    auto again = encode(*pdu);
    ASSERT_TRUE(again.has_value()) << again.error().to_string();
    ASSERT_EQ(again->size(), capture.size());
    // DCMTK writes FFH into byte 7 of the presentation context item (offset 0x69 here), a
    // reserved field that PS3.8 Table 9-13 says to send as 00H and not to test. Every other byte
    // is re-encoded identically.
    constexpr std::size_t kReservedByte = 0x69;
    EXPECT_EQ(capture[kReservedByte], 0xFF);
    EXPECT_EQ((*again)[kReservedByte], 0x00);
    auto expected = capture;
    expected[kReservedByte] = 0x00;
    EXPECT_EQ(*again, expected);
}

// Captured from DCMTK 3.6.7 storescp answering the echoscu request above.
TEST(AssociateAc, DecodesDcmtkStorescpAndReencodesIdentically) {
    const auto capture = load("storescp_associate_ac.bin");
    auto pdu = decode(capture);
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    const auto& ac = std::get<AssociateAc>(*pdu);
    EXPECT_EQ(ac.called_ae_title, "ANY-SCP");
    EXPECT_EQ(ac.calling_ae_title, "ECHOSCU");
    ASSERT_EQ(ac.presentation_contexts.size(), 1u);
    EXPECT_EQ(ac.presentation_contexts[0],
              (PresentationContextAc{1, ContextResult::Acceptance, kImplicitLE}));
    EXPECT_EQ(ac.user_information.maximum_length, 16384u);
    EXPECT_EQ(ac.user_information.implementation_version_name, "OFFIS_DCMTK_367");
    auto again = encode(*pdu);
    ASSERT_TRUE(again.has_value()) << again.error().to_string();
    EXPECT_EQ(*again, capture);
}

}  // namespace
}  // namespace dicomkit::net::pdu
// clang-format on
