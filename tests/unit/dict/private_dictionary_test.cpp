// Private dictionary lookups (creator, group, element byte) and creator block resolution
// (PS3.5 7.8.1) over data sets.
#include <dicomkit/dict/private_dictionary.hpp>
#include <dicomkit/dict/generated/private_tables.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

namespace dicomkit::dict {
namespace {

TEST(PrivateDictionary, KnownVendorsAreThere) {
    const PrivateAttributeInfo* ge = find_private("GEMS_IDEN_01", 0x0009, 0x01);
    ASSERT_NE(ge, nullptr);
    EXPECT_EQ(ge->vr, VR::LO);
    EXPECT_EQ(ge->vm, "1");
    EXPECT_EQ(ge->name, "Full fidelity");

    const PrivateAttributeInfo* csa = find_private("SIEMENS CSA HEADER", 0x0029, 0x10);
    ASSERT_NE(csa, nullptr);
    EXPECT_EQ(csa->vr, VR::OB);
    EXPECT_EQ(csa->name, "CSA Image Header Info");

    const PrivateAttributeInfo* philips = find_private("Philips MR Imaging DD 001", 0x2005, 0x04);
    ASSERT_NE(philips, nullptr);
    EXPECT_EQ(philips->vr, VR::CS);
}

TEST(PrivateDictionary, ElementByteOrFullElementNumber) {
    // Only the low 8 bits name the element: the block a creator got varies between files.
    EXPECT_EQ(find_private("GEMS_IDEN_01", 0x0009, 0x1001), find_private("GEMS_IDEN_01", 0x0009, 0x01));
    EXPECT_EQ(find_private("GEMS_IDEN_01", 0x0009, 0x2001), find_private("GEMS_IDEN_01", 0x0009, 0x01));
}

TEST(PrivateDictionary, CreatorPaddingIgnoredCaseKept) {
    EXPECT_NE(find_private("SIEMENS CSA HEADER ", 0x0029, 0x08), nullptr);
    EXPECT_NE(find_private(" SIEMENS CSA HEADER", 0x0029, 0x08), nullptr);
    EXPECT_EQ(find_private("siemens csa header", 0x0029, 0x08), nullptr);
    EXPECT_EQ(find_private("", 0x0029, 0x08), nullptr);
}

TEST(PrivateDictionary, UnknownCreatorGroupOrElement) {
    EXPECT_EQ(find_private("NO SUCH VENDOR", 0x0009, 0x01), nullptr);
    EXPECT_EQ(find_private("GEMS_IDEN_01", 0x0011, 0x01), nullptr);  // wrong group
    EXPECT_EQ(find_private("SIEMENS CSA HEADER", 0x0029, 0xFE), nullptr);
}

TEST(PrivateDictionary, GroupRangeEntries) {
    // Overlay-style entries hold for every odd group 6001-60FF.
    const PrivateAttributeInfo* a = find_private("DLX_LKUP_01", 0x6001, 0x01);
    const PrivateAttributeInfo* b = find_private("DLX_LKUP_01", 0x6021, 0x01);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a, b);
    EXPECT_LE(a->group, 0x6001);
    EXPECT_GE(a->group_last, 0x6021);
    EXPECT_EQ(find_private("DLX_LKUP_01", 0x6020, 0x01), nullptr);
}

TEST(PrivateDictionary, TableSortedAndPrivateGroupsOnly) {
    auto all = all_private_attributes();
    EXPECT_GT(all.size(), 5000u);
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const auto& x, const auto& y) {
        return std::tie(x.creator, x.group, x.element) < std::tie(y.creator, y.group, y.element);
    }));
    const auto& ranges = detail::kPrivateRanges;  // searched in order by find_private as well
    EXPECT_TRUE(std::is_sorted(ranges.begin(), ranges.end(), [](const auto& x, const auto& y) {
        return std::tie(x.creator, x.group, x.element) < std::tie(y.creator, y.group, y.element);
    }));
    for (const auto& e : all) {
        EXPECT_EQ(e.group % 2, 1) << e.creator;
        EXPECT_FALSE(e.name.empty()) << e.creator;
        EXPECT_FALSE(e.creator.empty());
    }
}

DataSet with_creator(std::uint16_t group, std::uint16_t creator_element, std::string_view creator) {
    DataSet ds;
    ds.set_string(Tag(group, creator_element), VR::LO, creator);
    return ds;
}

TEST(PrivateDictionary, ResolvesTheBlockTheCreatorReserved) {
    // (0009,0012) reserves (0009,1200-12FF): (0009,1201) is GEMS_IDEN_01's element 01.
    DataSet ds = with_creator(0x0009, 0x0012, "GEMS_IDEN_01");
    ds.set_string(Tag(0x0009, 0x1201), VR::LO, "x");
    auto r = resolve_private(ds, Tag(0x0009, 0x1201));
    EXPECT_EQ(r.creator, "GEMS_IDEN_01");
    ASSERT_NE(r.info, nullptr);
    EXPECT_EQ(r.info->name, "Full fidelity");
    // The same element byte in an unreserved block has no creator and no name.
    auto none = resolve_private(ds, Tag(0x0009, 0x1001));
    EXPECT_EQ(none.creator, "");
    EXPECT_EQ(none.info, nullptr);
}

TEST(PrivateDictionary, TwoCreatorsInOneGroup) {
    DataSet ds = with_creator(0x0029, 0x0010, "SIEMENS CSA HEADER");
    ds.set_string(Tag(0x0029, 0x0011), VR::LO, "SIEMENS MEDCOM HEADER2 ");
    auto csa = resolve_private(ds, Tag(0x0029, 0x1010));
    ASSERT_NE(csa.info, nullptr);
    EXPECT_EQ(csa.info->name, "CSA Image Header Info");
    auto medcom = resolve_private(ds, Tag(0x0029, 0x1160));
    EXPECT_EQ(medcom.creator, "SIEMENS MEDCOM HEADER2");
    ASSERT_NE(medcom.info, nullptr);
    EXPECT_NE(medcom.info, csa.info);
}

TEST(PrivateDictionary, NoResolutionOutsideBlocks) {
    DataSet ds = with_creator(0x0009, 0x0010, "GEMS_IDEN_01");
    EXPECT_EQ(resolve_private(ds, Tag(0x0009, 0x0010)).info, nullptr);  // the creator element itself
    EXPECT_EQ(resolve_private(ds, Tag(0x0009, 0x0101)).info, nullptr);  // (gggg,0100-0FFF): no block
    EXPECT_EQ(resolve_private(ds, Tag(0x0008, 0x1001)).info, nullptr);  // public group
    EXPECT_EQ(resolve_private(DataSet{}, Tag(0x0009, 0x1001)).info, nullptr);
}

}  // namespace
}  // namespace dicomkit::dict
