// to_json: exact DICOM JSON Model text (PS3.18 F.2) for small data sets.
#include <dicomkit/json/json.hpp>

#include <gtest/gtest.h>

#include "sample_data.hpp"

using namespace dicomkit;
using namespace dicomkit::json;
using namespace dicomkit::json::test;

namespace {

std::string compact(const DataSet& ds, JsonOptions options = {}) {
    auto r = to_json(ds, options);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : std::string();
}

std::string one(const Element& e) { return compact(make({e})); }

}  // namespace

TEST(JsonWrite, CompactStringsNumbersAndNames) {
    DataSet ds = make({str(0x00100010, VR::PN, "Doe^John"), str(0x00100020, VR::LO, "ID1"),
                       nums<std::uint16_t>(0x00280010, VR::US, {512})});
    EXPECT_EQ(compact(ds),
              R"({"00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^John"}]},)"
              R"("00100020":{"vr":"LO","Value":["ID1"]},"00280010":{"vr":"US","Value":[512]}})");
}

TEST(JsonWrite, EmptyDataSetAndEmptyValues) {
    EXPECT_EQ(compact(DataSet()), "{}");
    // PS3.18 F.2.5: a zero-length attribute has no Value; an empty value among several is null.
    EXPECT_EQ(one(str(0x00100020, VR::LO, "")), R"({"00100020":{"vr":"LO"}})");
    EXPECT_EQ(one(Element(Tag(0x00181310), VR::US)), R"({"00181310":{"vr":"US"}})");
    EXPECT_EQ(one(str(0x00080008, VR::CS, "ORIGINAL\\\\AXIAL")),
              R"({"00080008":{"vr":"CS","Value":["ORIGINAL",null,"AXIAL"]}})");
    EXPECT_EQ(one(str(0x00080008, VR::CS, "\\")),
              R"({"00080008":{"vr":"CS","Value":[null,null]}})");
    EXPECT_EQ(
        one(str(0x00081070, VR::PN, "A^B\\\\C^D")),
        R"({"00081070":{"vr":"PN","Value":[{"Alphabetic":"A^B"},null,{"Alphabetic":"C^D"}]}})");
    // Padding is not a value: a value of spaces only is empty.
    EXPECT_EQ(one(str(0x00100020, VR::LO, "    ")), R"({"00100020":{"vr":"LO"}})");
}

