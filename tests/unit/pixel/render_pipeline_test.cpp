// The pipeline filled from data sets and applied to small frames, checked against hand-computed
// outputs (PS3.4 N.2, PS3.3 C.7.6.3.1.2, C.9.2).
#include <gtest/gtest.h>

#include <dicomkit/pixel/render/grey.hpp>
#include <dicomkit/pixel/render/overlay.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>

using namespace dicomkit;
using namespace dicomkit::pixel;
using namespace dicomkit::pixel::render;

namespace {

PixelInfo grey(std::uint32_t cols, std::uint16_t alloc, std::uint16_t stored, bool is_signed,
               std::string pi = "MONOCHROME2") {
    PixelInfo i;
    i.rows = 1;
    i.columns = cols;
    i.bits_allocated = alloc;
    i.bits_stored = stored;
    i.high_bit = static_cast<std::uint16_t>(stored - 1);
    i.is_signed = is_signed;
    i.photometric = std::move(pi);
    return i;
}

std::vector<std::uint8_t> le16(std::vector<std::uint16_t> v) {
    std::vector<std::uint8_t> b;
    for (auto x : v) {
        b.push_back(static_cast<std::uint8_t>(x & 0xFF));
        b.push_back(static_cast<std::uint8_t>(x >> 8));
    }
    return b;
}

DataSet image(std::string pi, bool is_signed) {
    DataSet ds;
    ds.set_string(Tag{0x0028, 0x0004}, VR::CS, pi);
    ds.set(Element::from_number<std::uint16_t>(Tag{0x0028, 0x0103}, VR::US, is_signed ? 1 : 0));
    return ds;
}

DataSet window_item(std::string c, std::string w) {
    DataSet item;
    item.set_string(Tag{0x0028, 0x1050}, VR::DS, c);
    item.set_string(Tag{0x0028, 0x1051}, VR::DS, w);
    return item;
}

}  // namespace

// 12 bits stored in 16, signed, garbage in the top 4 bits: masked and sign-extended. LINEAR_EXACT
// c 0 w 4096: -2048 -> 0, -1 -> (-1/4096 + 0.5) * 255 = 127.44 -> 127, 2047 -> 254.94 -> 255.
TEST(RenderPipeline, SignedBitsStoredMaskedAndExtended) {
    Pipeline p;
    p.window = Window{0, 4096, VoiFunction::LinearExact, {}};
    auto r = render_frame(p, grey(3, 16, 12, true), le16({0xF800, 0xAFFF, 0x07FF}));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->samples, (std::vector<std::uint16_t>{0, 127, 255}));
}

// Rescale slope 2, intercept -1024 and the file's first window (c 0, w 2001, LINEAR):
// stored 512 -> 0 -> ((0 + 0.5) / 2000 + 0.5) * 65535 = 32784.1 -> 32784 at 16 bits.
TEST(RenderPipeline, RescaleAndFileWindow) {
    DataSet ds = image("MONOCHROME2", false);
    ds.set_string(Tag{0x0028, 0x1053}, VR::DS, "2");
    ds.set_string(Tag{0x0028, 0x1052}, VR::DS, "-1024");
    ds.set_string(Tag{0x0028, 0x1050}, VR::DS, "0\\500");
    ds.set_string(Tag{0x0028, 0x1051}, VR::DS, "2001\\100");
    auto p = pipeline_for(ds);
    ASSERT_TRUE(p) << p.error().to_string();
    ASSERT_TRUE(p->window);
    EXPECT_EQ(p->windows.size(), 2u);
    EXPECT_DOUBLE_EQ(p->window->center, 0);
    EXPECT_DOUBLE_EQ(modality_value(*p, 512), 0);
    p->output_bits = 16;
    auto r = render_frame(*p, grey(3, 16, 16, false), le16({0, 512, 2000}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->samples, (std::vector<std::uint16_t>{0, 32784, 65535}));
}

// No window: min/max of the frame's values, padding excluded; MONOCHROME1 inverted.
TEST(RenderPipeline, MinMaxWithoutPaddingAndMonochrome1) {
    DataSet ds = image("MONOCHROME1", true);
    ds.set(Element::from_number<std::int16_t>(Tag{0x0028, 0x0120}, VR::SS, -2000));
    auto p = pipeline_for(ds);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->presentation_shape, PresentationShape::Inverse);
    ASSERT_TRUE(p->padding_value);
    EXPECT_EQ(*p->padding_value, -2000);
    auto r = render_frame(*p, grey(4, 16, 16, true), le16({static_cast<std::uint16_t>(-2000), 0, 50, 100}));
    ASSERT_TRUE(r);
    // Window c 50.5 w 101: 0 -> 0, 50 -> ((50 - 50) / 100 + 0.5) = 0.5, 100 -> 1; inverted.
    EXPECT_EQ(r->samples, (std::vector<std::uint16_t>{255, 255, 128, 0}));  // 127.5 rounds up
}

