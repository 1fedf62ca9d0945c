// Reading a Grayscale Softcopy Presentation State: each module, references and their errors.
#include <dicomkit/pixel/render/overlay.hpp>
#include <dicomkit/pixel/render/presentation_state.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <dicomkit/io/dicom_file.hpp>

#include "gsps_builder.hpp"

using namespace dicomkit;
using namespace dicomkit::pixel::render;
using namespace dicomkit::test;

TEST(PresentationState, ParsesEveryModule) {
    auto ps = parse_presentation_state(make_gsps({}));
    ASSERT_TRUE(ps) << ps.error().to_string();
    ASSERT_EQ(ps->series.size(), 1u);
    EXPECT_EQ(ps->series[0].series_instance_uid, "1.2.3");
    EXPECT_EQ(ps->series[0].images[0].sop_instance_uid, "1.2.3.4");
    ASSERT_TRUE(ps->modality);
    EXPECT_DOUBLE_EQ(ps->modality->intercept, -1024);
    EXPECT_EQ(ps->modality->rescale_type, "HU");
    ASSERT_EQ(ps->voi.size(), 1u);
    EXPECT_DOUBLE_EQ(ps->voi[0].centers[0], 40);
    EXPECT_DOUBLE_EQ(ps->voi[0].widths[0], 400);
    EXPECT_EQ(ps->voi[0].images[0].sop_instance_uid, "1.2.3.4");
    EXPECT_EQ(ps->presentation_lut.shape, "IDENTITY");
    EXPECT_EQ(ps->rotation, 90);
    EXPECT_TRUE(ps->flip);
    ASSERT_EQ(ps->displayed_areas.size(), 1u);
    EXPECT_EQ(ps->displayed_areas[0].brhc, (std::array<std::int32_t, 2>{128, 128}));
    EXPECT_EQ(ps->displayed_areas[0].mode, SizeMode::ScaleToFit);
    EXPECT_TRUE(ps->shutter.rectangular);
    EXPECT_TRUE(ps->shutter.circular);
    EXPECT_EQ(ps->shutter.left, 10);
    EXPECT_EQ(ps->shutter.lower, 110);
    EXPECT_EQ(ps->shutter.center, (std::array<std::int32_t, 2>{60, 64}));
    EXPECT_EQ(ps->shutter.radius, 58);
    EXPECT_EQ(ps->shutter.presentation_value, 0x2000);
    ASSERT_EQ(ps->layers.size(), 1u);
    EXPECT_EQ(ps->layers[0].grey, std::optional<std::uint16_t>(0xFFFF));
    ASSERT_EQ(ps->annotations.size(), 1u);
    const auto& a = ps->annotations[0];
    EXPECT_EQ(a.layer, "LAYER1");
    ASSERT_EQ(a.graphics.size(), 2u);
    EXPECT_EQ(a.graphics[0].type, PsGraphic::Type::Polyline);
    EXPECT_EQ(a.graphics[0].points.size(), 3u);
    EXPECT_EQ(a.graphics[1].type, PsGraphic::Type::Circle);
    ASSERT_EQ(a.texts.size(), 1u);
    EXPECT_EQ(a.texts[0].text, "Hi 42");
    EXPECT_EQ(a.texts[0].box_tlhc, (std::optional<std::array<float, 2>>{{20, 20}}));
    EXPECT_FALSE(a.texts[0].anchor);
}

