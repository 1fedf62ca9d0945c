// PNG and JPEG encoders and resampling.
#include <gtest/gtest.h>

#include <dicomkit/pixel/render/writers.hpp>

using namespace dicomkit::pixel::render;

TEST(RenderWriters, PngSignatureAndHeader) {
    Raster r{3, 2, 1, 16, {0, 1, 2, 65535, 4, 5}};
    auto png = encode_png(r);
    ASSERT_TRUE(png) << png.error().to_string();
    ASSERT_GT(png->size(), 33u);
    const std::uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    EXPECT_TRUE(std::equal(sig, sig + 8, png->begin()));
    EXPECT_EQ((*png)[19], 3);
    EXPECT_EQ((*png)[23], 2);           // height 2
    EXPECT_EQ((*png)[24], 16);          // bit depth
    EXPECT_EQ((*png)[25], 0);           // grey
    Raster rgb{1, 1, 3, 8, {1, 2, 3}};
    auto c = encode_png(rgb);
    ASSERT_TRUE(c);
    EXPECT_EQ((*c)[25], 2);  // truecolour
    EXPECT_FALSE(encode_png(Raster{}));
}

TEST(RenderWriters, JpegStartsWithSoi) {
    Raster r{16, 16, 3, 8, std::vector<std::uint16_t>(16 * 16 * 3, 200)};
    auto j = encode_jpeg(r, 80);
    ASSERT_TRUE(j) << j.error().to_string();
    ASSERT_GT(j->size(), 4u);
    EXPECT_EQ((*j)[0], 0xFF);
    EXPECT_EQ((*j)[1], 0xD8);
    EXPECT_EQ((*j)[j->size() - 2], 0xFF);
    EXPECT_EQ((*j)[j->size() - 1], 0xD9);
}

TEST(RenderWriters, FitKeepsAspect) {
    EXPECT_EQ(fit_size(512, 256, 128, 128), (std::pair<std::uint32_t, std::uint32_t>{128, 64}));
    EXPECT_EQ(fit_size(256, 512, 128, 0), (std::pair<std::uint32_t, std::uint32_t>{128, 256}));
    EXPECT_EQ(fit_size(10, 10, 0, 0), (std::pair<std::uint32_t, std::uint32_t>{10, 10}));
}

TEST(RenderWriters, AreaShrinkAndBilinearGrow) {
    Raster r{4, 2, 1, 8, {0, 100, 200, 0, 100, 200, 0, 0}};
    auto s = resize(r, 2, 1);
    // Each output averages a 2x2 block: (0+100+100+200)/4 = 100, (200+0+0+0)/4 = 50.
    EXPECT_EQ(s.samples, (std::vector<std::uint16_t>{100, 50}));
    Raster two{2, 1, 1, 8, {0, 200}};
    auto g = resize(two, 4, 1);
    // Centres at -0.25, 0.25, 0.75, 1.25 of the input: 0, 50, 150, 200.
    EXPECT_EQ(g.samples, (std::vector<std::uint16_t>{0, 50, 150, 200}));
}
