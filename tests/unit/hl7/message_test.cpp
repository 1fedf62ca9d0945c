#include <gtest/gtest.h>

#include <dicomkit/hl7/message.hpp>

#include "hl7_test_util.hpp"

namespace dicomkit::hl7 {
namespace {

TEST(Hl7Message, FieldsComponentsRepetitionsOneBased) {
    auto m = parse("MSH|^~\\&|RIS|HOSP|DK|RAD|20261206||ORM^O01|C1|P|2.5\r"
                   "PID|1||A1^^^AUTH&1.2.3&ISO^MR~B2^^^OTHER||Doe^John^Q||19700101|M\r");
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->value("MSH", 1), "|");
    EXPECT_EQ(m->value("MSH", 2), "^~\\&");
    EXPECT_EQ(m->value("MSH", 3), "RIS");
    EXPECT_EQ(m->message_type(), "ORM");
    EXPECT_EQ(m->trigger_event(), "O01");
    EXPECT_EQ(m->control_id(), "C1");
    EXPECT_EQ(m->version(), "2.5");
    const Segment* pid = m->find("PID");
    ASSERT_NE(pid, nullptr);
    EXPECT_EQ(pid->index(), 2u);
    EXPECT_EQ(m->value(*pid, 3), "A1");
    EXPECT_EQ(m->value(*pid, 3, 1, 4, 1), "AUTH");
    EXPECT_EQ(m->value(*pid, 3, 1, 4, 2), "1.2.3");
    EXPECT_EQ(m->value(*pid, 3, 2, 1), "B2");
    EXPECT_EQ(m->value(*pid, 3, 2, 4), "OTHER");
    EXPECT_EQ(m->repetitions(*pid, 3), 2u);
    EXPECT_EQ(m->value(*pid, 5, 1, 2), "John");
    EXPECT_EQ(m->value(*pid, 99), "");
    EXPECT_EQ(m->value(*pid, 5, 3), "");
}

TEST(Hl7Message, OtherDelimitersAndLineEnds) {
    // '#' as field separator, LF and CRLF between segments, a truncation character (v2.7).
    auto m = parse("MSH#$*@%!#A#B\r\nPID#1##X$Y%Z\nZZZ#a\r\n\r\n");
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->delimiters().field, '#');
    EXPECT_EQ(m->delimiters().component, '$');
    EXPECT_EQ(m->delimiters().repetition, '*');
    EXPECT_EQ(m->delimiters().escape, '@');
    EXPECT_EQ(m->delimiters().subcomponent, '%');
    EXPECT_EQ(m->delimiters().truncation, '!');
    EXPECT_EQ(m->segments().size(), 3u);
    EXPECT_EQ(m->value("MSH", 3), "A");
    EXPECT_EQ(m->value("PID", 3, 1, 2, 2), "Z");
    EXPECT_EQ(m->value("ZZZ", 1), "a");
}

TEST(Hl7Message, EscapeSequences) {
    Delimiters d;
    EXPECT_EQ(unescape("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f", d), "a|b^c&d~e\\f");
    EXPECT_EQ(unescape("line1\\.br\\line2", d), "line1\r\nline2");
    EXPECT_EQ(unescape("\\H\\bold\\N\\", d), "bold");
    EXPECT_EQ(unescape("\\X4142\\", d), "AB");
    EXPECT_EQ(unescape("caf\\XC3A9\\", d, "ISO_IR 192"), "caf\xC3\xA9");
    EXPECT_EQ(unescape("caf\\XE9\\", d, "ISO_IR 100"), "caf\xC3\xA9");
    EXPECT_EQ(unescape("keep \\Q\\ and \\ end", d), "keep \\Q\\ and \\ end");
    EXPECT_EQ(escape("a|b^c&d~e\\f", d), "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f");
    EXPECT_EQ(unescape(escape("x|y^z\\w", d), d), "x|y^z\\w");
    auto m = parse("MSH|^~\\&|A\\T\\B|H\rOBX|1|TX|||first\\.br\\second \\F\\ third\r");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->value("MSH", 3), "A&B");
    EXPECT_EQ(m->value("OBX", 5), "first\r\nsecond | third");
}