TEST(PresentationState, MagnifyAndLutsAndPolygonAndBitmapShutter) {
    GspsSpec spec;
    spec.size_mode = "MAGNIFY";
    spec.magnification = 2;
    spec.lut_shape = "INVERSE";
    DataSet ds = make_gsps(spec);
    ds.set(str(Tag(0x0018, 0x1600), VR::CS, "POLYGONAL\\BITMAP"));
    ds.set(str(Tag(0x0018, 0x1620), VR::IS, "1\\1\\1\\100\\100\\50"));
    ds.set(nums<std::uint16_t>(Tag(0x0018, 0x6100), VR::US, {0x6002}));
    ds.set(nums<std::uint16_t>(Tag(0x0018, 0x1624), VR::US, {0xFFFF, 0x8080, 0x8080}));
    ds.set(nums<std::uint16_t>(Tag(0x6002, 0x0010), VR::US, {4}));
    ds.set(nums<std::uint16_t>(Tag(0x6002, 0x0011), VR::US, {4}));
    ds.set(str(Tag(0x6002, 0x0040), VR::CS, "G"));
    ds.set(nums<std::int16_t>(Tag(0x6002, 0x0050), VR::SS, {1, 1}));
    ds.set(nums<std::uint16_t>(Tag(0x6002, 0x0100), VR::US, {1}));
    ds.set(nums<std::uint16_t>(Tag(0x6002, 0x3000), VR::OW, {0x8421}));  // the diagonal
    ds.set(str(Tag(0x6002, 0x1001), VR::CS, "LAYER1"));
    // A Modality LUT replaces the rescale; a VOI LUT the window.
    DataSet lut = item({nums<std::uint16_t>(Tag(0x0028, 0x3002), VR::US, {4, 0, 12}),
                        nums<std::uint16_t>(Tag(0x0028, 0x3006), VR::OW, {0, 100, 200, 4095}),
                        str(Tag(0x0028, 0x3004), VR::LO, "HU")});
    ds.set(seq(Tag(0x0028, 0x3000), {lut}));
    auto ps = parse_presentation_state(ds);
    ASSERT_TRUE(ps) << ps.error().to_string();
    EXPECT_EQ(ps->displayed_areas[0].mode, SizeMode::Magnify);
    EXPECT_DOUBLE_EQ(ps->displayed_areas[0].magnification, 2.0);
    EXPECT_EQ(ps->presentation_lut.shape, "INVERSE");
    ASSERT_TRUE(ps->modality && ps->modality->lut);
    EXPECT_EQ(ps->modality->lut->data, (std::vector<std::uint16_t>{0, 100, 200, 4095}));
    EXPECT_EQ(ps->modality->lut->bits, 12);
    EXPECT_TRUE(ps->shutter.polygonal);
    EXPECT_FALSE(ps->shutter.rectangular);
    ASSERT_EQ(ps->shutter.vertices.size(), 3u);
    EXPECT_EQ(ps->shutter.vertices[2], (std::array<std::int32_t, 2>{100, 50}));
    EXPECT_TRUE(ps->shutter.bitmap);
    EXPECT_EQ(ps->shutter.overlay_group, 0x6002);
    ASSERT_TRUE(ps->shutter.color_lab);
    ASSERT_EQ(ps->overlays.size(), 1u);
    EXPECT_TRUE(overlay_bit(ps->overlays[0], 0, 0, 0, pixel::PixelInfo{}, {}));
    EXPECT_TRUE(overlay_bit(ps->overlays[0], 0, 3, 3, pixel::PixelInfo{}, {}));
    EXPECT_FALSE(overlay_bit(ps->overlays[0], 0, 0, 1, pixel::PixelInfo{}, {}));
    ASSERT_EQ(ps->activations.size(), 1u);
    EXPECT_EQ(ps->activations[0].group, 0x6002);
    EXPECT_EQ(ps->activations[0].layer, "LAYER1");
}

TEST(PresentationState, ResolveChecksTheReferencedImageAndFrame) {
    auto ps = parse_presentation_state(make_gsps({}));
    ASSERT_TRUE(ps);
    auto ok = resolve_for_image(*ps, "1.2.3.4");
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_NE(ok->voi, nullptr);
    EXPECT_TRUE(ok->displayed_area);
    EXPECT_EQ(ok->annotations.size(), 1u);
    auto other = resolve_for_image(*ps, "9.9.9");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::NotFound);
    EXPECT_NE(other.error().message.find("does not reference image 9.9.9"), std::string::npos);

    DataSet ds = make_gsps({});
    ds.set(seq(Tag(0x0008, 0x1115),
               {item({seq(Tag(0x0008, 0x1140), {item({str(Tag(0x0008, 0x1150), VR::UI, "1.2"),
                                                      str(Tag(0x0008, 0x1155), VR::UI, "1.2.3.4"),
                                                      str(Tag(0x0008, 0x1160), VR::IS, "2\\3")})}),
                      str(Tag(0x0020, 0x000E), VR::UI, "1.2.3")})}));
    auto framed = parse_presentation_state(ds);
    ASSERT_TRUE(framed);
    EXPECT_TRUE(resolve_for_image(*framed, "1.2.3.4", 2));
    auto wrong_frame = resolve_for_image(*framed, "1.2.3.4", 1);
    ASSERT_FALSE(wrong_frame);
    EXPECT_NE(wrong_frame.error().message.find("not its frame 1"), std::string::npos);
}

