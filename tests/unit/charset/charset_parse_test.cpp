// Reading the value of Specific Character Set (0008,0005): the defined terms of PS3.3
// C.12.1.1.2, strict and lenient.
#include "charset_test_util.hpp"

namespace dicomkit::test {
namespace {

// Every defined term of PS3.3 Tables C.12-2, C.12-3, C.12-4 and C.12-5.
constexpr const char* kAllTerms[] = {
    "ISO_IR 100",      "ISO_IR 101",      "ISO_IR 109",      "ISO_IR 110",
    "ISO_IR 144",      "ISO_IR 127",      "ISO_IR 126",      "ISO_IR 138",
    "ISO_IR 148",      "ISO_IR 203",      "ISO_IR 13",       "ISO_IR 166",
    "ISO 2022 IR 6",   "ISO 2022 IR 100", "ISO 2022 IR 101", "ISO 2022 IR 109",
    "ISO 2022 IR 110", "ISO 2022 IR 144", "ISO 2022 IR 127", "ISO 2022 IR 126",
    "ISO 2022 IR 138", "ISO 2022 IR 148", "ISO 2022 IR 203", "ISO 2022 IR 13",
    "ISO 2022 IR 166", "ISO 2022 IR 87",  "ISO 2022 IR 159", "ISO 2022 IR 149",
    "ISO 2022 IR 58",  "ISO_IR 192",      "GB18030",         "GBK",
};

TEST(CharsetParse, EmptyIsTheDefaultRepertoire) {
    for (const char* value : {"", " ", "  "}) {
        auto cs = SpecificCharacterSet::parse(value);
        ASSERT_TRUE(cs) << value;
        EXPECT_TRUE(cs->terms().empty());
        EXPECT_TRUE(cs->is_utf8_compatible());
    }
    EXPECT_TRUE(SpecificCharacterSet().terms().empty());
}

TEST(CharsetParse, EveryDefinedTermAlone) {
    for (const char* term : kAllTerms) {
        auto cs = SpecificCharacterSet::parse(term);
        ASSERT_TRUE(cs) << term;
        ASSERT_EQ(cs->terms().size(), 1u) << term;
        EXPECT_EQ(cs->terms()[0], term);
        // ASCII text is the same bytes in every one of them.
        EXPECT_EQ(decoded(*cs, "Doe^John", VR::PN), "Doe^John") << term;
        EXPECT_EQ(encoded(*cs, "Doe^John", VR::PN), "Doe^John") << term;
    }
}

TEST(CharsetParse, ValuesAreSplitAndTrimmed) {
    auto cs = SpecificCharacterSet::parse("\\ISO 2022 IR 87 ");
    ASSERT_TRUE(cs);
    EXPECT_EQ(cs->terms(), (std::vector<std::string>{"", "ISO 2022 IR 87"}));
    cs = SpecificCharacterSet::parse("ISO_IR 100 ");
    ASSERT_TRUE(cs);
    EXPECT_EQ(cs->terms(), (std::vector<std::string>{"ISO_IR 100"}));
    cs = SpecificCharacterSet::parse("ISO 2022 IR 13\\ISO 2022 IR 87\\ISO 2022 IR 159");
    ASSERT_TRUE(cs);
    EXPECT_EQ(cs->terms().size(), 3u);
}

TEST(CharsetParse, UnknownTermIsAnErrorNamingIt) {
    for (const char* value : {"ISO_IR 999", "ISO-IR 100", "UTF-8", "ISO 2022 IR 87\\KLINGON"}) {
        auto cs = SpecificCharacterSet::parse(value);
        ASSERT_FALSE(cs) << value;
        EXPECT_EQ(cs.error().code, ErrorCode::CharsetError);
    }
    auto cs = SpecificCharacterSet::parse("\\KLINGON");
    ASSERT_FALSE(cs);
    EXPECT_NE(cs.error().message.find("'KLINGON'"), std::string::npos) << cs.error().message;
}

TEST(CharsetParse, TermsWithoutExtensionsCannotBeCombined) {
    for (const char* value : {"ISO_IR 100\\ISO_IR 126", "ISO_IR 192\\ISO 2022 IR 87", "\\GB18030",
                              "ISO 2022 IR 6\\ISO_IR 13"}) {
        auto cs = SpecificCharacterSet::parse(value);
        ASSERT_FALSE(cs) << value;
        EXPECT_EQ(cs.error().code, ErrorCode::CharsetError);
    }
}

TEST(CharsetParse, OnlyTheFirstValueMayBeEmpty) {
    EXPECT_FALSE(SpecificCharacterSet::parse("ISO 2022 IR 100\\"));
    EXPECT_FALSE(SpecificCharacterSet::parse("\\\\ISO 2022 IR 87"));
}

TEST(CharsetParse, Utf8Compatibility) {
    EXPECT_TRUE(charset("ISO_IR 192").is_utf8_compatible());
    EXPECT_TRUE(charset("ISO 2022 IR 6").is_utf8_compatible());
    EXPECT_FALSE(charset("ISO_IR 100").is_utf8_compatible());
    EXPECT_FALSE(charset("GB18030").is_utf8_compatible());
    EXPECT_FALSE(charset("\\ISO 2022 IR 87").is_utf8_compatible());
}

TEST(CharsetLenientParse, MisspeltTermsAreReadAsTheTermTheyMean) {
    std::vector<std::string> warnings;
    auto cs = SpecificCharacterSet::lenient_parse("ISO-IR 100", &warnings);
    EXPECT_EQ(cs.terms(), (std::vector<std::string>{"ISO_IR 100"}));
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("ISO-IR 100"), std::string::npos);
    EXPECT_EQ(decoded(cs, "J\xE9r\xF4me", VR::PN), "Jérôme");

