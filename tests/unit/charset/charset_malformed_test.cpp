// Malformed input: strict decoding names the byte offset; lenient decoding puts U+FFFD in place
// of what it cannot read and goes on; encoding refuses what the character set cannot hold.
#include "charset_test_util.hpp"

namespace dicomkit::test {
namespace {

const char* const kFffd = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

/// Strict decoding fails with CharsetError at `offset`.
void expect_error_at(const SpecificCharacterSet& cs, std::string_view raw, VR vr,
                     std::uint64_t offset) {
    auto r = cs.decode(raw, vr);
    ASSERT_FALSE(r) << "decoded to " << *r;
    EXPECT_EQ(r.error().code, ErrorCode::CharsetError);
    ASSERT_TRUE(r.error().offset.has_value()) << r.error().to_string();
    EXPECT_EQ(*r.error().offset, offset) << r.error().to_string();
}

std::string lenient(const SpecificCharacterSet& cs, std::string_view raw, VR vr) {
    auto r = cs.decode(raw, vr, true);
    return r ? *r : "<error: " + r.error().to_string() + ">";
}

TEST(CharsetMalformed, TruncatedEscapeSequence) {
    const auto cs = charset("\\ISO 2022 IR 87");
    for (std::string_view raw : {"abc\x1B", "abc\x1B$", "abc\x1B$("}) {
        expect_error_at(cs, raw, VR::PN, 3);
        EXPECT_EQ(lenient(cs, raw, VR::PN), std::string("abc") + kFffd);
    }
}

TEST(CharsetMalformed, UnknownEscapeSequence) {
    const auto cs = charset("\\ISO 2022 IR 87");
    expect_error_at(cs, "ab\x1B$Zcd", VR::PN, 2);
    EXPECT_EQ(lenient(cs, "ab\x1B$Zcd", VR::PN), std::string("ab") + kFffd + "cd");
    expect_error_at(cs, "ab\x1B\x01", VR::PN, 2);  // a control where the final byte belongs
}

TEST(CharsetMalformed, OldJisEscapeIsReadOnlyLeniently) {
    // ESC $ @ (JIS C 6226-1978) is not in PS3.3 Table C.12-4; lenient reading takes it for
    // JIS X 0208, which it became.
    const auto cs = charset("\\ISO 2022 IR 87");
    expect_error_at(cs, "\x1B$@;3ED\x1B(B", VR::PN, 0);
    EXPECT_EQ(lenient(cs, "\x1B$@;3ED\x1B(B", VR::PN), "山田");
}

TEST(CharsetMalformed, DesignationOfASetNotListed) {
    // ESC $ ) C designates KS X 1001, which "\ISO 2022 IR 87" does not list.
    const auto cs = charset("\\ISO 2022 IR 87");
    const std::string raw = "x\x1B$)C\xC8\xAB";
    expect_error_at(cs, raw, VR::PN, 1);
    EXPECT_EQ(lenient(cs, raw, VR::PN), "x홍");
}

TEST(CharsetMalformed, EscapeSequenceWithoutCodeExtensions) {
    const auto cs = charset("ISO_IR 100");
    const std::string raw = "\xE9\x1B-F\xE9";
    expect_error_at(cs, raw, VR::LO, 1);
    EXPECT_EQ(lenient(cs, raw, VR::LO), "éι");
}

TEST(CharsetMalformed, InvalidUtf8UnderIsoIr192) {
    const auto cs = charset("ISO_IR 192");
    expect_error_at(cs, "\xC3\x28", VR::PN, 0);          // bad continuation byte
    expect_error_at(cs, "ab\xC0\xAF", VR::PN, 2);        // overlong '/'
    expect_error_at(cs, "ab\xED\xA0\x80", VR::PN, 2);    // UTF-16 surrogate
    expect_error_at(cs, "abc\xE4\xB8", VR::PN, 3);       // truncated at the end
    expect_error_at(cs, "\xF4\x90\x80\x80", VR::PN, 0);  // over U+10FFFF
    expect_error_at(cs, "Jos\xE9", VR::PN, 3);           // Latin-1 mislabelled as UTF-8
    EXPECT_EQ(lenient(cs, "Jos\xE9", VR::PN), std::string("Jos") + kFffd);
    EXPECT_EQ(lenient(cs, "a\xE4\xB8z", VR::PN), std::string("a") + kFffd + "z");
}

TEST(CharsetMalformed, OddLengthTwoByteRun) {
    const auto cs = charset("\\ISO 2022 IR 87");
    const std::string raw = "\x1B$B;3E\x1B(B";  // 山 then half of 田
    expect_error_at(cs, raw, VR::PN, 5);
    EXPECT_EQ(lenient(cs, raw, VR::PN), std::string("山") + kFffd);
    expect_error_at(cs, "\x1B$B;3E", VR::PN, 5);  // the value ends inside the character
    expect_error_at(cs, "\x1B$B;\r", VR::LT, 3);  // a control inside the character
}

TEST(CharsetMalformed, TruncatedG1TwoByteCharacter) {
    const auto cs = charset("\\ISO 2022 IR 149");
    expect_error_at(cs, "\x1B$)C\xC8\xAB\xC8", VR::PN, 6);
    expect_error_at(cs,
                    "\x1B$)C\xC8"
                    "A",
                    VR::PN, 4);
    EXPECT_EQ(lenient(cs, "\x1B$)C\xC8\xAB\xC8", VR::PN), std::string("홍") + kFffd);
}

TEST(CharsetMalformed, HighByteWithNothingInG1) {
    // Value 1 empty: G1 holds nothing until an escape sequence designates a set.
    const auto cs = charset("\\ISO 2022 IR 149");
    expect_error_at(cs, "Hong\xC8\xAB", VR::PN, 4);
    // A delimiter takes G1 back to nothing.
    expect_error_at(cs, "\x1B$)C\xC8\xAB^\xC8\xAB", VR::PN, 7);
    EXPECT_EQ(lenient(cs, "Hong\xC8\xAB", VR::PN), std::string("Hong") + kFffd + kFffd);
}

TEST(CharsetMalformed, UnassignedBytesOfASingleByteSet) {
    expect_error_at(charset("ISO_IR 127"), "ab\xA1", VR::LO, 2);    // not a character of ISO 8859-6
    expect_error_at(charset("ISO_IR 166"), "\xA1\xFC", VR::LO, 1);  // TIS 620 ends at 0xFB
    expect_error_at(charset(""), "Jos\xE9", VR::PN, 3);             // ASCII only
    EXPECT_EQ(lenient(charset(""), "Jos\xE9", VR::PN), std::string("Jos") + kFffd);
}

TEST(CharsetMalformed, UnassignedTwoByteCharacter) {
    // Row 0x2F of JIS X 0208 is empty.
    const auto cs = charset("\\ISO 2022 IR 87");
    expect_error_at(cs, "\x1B$B/!\x1B(B", VR::PN, 3);
    EXPECT_EQ(lenient(cs, "\x1B$B/!\x1B(B", VR::PN), kFffd);
}

TEST(CharsetMalformed, Gb18030) {
    const auto cs = charset("GB18030");
    expect_error_at(cs, "Wang\xCD", VR::PN, 4);  // truncated two-byte character
    expect_error_at(cs, "Wang\x80", VR::PN, 4);  // 0x80 is no lead byte
    EXPECT_EQ(lenient(cs, "\x80\xCD\xF5", VR::PN), std::string(kFffd) + "王");
    expect_error_at(charset("GBK"), "\xCD", VR::PN, 0);
}

TEST(CharsetMalformed, NonCharsetVRsAreInTheDefaultRepertoire) {
    // PS3.5 6.1.2.3: CS, AE, UI, ... do not take the Specific Character Set.
    expect_error_at(charset("ISO_IR 100"), "ABC\xE9", VR::CS, 3);
    EXPECT_FALSE(charset("ISO_IR 100").encode("É", VR::CS));
}

TEST(CharsetEncodeErrors, CharacterTheSetCannotHold) {
    auto r = charset("ISO_IR 126").encode("Ωé", VR::PN);  // no é in ISO 8859-7
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::CharsetError);
    EXPECT_EQ(r.error().offset, 2u);
    EXPECT_NE(r.error().message.find("U+00E9"), std::string::npos) << r.error().message;

    r = charset("ISO_IR 100").encode("Yamada^山田", VR::PN);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, 7u);

    r = charset("\\ISO 2022 IR 87").encode("山田^홍", VR::PN);  // no Hangul in JIS X 0208
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, 7u);

    r = charset("GB18030").encode("ok", VR::PN);
    ASSERT_TRUE(r);
    r = charset("GBK").encode("\xF0\x9F\x98\x80", VR::PN);  // U+1F600 is not in GBK
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, 0u);
}

TEST(CharsetEncodeErrors, InvalidUtf8Input) {
    for (const char* term : {"ISO_IR 192", "ISO_IR 100", "\\ISO 2022 IR 87", "GB18030"}) {
        auto r = charset(term).encode("ab\xFF", VR::LO);
        ASSERT_FALSE(r) << term;
        EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(r.error().offset, 2u);
    }
}

TEST(CharsetEncodeErrors, EscapeCharacterInText) {
    auto r = charset("\\ISO 2022 IR 87").encode("a\x1B$Bb", VR::LT);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, 1u);
}

}  // namespace
}  // namespace dicomkit::test
