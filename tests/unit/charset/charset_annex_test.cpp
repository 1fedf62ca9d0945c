// The examples of PS3.5 Annexes H (Japanese), I (Korean), J (UTF-8, GB18030, GBK) and K
// (ISO 2022 IR 58), in both directions, with the bytes the standard lists.
#include "charset_test_util.hpp"

namespace dicomkit::test {
namespace {

// PS3.5 Example H.3-1: value 1 empty, ISO 2022 IR 87; JIS X 0208 in G0, back to ISO-IR 6
// (ESC 02/08 04/02) before each delimiter and at the end.
const std::string kH31 = bytes(
    {0x59, 0x61, 0x6D, 0x61, 0x64, 0x61, 0x5E, 0x54, 0x61, 0x72, 0x6F, 0x75, 0x3D, 0x1B, 0x24,
     0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F,
     0x3A, 0x1B, 0x28, 0x42, 0x3D, 0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B,
     0x28, 0x42, 0x5E, 0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x42});
const char* const kH31Text = "Yamada^Tarou=山田^太郎=やまだ^たろう";

TEST(CharsetAnnexH, Example1DecodesToTheCharacterString) {
    EXPECT_EQ(decoded(charset("\\ISO 2022 IR 87"), kH31, VR::PN), kH31Text);
}

TEST(CharsetAnnexH, Example1EncodesToTheListedBytes) {
    EXPECT_EQ(encoded(charset("\\ISO 2022 IR 87"), kH31Text, VR::PN), kH31);
}

// PS3.5 Example H.3-2: value 1 ISO 2022 IR 13, so JIS X 0201 katakana sits in G1 from the start
// and the return to G0 is ISO-IR 14 romaji (ESC 02/08 04/10).
const std::string kH32 =
    bytes({0xD4, 0xCF, 0xC0, 0xDE, 0x5E, 0xC0, 0xDB, 0xB3, 0x3D, 0x1B, 0x24, 0x42, 0x3B, 0x33,
           0x45, 0x44, 0x1B, 0x28, 0x4A, 0x5E, 0x1B, 0x24, 0x42, 0x42, 0x40, 0x4F, 0x3A, 0x1B,
           0x28, 0x4A, 0x3D, 0x1B, 0x24, 0x42, 0x24, 0x64, 0x24, 0x5E, 0x24, 0x40, 0x1B, 0x28,
           0x4A, 0x5E, 0x1B, 0x24, 0x42, 0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26, 0x1B, 0x28, 0x4A});
const char* const kH32Text = "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう";

TEST(CharsetAnnexH, Example2DecodesToTheCharacterString) {
    EXPECT_EQ(decoded(charset("ISO 2022 IR 13\\ISO 2022 IR 87"), kH32, VR::PN), kH32Text);
}

TEST(CharsetAnnexH, Example2EncodesToTheListedBytes) {
    EXPECT_EQ(encoded(charset("ISO 2022 IR 13\\ISO 2022 IR 87"), kH32Text, VR::PN), kH32);
}

// PS3.5 Example I.2-1: KS X 1001 designated to G1 (ESC 02/04 02/09 04/03) in each component
// that uses it; no escape back, as G1 has no initial designation.
const std::string kI2 =
    bytes({0x48, 0x6F, 0x6E, 0x67, 0x5E, 0x47, 0x69, 0x6C, 0x64, 0x6F, 0x6E, 0x67, 0x3D, 0x1B, 0x24,
           0x29, 0x43, 0xFB, 0xF3, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xD1, 0xCE, 0xD4, 0xD7, 0x3D, 0x1B,
           0x24, 0x29, 0x43, 0xC8, 0xAB, 0x5E, 0x1B, 0x24, 0x29, 0x43, 0xB1, 0xE6, 0xB5, 0xBF});
const char* const kI2Text = "Hong^Gildong=洪^吉洞=홍^길동";

TEST(CharsetAnnexI, PersonNameDecodes) {
    EXPECT_EQ(decoded(charset("\\ISO 2022 IR 149"), kI2, VR::PN), kI2Text);
}

TEST(CharsetAnnexI, PersonNameEncodesToTheListedBytes) {
    EXPECT_EQ(encoded(charset("\\ISO 2022 IR 149"), kI2Text, VR::PN), kI2);
}

// PS3.5 Example I.3-1 (LT): the standard shows the escape sequence at the head of each line and
// lists no bytes; these are its Encoded String with 한 = C7 D1, 글 = B1 DB (KS X 1001) and CR LF
// line ends.
const std::string kI3 =
    "\x1B$)CThe first line includes \xC7\xD1\xB1\xDB.\r\n"
    "\x1B$)CThe second line includes \xC7\xD1\xB1\xDB, too.\r\n"
    "The third line";
const char* const kI3Text =
    "The first line includes 한글.\r\nThe second line includes 한글, too.\r\n"
    "The third line";

TEST(CharsetAnnexI, LongTextDecodes) {
    EXPECT_EQ(decoded(charset("\\ISO 2022 IR 149"), kI3, VR::LT), kI3Text);
}

TEST(CharsetAnnexI, LongTextEncodesWithTheEscapeBeforeTheFirstHangul) {
    // The encoder designates a set where it is first needed (as Example K.3-1 does), so its
    // bytes differ from Example I.3-1 only in where each line's escape sequence stands.
    const auto cs = charset("\\ISO 2022 IR 149");
    const std::string expected =
        "The first line includes \x1B$)C\xC7\xD1\xB1\xDB.\r\n"
        "The second line includes \x1B$)C\xC7\xD1\xB1\xDB, too.\r\n"
        "The third line";
    EXPECT_EQ(encoded(cs, kI3Text, VR::LT), expected);
    EXPECT_EQ(decoded(cs, expected, VR::LT), kI3Text);
}

// PS3.5 Example J.1-1 (ISO_IR 192, traditional script): the bytes of the chrX1 sample, which
// carries this example, without its padding.
const std::string kJ1 =
    bytes({0x57, 0x61, 0x6e, 0x67, 0x5e, 0x58, 0x69, 0x61, 0x6f, 0x44, 0x6f, 0x6e, 0x67,
           0x3d, 0xe7, 0x8e, 0x8b, 0x5e, 0xe5, 0xb0, 0x8f, 0xe6, 0x9d, 0xb1, 0x3d});

TEST(CharsetAnnexJ, Utf8PersonNameBothWays) {
    const auto cs = charset("ISO_IR 192");
    EXPECT_EQ(decoded(cs, kJ1, VR::PN), "Wang^XiaoDong=王^小東=");
    EXPECT_EQ(encoded(cs, "Wang^XiaoDong=王^小東=", VR::PN), kJ1);
}

// PS3.5 Example J.2-1: Long Text in UTF-8.
const std::string kJ2 =
    bytes({0x54, 0x68, 0x65, 0x20, 0x66, 0x69, 0x72, 0x73, 0x74, 0x20, 0x6c, 0x69, 0x6e, 0x65, 0x20,
           0x69, 0x6e, 0x63, 0x6c, 0x75, 0x64, 0x65, 0x73, 0xe4, 0xb8, 0xad, 0xe6, 0x96, 0x87, 0x2e,
           0x0d, 0x0a, 0x54, 0x68, 0x65, 0x20, 0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64, 0x20, 0x6c, 0x69,
           0x6e, 0x65, 0x20, 0x69, 0x6e, 0x63, 0x6c, 0x75, 0x64, 0x65, 0x73, 0xe4, 0xb8, 0xad, 0xe6,
           0x96, 0x87, 0x2c, 0x20, 0x74, 0x6f, 0x6f, 0x2e, 0x0d, 0x0a, 0x54, 0x68, 0x65, 0x20, 0x74,
           0x68, 0x69, 0x72, 0x64, 0x20, 0x6c, 0x69, 0x6e, 0x65, 0x2e, 0x0d, 0x0a});
const char* const kChineseText =
    "The first line includes中文.\r\nThe second line includes中文, too.\r\n"
    "The third line.\r\n";

TEST(CharsetAnnexJ, Utf8LongTextBothWays) {
    const auto cs = charset("ISO_IR 192");
    EXPECT_EQ(decoded(cs, kJ2, VR::LT), kChineseText);
    EXPECT_EQ(encoded(cs, kChineseText, VR::LT), kJ2);
}

// PS3.5 Example J.3-1: GB18030 person name. Annex J notes that these examples, being in the area
// GB18030 and GBK share, serve for GBK as well.
const std::string kJ3 = bytes({0x57, 0x61, 0x6e, 0x67, 0x5e, 0x58, 0x69, 0x61, 0x6f, 0x44, 0x6f,
                               0x6e, 0x67, 0x3d, 0xcd, 0xf5, 0x5e, 0xd0, 0xa1, 0xb6, 0xab, 0x3d});
const char* const kJ3Text = "Wang^XiaoDong=王^小东=";

TEST(CharsetAnnexJ, Gb18030PersonNameBothWays) {
    const auto cs = charset("GB18030");
    EXPECT_EQ(decoded(cs, kJ3, VR::PN), kJ3Text);
    EXPECT_EQ(encoded(cs, kJ3Text, VR::PN), kJ3);
}

TEST(CharsetAnnexJ, GbkPersonNameBothWays) {
    const auto cs = charset("GBK");
    EXPECT_EQ(decoded(cs, kJ3, VR::PN), kJ3Text);
    EXPECT_EQ(encoded(cs, kJ3Text, VR::PN), kJ3);
}

// PS3.5 Example J.4-1: GB18030 Long Text (中 = D6 D0, 文 = CE C4).
const std::string kJ4 =
    bytes({0x54, 0x68, 0x65, 0x20, 0x66, 0x69, 0x72, 0x73, 0x74, 0x20, 0x6c, 0x69, 0x6e, 0x65,
           0x20, 0x69, 0x6e, 0x63, 0x6c, 0x75, 0x64, 0x65, 0x73, 0xd6, 0xd0, 0xce, 0xc4, 0x2e,
           0x0d, 0x0a, 0x54, 0x68, 0x65, 0x20, 0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64, 0x20, 0x6c,
           0x69, 0x6e, 0x65, 0x20, 0x69, 0x6e, 0x63, 0x6c, 0x75, 0x64, 0x65, 0x73, 0xd6, 0xd0,
           0xce, 0xc4, 0x2c, 0x20, 0x74, 0x6f, 0x6f, 0x2e, 0x0d, 0x0a, 0x54, 0x68, 0x65, 0x20,
           0x74, 0x68, 0x69, 0x72, 0x64, 0x20, 0x6c, 0x69, 0x6e, 0x65, 0x2e, 0x0d, 0x0a});

TEST(CharsetAnnexJ, Gb18030AndGbkLongTextBothWays) {
    for (const char* term : {"GB18030", "GBK"}) {
        const auto cs = charset(term);
        EXPECT_EQ(decoded(cs, kJ4, VR::LT), kChineseText) << term;
        EXPECT_EQ(encoded(cs, kChineseText, VR::LT), kJ4) << term;
    }
}

// PS3.5 Example K.2-1: GB 2312 in G1 (ESC 02/04 02/09 04/01), re-designated in each component;
// the listed bytes end with the padding SPACE.
const std::string kK2 = bytes({0x5A, 0x68, 0x61, 0x6E, 0x67, 0x5E, 0x58, 0x69, 0x61, 0x6F, 0x44,
                               0x6F, 0x6E, 0x67, 0x3D, 0x1B, 0x24, 0x29, 0x41, 0xD5, 0xC5, 0x5E,
                               0x1B, 0x24, 0x29, 0x41, 0xD0, 0xA1, 0xB6, 0xAB, 0x3D, 0x20});
const char* const kK2Text = "Zhang^XiaoDong=张^小东=";

TEST(CharsetAnnexK, PersonNameDecodes) {
    EXPECT_EQ(decoded(charset("\\ISO 2022 IR 58"), kK2, VR::PN), std::string(kK2Text) + " ");
}

TEST(CharsetAnnexK, PersonNameEncodesToTheListedBytesBarThePadding) {
    EXPECT_EQ(encoded(charset("\\ISO 2022 IR 58"), kK2Text, VR::PN), kK2.substr(0, kK2.size() - 1));
}

// PS3.5 Example K.3-1: three lines, each designating GB 2312 to G1 again after CR LF.
const std::string kK3 = bytes(
    {0x31, 0x2e, 0x1B, 0x24, 0x29, 0x41, 0xB5, 0xDA, 0xD2, 0xBB, 0xD0, 0xD0, 0xCE, 0xC4, 0xD7,
     0xD6, 0xA1, 0xA3, 0x0D, 0x0A, 0x32, 0x2e, 0x1B, 0x24, 0x29, 0x41, 0xB5, 0xDA, 0xB6, 0xFE,
     0xD0, 0xD0, 0xCE, 0xC4, 0xD7, 0xD6, 0xA1, 0xA3, 0x0D, 0x0A, 0x33, 0x2e, 0x1B, 0x24, 0x29,
     0x41, 0xB5, 0xDA, 0xC8, 0xFD, 0xD0, 0xD0, 0xCE, 0xC4, 0xD7, 0xD6, 0xA1, 0xA3, 0x0D, 0x0A});
const char* const kK3Text = "1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n";

TEST(CharsetAnnexK, LongTextBothWays) {
    const auto cs = charset("\\ISO 2022 IR 58");
    EXPECT_EQ(decoded(cs, kK3, VR::LT), kK3Text);
    EXPECT_EQ(encoded(cs, kK3Text, VR::LT), kK3);
}

TEST(CharsetAnnexK, LongTextOfThe2015EditionWithExplicitReturnsToAscii) {
    // Earlier editions listed ESC 02/08 04/02 before each CR LF and a padding SPACE.
    std::string older;
    const std::string line_end = bytes({0x1B, 0x28, 0x42, 0x0D, 0x0A});
    for (const char* line : {"1.\x1B$)A\xB5\xDA\xD2\xBB\xD0\xD0\xCE\xC4\xD7\xD6\xA1\xA3",
                             "2.\x1B$)A\xB5\xDA\xB6\xFE\xD0\xD0\xCE\xC4\xD7\xD6\xA1\xA3",
                             "3.\x1B$)A\xB5\xDA\xC8\xFD\xD0\xD0\xCE\xC4\xD7\xD6\xA1\xA3"})
        older += line + line_end;
    older += ' ';
    EXPECT_EQ(decoded(charset("\\ISO 2022 IR 58"), older, VR::LT), std::string(kK3Text) + " ");
}

}  // namespace
}  // namespace dicomkit::test

TEST(CharsetValues, SplitsAfterDecodingSoTwoByteCharactersSurvive) {
    // JIS X 0208 row 41 cell 60 is 府 (bytes 49 5C): its second byte is the backslash.
    auto cs = dicomkit::SpecificCharacterSet::parse("\\ISO 2022 IR 87");
    ASSERT_TRUE(cs);
    std::string value = "A\x1b$B\x49\x5c\x1b(B\\B";  // "A府" then value 2 "B"
    auto values = cs->decode_values(value, dicomkit::VR::LO);
    ASSERT_TRUE(values) << values.error().to_string();
    ASSERT_EQ(values->size(), 2u);
    EXPECT_EQ((*values)[0], "A\xe5\xba\x9c");  // 府
    EXPECT_EQ((*values)[1], "B");
    auto one = cs->decode_values("text\\with backslash ", dicomkit::VR::LT);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->size(), 1u);
}
