// The pipeline's functions one by one against values worked out by hand from PS3.3 C.11.
#include <gtest/gtest.h>

#include <cmath>

#include <dicomkit/pixel/render/lut.hpp>

using namespace dicomkit;
using namespace dicomkit::pixel::render;

namespace {

Element words(Tag t, VR vr, std::vector<std::uint16_t> v) { return Element::from_numbers<std::uint16_t>(t, vr, v); }

}  // namespace

// C.11.2.1.2.1, c = 40, w = 400: x <= 40 - 0.5 - 399/2 = -160 -> ymin; x > 39.5 + 199.5 = 239 -> ymax;
// otherwise ((x - 39.5) / 399 + 0.5) * 255.
TEST(RenderLut, LinearWindow) {
    EXPECT_DOUBLE_EQ(voi_linear(-160, 40, 400, 0, 255), 0);
    EXPECT_DOUBLE_EQ(voi_linear(-1000, 40, 400, 0, 255), 0);
    EXPECT_NEAR(voi_linear(-159, 40, 400, 0, 255), (( -159 - 39.5) / 399 + 0.5) * 255, 1e-9);
    EXPECT_NEAR(voi_linear(40, 40, 400, 0, 255), 127.81954887, 1e-6);
    EXPECT_DOUBLE_EQ(voi_linear(239, 40, 400, 0, 255), 255);
    EXPECT_DOUBLE_EQ(voi_linear(240, 40, 400, 0, 255), 255);
    // Width 1: a threshold at c - 0.5.
    EXPECT_DOUBLE_EQ(voi_linear(99.5, 100, 1, 0, 255), 0);
    EXPECT_DOUBLE_EQ(voi_linear(100, 100, 1, 0, 255), 255);
}

// C.11.2.1.3.2: x <= c - w/2 -> ymin, x > c + w/2 -> ymax, else ((x - c) / w + 0.5) * (ymax - ymin) + ymin.
TEST(RenderLut, LinearExactWindow) {
    EXPECT_DOUBLE_EQ(voi_linear_exact(-160, 40, 400, 0, 255), 0);
    EXPECT_DOUBLE_EQ(voi_linear_exact(40, 40, 400, 0, 255), 127.5);
    EXPECT_DOUBLE_EQ(voi_linear_exact(140, 40, 400, 0, 255), 191.25);
    EXPECT_DOUBLE_EQ(voi_linear_exact(240, 40, 400, 0, 255), 255);
    EXPECT_DOUBLE_EQ(voi_linear_exact(241, 40, 400, 0, 255), 255);
    EXPECT_DOUBLE_EQ(voi_linear_exact(0, 0, 2, 10, 20), 15);
}

// C.11.2.1.3.1: y = (ymax - ymin) / (1 + exp(-4 (x - c) / w)) + ymin.
TEST(RenderLut, SigmoidWindow) {
    EXPECT_DOUBLE_EQ(voi_sigmoid(40, 40, 400, 0, 255), 127.5);
    EXPECT_NEAR(voi_sigmoid(140, 40, 400, 0, 255), 186.41994, 1e-4);  // 255 / (1 + e^-1)
    EXPECT_NEAR(voi_sigmoid(-60, 40, 400, 0, 255), 68.58006, 1e-4);   // 255 / (1 + e)
    Window w{40, 400, VoiFunction::Sigmoid, {}};
    EXPECT_DOUBLE_EQ(apply_window(w, 40, 0, 1), 0.5);
}

// C.11.1.1: inputs below the first mapped value take the first entry, above the last the last.
TEST(RenderLut, LookupClampsToTheEnds) {
    Lut lut{-10, 16, {1, 2, 3}, {}};
    EXPECT_EQ(lut_lookup(lut, -20), 1);
    EXPECT_EQ(lut_lookup(lut, -10), 1);
    EXPECT_EQ(lut_lookup(lut, -9), 2);
    EXPECT_EQ(lut_lookup(lut, -8), 3);
    EXPECT_EQ(lut_lookup(lut, 100), 3);
    EXPECT_DOUBLE_EQ(lut_max(Lut{0, 12, {}, {}}), 4095);
}

// C.11.1.1.1: the first mapped value is SS for signed pixels, US otherwise; 0 entries means 65536.
TEST(RenderLut, DescriptorRules) {
    DataSet item;
    item.set(words(Tag{0x0028, 0x3002}, VR::US, {3, 0xFFF6, 16}));
    item.set(words(Tag{0x0028, 0x3006}, VR::OW, {100, 200, 300}));
    item.set_string(Tag{0x0028, 0x3003}, VR::LO, "TEST");
    auto s = parse_lut(item, true);
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->first_mapped, -10);
    EXPECT_EQ(s->data, (std::vector<std::uint16_t>{100, 200, 300}));
    EXPECT_EQ(s->explanation, "TEST");
    auto u = parse_lut(item, false);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->first_mapped, 65526);

    DataSet big;
    big.set(words(Tag{0x0028, 0x3002}, VR::US, {0, 0, 16}));
    std::vector<std::uint16_t> ramp(65536);
    for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<std::uint16_t>(i);
    big.set(words(Tag{0x0028, 0x3006}, VR::OW, ramp));
    auto b = parse_lut(big, false);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->data.size(), 65536u);
    EXPECT_EQ(lut_lookup(*b, 65535), 65535);

    // 8-bit entries packed two a word.
    DataSet packed;
    packed.set(words(Tag{0x0028, 0x3002}, VR::US, {4, 0, 8}));
    packed.set(words(Tag{0x0028, 0x3006}, VR::OW, {0x0201, 0x0403}));
    auto p = parse_lut(packed, false);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->data, (std::vector<std::uint16_t>{1, 2, 3, 4}));

    DataSet short_data;
    short_data.set(words(Tag{0x0028, 0x3002}, VR::US, {10, 0, 16}));
    short_data.set(words(Tag{0x0028, 0x3006}, VR::OW, {1, 2}));
    EXPECT_FALSE(parse_lut(short_data, false));
}

// C.7.9.2: discrete, linear and indirect segments.
TEST(RenderLut, SegmentedPalette) {
    DataSet ds;
    ds.set(words(Tag{0x0028, 0x1101}, VR::US, {8, 0, 16}));
    // discrete 2 values (0, 100), linear 3 entries to 400, indirect: copy 1 segment at word 0.
    ds.set(words(Tag{0x0028, 0x1221}, VR::OW, {0, 2, 0, 100, 1, 3, 400, 2, 1, 0, 0}));
    auto lut = parse_palette_lut(ds, Tag{0x0028, 0x1101}, Tag{0x0028, 0x1201}, Tag{0x0028, 0x1221});
    ASSERT_TRUE(lut) << lut.error().to_string();
    EXPECT_EQ(lut->data, (std::vector<std::uint16_t>{0, 100, 200, 300, 400, 0, 100, 100}));
}
