// deid::TagPath: the forms it reads, its canonical form, and its errors with their columns.
#include <gtest/gtest.h>

#include <dicomkit/deid/tag_path.hpp>

namespace dicomkit::deid {
namespace {

using Items = TagPathStep::Items;

TEST(TagPath, ParsesTagNumbersAndItems) {
    auto p = TagPath::parse("(0008,1140)[0].(0008,1155)");
    ASSERT_TRUE(p) << p.error().to_string();
    ASSERT_EQ(p->steps().size(), 2u);
    EXPECT_EQ(p->steps()[0].tag, Tag(0x0008, 0x1140));
    EXPECT_EQ(p->steps()[0].items, Items::Index);
    EXPECT_EQ(p->steps()[0].index, 0u);
    EXPECT_EQ(p->steps()[1].tag, Tag(0x0008, 0x1155));
    EXPECT_EQ(p->steps()[1].items, Items::None);
    EXPECT_FALSE(p->has_wildcard());
    EXPECT_FALSE(p->ends_in_item());
    EXPECT_EQ(p->str(), "(0008,1140)[0].(0008,1155)");
}

TEST(TagPath, ParsesKeywordsAndWildcards) {
    auto p = TagPath::parse("ReferencedImageSequence[*].ReferencedSOPInstanceUID");
    ASSERT_TRUE(p) << p.error().to_string();
    EXPECT_EQ(p->str(), "(0008,1140)[*].(0008,1155)");
    EXPECT_TRUE(p->has_wildcard());
    auto q = TagPath::parse("PatientName");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->last().tag, Tag(0x0010, 0x0010));
}

TEST(TagPath, ParsesBareHexForms) {
    for (const char* s :
         {"00100010", "0010,0010", "(0010,0010)", " ( 0010 , 0010 ) ", "(0010,0010 )"}) {
        auto p = TagPath::parse(s);
        ASSERT_TRUE(p) << s << ": " << p.error().to_string();
        EXPECT_EQ(p->str(), "(0010,0010)") << s;
    }
    auto p = TagPath::parse("00081140[12].00081155");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->str(), "(0008,1140)[12].(0008,1155)");
    auto lower = TagPath::parse("(7fe0,0010)");
    ASSERT_TRUE(lower);
    EXPECT_EQ(lower->str(), "(7FE0,0010)");
}

TEST(TagPath, ParsesPrivateElementsByCreator) {
    auto p = TagPath::parse("(0029,\"SIEMENS CSA HEADER\",10)");
    ASSERT_TRUE(p) << p.error().to_string();
    const auto& s = p->last();
    EXPECT_TRUE(s.by_creator());
    EXPECT_EQ(s.creator, "SIEMENS CSA HEADER");
    EXPECT_EQ(s.tag, Tag(0x0029, 0x0010));
    EXPECT_EQ(p->str(), "(0029,\"SIEMENS CSA HEADER\",10)");
    // DCMTK's dictionary spelling of the element byte, and spaces around the creator trimmed.
    auto q = TagPath::parse("(0029,\" ACME RT 1.0 \",xx1A)");
    ASSERT_TRUE(q) << q.error().to_string();
    EXPECT_EQ(q->str(), "(0029,\"ACME RT 1.0\",1A)");
    auto nested = TagPath::parse("(0009,\"GEMS_IDEN_01\",01)[0].(0010,0010)");
    ASSERT_TRUE(nested) << nested.error().to_string();
    EXPECT_EQ(nested->steps().size(), 2u);
}

TEST(TagPath, PathsEndingInItems) {
    auto p = TagPath::parse("(0008,1140)[2]");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->ends_in_item());
    auto all = TagPath::parse("(0040,0275)[*]");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->ends_in_item());
}

TEST(TagPath, RoundTripsThroughItsCanonicalForm) {
    for (const char* s :
         {"(0010,0010)", "(0008,1140)[0].(0008,1155)",
          "(3006,0039)[*].(3006,0040)[*].(3006,0016)[*].(0008,1155)", "(0029,\"ACME RT 1.0\",10)",
          "(0009,\"X\",01)[3].(0011,\"Y Z\",FF)", "(0040,0275)[*]", "(FFFC,FFFC)"}) {
        auto p = TagPath::parse(s);
        ASSERT_TRUE(p) << s << ": " << p.error().to_string();
        EXPECT_EQ(p->str(), s);
        auto again = TagPath::parse(p->str());
        ASSERT_TRUE(again);
        EXPECT_EQ(*again, *p);
    }
}

/// The error of parsing `s`, which must fail.
Error error_of(std::string_view s) {
    auto p = TagPath::parse(s);
    EXPECT_FALSE(p) << s;
    return p ? Error() : p.error();
}

TEST(TagPath, ErrorsNameTheColumn) {
    Error e = error_of("(0008,11G0)");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_NE(e.message.find("column 9"), std::string::npos) << e.message;
    EXPECT_EQ(e.offset, 8u);

    e = error_of("(0008,1140).(0008,1155)");
    EXPECT_NE(e.message.find("column 1"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("selects no item"), std::string::npos) << e.message;

    e = error_of("(0010,0010).PatientNam");
    EXPECT_NE(e.message.find("selects no item"), std::string::npos) << e.message;

    e = error_of("(0008,1140)[0].PatientNam");
    EXPECT_NE(e.message.find("unknown keyword 'PatientNam'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("column 16"), std::string::npos) << e.message;

    e = error_of("(0008,1140)[x]");
    EXPECT_NE(e.message.find("column 13"), std::string::npos) << e.message;

    e = error_of("(0008,1140)[0");
    EXPECT_NE(e.message.find("column 14"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("']'"), std::string::npos) << e.message;

    e = error_of("");
    EXPECT_NE(e.message.find("empty"), std::string::npos) << e.message;

    e = error_of("(0008,1140)[0].");
    EXPECT_NE(e.message.find("missing"), std::string::npos) << e.message;

    e = error_of("(0008,\"ACME\",10)");
    EXPECT_NE(e.message.find("not a private group"), std::string::npos) << e.message;

    e = error_of("(0029,\"ACME,10)");
    EXPECT_NE(e.message.find("closing"), std::string::npos) << e.message;

    e = error_of("(0029,\"\",10)");
    EXPECT_NE(e.message.find("empty private creator"), std::string::npos) << e.message;

    e = error_of("(FFFE,E000)");
    EXPECT_NE(e.message.find("item or delimiter"), std::string::npos) << e.message;

    e = error_of("(0010,0010) x");
    EXPECT_NE(e.message.find("column 13"), std::string::npos) << e.message;

    e = error_of("(0008,1140)[1000000].(0008,1155)");
    EXPECT_NE(e.message.find("item index"), std::string::npos) << e.message;

    e = error_of("#");
    EXPECT_NE(e.message.find("expected a tag"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace dicomkit::deid
