// Value rules per VR and the dictionary's VM strings.
#include <gtest/gtest.h>

#include <dicomkit/validate/value_rules.hpp>

namespace dicomkit::validate {
namespace {

TEST(ValueRules, Uids) {
    EXPECT_FALSE(check_uid("1.2.840.10008.5.1.4.1.1.2"));
    EXPECT_TRUE(check_uid("1.2.03"));
    EXPECT_TRUE(check_uid("1..2"));
    EXPECT_TRUE(check_uid("1.2.a"));
    EXPECT_TRUE(check_uid(std::string(65, '1')));
    EXPECT_FALSE(check_uid("0.1.0"));
}

TEST(ValueRules, DatesAndTimes) {
    EXPECT_FALSE(check_string_value(VR::DA, "20240229"));
    EXPECT_TRUE(check_string_value(VR::DA, "20230229"));
    EXPECT_TRUE(check_string_value(VR::DA, "2023-01-01"));
    EXPECT_TRUE(check_string_value(VR::DA, "20231301"));
    EXPECT_FALSE(check_string_value(VR::TM, "1230"));
    EXPECT_FALSE(check_string_value(VR::TM, "123059.123456"));
    EXPECT_TRUE(check_string_value(VR::TM, "2500"));
    EXPECT_TRUE(check_string_value(VR::TM, "12:30"));
    EXPECT_FALSE(check_string_value(VR::DT, "20240101123000.5+0100"));
    EXPECT_FALSE(check_string_value(VR::DT, "2024"));
    EXPECT_TRUE(check_string_value(VR::DT, "20241301"));
    EXPECT_TRUE(check_string_value(VR::DT, "2024010112+01"));
}

TEST(ValueRules, StringsAndNumbers) {
    EXPECT_FALSE(check_string_value(VR::CS, "ORIGINAL"));
    EXPECT_TRUE(check_string_value(VR::CS, "original"));
    EXPECT_TRUE(check_string_value(VR::CS, "ABCDEFGHIJKLMNOPQ"));  // 17 > 16
    EXPECT_FALSE(check_string_value(VR::AS, "045Y"));
    EXPECT_TRUE(check_string_value(VR::AS, "45Y"));
    EXPECT_FALSE(check_string_value(VR::IS, "-12"));
    EXPECT_TRUE(check_string_value(VR::IS, "1.5"));
    EXPECT_TRUE(check_string_value(VR::IS, "99999999999"));
    EXPECT_FALSE(check_string_value(VR::DS, "-1.5e-3"));
    EXPECT_TRUE(check_string_value(VR::DS, "1,5"));
    EXPECT_FALSE(check_string_value(VR::PN, "Doe^John=Doe^John"));
    EXPECT_TRUE(check_string_value(VR::LO, "tab\there"));
    EXPECT_FALSE(check_string_value(VR::LT, "line\r\nline"));
    EXPECT_EQ(max_value_length(VR::SH), 16u);
    EXPECT_EQ(max_value_length(VR::UT), 0u);
}

TEST(ValueRules, Vm) {
    EXPECT_TRUE(vm_allows("1", 1));
    EXPECT_FALSE(vm_allows("1", 2));
    EXPECT_TRUE(vm_allows("1-n", 5));
    EXPECT_FALSE(vm_allows("2", 3));
    EXPECT_TRUE(vm_allows("2-2n", 4));
    EXPECT_FALSE(vm_allows("2-2n", 3));
    EXPECT_TRUE(vm_allows("3-3n", 6));
    EXPECT_TRUE(vm_allows("1-3", 3));
    EXPECT_FALSE(vm_allows("1-3", 4));
}

}  // namespace
}  // namespace dicomkit::validate
