// The presentation state stages on small rasters: transforms, shutters, geometry, annotations.
#include <dicomkit/pixel/render/presentation_apply.hpp>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gsps_builder.hpp"

using namespace dicomkit;
using namespace dicomkit::pixel::render;
using namespace dicomkit::test;

namespace {

/// 3 wide, 2 high: 1 2 3 / 4 5 6.
Raster small() {
    Raster r;
    r.width = 3, r.height = 2;
    r.samples = {1, 2, 3, 4, 5, 6};
    return r;
}

Raster ramp(std::uint32_t w, std::uint32_t h) {
    Raster r;
    r.width = w, r.height = h;
    r.samples.resize(std::size_t{w} * h);
    for (std::uint32_t y = 0; y < h; ++y)
        for (std::uint32_t x = 0; x < w; ++x) r.at(x, y) = static_cast<std::uint16_t>(100 + (x + y) % 50);
    return r;
}

PresentationState parsed(const GspsSpec& spec) {
    auto ps = parse_presentation_state(make_gsps(spec));
    EXPECT_TRUE(ps) << ps.error().to_string();
    return *ps;
}

}  // namespace

TEST(PresentationApply, SpatialTransformEachRotationAndFlip) {
    auto t = [](std::uint16_t rot, bool flip) { return spatial_transform(small(), rot, flip); };
    EXPECT_EQ(t(0, false).samples, (std::vector<std::uint16_t>{1, 2, 3, 4, 5, 6}));
    Raster r90 = t(90, false);  // clockwise: the left column becomes the top row, read upwards
    EXPECT_EQ(r90.width, 2u);
    EXPECT_EQ(r90.height, 3u);
    EXPECT_EQ(r90.samples, (std::vector<std::uint16_t>{4, 1, 5, 2, 6, 3}));
    EXPECT_EQ(t(180, false).samples, (std::vector<std::uint16_t>{6, 5, 4, 3, 2, 1}));
    EXPECT_EQ(t(270, false).samples, (std::vector<std::uint16_t>{3, 6, 2, 5, 1, 4}));
    EXPECT_EQ(t(0, true).samples, (std::vector<std::uint16_t>{3, 2, 1, 6, 5, 4}));
    EXPECT_EQ(t(90, true).samples, (std::vector<std::uint16_t>{1, 4, 2, 5, 3, 6}));  // rotate, then flip
    EXPECT_EQ(t(180, true).samples, (std::vector<std::uint16_t>{4, 5, 6, 1, 2, 3}));
}

TEST(PresentationApply, Shutters) {
    Raster r = ramp(10, 10);
    PsShutter s;
    s.rectangular = true;
    s.left = 3, s.right = 8, s.upper = 2, s.lower = 9;
    apply_shutter(r, s, nullptr, 0);
    EXPECT_EQ(r.at(1, 5), 0);   // column 2
    EXPECT_NE(r.at(2, 5), 0);   // column 3
    EXPECT_NE(r.at(7, 1), 0);   // column 8, row 2
    EXPECT_EQ(r.at(8, 1), 0);   // column 9
    EXPECT_EQ(r.at(5, 0), 0);   // row 1
    EXPECT_EQ(r.at(5, 9), 0);   // row 10

    Raster c = ramp(11, 11);
    PsShutter circ;
    circ.circular = true;
    circ.center = {6, 6};
    circ.radius = 3;
    apply_shutter(c, circ, nullptr, 7);
    EXPECT_NE(c.at(5, 5), 7);
    EXPECT_NE(c.at(8, 5), 7);   // column 9: distance 3
    EXPECT_EQ(c.at(9, 5), 7);   // distance 4
    EXPECT_NE(c.at(7, 7), 7);   // (2,2) from the centre: sqrt 8 < 3 -> shown
    EXPECT_EQ(c.at(8, 8), 7);   // (3,3): sqrt 18 > 3
    int shown = 0;
    for (auto v : c.samples) shown += v != 7;
    EXPECT_EQ(shown, 29);  // lattice points within radius 3

    Raster p = ramp(10, 10);
    PsShutter poly;
    poly.polygonal = true;
    poly.vertices = {{1, 1}, {1, 10}, {10, 1}};  // row\column: the upper left triangle
    apply_shutter(p, poly, nullptr, 0);
    EXPECT_NE(p.at(1, 1), 0);
    EXPECT_EQ(p.at(8, 8), 0);

    Raster b = ramp(4, 4);
    PsShutter bm;
    bm.bitmap = true;
    Overlay o;
    o.rows = 2, o.columns = 2, o.origin_row = 2, o.origin_column = 2;
    o.data = {0x09};  // bits 0 and 3: overlay (0,0) and (1,1)
    apply_shutter(b, bm, &o, 0);
    EXPECT_EQ(b.at(1, 1), 0);
    EXPECT_EQ(b.at(2, 2), 0);
    EXPECT_NE(b.at(2, 1), 0);
    EXPECT_NE(b.at(0, 0), 0);
}

