// Every User Information sub-item (PS3.8 D.1, PS3.7 D.3.3) against hand-written wire bytes.
#include <gtest/gtest.h>

#include <dicomkit/net/pdu/codec.hpp>

#include "wire.hpp"

// Wire bytes stay one field group per line, each with its field names.
// clang-format off
namespace dicomkit::net::pdu {
namespace {

using test::expect_wire;
using test::Wire;

constexpr const char* kCtImage = "1.2.840.10008.5.1.4.1.1.2";  // 25 characters

AssociateRq base_rq() {
    AssociateRq rq;
    rq.called_ae_title = "SCP";
    rq.calling_ae_title = "SCU";
    rq.presentation_contexts.push_back({1, kCtImage, {"1.2.840.10008.1.2"}});
    return rq;
}

// A-ASSOCIATE-RQ as base_rq(), whose user information item holds `sub_items` (hand-written).
std::vector<std::uint8_t> rq_with(const std::vector<std::uint8_t>& sub_items) {
    constexpr std::uint32_t kContextItem = 4 + 4 + (4 + 25) + (4 + 17);
    Wire w;
    w.u8(0x01).u8(0).u32(static_cast<std::uint32_t>(68 + 25 + kContextItem + 4 + sub_items.size()))
        .u16(1).u16(0).ae("SCP").ae("SCU").zeros(32)
        .u8(0x10).u8(0).u16(21).text("1.2.840.10008.3.1.1.1")
        .u8(0x20).u8(0).u16(kContextItem - 4).u8(1).zeros(3)
        .u8(0x30).u8(0).u16(25).text(kCtImage)
        .u8(0x40).u8(0).u16(17).text("1.2.840.10008.1.2")
        .u8(0x50).u8(0).u16(static_cast<std::uint16_t>(sub_items.size()))
        .bytes(sub_items);
    return w.get();
}

AssociateAc base_ac() {
    AssociateAc ac;
    ac.called_ae_title = "SCP";
    ac.calling_ae_title = "SCU";
    ac.presentation_contexts.push_back({1, ContextResult::Acceptance, "1.2.840.10008.1.2"});
    return ac;
}

std::vector<std::uint8_t> ac_with(const std::vector<std::uint8_t>& sub_items) {
    constexpr std::uint32_t kContextItem = 4 + 4 + (4 + 17);
    Wire w;
    w.u8(0x02).u8(0).u32(static_cast<std::uint32_t>(68 + 25 + kContextItem + 4 + sub_items.size()))
        .u16(1).u16(0).ae("SCP").ae("SCU").zeros(32)
        .u8(0x10).u8(0).u16(21).text("1.2.840.10008.3.1.1.1")
        .u8(0x21).u8(0).u16(kContextItem - 4).u8(1).u8(0).u8(0).u8(0)
        .u8(0x40).u8(0).u16(17).text("1.2.840.10008.1.2")
        .u8(0x50).u8(0).u16(static_cast<std::uint16_t>(sub_items.size()))
        .bytes(sub_items);
    return w.get();
}

TEST(UserInformation, MaximumLength) {
    AssociateRq rq = base_rq();
    rq.user_information.maximum_length = 0x00010000;
    // PS3.8 D.1 Table D.1-1: item-type 51H, reserved, item-length 4, Maximum-length-received.
    expect_wire(rq, rq_with(Wire().u8(0x51).u8(0x00).u16(0x0004).u32(0x00010000)));
}

TEST(UserInformation, ImplementationClassUidAndVersionName) {
    AssociateRq rq = base_rq();
    rq.user_information.implementation_class_uid = "1.2.826.0.1.3680043.10.1";
    rq.user_information.implementation_version_name = "DICOMKIT_010";
    expect_wire(rq, rq_with(Wire()
        .u8(0x52).u8(0).u16(24).text("1.2.826.0.1.3680043.10.1")  // PS3.7 Table D.3-1
        .u8(0x55).u8(0).u16(12).text("DICOMKIT_010")));            // PS3.7 Table D.3-3
}

TEST(UserInformation, AsynchronousOperationsWindow) {
    AssociateRq rq = base_rq();
    rq.user_information.asynchronous_operations_window = AsynchronousOperationsWindow{5, 0};
    // PS3.7 Table D.3-7: 53H, reserved, length 4, invoked 5, performed 0 (unlimited).
    expect_wire(rq, rq_with(Wire().u8(0x53).u8(0).u16(4).u16(5).u16(0)));
}

TEST(UserInformation, RoleSelectionList) {
    AssociateRq rq = base_rq();
    rq.user_information.role_selections.push_back({kCtImage, false, true});
    rq.user_information.role_selections.push_back({"1.2.840.10008.1.1", true, true});
    // PS3.7 Table D.3-9: 54H, reserved, item-length 2+UID+2, UID-length, UID, SCU-role, SCP-role.
    expect_wire(rq, rq_with(Wire()
        .u8(0x54).u8(0).u16(29).u16(25).text(kCtImage).u8(0).u8(1)
        .u8(0x54).u8(0).u16(21).u16(17).text("1.2.840.10008.1.1").u8(1).u8(1)));
}

TEST(UserInformation, RoleSelectionInAc) {
    AssociateAc ac = base_ac();
    ac.user_information.role_selections.push_back({kCtImage, false, true});
    // PS3.7 Table D.3-10: same layout; 1 = the acceptor accepts the proposed role.
    expect_wire(ac, ac_with(Wire().u8(0x54).u8(0).u16(29).u16(25).text(kCtImage).u8(0).u8(1)));
}

TEST(UserInformation, SopClassExtendedNegotiation) {
    AssociateRq rq = base_rq();
    // PS3.4 B.3.1: Storage SCP level of support 2, signature level 0, element coercion 1, ...
    rq.user_information.extended_negotiations.push_back({kCtImage, {2, 0, 0, 0, 1, 0}});
    // PS3.7 Table D.3-11: 56H, reserved, item-length, SOP-class-uid-length, UID, application info.
    expect_wire(rq, rq_with(Wire()
        .u8(0x56).u8(0).u16(2 + 25 + 6).u16(25).text(kCtImage)
        .u8(2).u8(0).u8(0).u8(0).u8(1).u8(0)));
}

TEST(UserInformation, SopClassCommonExtendedNegotiation) {
    AssociateRq rq = base_rq();
    // PS3.7 D.3.3.6 note 1: Procedure Log, Storage Service Class, related Enhanced SR.
    rq.user_information.common_extended_negotiations.push_back(
        {"1.2.840.10008.5.1.4.1.1.88.40", "1.2.840.10008.4.2", {"1.2.840.10008.5.1.4.1.1.88.22"}});
    rq.user_information.common_extended_negotiations.push_back(
        {"1.2.840.10008.5.1.4.1.1.7.1", "1.2.840.10008.4.2", {}});
    // PS3.7 Tables D.3-12 and D.3-13.
    expect_wire(rq, rq_with(Wire()
        .u8(0x57).u8(0x00).u16(83)                      // item-type, Sub-item-version 0, length
        .u16(29).text("1.2.840.10008.5.1.4.1.1.88.40")  // SOP-class-uid-length, SOP-class-uid
        .u16(17).text("1.2.840.10008.4.2")              // Service-class-uid-length, UID
        .u16(31)                                        // Related-general-...-identification-length
        .u16(29).text("1.2.840.10008.5.1.4.1.1.88.22")  // one related UID: length, UID
        .u8(0x57).u8(0x00).u16(2 + 27 + 2 + 17 + 2)
        .u16(27).text("1.2.840.10008.5.1.4.1.1.7.1")
        .u16(17).text("1.2.840.10008.4.2")
        .u16(0)));                                      // no related general SOP class
}

TEST(UserInformation, UserIdentityRq) {
    AssociateRq rq = base_rq();
    rq.user_information.user_identity_rq =
        UserIdentityRq{UserIdentityType::UsernameAndPasscode, true, {'a', 'l', 'i', 'c', 'e'},
                       {'s', 'e', 'c', 'r', 'e', 't'}};
    // PS3.7 Table D.3-14: 58H, reserved, length, type 2, positive response requested 1,
    // Primary-field-length, Primary-field, Secondary-field-length, Secondary-field.
    expect_wire(rq, rq_with(Wire()
        .u8(0x58).u8(0).u16(1 + 1 + 2 + 5 + 2 + 6)
        .u8(2).u8(1).u16(5).text("alice").u16(6).text("secret")));
}

TEST(UserInformation, UserIdentityAc) {
    AssociateAc ac = base_ac();
    ac.user_information.user_identity_ac = UserIdentityAc{{0xDE, 0xAD, 0xBE, 0xEF}};
    // PS3.7 Table D.3-15: 59H, reserved, length, Server-response-length, Server-response.
    expect_wire(ac, ac_with(Wire().u8(0x59).u8(0).u16(6).u16(4).u32(0xDEADBEEF)));
}

TEST(UserInformation, UnknownSubItemsAreKeptInPlace) {
    AssociateRq rq = base_rq();
    rq.user_information.maximum_length = 16384;
    rq.user_information.implementation_version_name = "V";
    rq.user_information.unknown_sub_items.push_back({0x40, {1, 2}});
    rq.user_information.unknown_sub_items.push_back({0x54 + 0x10, {}});
    rq.user_information.unknown_sub_items.push_back({0x5A, {9}});
    // Types in increasing order (PS3.8 9.3.1): 40H, 51H, 55H, then 64H and 5AH in received order.
    expect_wire(rq, rq_with(Wire()
        .u8(0x40).u8(0).u16(2).u8(1).u8(2)
        .u8(0x51).u8(0).u16(4).u32(16384)
        .u8(0x55).u8(0).u16(1).text("V")
        .u8(0x64).u8(0).u16(0)
        .u8(0x5A).u8(0).u16(1).u8(9)));
}

TEST(UserInformation, EverySubItemTogetherRoundTrips) {
    AssociateRq rq = base_rq();
    UserInformation& u = rq.user_information;
    u.maximum_length = 0;
    u.implementation_class_uid = "1.2.3";
    u.implementation_version_name = "X";
    u.asynchronous_operations_window = AsynchronousOperationsWindow{0, 1};
    u.role_selections = {{kCtImage, true, false}};
    u.extended_negotiations = {{kCtImage, {}}};
    u.common_extended_negotiations = {{kCtImage, "1.2.840.10008.4.2", {"1.2", "1.3"}}};
    u.user_identity_rq = UserIdentityRq{UserIdentityType::JsonWebToken, false, Bytes(300, 'j'), {}};
    u.user_identity_ac = UserIdentityAc{{}};
    u.unknown_sub_items = {{0xFF, Bytes(10, 7)}};
    auto bytes = encode(rq);
    ASSERT_TRUE(bytes.has_value()) << bytes.error().to_string();
    auto back = decode(*bytes);
    ASSERT_TRUE(back.has_value()) << back.error().to_string();
    EXPECT_EQ(std::get<AssociateRq>(*back), rq);
}

}  // namespace
}  // namespace dicomkit::net::pdu
// clang-format on
