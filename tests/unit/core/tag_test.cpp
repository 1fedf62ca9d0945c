#include <dicomkit/core/tag.hpp>
#include <dicomkit/core/vr.hpp>

#include <gtest/gtest.h>

using namespace dicomkit;

TEST(Tag, OrderAndFormat) {
    Tag a(0x0008, 0x0016), b(0x0010, 0x0010);
    EXPECT_LT(a, b);
    EXPECT_EQ(a.str(), "(0008,0016)");
    EXPECT_EQ(fmt::format("{}", Tag(0x7FE0, 0x0010)), "(7FE0,0010)");
    EXPECT_EQ(Tag::parse("(0010,0010)"), Tag(0x0010, 0x0010));
    EXPECT_EQ(Tag::parse("7fe00010"), Tag(0x7FE0, 0x0010));
    EXPECT_FALSE(Tag::parse("(0010,001)"));
    EXPECT_FALSE(Tag::parse("PatientName"));
}

TEST(Tag, PrivateRules) {
    EXPECT_TRUE(Tag(0x0009, 0x0010).is_private_creator());
    EXPECT_TRUE(Tag(0x0009, 0x1010).is_private());
    EXPECT_FALSE(Tag(0x0009, 0x1010).is_private_creator());
    EXPECT_FALSE(Tag(0x0007, 0x0010).is_private());  // groups 1,3,5,7 are not private
    EXPECT_FALSE(Tag(0xFFFF, 0x0010).is_private());
}

TEST(VR, AllThirtyFour) {
    EXPECT_EQ(std::size(kAllVRs), 34u);
    for (VR v : kAllVRs) {
        auto name = to_string(v);
        ASSERT_EQ(name.size(), 2u);
        EXPECT_EQ(vr_from_chars(name[0], name[1]), v);
    }
    EXPECT_FALSE(vr_from_string("XX"));
    EXPECT_TRUE(has_long_length(VR::UV));
    EXPECT_TRUE(has_long_length(VR::UC));
    EXPECT_FALSE(has_long_length(VR::US));
    EXPECT_EQ(padding_byte(VR::UI), 0);
    EXPECT_EQ(padding_byte(VR::PN), ' ');
    EXPECT_EQ(word_size(VR::FD), 8u);
    EXPECT_EQ(value_size(VR::AT), 4u);
}
