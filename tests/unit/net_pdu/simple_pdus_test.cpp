// A-ASSOCIATE-RJ, P-DATA-TF, A-RELEASE-RQ/RP, A-ABORT and the header helper (PS3.8 9.3.4-9.3.8).
#include <gtest/gtest.h>

#include <dicomkit/net/pdu/codec.hpp>

#include "wire.hpp"

// Wire bytes stay one field group per line, each with its field names.
// clang-format off
namespace dicomkit::net::pdu {
namespace {

using test::expect_wire;
using test::Wire;

TEST(AssociateRj, FixedLayout) {
    AssociateRj rj{RejectResult::RejectedPermanent, RejectSource::ServiceUser,
                   reject_reason::kCalledAeTitleNotRecognized};
    // PS3.8 Table 9-21: type 03H, reserved, length 4, reserved, result 1, source 1, reason 7.
    expect_wire(rj, Wire().u8(0x03).u8(0).u32(4).u8(0).u8(1).u8(1).u8(7));
    AssociateRj transient{RejectResult::RejectedTransient,
                          RejectSource::ServiceProviderPresentation,
                          reject_reason::kLocalLimitExceeded};
    expect_wire(transient, Wire().u8(0x03).u8(0).u32(4).u8(0).u8(2).u8(3).u8(2));
}

TEST(PDataTf, TwoPdvs) {
    PDataTf p;
    p.pdvs.push_back(Pdv{1, true, true, {0x01, 0x02, 0x03, 0x04}});
    p.pdvs.push_back(Pdv{3, false, false, {}});
    // PS3.8 Tables 9-22/9-23 and E.2: type 04H, reserved, length 16; then per PDV item-length,
    // context ID, message control header (bit 0 command, bit 1 last), fragment.
    expect_wire(p, Wire().u8(0x04).u8(0).u32(16)
                       .u32(6).u8(1).u8(0x03).u32(0x01020304)
                       .u32(2).u8(3).u8(0x00));
}

TEST(PDataTf, ControlHeaderBitsTwoToSevenAreNotChecked) {
    auto pdu = decode(Wire().u8(0x04).u8(0).u32(7).u32(3).u8(5).u8(0xFC).u8(0xAA).get());
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    const auto& p = std::get<PDataTf>(*pdu);
    ASSERT_EQ(p.pdvs.size(), 1u);
    EXPECT_EQ(p.pdvs[0], (Pdv{5, false, false, {0xAA}}));
}

TEST(PDataTf, ViewsPointIntoTheBuffer) {
    const std::vector<std::uint8_t> bytes =
        Wire().u8(0x04).u8(0).u32(14).u32(4).u8(1).u8(0x02).u16(0xBEEF).u32(2).u8(1).u8(0x01).get();
    auto views = decode_p_data_tf(bytes);
    ASSERT_TRUE(views.has_value()) << views.error().to_string();
    ASSERT_EQ(views->size(), 2u);
    EXPECT_EQ((*views)[0].data.data(), bytes.data() + 12);
    EXPECT_EQ((*views)[0].data.size(), 2u);
    EXPECT_TRUE((*views)[0].last);
    EXPECT_FALSE((*views)[0].command);
    EXPECT_TRUE((*views)[1].command);
    EXPECT_TRUE((*views)[1].data.empty());
    auto again = encode_p_data_tf(*views);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, bytes);
    auto not_pdata = decode_p_data_tf(Wire().u8(0x05).u8(0).u32(4).u32(0).get());
    ASSERT_FALSE(not_pdata.has_value());
    EXPECT_EQ(not_pdata.error().code, ErrorCode::InvalidValue);
}

TEST(Release, FixedLayout) {
    // PS3.8 Tables 9-24/9-25: type, reserved, length 4, four reserved bytes.
    expect_wire(ReleaseRq{}, Wire().u8(0x05).u8(0).u32(4).u32(0));
    expect_wire(ReleaseRp{}, Wire().u8(0x06).u8(0).u32(4).u32(0));
    auto lenient = decode(Wire().u8(0x06).u8(0x11).u32(4).u32(0xFFFFFFFF).get());
    ASSERT_TRUE(lenient.has_value());
    EXPECT_TRUE(std::holds_alternative<ReleaseRp>(*lenient));
}

TEST(Abort, FixedLayout) {
    // PS3.8 Table 9-26: type 07H, reserved, length 4, two reserved bytes, source, reason.
    expect_wire(Abort{AbortSource::ServiceProvider, AbortReason::UnexpectedPdu},
                Wire().u8(0x07).u8(0).u32(4).u16(0).u8(2).u8(2));
    expect_wire(Abort{AbortSource::ServiceUser, AbortReason::ReasonNotSpecified},
                Wire().u8(0x07).u8(0).u32(4).u16(0).u8(0).u8(0));
    // A service-user abort's reason is not significant and not tested.
    auto user = decode(Wire().u8(0x07).u8(0).u32(4).u16(0).u8(0).u8(0x42).get());
    ASSERT_TRUE(user.has_value());
    EXPECT_EQ(std::get<Abort>(*user).source, AbortSource::ServiceUser);
}

TEST(Abort, EncodeRefusesValuesOutsideTheTable) {
    EXPECT_EQ(encode(Abort{AbortSource::ServiceProvider, static_cast<AbortReason>(7)}).error().code,
              ErrorCode::InvalidArgument);
    Abort bad_source{static_cast<AbortSource>(3), AbortReason::ReasonNotSpecified};
    EXPECT_EQ(encode(bad_source).error().code, ErrorCode::InvalidArgument);
    AssociateRj bad_reason{RejectResult::RejectedPermanent, RejectSource::ServiceProviderAcse, 3};
    EXPECT_EQ(encode(bad_reason).error().code, ErrorCode::InvalidArgument);
}

TEST(Header, LengthFromHeader) {
    const std::vector<std::uint8_t> header = Wire().u8(0x04).u8(0).u32(0x4000).get();
    auto five = pdu_length_from_header(std::span(header).first(5), 1u << 20);
    ASSERT_TRUE(five.has_value());
    EXPECT_FALSE(five->has_value());  // not enough bytes yet
    auto length = pdu_length_from_header(header, 1u << 20);
    ASSERT_TRUE(length.has_value());
    EXPECT_EQ(**length, 0x4000u);

    auto huge = pdu_length_from_header(Wire().u8(0x04).u8(0).u32(0xFFFFFFFF).get(), 16u << 20);
    ASSERT_FALSE(huge.has_value());
    EXPECT_EQ(huge.error().code, ErrorCode::LimitExceeded);
    EXPECT_EQ(huge.error().offset, 2u);

    auto unknown = pdu_length_from_header(Wire().u8(0x09).u8(0).u32(4).get(), 1u << 20);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::InvalidValue);
    EXPECT_EQ(unknown.error().offset, 0u);
    EXPECT_FALSE(is_known_pdu_type(0x09));
    EXPECT_FALSE(is_known_pdu_type(0x00));
    EXPECT_TRUE(is_known_pdu_type(0x07));
}

TEST(Pdu, TypeOfAndNames) {
    EXPECT_EQ(type_of(Pdu(AssociateRq{})), PduType::AssociateRq);
    EXPECT_EQ(type_of(Pdu(PDataTf{})), PduType::PDataTf);
    EXPECT_EQ(type_of(Pdu(Abort{})), PduType::Abort);
    EXPECT_EQ(pdu_type_name(0x06), "A-RELEASE-RP");
    EXPECT_EQ(pdu_type_name(0x42), "unknown PDU");
    EXPECT_EQ(uid_without_padding(std::string_view("1.2\0 ", 5)), "1.2");
}

}  // namespace
}  // namespace dicomkit::net::pdu
// clang-format on