// Modality LUT Sequence replaces rescale; a VOI LUT maps its output.
TEST(RenderPipeline, ModalityAndVoiLutSequences) {
    DataSet ds = image("MONOCHROME2", false);
    DataSet mod;
    mod.set(Element::from_numbers<std::uint16_t>(Tag{0x0028, 0x3002}, VR::US, std::vector<std::uint16_t>{4, 0, 16}));
    mod.set(Element::from_numbers<std::uint16_t>(Tag{0x0028, 0x3006}, VR::OW, std::vector<std::uint16_t>{10, 20, 30, 40}));
    ds.set(Element(Tag{0x0028, 0x3000}, VR::SQ, Sequence{{mod}}));
    DataSet voi;
    voi.set(Element::from_numbers<std::uint16_t>(Tag{0x0028, 0x3002}, VR::US, std::vector<std::uint16_t>{31, 10, 8}));
    std::vector<std::uint16_t> ramp(31);
    for (std::size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<std::uint16_t>(255 - 8 * i);
    voi.set(Element::from_numbers<std::uint16_t>(Tag{0x0028, 0x3006}, VR::OW, ramp));
    ds.set(Element(Tag{0x0028, 0x3010}, VR::SQ, Sequence{{voi}}));
    auto p = pipeline_for(ds);
    ASSERT_TRUE(p) << p.error().to_string();
    ASSERT_TRUE(p->modality_lut);
    ASSERT_TRUE(p->voi_lut);
    EXPECT_FALSE(p->window);
    PixelInfo info = grey(5, 8, 8, false);
    auto r = render_frame(*p, info, std::vector<std::uint8_t>{0, 1, 2, 3, 9});
    ASSERT_TRUE(r);
    // modality 10, 20, 30, 40, 40 -> VOI entries 0, 10, 20, 30 (clamped) -> 255, 175, 95, 15, 15.
    EXPECT_EQ(r->samples, (std::vector<std::uint16_t>{255, 175, 95, 15, 15}));
}

// Enhanced multi-frame: the frame's Pixel Value Transformation and Frame VOI LUT, else the shared.
TEST(RenderPipeline, FunctionalGroupsPerFrameThenShared) {
    DataSet ds = image("MONOCHROME2", false);
    DataSet shared;
    DataSet pvt;
    pvt.set_string(Tag{0x0028, 0x1053}, VR::DS, "3");
    pvt.set_string(Tag{0x0028, 0x1052}, VR::DS, "7");
    shared.set(Element(Tag{0x0028, 0x9145}, VR::SQ, Sequence{{pvt}}));
    shared.set(Element(Tag{0x0028, 0x9132}, VR::SQ, Sequence{{window_item("10", "20")}}));
    DataSet f0, f1;
    DataSet voi1 = window_item("300", "50");
    voi1.set_string(Tag{0x0028, 0x1056}, VR::CS, "SIGMOID");
    f1.set(Element(Tag{0x0028, 0x9132}, VR::SQ, Sequence{{voi1}}));
    ds.set(Element(Tag{0x5200, 0x9229}, VR::SQ, Sequence{{shared}}));
    ds.set(Element(Tag{0x5200, 0x9230}, VR::SQ, Sequence{{f0, f1}}));
    ds.set_string(Tag{0x0028, 0x1050}, VR::DS, "999");
    ds.set_string(Tag{0x0028, 0x1051}, VR::DS, "1");
    auto p0 = pipeline_for(ds, 0), p1 = pipeline_for(ds, 1);
    ASSERT_TRUE(p0 && p1);
    EXPECT_DOUBLE_EQ(p0->rescale_slope, 3);
    EXPECT_DOUBLE_EQ(p0->rescale_intercept, 7);
    EXPECT_DOUBLE_EQ(p0->window->center, 10);
    EXPECT_EQ(p0->window->function, VoiFunction::Linear);
    EXPECT_DOUBLE_EQ(p1->window->center, 300);
    EXPECT_EQ(p1->window->function, VoiFunction::Sigmoid);
    EXPECT_EQ(p1->frame, 1u);
}

// A Presentation LUT: VOI output 0..1 spread over its entries; shape INVERSE from the data set.
TEST(RenderPipeline, PresentationLutAndShape) {
    Pipeline p;
    p.window = Window{127.5, 256, VoiFunction::LinearExact, {}};
    p.presentation_lut = Lut{0, 12, {0, 4095, 0}, {}};  // a tent: 0 -> 0, middle -> max, 1 -> 0
    EXPECT_DOUBLE_EQ(present(p, Window{}, -1000), 0);
    EXPECT_DOUBLE_EQ(present(p, Window{}, 127.5), 1);
    EXPECT_DOUBLE_EQ(present(p, Window{}, 1000), 0);
    DataSet ds = image("MONOCHROME2", false);
    ds.set_string(Tag{0x2050, 0x0020}, VR::CS, "INVERSE");
    EXPECT_EQ(pipeline_for(ds)->presentation_shape, PresentationShape::Inverse);
    DataSet m1 = image("MONOCHROME1", false);
    m1.set_string(Tag{0x2050, 0x0020}, VR::CS, "IDENTITY");
    EXPECT_EQ(pipeline_for(m1)->presentation_shape, PresentationShape::Identity);
}

// PS3.3 C.7.6.3.1.2 YBR_FULL: Y 128, Cb 128, Cr 255 -> R 128 + 1.402 * 127 (clamped 255),
// G 128 - 0.714136 * 127 = 37.3, B 128. YBR_FULL_422 pairs share Cb and Cr.
TEST(RenderPipeline, YbrFullAndSubsampled) {
    PixelInfo info = grey(2, 8, 8, false, "YBR_FULL");
    info.samples_per_pixel = 3;
    Pipeline p;
    auto r = render_frame(p, info, std::vector<std::uint8_t>{128, 128, 255, 76, 85, 255});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->channels, 3);
    EXPECT_EQ((std::vector<std::uint16_t>(r->samples.begin(), r->samples.begin() + 3)), (std::vector<std::uint16_t>{255, 37, 128}));
    // 76, 85, 255 is pure red in full-range BT.601: 76 + 1.402 * 127 = 254, 76 - 0.344136 * -43 - 0.714136 * 127 = 0, 76 + 1.772 * -43 = 0.
    EXPECT_NEAR(r->samples[3], 254, 1);
    EXPECT_NEAR(r->samples[4], 0, 1);
    EXPECT_NEAR(r->samples[5], 0, 1);
    info.photometric = "YBR_FULL_422";
    auto s = render_frame(p, info, std::vector<std::uint8_t>{128, 200, 128, 128});
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(s->samples, (std::vector<std::uint16_t>{128, 128, 128, 200, 200, 200}));
}