    warnings.clear();
    cs = SpecificCharacterSet::lenient_parse("ISO_IR 6", &warnings);
    EXPECT_TRUE(cs.terms().empty());
    EXPECT_EQ(warnings.size(), 1u);
}

TEST(CharsetLenientParse, UnknownTermsAreSkippedAndReported) {
    std::vector<std::string> warnings;
    auto cs = SpecificCharacterSet::lenient_parse("KLINGON\\ISO 2022 IR 87", &warnings);
    EXPECT_EQ(cs.terms(), (std::vector<std::string>{"", "ISO 2022 IR 87"}));
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("KLINGON"), std::string::npos);
    EXPECT_EQ(decoded(cs, "\x1B$B;3ED\x1B(B", VR::PN), "山田");

    cs = SpecificCharacterSet::lenient_parse("KLINGON");  // no warnings vector: must not crash
    EXPECT_TRUE(cs.terms().empty());
}

TEST(CharsetLenientParse, SingleByteTermsAmongSeveralTakeTheirExtensionForm) {
    std::vector<std::string> warnings;
    auto cs = SpecificCharacterSet::lenient_parse("ISO_IR 100\\ISO_IR 126", &warnings);
    EXPECT_EQ(cs.terms(), (std::vector<std::string>{"ISO 2022 IR 100", "ISO 2022 IR 126"}));
    EXPECT_EQ(warnings.size(), 2u);
    EXPECT_EQ(decoded(cs, "\xE9\x1B-F\xE9", VR::LO), "éι");
}

TEST(CharsetLenientParse, Utf8AmongSeveralWinsAlone) {
    std::vector<std::string> warnings;
    auto cs = SpecificCharacterSet::lenient_parse("ISO_IR 192\\ISO 2022 IR 87", &warnings);
    EXPECT_EQ(cs.terms(), (std::vector<std::string>{"ISO_IR 192"}));
    EXPECT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(cs.is_utf8_compatible());
}

}  // namespace
}  // namespace dicomkit::test
