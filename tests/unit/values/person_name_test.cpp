// PN parsing and formatting (PS3.5 6.2, 6.2.1).
#include <dicomkit/core/values.hpp>

#include <gtest/gtest.h>

#include "test_util.hpp"

using namespace dicomkit;

TEST(PersonName, StandardExamples) {
    auto pn = parse_person_name("Adams^John Robert Quincy^^Rev.^B.A. M.Div.");
    ASSERT_TRUE(pn) << pn.error().to_string();
    EXPECT_EQ(pn->alphabetic.family, "Adams");
    EXPECT_EQ(pn->alphabetic.given, "John Robert Quincy");
    EXPECT_EQ(pn->alphabetic.middle, "");
    EXPECT_EQ(pn->alphabetic.prefix, "Rev.");
    EXPECT_EQ(pn->alphabetic.suffix, "B.A. M.Div.");
    EXPECT_TRUE(pn->ideographic.empty());
    EXPECT_EQ(pn->str(), "Adams^John Robert Quincy^^Rev.^B.A. M.Div.");

    pn = parse_person_name("Morrison-Jones^Susan^^^Ph.D., Chief Executive Officer");
    ASSERT_TRUE(pn);
    EXPECT_EQ(pn->alphabetic.suffix, "Ph.D., Chief Executive Officer");
    EXPECT_EQ(pn->str(), "Morrison-Jones^Susan^^^Ph.D., Chief Executive Officer");
}

TEST(PersonName, ThreeGroups) {
    const char* text = "Yamada^Tarou=山田^太郎=やまだ^たろう";
    auto pn = parse_person_name(text);
    ASSERT_TRUE(pn) << pn.error().to_string();
    EXPECT_EQ(pn->alphabetic.given, "Tarou");
    EXPECT_EQ(pn->ideographic.family, "山田");
    EXPECT_EQ(pn->phonetic.given, "たろう");
    EXPECT_EQ(pn->str(), text);
}

TEST(PersonName, RoundTrips) {
    for (const char* text : {"Doe^John", "Doe", "=Yamada", "==yamada", "^John", "^^^^Jr.",
                             "A^B^C^D^E=F^G^H^I^J=K^L^M^N^O", "Wang^XiaoDong=王^小東", ""}) {
        auto pn = parse_person_name(text);
        ASSERT_TRUE(pn) << text << ": " << pn.error().to_string();
        EXPECT_EQ(pn->str(), text);
    }
}

TEST(PersonName, TrailingEmptyComponentsAndGroupsDropped) {
    auto pn = parse_person_name("Doe^John^^^=");
    ASSERT_TRUE(pn);
    EXPECT_EQ(pn->str(), "Doe^John");
    EXPECT_EQ(parse_person_name("Zhang^XiaoDong=张^小东=")->str(), "Zhang^XiaoDong=张^小东");
    EXPECT_EQ(parse_person_name("Doe^John  ")->alphabetic.given, "John");  // padding
    EXPECT_EQ(parse_person_name("^^")->str(), "");
    EXPECT_TRUE(parse_person_name("==")->empty());
    EXPECT_FALSE(parse_person_name("==x")->empty());
}

TEST(PersonName, GroupEmpty) {
    PersonName::Group g;
    EXPECT_TRUE(g.empty());
    g.suffix = "Jr.";
    EXPECT_FALSE(g.empty());
    EXPECT_EQ(g.str(), "^^^^Jr.");
    g = PersonName::Group{"Doe", "", "", "", ""};
    EXPECT_EQ(g.str(), "Doe");
}

TEST(PersonName, Malformed) {
    EXPECT_ERROR(parse_person_name("A=B=C=D"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_person_name("==="), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_person_name("A^B^C^D^E^F"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_person_name("A^B^C^D^E^"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_person_name("Doe=A^B^C^D^E^F"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_person_name("Doe^John\\Roe^Jane"), ErrorCode::InvalidValue);
}
