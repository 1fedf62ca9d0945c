// from_json: round trips, character sets, bulk data and malformed input with its error context.
#include <dicomkit/json/json.hpp>

#include <gtest/gtest.h>

#include "sample_data.hpp"

using namespace dicomkit;
using namespace dicomkit::json;
using namespace dicomkit::json::test;

namespace {

/// The first difference between two data sets, for readable failures.
std::string first_difference(const DataSet& a, const DataSet& b) {
    for (const Element& e : a) {
        const Element* o = b.find(e.tag());
        if (!o) return fmt::format("{} missing", e.tag());
        if (!(e == *o)) return fmt::format("{} differs", e.tag());
    }
    for (const Element& e : b)
        if (!a.find(e.tag())) return fmt::format("{} extra", e.tag());
    return "";
}

Error read_error(std::string_view text, JsonReadOptions options = {}) {
    auto r = from_json(text, options);
    EXPECT_FALSE(r) << "accepted: " << text;
    return r ? Error() : r.error();
}

}  // namespace

TEST(JsonRead, RoundTripEverythingCompactAndPretty) {
    DataSet ds = everything();
    for (int indent : {0, 2}) {
        auto text = to_json(ds, {.indent = indent});
        ASSERT_TRUE(text) << text.error().to_string();
        auto back = from_json(*text);
        ASSERT_TRUE(back) << back.error().to_string();
        EXPECT_EQ(first_difference(ds, *back), "");
        EXPECT_TRUE(*back == ds);
        // A second pass writes the very same text.
        EXPECT_EQ(to_json(*back, {.indent = indent}).value(), *text);
    }
}

TEST(JsonRead, RoundTripEncapsulatedPixelData) {
    PixelFragments f;
    f.basic_offset_table = {0, 0, 0, 0};
    f.fragments = {{1, 2, 3, 4}, {5, 6}};
    DataSet ds = make({Element(Tag(0x7FE00010), VR::OB, f)});
    auto back = from_json(to_json(ds).value());
    ASSERT_TRUE(back) << back.error().to_string();
    ASSERT_TRUE(back->find(Tag(0x7FE00010))->is_fragments());
    EXPECT_EQ(back->find(Tag(0x7FE00010))->fragments(), f);
}

TEST(JsonRead, ValuesAsOtherWritersSpellThem) {
    auto ds = from_json(R"({
        "00200013": {"vr": "IS", "Value": [1e3, "42", 7]},
        "00281050": {"vr": "DS", "Value": [0.12345678901234567890, "+3", null]},
        "00280010": {"vr": "US", "Value": [5.0, "6"]},
        "00720082": {"vr": "SV", "Value": ["-9223372036854775808", 12]},
        "00100010": {"vr": "PN", "Value": ["Doe^John", {}, {"Phonetic": "dou"}]},
        "00100020": {"vr": "LO"},
        "00081032": {"vr": "SQ", "Value": []},
        "00189087": {"vr": "FD", "Value": ["NaN", "-Infinity", 1E2]}
    })");
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->find(Tag(0x00200013))->string_value().value(), "1000\\42\\7");
    // Over the 16 bytes of DS: reformatted to the closest value that fits.
    auto ds_values = ds->find(Tag(0x00281050))->strings().value();
    ASSERT_EQ(ds_values.size(), 3u);
    EXPECT_LE(ds_values[0].size(), 16u);
    EXPECT_TRUE(ds_values[0].starts_with("0.123456789")) << ds_values[0];
    EXPECT_EQ(ds_values[1], "+3");
    EXPECT_EQ(ds_values[2], "");
    EXPECT_EQ(ds->find(Tag(0x00280010))->numbers<std::uint16_t>().value(),
              (std::vector<std::uint16_t>{5, 6}));
    EXPECT_EQ(ds->find(Tag(0x00720082))->as<std::int64_t>(0).value(),
              std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(ds->find(Tag(0x00100010))->string_value().value(), "Doe^John\\\\==dou");
    EXPECT_EQ(ds->find(Tag(0x00100020))->length(), 0u);
    EXPECT_TRUE(ds->find(Tag(0x00081032))->is_sequence());
    auto fd = ds->find(Tag(0x00189087))->numbers<double>().value();
    ASSERT_EQ(fd.size(), 3u);
    EXPECT_TRUE(std::isnan(fd[0]));
    EXPECT_EQ(fd[1], -std::numeric_limits<double>::infinity());
    EXPECT_EQ(fd[2], 100.0);
}