TEST(PresentationState, VoiItemsApplyOnlyToTheirImages) {
    DataSet ds = make_gsps({});
    ds.set(seq(Tag(0x0008, 0x1115),
               {item({seq(Tag(0x0008, 0x1140),
                          {item({str(Tag(0x0008, 0x1150), VR::UI, "1.2"), str(Tag(0x0008, 0x1155), VR::UI, "1.2.3.4")}),
                           item({str(Tag(0x0008, 0x1150), VR::UI, "1.2"), str(Tag(0x0008, 0x1155), VR::UI, "1.2.3.5")})}),
                      str(Tag(0x0020, 0x000E), VR::UI, "1.2.3")})}));
    auto ps = parse_presentation_state(ds);
    ASSERT_TRUE(ps);
    auto a = resolve_for_image(*ps, "1.2.3.4");
    auto b = resolve_for_image(*ps, "1.2.3.5");
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->voi, nullptr);
    EXPECT_EQ(b->voi, nullptr);
    EXPECT_FALSE(b->displayed_area);
    EXPECT_TRUE(b->annotations.empty());
}

TEST(PresentationState, BadValuesAreErrorsNamingTheAttribute) {
    GspsSpec spec;
    spec.rotation = 45;
    auto r = parse_presentation_state(make_gsps(spec));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().tag_path, "(0070,0042)");

    DataSet ds = make_gsps({});
    ds.set(str(Tag(0x0070, 0x0100), VR::CS, "SOMETIMES"));  // top level: ignored, the item's counts
    EXPECT_TRUE(parse_presentation_state(ds));
    ds.remove(Tag(0x0008, 0x1115));
    auto none = parse_presentation_state(ds);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().tag_path, "(0008,1115)");

    DataSet bad_graphic = make_gsps({});
    bad_graphic.set(seq(Tag(0x0070, 0x0001),
                        {item({str(Tag(0x0070, 0x0002), VR::CS, "LAYER1"),
                               seq(Tag(0x0070, 0x0009), {graphic("CIRCLE", {1, 2, 3, 4, 5, 6})})})}));
    auto g = parse_presentation_state(bad_graphic);
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().tag_path, "(0070,0022)");

    DataSet bad_layer = make_gsps({});
    bad_layer.set(seq(Tag(0x0070, 0x0001), {item({str(Tag(0x0070, 0x0002), VR::CS, "NOWHERE")})}));
    EXPECT_FALSE(parse_presentation_state(bad_layer));

    DataSet bad_shape = make_gsps({});
    bad_shape.set(str(Tag(0x0018, 0x1600), VR::CS, "OVAL"));
    EXPECT_FALSE(parse_presentation_state(bad_shape));
}

TEST(PresentationState, LabToSrgb) {
    EXPECT_EQ(lab_to_srgb({0xFFFF, 0x8080, 0x8080}), (std::array<std::uint8_t, 3>{255, 255, 255}));
    EXPECT_EQ(lab_to_srgb({0, 0x8080, 0x8080}), (std::array<std::uint8_t, 3>{0, 0, 0}));
    auto red = lab_to_srgb({std::uint16_t(53.24 / 100 * 65535), std::uint16_t((80.09 + 128) / 255 * 65535),
                            std::uint16_t((67.20 + 128) / 255 * 65535)});
    EXPECT_GE(red[0], 250);
    EXPECT_LE(red[1], 8);
    EXPECT_LE(red[2], 8);
}

TEST(PresentationState, ParsesTheRepositoryGspsFile) {
    auto f = io::read_file(std::string(DICOMKIT_TEST_DATA) + "/pixel/CT_small_gsps.dcm");
    ASSERT_TRUE(f) << f.error().to_string();
    auto ps = parse_presentation_state(f->dataset);
    ASSERT_TRUE(ps) << ps.error().to_string();
    EXPECT_EQ(ps->rotation, 90);
    EXPECT_TRUE(ps->flip);
    EXPECT_TRUE(ps->shutter.rectangular && ps->shutter.circular);
    ASSERT_EQ(ps->displayed_areas.size(), 1u);
    EXPECT_EQ(ps->displayed_areas[0].tlhc, (std::array<std::int32_t, 2>{5, 5}));
    ASSERT_EQ(ps->annotations.size(), 1u);
    EXPECT_EQ(ps->annotations[0].graphics.size(), 2u);
    EXPECT_EQ(ps->annotations[0].texts[0].text, "Hi 42");
    EXPECT_TRUE(resolve_for_image(*ps, "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"));
}