// PALETTE COLOR: 16-bit entries scaled to 8 bits; first mapped value 1 (index 0 clamps).
TEST(RenderPipeline, PaletteColour) {
    DataSet ds = image("PALETTE COLOR", false);
    for (std::uint16_t e = 0; e < 3; ++e) {
        ds.set(Element::from_numbers<std::uint16_t>(Tag{0x0028, static_cast<std::uint16_t>(0x1101 + e)}, VR::US,
                                                    std::vector<std::uint16_t>{2, 1, 16}));
        ds.set(Element::from_numbers<std::uint16_t>(Tag{0x0028, static_cast<std::uint16_t>(0x1201 + e)}, VR::OW,
                                                    std::vector<std::uint16_t>{static_cast<std::uint16_t>(e * 0x1000), 0xFFFF}));
    }
    auto p = pipeline_for(ds);
    ASSERT_TRUE(p) << p.error().to_string();
    ASSERT_TRUE(p->palette);
    auto r = render_frame(*p, grey(2, 8, 8, false, "PALETTE COLOR"), std::vector<std::uint8_t>{0, 2});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->samples, (std::vector<std::uint16_t>{0, 16, 32, 255, 255, 255}));
}

// Overlays: Overlay Data with an origin, multi-frame planes, and a plane in bit 15 of the pixels.
TEST(RenderPipeline, OverlaysBurnedIn) {
    DataSet ds = image("MONOCHROME2", false);
    ds.set(Element::from_number<std::uint16_t>(Tag{0x6000, 0x0010}, VR::US, 1));
    ds.set(Element::from_number<std::uint16_t>(Tag{0x6000, 0x0011}, VR::US, 2));
    ds.set(Element::from_numbers<std::int16_t>(Tag{0x6000, 0x0050}, VR::SS, std::vector<std::int16_t>{1, 3}));
    ds.set_string(Tag{0x6000, 0x0015}, VR::IS, "2");
    ds.set_string(Tag{0x6000, 0x0040}, VR::CS, "G");
    ds.set(Element::from_bytes(Tag{0x6000, 0x3000}, VR::OW, std::vector<std::uint8_t>{0b1001, 0}));  // f0: 1 0, f1: 0 1
    ds.set(Element::from_number<std::uint16_t>(Tag{0x6002, 0x0010}, VR::US, 1));
    ds.set(Element::from_number<std::uint16_t>(Tag{0x6002, 0x0011}, VR::US, 4));
    ds.set(Element::from_number<std::uint16_t>(Tag{0x6002, 0x0100}, VR::US, 16));
    ds.set(Element::from_number<std::uint16_t>(Tag{0x6002, 0x0102}, VR::US, 15));
    auto p = pipeline_for(ds);
    ASSERT_TRUE(p) << p.error().to_string();
    ASSERT_EQ(p->overlays.size(), 2u);
    EXPECT_EQ(p->overlays[0].origin_column, 3);
    EXPECT_EQ(p->overlays[0].frames, 2u);
    ASSERT_TRUE(p->overlays[1].bit_position);
    p->window = Window{0, 100000, VoiFunction::LinearExact, {}};  // everything near mid grey
    p->burn_overlays = true;
    PixelInfo info = grey(4, 16, 12, false);
    auto pixels = le16({0x8000, 0, 0, 0});
    auto r0 = render_frame(*p, info, pixels);
    ASSERT_TRUE(r0);
    EXPECT_EQ(r0->samples, (std::vector<std::uint16_t>{255, 128, 255, 128}));
    p->frame = 1;
    auto r1 = render_frame(*p, info, pixels);
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->samples, (std::vector<std::uint16_t>{255, 128, 128, 255}));
}

TEST(RenderPipeline, ErrorsForWhatItCannotRender) {
    Pipeline p;
    EXPECT_FALSE(render_frame(p, grey(4, 16, 16, false), le16({1, 2})));  // short frame
    p.output_bits = 12;
    EXPECT_FALSE(render_frame(p, grey(1, 16, 16, false), le16({1})));
    DataSet bad = image("PALETTE COLOR", false);
    EXPECT_FALSE(pipeline_for(bad));  // no palette descriptors
}