TEST(JsonRead, GroupLengthsAreDropped) {
    auto ds = from_json(
        R"({"00080000": {"vr": "UL", "Value": [10]}, "00080060": {"vr": "CS", "Value": ["CT"]}})");
    ASSERT_TRUE(ds);
    EXPECT_EQ(ds->size(), 1u);
}

TEST(JsonRead, NonAsciiWithoutCharsetBecomesUtf8) {
    auto ds = from_json(R"({"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Hans"}]}})");
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->get_string(Tag(0x00080005)).value(), "ISO_IR 192");
    EXPECT_EQ(ds->find(Tag(0x00100010))->string_value().value(), "M\xC3\xBCller^Hans");
    // ASCII only: no Specific Character Set is added.
    auto ascii =
        from_json(R"({"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Muller^Hans"}]}})");
    ASSERT_TRUE(ascii);
    EXPECT_FALSE(ascii->contains(Tag(0x00080005)));
}

TEST(JsonRead, DeclaredCharsetThatFitsIsKept) {
    DataSet ds =
        make({str(0x00080005, VR::CS, "ISO_IR 100"), str(0x00100010, VR::PN, "M\xFCller^Hans"),
              str(0x00081030, VR::LO, "Caf\xE9")});
    auto text = to_json(ds);
    ASSERT_TRUE(text) << text.error().to_string();
    EXPECT_NE(text->find("\"M\xC3\xBCller^Hans\""), std::string::npos);  // UTF-8 in JSON
    EXPECT_NE(text->find("\"ISO_IR 100\""), std::string::npos);          // the source encoding
    auto back = from_json(*text);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_TRUE(*back == ds);  // encoded back to Latin-1
}

TEST(JsonRead, DeclaredCharsetThatDoesNotFitSwitchesToUtf8) {
    auto ds = from_json(R"({"00080005": {"vr": "CS", "Value": ["ISO_IR 100"]},
                           "00081030": {"vr": "LO", "Value": ["Café"]},
                           "00081140": {"vr": "SQ", "Value": [{"00100010": {"vr": "PN", "Value": [{"Alphabetic": "山田^太郎"}]}}]}})");
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->get_string(Tag(0x00080005)).value(), "ISO_IR 192");
    EXPECT_EQ(ds->find(Tag(0x00081030))->string_value().value(), "Caf\xC3\xA9");
    const DataSet& item = ds->find(Tag(0x00081140))->sequence().items.at(0);
    EXPECT_EQ(item.find(Tag(0x00100010))->string_value().value(),
              "\xE5\xB1\xB1\xE7\x94\xB0^\xE5\xA4\xAA\xE9\x83\x8E");
}

TEST(JsonRead, ItemWithItsOwnCharset) {
    // The item declares its own set: only the item switches; the top level keeps Latin-1.
    auto ds = from_json(R"({"00080005": {"vr": "CS", "Value": ["ISO_IR 100"]},
                           "00081030": {"vr": "LO", "Value": ["Café"]},
                           "00081140": {"vr": "SQ", "Value": [{"00080005": {"vr": "CS", "Value": ["ISO_IR 100"]},
                                                             "00100010": {"vr": "PN", "Value": [{"Alphabetic": "山田"}]}}]}})");
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->get_string(Tag(0x00080005)).value(), "ISO_IR 100");
    EXPECT_EQ(ds->find(Tag(0x00081030))->string_value().value(), "Caf\xE9");
    const DataSet& item = ds->find(Tag(0x00081140))->sequence().items.at(0);
    EXPECT_EQ(item.get_string(Tag(0x00080005)).value(), "ISO_IR 192");
}

TEST(JsonRead, CharsetErrorsWhenWriting) {
    DataSet bad = make({str(0x00100020, VR::LO, "\xFF")});
    auto r = to_json(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::CharsetError);
    EXPECT_EQ(r.error().tag_path, "(0010,0020)");
    auto lenient = to_json(bad, {.lenient_charset = true});
    ASSERT_TRUE(lenient) << lenient.error().to_string();
    EXPECT_EQ(*lenient, "{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"\xEF\xBF\xBD\"]}}");
    DataSet unknown = make({str(0x00080005, VR::CS, "ISO_IR 999"), str(0x00100020, VR::LO, "x")});
    auto u = to_json(unknown);
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error().code, ErrorCode::CharsetError);
    EXPECT_EQ(u.error().tag_path, "(0008,0005)");
}

