// Malformed PDUs: each gives the right ErrorCode at the right byte offset, and nothing is read
// past a length that was not checked.
#include <gtest/gtest.h>

#include <dicomkit/net/pdu/codec.hpp>

#include "wire.hpp"

// Wire bytes stay one field group per line.
// clang-format off
namespace dicomkit::net::pdu {
namespace {

using test::expect_error;
using test::Wire;
using B = std::vector<std::uint8_t>;
using EC = ErrorCode;

B cat(std::initializer_list<B> parts) {
    B out;
    for (const B& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::uint16_t len16(std::size_t n) { return static_cast<std::uint16_t>(n); }

// Variable-field pieces. In rq({app(), context(), user_info()}) the items sit at offsets
// 74 (10H), 99 (20H) and 149 (50H); the PDU is 161 bytes.
B app() { return Wire().u8(0x10).u8(0).u16(21).text("1.2.840.10008.3.1.1.1"); }
B abstract() { return Wire().u8(0x30).u8(0).u16(17).text("1.2.840.10008.1.1"); }
B transfer() { return Wire().u8(0x40).u8(0).u16(17).text("1.2.840.10008.1.2"); }
B context(std::uint8_t id = 1, const B& subs = cat({abstract(), transfer()})) {
    return cat({Wire().u8(0x20).u8(0).u16(len16(4 + subs.size())).u8(id).zeros(3), subs});
}
B ac_context(std::uint8_t result, const B& subs) {
    return cat({Wire().u8(0x21).u8(0).u16(len16(4 + subs.size()))
                    .u8(1).u8(0).u8(result).u8(0), subs});
}
B user_info(const B& subs = Wire().u8(0x51).u8(0).u16(4).u32(16384)) {
    return cat({Wire().u8(0x50).u8(0).u16(len16(subs.size())), subs});
}

// An A-ASSOCIATE-RQ (type 1) or AC (type 2) with the given items as its variable field.
B associate(std::uint8_t type, std::initializer_list<B> items, std::string_view called) {
    B variable = cat(items);
    Wire w;
    w.u8(type).u8(0).u32(static_cast<std::uint32_t>(68 + variable.size()))
        .u16(1).u16(0).ae(called).ae("SCU").zeros(32).bytes(variable);
    return w.get();
}
B rq(std::initializer_list<B> items, std::string_view called = "SCP") {
    return associate(0x01, items, called);
}
B ac(std::initializer_list<B> items, std::string_view called = "SCP") {
    return associate(0x02, items, called);
}
B good_rq() { return rq({app(), context(), user_info()}); }
// The good request with user information sub-items `subs`: they start at 153, content at 157.
B with(const B& subs) { return rq({app(), context(), user_info(subs)}); }

TEST(Malformed, GoodRequestDecodes) {
    const B bytes = good_rq();
    ASSERT_EQ(bytes.size(), 161u);
    auto pdu = decode(bytes);
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
}

TEST(Malformed, TruncatedHeader) {
    expect_error(B{}, EC::Truncated, 0);
    expect_error(B{0x01, 0x00, 0x00}, EC::Truncated, 0);
}

TEST(Malformed, BodyShorterOrLongerThanPduLength) {
    B bytes = good_rq();
    bytes.pop_back();
    expect_error(bytes, EC::Truncated, 2);
    bytes = good_rq();
    bytes.push_back(0);
    expect_error(bytes, EC::InvalidLength, 161);
}

TEST(Malformed, ItemLengthPastTheEndOfThePdu) {
    B bytes = good_rq();
    bytes[99 + 2] = 0x01;  // presentation context item length 012EH, past the 58 bytes left
    expect_error(bytes, EC::InvalidLength, 99);
    const std::string message = decode(bytes).error().message;
    EXPECT_NE(message.find("A-ASSOCIATE-RQ"), std::string::npos) << message;
    EXPECT_NE(message.find("presentation context item (20H)"), std::string::npos) << message;
    EXPECT_NE(message.find("offset 99"), std::string::npos) << message;

    bytes = good_rq();
    bytes[107 + 3] = 40;  // abstract syntax sub-item at 107 claims 40 bytes, 38 are left
    expect_error(bytes, EC::InvalidLength, 107);

    // A header cut by the end of the PDU: 2 bytes where an item header needs 4.
    expect_error(rq({app(), context(), user_info(), B{0x60, 0x00}}), EC::Truncated, 161);
}

TEST(Malformed, PduLengthOverTheLimit) {
    DecodeLimits limits;
    limits.max_pdu_length = 100;
    expect_error(good_rq(), EC::LimitExceeded, 2, limits);
    // 0xFFFFFFFF is refused from the header alone, before anything else is looked at.
    expect_error(B{0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00}, EC::LimitExceeded, 2);
    expect_error(B{0x01, 0x00, 0xFF, 0xFF, 0xFF, 0xFF}, EC::LimitExceeded, 2);
}

TEST(Malformed, PresentationContextWithoutTransferSyntax) {
    expect_error(rq({app(), context(1, abstract()), user_info()}), EC::InvalidValue, 99);
    expect_error(rq({app(), context(1, transfer()), user_info()}), EC::InvalidValue, 99);
    // An empty transfer syntax UID: the sub-item at 99 + 8 + 21.
    const B empty_ts = Wire().u8(0x40).u8(0).u16(0);
    expect_error(rq({app(), context(1, cat({abstract(), empty_ts})), user_info()}),
                 EC::InvalidValue, 128);
}

TEST(Malformed, AllSpaceAeTitle) {
    // PS3.8 Table 9-11: sixteen spaces ("no Application Name") shall not be used.
    expect_error(rq({app(), context(), user_info()}, ""), EC::InvalidValue, 10);
    B bytes = good_rq();
    for (std::size_t i = 26; i < 42; ++i) bytes[i] = ' ';
    expect_error(bytes, EC::InvalidValue, 26);
    // In the AC the title fields are reserved and not tested.
    auto pdu = decode(ac({app(), ac_context(3, Wire().u8(0x40).u8(0).u16(0)), user_info()}, ""));
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    EXPECT_EQ(std::get<AssociateAc>(*pdu).called_ae_title, "");
}

TEST(Malformed, UnknownPduType) {
    expect_error(B{0x08, 0x00, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0}, EC::InvalidValue, 0);
    expect_error(B{0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, EC::InvalidValue, 0);
}

TEST(Malformed, AssociateStructure) {
    // Shorter than the 68 bytes of fixed fields.
    expect_error(cat({B{0x01, 0x00, 0x00, 0x00, 0x00, 0x10}, B(16, 0x20)}), EC::InvalidLength, 2);
    // No application context item; two of them.
    expect_error(rq({context(), user_info()}), EC::InvalidValue, 74);
    expect_error(rq({app(), app(), context(), user_info()}), EC::InvalidValue, 99);
    // An even presentation context ID (the byte at 99 + 4); an ID used twice.
    expect_error(rq({app(), context(2), user_info()}), EC::InvalidValue, 103);
    expect_error(rq({app(), context(1), context(1), user_info()}), EC::InvalidValue, 149);
    // No presentation context at all; two user information items.
    expect_error(rq({app(), user_info()}), EC::InvalidValue, 74);
    expect_error(rq({app(), context(), user_info(), user_info()}), EC::InvalidValue, 161);
}

TEST(Malformed, KeptForTheAcceptorWhenAsked) {
    // keep_malformed_contexts: what negotiate() can refuse by name is kept, as received.
    DecodeLimits keep;
    keep.keep_malformed_contexts = true;
    const B empty_ts = Wire().u8(0x40).u8(0).u16(0);
    const B empty_as = Wire().u8(0x30).u8(0).u16(0);
    auto pdu = decode(rq({app(), context(2), context(1), context(1), context(5, abstract()),
                          context(7, transfer()), context(9, cat({empty_as, transfer()})),
                          context(11, cat({abstract(), empty_ts})), user_info()},
                         ""),
                      keep);
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    const auto& r = std::get<AssociateRq>(*pdu);
    EXPECT_EQ(r.called_ae_title, "");
    ASSERT_EQ(r.presentation_contexts.size(), 7u);
    EXPECT_EQ(r.presentation_contexts[0].id, 2);
    EXPECT_EQ(r.presentation_contexts[1].id, 1);
    EXPECT_EQ(r.presentation_contexts[2].id, 1);
    EXPECT_TRUE(r.presentation_contexts[3].transfer_syntaxes.empty());
    EXPECT_TRUE(r.presentation_contexts[4].abstract_syntax.empty());
    EXPECT_TRUE(r.presentation_contexts[5].abstract_syntax.empty());
    EXPECT_EQ(r.presentation_contexts[6].transfer_syntaxes, std::vector<std::string>{""});
    // What is not a negotiation matter still fails: no presentation context, two abstract syntaxes.
    expect_error(rq({app(), user_info()}), EC::InvalidValue, 74, keep);
    expect_error(rq({app(), context(1, cat({abstract(), abstract(), transfer()})), user_info()}),
                 EC::InvalidValue, 128, keep);
    // And an A-ASSOCIATE-AC is not affected.
    expect_error(ac({app(), ac_context(0, {}), user_info()}), EC::InvalidValue, 99, keep);
}

TEST(Malformed, AcContexts) {
    // Accepted without a transfer syntax; a result/reason outside 0-4 (the byte at 99 + 6).
    expect_error(ac({app(), ac_context(0, {}), user_info()}), EC::InvalidValue, 99);
    expect_error(ac({app(), ac_context(5, transfer()), user_info()}), EC::InvalidValue, 105);
    // Rejected: the transfer syntax is not significant and may be missing.
    auto ok = decode(ac({app(), ac_context(4, {}), user_info()}));
    ASSERT_TRUE(ok.has_value()) << ok.error().to_string();
    EXPECT_EQ(std::get<AssociateAc>(*ok).presentation_contexts[0].result,
              ContextResult::TransferSyntaxesNotSupported);
}

TEST(Malformed, UserInformationSubItems) {
    // Maximum length sub-item with 3 bytes; with 5; twice.
    expect_error(with(Wire().u8(0x51).u8(0).u16(3).u16(0).u8(0)), EC::InvalidLength, 157);
    expect_error(with(Wire().u8(0x51).u8(0).u16(5).u32(16384).u8(0)), EC::InvalidLength, 161);
    expect_error(with(Wire().u8(0x51).u8(0).u16(4).u32(1)
                            .u8(0x51).u8(0).u16(4).u32(2)),
                 EC::InvalidValue, 161);
    // Role selection whose UID-length (at 157) runs past the sub-item; a role value of 2.
    expect_error(with(Wire().u8(0x54).u8(0).u16(6).u16(25).text("1.").u8(0).u8(1)),
                 EC::InvalidLength, 157);
    expect_error(with(Wire().u8(0x54).u8(0).u16(7).u16(3).text("1.2").u8(2).u8(1)),
                 EC::InvalidValue, 153);
    // User identity RQ whose Secondary-field-length (at 157 + 2 + 2 + 3) runs past the sub-item.
    expect_error(with(Wire().u8(0x58).u8(0).u16(9).u8(1).u8(0).u16(3).text("bob").u16(1)),
                 EC::InvalidLength, 164);
    // Common extended negotiation whose related UID length (at 169) runs past its field.
    expect_error(with(Wire().u8(0x57).u8(0).u16(2 + 3 + 2 + 3 + 2 + 3)
                            .u16(3).text("1.2")      // SOP-class-uid
                            .u16(3).text("1.3")      // Service-class-uid
                            .u16(3).u16(9).u8(0)),   // identification: 3 bytes, UID length 9
                 EC::InvalidLength, 169);
    // Sub-item length past the end of the user information item.
    expect_error(with(Wire().u8(0x52).u8(0).u16(40).text("1.2")), EC::InvalidLength, 153);
}

TEST(Malformed, UnknownUserInformationSubItemsAreKept) {
    auto pdu = decode(with(Wire().u8(0x51).u8(0).u16(4).u32(1)
                                 .u8(0x70).u8(0).u16(2).u16(0xCAFE)));
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    const auto& u = std::get<AssociateRq>(*pdu).user_information;
    ASSERT_EQ(u.unknown_sub_items.size(), 1u);
    EXPECT_EQ(u.unknown_sub_items[0], (RawSubItem{0x70, {0xCA, 0xFE}}));
}

TEST(Malformed, Limits) {
    DecodeLimits limits;
    limits.max_presentation_contexts = 1;
    expect_error(rq({app(), context(1), context(3), user_info()}), EC::LimitExceeded, 149, limits);
    limits = {};
    limits.max_transfer_syntaxes = 1;  // the second transfer syntax sub-item is at 149
    expect_error(rq({app(), context(1, cat({abstract(), transfer(), transfer()})), user_info()}),
                 EC::LimitExceeded, 149, limits);
    limits = {};
    limits.max_uid_length = 10;  // the application context name's value starts at 78
    expect_error(good_rq(), EC::LimitExceeded, 78, limits);
    limits = {};
    limits.max_sub_items = 1;
    expect_error(with(Wire().u8(0x51).u8(0).u16(4).u32(1).u8(0x55).u8(0).u16(1).text("v")),
                 EC::LimitExceeded, 161, limits);
    limits = {};
    limits.max_items = 2;
    expect_error(good_rq(), EC::LimitExceeded, 149, limits);
    limits = {};
    limits.max_pdvs = 1;
    expect_error(Wire().u8(0x04).u8(0).u32(12)
                     .u32(2).u8(1).u8(0)
                     .u32(2).u8(1).u8(2),
                 EC::LimitExceeded, 12, limits);
}

TEST(Malformed, FixedLengthPdus) {
    expect_error(Wire().u8(0x05).u8(0).u32(5).u32(0).u8(0), EC::InvalidLength, 2);
    expect_error(Wire().u8(0x06).u8(0).u32(0), EC::InvalidLength, 2);
    // A-ASSOCIATE-RJ: result 3; source 4; reason 3 for source 2.
    expect_error(Wire().u8(0x03).u8(0).u32(4).u8(0).u8(3).u8(1).u8(1), EC::InvalidValue, 7);
    expect_error(Wire().u8(0x03).u8(0).u32(4).u8(0).u8(1).u8(4).u8(1), EC::InvalidValue, 7);
    expect_error(Wire().u8(0x03).u8(0).u32(4).u8(0).u8(1).u8(2).u8(3), EC::InvalidValue, 7);
    // A-ABORT: source 3; provider reason 7; length 3.
    expect_error(Wire().u8(0x07).u8(0).u32(4).u16(0).u8(3).u8(0), EC::InvalidValue, 8);
    expect_error(Wire().u8(0x07).u8(0).u32(4).u16(0).u8(2).u8(7), EC::InvalidValue, 8);
    expect_error(Wire().u8(0x07).u8(0).u32(3).u16(0).u8(2), EC::InvalidLength, 2);
}

TEST(Malformed, PDataTf) {
    // No PDV; a PDV length of 1; a PDV past the end; a 2-byte tail; an even context ID.
    expect_error(Wire().u8(0x04).u8(0).u32(0), EC::InvalidValue, 6);
    expect_error(Wire().u8(0x04).u8(0).u32(5).u32(1).u8(1), EC::InvalidLength, 6);
    expect_error(Wire().u8(0x04).u8(0).u32(7).u32(4).u8(1).u8(0).u8(0), EC::InvalidLength, 6);
    expect_error(Wire().u8(0x04).u8(0).u32(8).u32(2).u8(1).u8(0).u16(0), EC::Truncated, 12);
    expect_error(Wire().u8(0x04).u8(0).u32(6).u32(2).u8(2).u8(0), EC::InvalidValue, 10);
    expect_error(Wire().u8(0x04).u8(0).u32(0xFFFFFFFF).u32(2), EC::LimitExceeded, 2);
}

}  // namespace
}  // namespace dicomkit::net::pdu
// clang-format on
