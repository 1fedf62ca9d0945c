// The building blocks of the JSON and XML models: base64, numbers, tag keys and paths, the
// encapsulated Value Field, value splitting in multi-byte character sets.
#include <gtest/gtest.h>

#include <dicomkit/json/detail/base64.hpp>
#include <dicomkit/json/detail/encapsulated.hpp>
#include <dicomkit/json/detail/numbers.hpp>
#include <dicomkit/json/detail/tag_path.hpp>
#include <dicomkit/json/detail/text_codec.hpp>
#include <dicomkit/json/json.hpp>

#include "sample_data.hpp"

using namespace dicomkit;
using namespace dicomkit::json;
using namespace dicomkit::json::detail;
using namespace std::literals;

namespace {

std::string b64(std::initializer_list<std::uint8_t> bytes) {
    std::string out;
    Bytes b(bytes);
    append_base64(out, b);
    return out;
}

std::string text_of(VR vr, std::initializer_list<std::uint8_t> le) {
    NumberBuffer buf;
    Bytes b(le);
    return std::string(format_binary_value(vr, b.data(), buf, NumberStyle::Json).text);
}

Bytes parsed(VR vr, std::string_view text) {
    Bytes out;
    auto r = append_binary_from_text(vr, text, out);
    EXPECT_TRUE(r) << text << ": " << r.error().to_string();
    return out;
}

ErrorCode parse_error(VR vr, std::string_view text) {
    Bytes out;
    auto r = append_binary_from_text(vr, text, out);
    return r ? ErrorCode::Ok : r.error().code;
}

}  // namespace

TEST(Base64, Rfc4648Vectors) {
    EXPECT_EQ(b64({}), "");
    EXPECT_EQ(b64({'f'}), "Zg==");
    EXPECT_EQ(b64({'f', 'o'}), "Zm8=");
    EXPECT_EQ(b64({'f', 'o', 'o'}), "Zm9v");
    EXPECT_EQ(b64({'f', 'o', 'o', 'b', 'a', 'r'}), "Zm9vYmFy");
    EXPECT_EQ(b64({0xFF, 0xFE, 0xFD}), "//79");
    EXPECT_EQ(decode_base64("Zm9vYmE=").value(), (Bytes{'f', 'o', 'o', 'b', 'a'}));
    EXPECT_EQ(decode_base64("Zm9v\nYmFy\r\n").value(), (Bytes{'f', 'o', 'o', 'b', 'a', 'r'}));
    EXPECT_EQ(decode_base64("").value(), Bytes{});
    for (const char* bad : {"Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9v!mFy", "Zm-v", "=Zg="}) {
        auto r = decode_base64(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::InvalidValue) << bad;
    }
}

TEST(Numbers, FormatEveryVR) {
    EXPECT_EQ(text_of(VR::US, {0x00, 0x02}), "512");
    EXPECT_EQ(text_of(VR::SS, {0xFF, 0xFF}), "-1");
    EXPECT_EQ(text_of(VR::UL, {0xFF, 0xFF, 0xFF, 0xFF}), "4294967295");
    EXPECT_EQ(text_of(VR::SL, {0x00, 0x00, 0x00, 0x80}), "-2147483648");
    EXPECT_EQ(text_of(VR::FL, {0x00, 0x00, 0xC0, 0x3F}), "1.5");
    EXPECT_EQ(text_of(VR::FD, {0, 0, 0, 0, 0, 0, 0xF0, 0xBF}), "-1");
    EXPECT_EQ(text_of(VR::AT, {0x08, 0x00, 0x05, 0x00}), "00080005");
    NumberBuffer buf;
    Bytes big{0, 0, 0, 0, 0, 0, 0x20, 0x00};  // 2^53 exactly: still a JSON number
    EXPECT_TRUE(format_binary_value(VR::UV, big.data(), buf, NumberStyle::Json).json_number);
    big[0] = 1;  // 2^53 + 1: a string
    EXPECT_FALSE(format_binary_value(VR::UV, big.data(), buf, NumberStyle::Json).json_number);
    Bytes inf{0, 0, 0x80, 0xFF};
    EXPECT_EQ(format_binary_value(VR::FL, inf.data(), buf, NumberStyle::Json).text, "-Infinity");
    EXPECT_EQ(format_binary_value(VR::FL, inf.data(), buf, NumberStyle::Xml).text, "-INF");
}

TEST(Numbers, ParseWithRangeChecks) {
    EXPECT_EQ(parsed(VR::US, "512"), (Bytes{0x00, 0x02}));
    EXPECT_EQ(parsed(VR::US, " +7 "), (Bytes{7, 0}));
    EXPECT_EQ(parsed(VR::US, "5e1"), (Bytes{50, 0}));
    EXPECT_EQ(parsed(VR::SS, "-32768"), (Bytes{0x00, 0x80}));
    EXPECT_EQ(parsed(VR::SV, "-9223372036854775808"), (Bytes{0, 0, 0, 0, 0, 0, 0, 0x80}));
    EXPECT_EQ(parsed(VR::UV, "18446744073709551615"), Bytes(8, 0xFF));
    EXPECT_EQ(parsed(VR::FL, "0.5"), (Bytes{0, 0, 0, 0x3F}));
    EXPECT_EQ(parsed(VR::FD, "-Infinity"), (Bytes{0, 0, 0, 0, 0, 0, 0xF0, 0xFF}));
    EXPECT_EQ(parsed(VR::AT, "7FE00010"), (Bytes{0xE0, 0x7F, 0x10, 0x00}));
    EXPECT_EQ(parse_error(VR::US, "65536"), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::US, "-1"), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::SS, "32768"), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::UL, "1.5"), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::SL, ""), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::UV, "18446744073709551616"), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::SV, "1e19"), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::FL, "1e39"), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::FD, "1,5"), ErrorCode::InvalidValue);
    EXPECT_EQ(parse_error(VR::AT, "(0010,0010)"), ErrorCode::InvalidValue);
}

