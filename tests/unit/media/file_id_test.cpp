#include <gtest/gtest.h>

#include <dicomkit/media/file_id.hpp>

using namespace dicomkit::media;

TEST(FileId, AcceptsUpperCaseDigitsAndUnderscore) {
    auto id = file_id_components("PAT_1/STUDY2/SER3/IM000001");
    ASSERT_TRUE(id) << id.error().to_string();
    EXPECT_EQ(*id, (std::vector<std::string>{"PAT_1", "STUDY2", "SER3", "IM000001"}));
    EXPECT_EQ(join_file_id(*id), "PAT_1\\STUDY2\\SER3\\IM000001");
}

TEST(FileId, RefusesWithTheReason) {
    auto lower = file_id_components("DIR/im1");
    ASSERT_FALSE(lower);
    EXPECT_NE(lower.error().message.find("lower-case letter 'i'"), std::string::npos) << lower.error().message;
    auto dot = file_id_components("IMG.DCM");
    ASSERT_FALSE(dot);
    EXPECT_NE(dot.error().message.find("character '.'"), std::string::npos);
    auto longer = file_id_components("ABCDEFGHI");
    ASSERT_FALSE(longer);
    EXPECT_NE(longer.error().message.find("9 characters"), std::string::npos);
    EXPECT_FALSE(file_id_components(""));
    EXPECT_FALSE(file_id_components("A//B"));
    EXPECT_FALSE(file_id_components("A/"));
    EXPECT_FALSE(file_id_components("A B"));
    EXPECT_FALSE(file_id_components("\xC3\x89T"));
}

TEST(FileId, AtMostEightComponents) {
    EXPECT_TRUE(file_id_components("A/B/C/D/E/F/G/H"));
    auto nine = file_id_components("A/B/C/D/E/F/G/H/I");
    ASSERT_FALSE(nine);
    EXPECT_NE(nine.error().message.find("9 components"), std::string::npos);
}

TEST(FileId, ComponentLimits) {
    EXPECT_EQ(component_problem("ABCDEFGH"), "");
    EXPECT_EQ(component_problem("_"), "");
    EXPECT_NE(component_problem("ABCDEFGHI"), "");
    EXPECT_NE(component_problem("a"), "");
    EXPECT_NE(component_problem("-"), "");
}