TEST(Hl7Message, CharacterSetsDecodeToUtf8) {
    auto latin = parse(test::sample("orm_o01_nw.hl7"));
    ASSERT_TRUE(latin) << latin.error().to_string();
    EXPECT_EQ(latin->charset(), "8859/1");
    EXPECT_EQ(latin->value("PID", 5), "M\xC3\xBCller");
    auto utf8 = parse(test::sample("omi_o23_nw.hl7"));
    ASSERT_TRUE(utf8) << utf8.error().to_string();
    EXPECT_EQ(utf8->value("PID", 5), "\xE5\xB1\xB1\xE7\x94\xB0");
    // 8859/5 (Cyrillic): 0xC1 is U+0421.
    auto cyr = parse(std::string("MSH|^~\\&|A|||||||||||||||8859/5\rPID|||\xC1\r"));
    ASSERT_TRUE(cyr) << cyr.error().to_string();
    EXPECT_EQ(cyr->value("PID", 3), "\xD0\xA1");
    // No MSH-18: UTF-8 when the bytes are, else ISO 8859-1.
    EXPECT_EQ(parse("MSH|^~\\&|A\rPID|||\xC3\xA9\r")->value("PID", 3), "\xC3\xA9");
    EXPECT_EQ(parse("MSH|^~\\&|A\rPID|||\xE9\r")->value("PID", 3), "\xC3\xA9");
}

TEST(Hl7Message, CharacterSetErrorsAreClear) {
    auto ascii = parse("MSH|^~\\&|A|||||||||||||||ASCII\rPID|||\xE9\r");
    ASSERT_FALSE(ascii);
    EXPECT_EQ(ascii.error().code, ErrorCode::CharsetError);
    EXPECT_NE(ascii.error().message.find("segment 2"), std::string::npos) << ascii.error().message;
    auto bad_utf8 = parse("MSH|^~\\&|A|||||||||||||||UNICODE UTF-8\rPID|||\xE9\r");
    ASSERT_FALSE(bad_utf8);
    EXPECT_EQ(bad_utf8.error().code, ErrorCode::CharsetError);
    auto other = parse("MSH|^~\\&|A|||||||||||||||ISO IR87\rPID|||x\r");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::Unsupported);
    EXPECT_NE(other.error().message.find("ISO IR87"), std::string::npos);
}

TEST(Hl7Message, BrokenMessagesNameTheSegment) {
    auto no_msh = parse("PID|1\r");
    ASSERT_FALSE(no_msh);
    EXPECT_NE(no_msh.error().message.find("segment 1"), std::string::npos);
    auto bad_sep = parse("MSHA^~\\&|x\r");
    ASSERT_FALSE(bad_sep);
    EXPECT_NE(bad_sep.error().message.find("MSH-1"), std::string::npos);
    auto dup = parse("MSH|^^\\&|x\r");
    ASSERT_FALSE(dup);
    EXPECT_NE(dup.error().message.find("MSH-2"), std::string::npos);
    auto bad_id = parse("MSH|^~\\&|x\rPID|1\rpv1|2\r");
    ASSERT_FALSE(bad_id);
    EXPECT_NE(bad_id.error().message.find("segment 3"), std::string::npos) << bad_id.error().message;
    auto second_msh = parse("MSH|^~\\&|x\rMSH|^~\\&|y\r");
    ASSERT_FALSE(second_msh);
    EXPECT_FALSE(parse(""));
    EXPECT_FALSE(parse("MSH"));
}

ParseLimits limits(std::size_t bytes, std::size_t segments, std::size_t fields) {
    ParseLimits l;
    l.max_message_bytes = bytes;
    l.max_segments = segments;
    l.max_fields = fields;
    return l;
}

TEST(Hl7Message, Limits) {
    std::string big = "MSH|^~\\&|A\rNTE|1||" + std::string(2000, 'x') + "\r";
    auto r = parse(big, limits(1000, 10000, 1000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
    std::string many = "MSH|^~\\&|A\r";
    for (int i = 0; i < 20; ++i) many += "NTE|1\r";
    auto s = parse(many, limits(1 << 20, 10, 1000));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::LimitExceeded);
    auto f = parse("MSH|^~\\&|A\rNTE" + std::string(50, '|') + "\r", limits(1 << 20, 10000, 20));
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, ErrorCode::LimitExceeded);
    EXPECT_NE(f.error().message.find("segment 2 (NTE)"), std::string::npos) << f.error().message;
}

}  // namespace
}  // namespace dicomkit::hl7