TEST(Numbers, JsonGrammarAndISDS) {
    for (const char* ok : {"0", "-0", "12", "1.50", "-3e2", "1E+2", "0.5e-3"})
        EXPECT_TRUE(is_json_number_text(ok)) << ok;
    for (const char* no : {"", "+3", "007", ".5", "5.", "1e", "0x10", "1 ", "NaN", "--1"})
        EXPECT_FALSE(is_json_number_text(no)) << no;
    EXPECT_TRUE(is_json_integer_text("-12"));
    EXPECT_FALSE(is_json_integer_text("1.0"));
    EXPECT_EQ(integer_string_from_number("42").value(), "42");
    EXPECT_EQ(integer_string_from_number("1e3").value(), "1000");
    EXPECT_EQ(integer_string_from_number("2147483648").error().code, ErrorCode::InvalidValue);
    EXPECT_EQ(integer_string_from_number("0.5").error().code, ErrorCode::InvalidValue);
    EXPECT_EQ(decimal_string_from_number("1.2345678901234").value(), "1.2345678901234");
    EXPECT_LE(decimal_string_from_number("3.14159265358979323846").value().size(), 16u);
}

TEST(TagKeys, ParseAndPaths) {
    EXPECT_EQ(parse_tag_key("7FE00010"), Tag(0x7FE0, 0x0010));
    EXPECT_EQ(parse_tag_key("7fe00010"), Tag(0x7FE0, 0x0010));
    EXPECT_FALSE(parse_tag_key("7FE0001"));
    EXPECT_FALSE(parse_tag_key("7FE000100"));
    EXPECT_FALSE(parse_tag_key("(7FE0,0010)"));
    EXPECT_FALSE(parse_tag_key("7FE0001G"));
    TagPath path;
    path.push(Tag(0x0008, 0x1140));
    path.push_item(0);
    path.push(Tag(0x0008, 0x1155));
    EXPECT_EQ(path.str(), "(0008,1140)[0].(0008,1155)");
    path.pop();
    path.pop();
    path.push_item(12);
    EXPECT_EQ(path.str(), "(0008,1140)[12]");
    path.pop();
    path.pop();
    EXPECT_EQ(path.str(), "");
}

TEST(Encapsulated, WriteAndParse) {
    PixelFragments f;
    f.basic_offset_table = {0, 0, 0, 0};
    f.fragments = {{1, 2}, {}};
    Bytes b;
    append_encapsulated(b, f);
    ASSERT_EQ(b.size(), 8u + 4 + 8 + 2 + 8 + 8);
    EXPECT_EQ(parse_encapsulated(b), f);
    // Without the trailing delimiter it is still read; anything else is not encapsulated.
    Bytes no_delimiter(b.begin(), b.end() - 8);
    EXPECT_EQ(parse_encapsulated(no_delimiter), f);
    Bytes truncated(b.begin(), b.end() - 12);
    EXPECT_FALSE(parse_encapsulated(truncated));
    Bytes trailing = b;
    trailing.push_back(0);
    EXPECT_FALSE(parse_encapsulated(trailing));
    EXPECT_FALSE(parse_encapsulated(Bytes{0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0x7F}));
    EXPECT_FALSE(parse_encapsulated(Bytes{}));
}

TEST(TextCodec, TrimPerVR) {
    EXPECT_EQ(trim_value("  a b  ", VR::LO), "a b");
    EXPECT_EQ(trim_value("  a b  ", VR::LT), "  a b");
    EXPECT_EQ(trim_value("1.2\0"sv, VR::UI), "1.2");
    EXPECT_TRUE(is_plain_ascii("abc"));
    EXPECT_FALSE(is_plain_ascii("a\x1B$Bb"));
    EXPECT_FALSE(is_plain_ascii("\xC3\xA9"));
}

// The JIS X 0208 character 0x30 0x5C contains the byte of '\' while G0 holds the two-byte set:
// it is not a value delimiter (PS3.5 6.1.2.5.3, ISO 2022 IR 87).
TEST(TextCodec, SplitsIso2022ValuesOnlyAtRealDelimiters) {
    using test::make;
    using test::str;
    std::string value = "A\\\x1B$B\x30\x5C\x1B(B\\B";
    DataSet ds =
        make({str(0x00080005, VR::CS, "\\ISO 2022 IR 87"), str(0x00081030, VR::LO, value)});
    auto text = to_json(ds);
    ASSERT_TRUE(text) << text.error().to_string();
    EXPECT_NE(text->find("\"Value\":[\"A\",\"\xE7\xA7\xBB\",\"B\"]"), std::string::npos) << *text;
    auto back = from_json(*text);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_TRUE(*back == ds);
}

// GB18030: 0x81 0x5C is one character whose trail byte is 0x5C.
TEST(TextCodec, SplitsGb18030ValuesOnlyAtRealDelimiters) {
    using test::make;
    using test::str;
    DataSet ds = make({str(0x00080005, VR::CS, "GB18030"), str(0x00081030, VR::LO, "\x81\x5C\\x")});
    auto text = to_json(ds);
    ASSERT_TRUE(text) << text.error().to_string();
    EXPECT_NE(text->find("\"Value\":[\"\xE4\xB9\x97\",\"x\"]"), std::string::npos) << *text;
}