TEST(JsonWrite, PersonNameGroups) {
    DataSet utf8 =
        make({str(0x00080005, VR::CS, "ISO_IR 192"),
              str(0x00100010, VR::PN,
                  "Yamada^Tarou=\xE5\xB1\xB1\xE7\x94\xB0^\xE5\xA4\xAA\xE9\x83\x8E=yamada^tarou")});
    EXPECT_EQ(compact(utf8),
              "{\"00080005\":{\"vr\":\"CS\",\"Value\":[\"ISO_IR 192\"]},"
              "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Yamada^Tarou\","
              "\"Ideographic\":\"\xE5\xB1\xB1\xE7\x94\xB0^\xE5\xA4\xAA\xE9\x83\x8E\","
              "\"Phonetic\":\"yamada^tarou\"}]}}");
    EXPECT_EQ(one(str(0x00100010, VR::PN, "=Ideo^Graphic")),
              R"({"00100010":{"vr":"PN","Value":[{"Ideographic":"Ideo^Graphic"}]}})");
    auto bad = to_json(make({str(0x00100010, VR::PN, "a=b=c=d")}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidValue);
    EXPECT_EQ(bad.error().tag_path, "(0010,0010)");
}

TEST(JsonWrite, EveryBinaryNumberVR) {
    EXPECT_EQ(one(nums<std::uint16_t>(0x00280010, VR::US, {0, 65535})),
              R"({"00280010":{"vr":"US","Value":[0,65535]}})");
    EXPECT_EQ(one(nums<std::int16_t>(0x00189219, VR::SS, {-32768, 7})),
              R"({"00189219":{"vr":"SS","Value":[-32768,7]}})");
    EXPECT_EQ(one(nums<std::uint32_t>(0x00081161, VR::UL, {4294967295u})),
              R"({"00081161":{"vr":"UL","Value":[4294967295]}})");
    EXPECT_EQ(one(nums<std::int32_t>(0x00186020, VR::SL, {-2147483647 - 1})),
              R"({"00186020":{"vr":"SL","Value":[-2147483648]}})");
    // Shortest text that reads back to the same float; -0 keeps its sign.
    EXPECT_EQ(one(nums<float>(0x00720076, VR::FL, {0.1f, -2.5f, 1e10f})),
              R"({"00720076":{"vr":"FL","Value":[0.1,-2.5,1e+10]}})");
    EXPECT_EQ(one(nums<double>(0x00189087, VR::FD, {3.141592653589793, 1e300, -0.0, 100.0})),
              R"({"00189087":{"vr":"FD","Value":[3.141592653589793,1e+300,-0.0,100]}})");
    // PS3.18 F.2.3: SV/UV beyond 2^53 are strings.
    EXPECT_EQ(
        one(nums<std::int64_t>(0x00720082, VR::SV, {-9007199254740992LL, -9007199254740993LL})),
        R"({"00720082":{"vr":"SV","Value":[-9007199254740992,"-9007199254740993"]}})");
    EXPECT_EQ(one(nums<std::uint64_t>(0x00720083, VR::UV,
                                      {9007199254740992ULL, 18446744073709551615ULL})),
              R"({"00720083":{"vr":"UV","Value":[9007199254740992,"18446744073709551615"]}})");
    EXPECT_EQ(one(nums<std::uint16_t>(0x00209165, VR::AT, {0x0010, 0x0010, 0x7FE0, 0x0010})),
              R"({"00209165":{"vr":"AT","Value":["00100010","7FE00010"]}})");
    EXPECT_EQ(one(nums<double>(0x00189087, VR::FD,
                               {std::numeric_limits<double>::quiet_NaN(),
                                -std::numeric_limits<double>::infinity()})),
              R"({"00189087":{"vr":"FD","Value":["NaN","-Infinity"]}})");
    auto odd = to_json(make({bytes(0x00280010, VR::US, {1, 2, 3})}));
    ASSERT_FALSE(odd);
    EXPECT_EQ(odd.error().code, ErrorCode::InvalidLength);
}

TEST(JsonWrite, IntegerAndDecimalStrings) {
    // Values that are JSON numbers go as numbers, as written; others keep their text as strings.
    EXPECT_EQ(one(str(0x00281050, VR::DS, "40.50\\+3\\ 1e2\\abc\\\\.5")),
              R"({"00281050":{"vr":"DS","Value":[40.50,"+3",1e2,"abc",null,".5"]}})");
    EXPECT_EQ(one(str(0x00200013, VR::IS, "12\\-5\\007\\1.5")),
              R"({"00200013":{"vr":"IS","Value":[12,-5,"007","1.5"]}})");
}

TEST(JsonWrite, TextEscapingAndPadding) {
    EXPECT_EQ(one(str(0x00104000, VR::LT, "a\r\nb \\ \"q\"\t\x01 ")),
              R"({"00104000":{"vr":"LT","Value":["a\r\nb \\ \"q\"\t\u0001"]}})");
    EXPECT_EQ(one(str(0x0040A160, VR::UT, "  lead")),
              R"({"0040A160":{"vr":"UT","Value":["  lead"]}})");
    EXPECT_EQ(one(str(0x00081030, VR::LO, "  lead  ")),
              R"({"00081030":{"vr":"LO","Value":["lead"]}})");
    EXPECT_EQ(one(str(0x00080018, VR::UI, "1.2.3")),
              R"({"00080018":{"vr":"UI","Value":["1.2.3"]}})");
}

TEST(JsonWrite, SequencesItemsAndPrivateTags) {
    DataSet item = make({str(0x00081155, VR::UI, "1.2")});
    DataSet ds = make({seq(0x00081032, {}), seq(0x00081140, {item, DataSet()}),
                       str(0x00290010, VR::LO, "ACME 1.0"), str(0x00291001, VR::SH, "x")});
    EXPECT_EQ(
        compact(ds),
        R"({"00081032":{"vr":"SQ"},)"
        R"("00081140":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["1.2"]}},{}]},)"
        R"("00290010":{"vr":"LO","Value":["ACME 1.0"]},"00291001":{"vr":"SH","Value":["x"]}})");
}

TEST(JsonWrite, InlineBinary) {
    EXPECT_EQ(one(bytes(0x00291105, VR::OB, {1, 2, 3, 4})),
              R"({"00291105":{"vr":"OB","InlineBinary":"AQIDBA=="}})");
    EXPECT_EQ(one(bytes(0x00283006, VR::OW, {1, 2, 3, 4, 5, 6})),
              R"({"00283006":{"vr":"OW","InlineBinary":"AQIDBAUG"}})");
    EXPECT_EQ(one(bytes(0x00660040, VR::OL, {1, 0, 0, 0})),
              R"({"00660040":{"vr":"OL","InlineBinary":"AQAAAA=="}})");
    EXPECT_EQ(one(bytes(0x00291002, VR::UN, {})), R"({"00291002":{"vr":"UN"}})");
    PixelFragments f;
    f.fragments = {{1, 2}, {3, 4}};
    // Item(0), Item(2) 01 02, Item(2) 03 04, Sequence Delimitation Item (PS3.5 A.4).
    EXPECT_EQ(
        one(Element(Tag(0x7FE00010), VR::OB, f)),
        R"({"7FE00010":{"vr":"OB","InlineBinary":"/v8A4AAAAAD+/wDgAgAAAAEC/v8A4AIAAAADBP7/3eAAAAAA"}})");
}

