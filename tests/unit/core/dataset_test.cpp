#include <dicomkit/core/dataset.hpp>

#include <gtest/gtest.h>

using namespace dicomkit;

TEST(DataSet, SortedInsertReplaceRemove) {
    DataSet ds;
    ds.set_string(Tag(0x0010, 0x0010), VR::PN, "Doe^John");
    ds.set_string(Tag(0x0008, 0x0060), VR::CS, "CT");
    ds.set_string(Tag(0x0010, 0x0020), VR::LO, "ID1");
    ASSERT_EQ(ds.size(), 3u);
    EXPECT_EQ(ds.elements()[0].tag(), Tag(0x0008, 0x0060));
    EXPECT_EQ(ds.get_string(Tag(0x0010, 0x0010)).value(), "Doe^John");
    ds.set_string(Tag(0x0010, 0x0010), VR::PN, "Roe^Jane");
    EXPECT_EQ(ds.size(), 3u);
    EXPECT_EQ(ds.get_string(Tag(0x0010, 0x0010)).value(), "Roe^Jane");
    EXPECT_FALSE(ds.insert(Element::from_string(Tag(0x0010, 0x0010), VR::PN, "X")));
    EXPECT_TRUE(ds.remove(Tag(0x0010, 0x0010)));
    EXPECT_FALSE(ds.get_string(Tag(0x0010, 0x0010)));
    EXPECT_EQ(ds.get_string(Tag(0x0010, 0x0010)).error().code, ErrorCode::NotFound);
}

TEST(Element, StringsPaddingAndVM) {
    auto e = Element::from_string(Tag(0x0008, 0x0008), VR::CS, "ORIGINAL\\PRIMARY\\AXIAL");
    EXPECT_EQ(e.length() % 2, 0u);
    EXPECT_EQ(e.vm(), 3u);
    auto parts = e.strings().value();
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[2], "AXIAL");
    auto ui = Element::from_string(Tag(0x0008, 0x0016), VR::UI, "1.2.3");
    EXPECT_EQ(ui.bytes().back(), 0);
    EXPECT_EQ(ui.string_value().value(), "1.2.3");
    auto lt = Element::from_string(Tag(0x0010, 0x4000), VR::LT, "a\\b");
    EXPECT_EQ(lt.vm(), 1u);
}

// A value of padding only is empty, so its VM is 0 for every string VR (PS3.5 6.2, 6.4).
// Was: 1 for LO, SH and PN.
TEST(Element, PaddingOnlyValueHasVmZero) {
    for (VR vr : {VR::SH, VR::LO, VR::PN, VR::CS}) {
        Element e(Tag(0x0010, 0x2160), vr, Bytes{' ', ' '});
        EXPECT_EQ(e.vm(), 0u) << to_string(vr);
    }
    EXPECT_EQ(Element(Tag(0x0010, 0x2160), VR::SH, Bytes{'A', ' '}).vm(), 1u);
}

TEST(Element, Numbers) {
    std::uint16_t v[] = {512, 7};
    auto e = Element::from_numbers<std::uint16_t>(Tag(0x0028, 0x0010), VR::US, v);
    EXPECT_EQ(e.vm(), 2u);
    EXPECT_EQ(e.as<int>(1).value_or(-1), 7);
    EXPECT_FALSE(e.as<int>(2));
    auto ds = Element::from_string(Tag(0x0028, 0x1050), VR::DS, " 40.5\\-3e2 ");
    EXPECT_DOUBLE_EQ(ds.as<double>(0).value(), 40.5);
    EXPECT_DOUBLE_EQ(ds.as<double>(1).value(), -300.0);
    auto bad = Element::from_string(Tag(0x0020, 0x0013), VR::IS, "abc");
    EXPECT_EQ(bad.as<std::int32_t>().error().code, ErrorCode::InvalidValue);
}

TEST(DataSet, PrivateBlocks) {
    DataSet ds;
    auto block = ds.reserve_private_block(0x0029, "ACME 1.0");
    ASSERT_TRUE(block);
    EXPECT_EQ(*block, 0x10);
    auto again = ds.reserve_private_block(0x0029, "ACME 1.0");
    EXPECT_EQ(*again, 0x10);
    auto other = ds.reserve_private_block(0x0029, "OTHER");
    EXPECT_EQ(*other, 0x11);
    EXPECT_EQ(ds.private_tag(0x0029, "OTHER", 0x05), Tag(0x0029, 0x1105));
    ds.set_string(Tag(0x0029, 0x1105), VR::LO, "x");
    EXPECT_EQ(ds.private_creator_of(Tag(0x0029, 0x1105)), "OTHER");
    EXPECT_FALSE(ds.private_tag(0x0029, "NONE", 0x05));
    EXPECT_FALSE(ds.reserve_private_block(0x0028, "X"));
}

TEST(Element, TypedViews) {
    auto da = Element::from_string(Tag(0x0008, 0x0020), VR::DA, "20240229\\1995.09.03");
    EXPECT_EQ(da.date(0).value(), (Date{2024, 2, 29}));
    EXPECT_EQ(da.date(1).value(), (Date{1995, 9, 3}));
    EXPECT_FALSE(da.date(1, false));
    EXPECT_EQ(da.date(2).error().code, ErrorCode::NotFound);
    auto tm = Element::from_string(Tag(0x0008, 0x0030), VR::TM, "173032.25");
    EXPECT_EQ(tm.time().value().hour, 17);
    EXPECT_EQ(tm.time().value().microsecond, 250000);
    auto pn = Element::from_string(Tag(0x0010, 0x0010), VR::PN, "Yamada^Tarou=YAMADA^TAROU");
    EXPECT_EQ(pn.person_name().value().alphabetic.given, "Tarou");
    EXPECT_EQ(pn.person_name().value().ideographic.family, "YAMADA");
    EXPECT_EQ(pn.date().error().code, ErrorCode::InvalidValue);
    auto dt = Element::from_string(Tag(0x0008, 0x002A), VR::DT, "20240101120000+0100");
    EXPECT_EQ(dt.datetime().value().utc_offset_minutes, 60);
}