TEST(PresentationApply, GeometryOfTheDisplayedArea) {
    GspsSpec spec;
    spec.rotation = 0, spec.flip = false;
    spec.tlhc = {11, 21}, spec.brhc = {50, 40};  // 40 x 20 pixels
    auto ps = parsed(spec);
    auto ip = resolve_for_image(ps, "1.2.3.4");
    ASSERT_TRUE(ip);
    auto g = make_geometry(*ip, 128, 128);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->width, 40u);
    EXPECT_EQ(g->height, 20u);
    EXPECT_EQ(g->from_pixel({10, 20}), (Point{0, 0}));
    EXPECT_EQ(g->from_display({1, 1}), (Point{40, 20}));
    PresentOptions box;
    box.fit = std::array<std::uint32_t, 2>{100, 100};
    auto fit = make_geometry(*ip, 128, 128, box);
    ASSERT_TRUE(fit);
    EXPECT_DOUBLE_EQ(fit->scale_x, 2.5);
    EXPECT_DOUBLE_EQ(fit->offset_y, 25.0);

    spec.rotation = 90;
    auto ps90 = parsed(spec);
    auto g90 = make_geometry(*resolve_for_image(ps90, "1.2.3.4"), 128, 128);
    ASSERT_TRUE(g90);
    EXPECT_EQ(g90->width, 20u);  // the area turns with the image
    EXPECT_EQ(g90->height, 40u);
    // The area's top left pixel (column 11, row 21) is on its right after the turn.
    Point p = g90->from_pixel({10.5, 20.5});
    EXPECT_DOUBLE_EQ(p[0], 19.5);
    EXPECT_DOUBLE_EQ(p[1], 0.5);

    spec.rotation = 0;
    spec.size_mode = "MAGNIFY";
    spec.magnification = 3;
    auto ps3 = parsed(spec);
    auto g3 = make_geometry(*resolve_for_image(ps3, "1.2.3.4"), 128, 128);
    ASSERT_TRUE(g3);
    EXPECT_EQ(g3->width, 120u);
    EXPECT_EQ(g3->height, 60u);
    spec.magnification = 60;
    PresentOptions small_limit;
    small_limit.max_side = 4096;
    spec.brhc = {128, 128};
    auto huge = make_geometry(*resolve_for_image(parsed(spec), "1.2.3.4"), 128, 128, small_limit);
    EXPECT_FALSE(huge);
}

TEST(PresentationApply, StateLutsReplaceTheImages) {
    auto ps = parsed({});
    auto ip = resolve_for_image(ps, "1.2.3.4");
    ASSERT_TRUE(ip);
    Pipeline p;
    p.rescale_slope = 2, p.rescale_intercept = 5;
    p.window = Window{1, 2, VoiFunction::Linear, ""};
    p.presentation_shape = PresentationShape::Inverse;  // a MONOCHROME1 image
    p.burn_overlays = true;
    pixel::PixelInfo info;
    info.bits_stored = 16, info.is_signed = true;
    apply_state_luts(*ip, info, p);
    EXPECT_DOUBLE_EQ(p.rescale_slope, 1);
    EXPECT_DOUBLE_EQ(p.rescale_intercept, -1024);
    ASSERT_TRUE(p.window);
    EXPECT_DOUBLE_EQ(p.window->center, 40);
    EXPECT_DOUBLE_EQ(p.window->width, 400);
    EXPECT_EQ(p.presentation_shape, PresentationShape::Identity);
    EXPECT_FALSE(p.burn_overlays);

    // Without a VOI item for the image: the identity over the modality range.
    ImagePresentation none = *ip;
    none.voi = nullptr;
    apply_state_luts(none, info, p);
    ASSERT_TRUE(p.window);
    EXPECT_EQ(p.window->function, VoiFunction::LinearExact);
    EXPECT_DOUBLE_EQ(p.window->center - p.window->width / 2, -32768 - 1024);
}

TEST(PresentationApply, PresentBurnsShuttersAndAnnotations) {
    GspsSpec spec;
    spec.rotation = 0, spec.flip = false;
    auto ps = parsed(spec);
    auto ip = resolve_for_image(ps, "1.2.3.4");
    ASSERT_TRUE(ip);
    Raster img = ramp(128, 128);
    auto out = present(*ip, img, {});
    ASSERT_TRUE(out) << out.error().to_string();
    EXPECT_EQ(out->width, 128u);
    const std::uint16_t shutter = static_cast<std::uint16_t>((0x2000u * 255 + 32767) / 65535);
    EXPECT_EQ(out->at(2, 64), shutter);   // left of the rectangle
    EXPECT_EQ(out->at(64, 64), img.at(64, 64));  // the circle annotation is not filled
    // The circle (centre 64\64, radius 20) is inked 20 pixels right of the centre.
    EXPECT_EQ(out->at(84, 64), 255);
    // The polyline from 30\80 to 60\95 passes its first point.
    EXPECT_EQ(out->at(30, 80), 255);
    // The text's first glyph 'H' starts at the box's top left 20\20: its left column is inked.
    EXPECT_EQ(out->at(20, 20), 255);
    EXPECT_EQ(out->at(20, 26), 255);
    // Elsewhere inside the shutters the image is untouched.
    EXPECT_EQ(out->at(100, 40), img.at(100, 40));
}

TEST(PresentationApply, RotatedAnnotationsFollowTheImage) {
    GspsSpec spec;  // rotation 90, flip
    spec.rect_shutter = spec.circ_shutter = false;
    auto ps = parsed(spec);
    auto ip = resolve_for_image(ps, "1.2.3.4");
    Raster img = ramp(128, 128);
    img.at(30, 80) = 7;  // a marked pixel under the polyline's first point
    ip->annotations.clear();
    auto out = present(*ip, img, {});
    ASSERT_TRUE(out);
    // (x, y) -> rotate 90: (127 - y, x) -> flip: (y, x).
    EXPECT_EQ(out->at(80, 30), 7);
    auto g = make_geometry(*ip, 128, 128);
    Point p = g->from_pixel({30.5, 80.5});
    EXPECT_DOUBLE_EQ(p[0], 80.5);
    EXPECT_DOUBLE_EQ(p[1], 30.5);
}