TEST(JsonRead, MalformedJson) {
    Error e = read_error(R"({"00100010": {"vr": "PN", )");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_TRUE(e.offset.has_value());
    EXPECT_EQ(read_error("{\"00100020\": {\"vr\": \"LO\", \"Value\": [\"\xFF\"]}}").code,
              ErrorCode::ParseError);
    EXPECT_EQ(read_error("[]").code, ErrorCode::ParseError);
    EXPECT_EQ(read_error("42").code, ErrorCode::ParseError);
    EXPECT_EQ(read_error("").code, ErrorCode::ParseError);
}

TEST(JsonRead, BadTagKeysAndVRs) {
    Error e = read_error(R"({"0010001": {"vr": "PN"}})");
    EXPECT_EQ(e.code, ErrorCode::InvalidTag);
    EXPECT_NE(e.message.find("0010001"), std::string::npos);
    e = read_error(R"({"00081140": {"vr": "SQ", "Value": [{"0008115G": {"vr": "UI"}}]}})");
    EXPECT_EQ(e.code, ErrorCode::InvalidTag);
    EXPECT_EQ(e.tag_path, "(0008,1140)[0]");
    e = read_error(R"({"00100010": {"vr": "XX"}})");
    EXPECT_EQ(e.code, ErrorCode::InvalidVR);
    EXPECT_EQ(e.tag_path, "(0010,0010)");
    e = read_error(R"({"00100010": {"vr": 5}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(R"({"00100010": {"Value": [{"Alphabetic": "A"}]}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_EQ(e.tag_path, "(0010,0010)");
    auto inferred =
        from_json(R"({"00100010": {"Value": [{"Alphabetic": "A"}]}})", {.infer_missing_vr = true});
    ASSERT_TRUE(inferred) << inferred.error().to_string();
    EXPECT_EQ(inferred->find(Tag(0x00100010))->vr(), VR::PN);
}

TEST(JsonRead, WrongTypesCarryTheTagPath) {
    // A number where UI wants a string.
    Error e = read_error(
        R"({"00081140": {"vr": "SQ", "Value": [{}, {"00081155": {"vr": "UI", "Value": [1.2]}}]}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_EQ(e.tag_path, "(0008,1140)[1].(0008,1155)");
    e = read_error(R"({"00081155": {"vr": "UI", "Value": "1.2"}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(R"({"00081140": {"vr": "SQ", "Value": [{}, "item"]}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_EQ(e.tag_path, "(0008,1140)[1]");
    e = read_error(R"({"00100010": {"vr": "PN", "Value": [{"Alphabetical": "A"}]}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(R"({"00100010": {"vr": "PN", "value": []}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_NE(e.message.find("value"), std::string::npos);
    e = read_error(R"({"00291105": {"vr": "OB", "Value": [1]}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(R"({"00291105": {"vr": "OB", "InlineBinary": "AQ==", "BulkDataURI": "x"}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(R"({"00100020": {"vr": "LO"}, "00100020": {"vr": "LO"}})");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_EQ(e.tag_path, "(0010,0020)");
}

TEST(JsonRead, ValuesTheirVRCannotHold) {
    Error e = read_error(R"({"00280010": {"vr": "US", "Value": [70000]}})");
    EXPECT_EQ(e.code, ErrorCode::InvalidValue);
    EXPECT_EQ(e.tag_path, "(0028,0010)");
    EXPECT_EQ(read_error(R"({"00280010": {"vr": "US", "Value": [-1]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00280010": {"vr": "US", "Value": [1.5]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00280010": {"vr": "US", "Value": ["abc"]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00280010": {"vr": "US", "Value": [null]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00720076": {"vr": "FL", "Value": [1e39]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00209165": {"vr": "AT", "Value": ["0010"]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00209165": {"vr": "AT", "Value": [1048592]}})").code,
              ErrorCode::ParseError);
    EXPECT_EQ(read_error(R"({"00200013": {"vr": "IS", "Value": [1.5]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00200013": {"vr": "IS", "Value": [4294967296]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00081030": {"vr": "LO", "Value": ["a\\b"]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00104000": {"vr": "LT", "Value": ["a", "b"]}})").code,
              ErrorCode::InvalidValue);
    EXPECT_EQ(read_error(R"({"00100010": {"vr": "PN", "Value": [{"Alphabetic": "a=b"}]}})").code,
              ErrorCode::InvalidValue);
}

TEST(JsonRead, BadBase64) {
    const char* bad[] = {"AQID*A==", "AQI", "A===", "AQ==AQ==", "AQ=A"};
    for (const char* b : bad) {
        Error e = read_error(fmt::format(
            R"({{"00081140": {{"vr": "SQ", "Value": [{{"00291105": {{"vr": "OB", "InlineBinary": "{}"}}}}]}}}})",
            b));
        EXPECT_EQ(e.code, ErrorCode::InvalidValue) << b;
        EXPECT_EQ(e.tag_path, "(0008,1140)[0].(0029,1105)") << b;
    }
    // Line breaks (MIME style) are white space, not errors.
    auto ok = from_json(R"({"00291105": {"vr": "OB", "InlineBinary": "AQID\r\nBA=="}})");
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_EQ(ok->find(Tag(0x00291105))->bytes().size(), 4u);
}

TEST(JsonRead, BulkDataUri) {
    const char* text = R"({"7FE00010": {"vr": "OW", "BulkDataURI": "https://pacs/bulk/7"},
                          "00104000": {"vr": "LT", "BulkDataURI": "https://pacs/bulk/8"}})";
    Error e = read_error(text);
    EXPECT_EQ(e.code, ErrorCode::Unsupported);
    EXPECT_EQ(e.tag_path, "(7FE0,0010)");
    JsonReadOptions options;
    std::vector<std::string> asked;
    options.bulk_data = [&](std::string_view uri, Tag, VR vr,
                            std::string_view path) -> Result<Bytes> {
        asked.push_back(fmt::format("{} {} {}", uri, vr, path));
        if (vr == VR::LT) return Bytes{'C', 'a', 'f', 0xC3, 0xA9};
        return Bytes{1, 0, 2, 0};
    };
    auto ds = from_json(text, options);
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->find(Tag(0x7FE00010))->bytes().size(), 4u);
    EXPECT_EQ(ds->find(Tag(0x00104000))->string_value().value(), "Caf\xC3\xA9");
    EXPECT_EQ(ds->get_string(Tag(0x00080005)).value(), "ISO_IR 192");
    EXPECT_EQ(asked, (std::vector<std::string>{"https://pacs/bulk/7 OW (7FE0,0010)",
                                               "https://pacs/bulk/8 LT (0010,4000)"}));
    options.bulk_data = [](std::string_view, Tag, VR, std::string_view) -> Result<Bytes> {
        return make_error(ErrorCode::IoError, "gone");
    };
    EXPECT_EQ(read_error(text, options).code, ErrorCode::IoError);
}

TEST(JsonRead, NestingLimit) {
    DataSet inner = make({str(0x00100020, VR::LO, "x")});
    for (int i = 0; i < 4; ++i) inner = make({seq(0x00081140, {inner})});
    auto text = to_json(inner).value();
    EXPECT_TRUE(from_json(text));
    Error e = read_error(text, {.max_depth = 3});
    EXPECT_EQ(e.code, ErrorCode::LimitExceeded);
    std::string deep(100000, '[');
    EXPECT_EQ(read_error(deep).code, ErrorCode::LimitExceeded);
}

TEST(JsonRead, Arrays) {
    auto v = from_json_array(R"([{"0020000D": {"vr": "UI", "Value": ["1.2"]}}, {}])");
    ASSERT_TRUE(v) << v.error().to_string();
    ASSERT_EQ(v->size(), 2u);
    EXPECT_EQ((*v)[0].get_string(Tag(0x0020000D)).value(), "1.2");
    EXPECT_TRUE((*v)[1].empty());
    auto single = from_json_array(R"({"0020000D": {"vr": "UI", "Value": ["1.2"]}})");
    ASSERT_TRUE(single);
    EXPECT_EQ(single->size(), 1u);
    auto bad = from_json_array(R"([{}, {"0020000D": {"vr": "ZZ"}}])");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidVR);
    EXPECT_EQ(bad.error().tag_path, "(0020,000D)");
    EXPECT_NE(bad.error().message.find("data set 1"), std::string::npos);
    EXPECT_FALSE(from_json_array("[1]"));
}