TEST(JsonWrite, GroupLengthNeverMetaOnRequest) {
    DataSet ds =
        make({nums<std::uint32_t>(0x00020000, VR::UL, {30}),
              str(0x00020010, VR::UI, "1.2.840.10008.1.2.1"),
              nums<std::uint32_t>(0x00080000, VR::UL, {8}), str(0x00080060, VR::CS, "CT")});
    EXPECT_EQ(compact(ds), R"({"00080060":{"vr":"CS","Value":["CT"]}})");
    EXPECT_EQ(
        compact(ds, {.include_meta = true}),
        R"({"00020010":{"vr":"UI","Value":["1.2.840.10008.1.2.1"]},"00080060":{"vr":"CS","Value":["CT"]}})");
}

TEST(JsonWrite, PrettyPrinted) {
    DataSet item = make({str(0x00081155, VR::UI, "1.2")});
    DataSet ds = make({seq(0x00081140, {item, DataSet()}), str(0x00100010, VR::PN, "Doe^J=D"),
                       str(0x00180015, VR::CS, "")});
    EXPECT_EQ(compact(ds, {.indent = 2}), R"({
  "00081140": {
    "vr": "SQ",
    "Value": [
      {
        "00081155": {
          "vr": "UI",
          "Value": [
            "1.2"
          ]
        }
      },
      {}
    ]
  },
  "00100010": {
    "vr": "PN",
    "Value": [
      {
        "Alphabetic": "Doe^J",
        "Ideographic": "D"
      }
    ]
  },
  "00180015": {
    "vr": "CS"
  }
})");
}

TEST(JsonWrite, BulkDataCallback) {
    DataSet item = make({bytes(0x00291105, VR::OB, {1, 2, 3, 4})});
    DataSet ds = make({seq(0x00081140, {item}), nums<std::uint16_t>(0x00280010, VR::US, {1}),
                       bytes(0x7FE00010, VR::OB, {1, 2, 3, 4, 5, 6})});
    std::vector<std::string> asked;
    JsonOptions options;
    options.bulk_data = [&](const Element& e, std::string_view path) -> std::optional<std::string> {
        asked.emplace_back(path);
        if (e.length() <= 4) return std::nullopt;
        return "https://pacs/bulk/1";
    };
    EXPECT_EQ(
        compact(ds, options),
        R"({"00081140":{"vr":"SQ","Value":[{"00291105":{"vr":"OB","InlineBinary":"AQIDBA=="}}]},)"
        R"("00280010":{"vr":"US","Value":[1]},"7FE00010":{"vr":"OB","BulkDataURI":"https://pacs/bulk/1"}})");
    EXPECT_EQ(asked, (std::vector<std::string>{"(0008,1140)[0].(0029,1105)", "(0028,0010)",
                                               "(7FE0,0010)"}));

    options.bulk_data = refer_values_over(4, "https://pacs/bulk/");
    EXPECT_EQ(
        compact(ds, options),
        R"({"00081140":{"vr":"SQ","Value":[{"00291105":{"vr":"OB","InlineBinary":"AQIDBA=="}}]},)"
        R"("00280010":{"vr":"US","Value":[1]},"7FE00010":{"vr":"OB","BulkDataURI":"https://pacs/bulk/%287FE0%2C0010%29"}})");
}

TEST(JsonWrite, DeferredValueNeedsBulkData) {
    DataSet item = make({Element(Tag(0x00660040), VR::OL, DeferredValue{1000, 64})});
    DataSet ds = make({seq(0x00660002, {item})});
    auto r = to_json(ds);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
    EXPECT_EQ(r.error().tag_path, "(0066,0002)[0].(0066,0040)");
    auto ok = to_json(ds, {.bulk_data = refer_values_over(1 << 20, "bulk/")});
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_NE(ok->find(R"("BulkDataURI":"bulk/%280066%2C0002%29%5B0%5D.%280066%2C0040%29")"),
              std::string::npos);
}

TEST(JsonWrite, Array) {
    std::vector<DataSet> v{make({str(0x0020000D, VR::UI, "1.2")}), DataSet()};
    EXPECT_EQ(to_json_array(v).value(), R"([{"0020000D":{"vr":"UI","Value":["1.2"]}},{}])");
    EXPECT_EQ(to_json_array({}).value(), "[]");
    EXPECT_EQ(to_json_array(v, {.indent = 1}).value(),
              "[\n {\n  \"0020000D\": {\n   \"vr\": \"UI\",\n   \"Value\": [\n    \"1.2\"\n   ]\n  "
              "}\n },\n {}\n]");
}
