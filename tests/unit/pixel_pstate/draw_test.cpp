// The line, circle, polygon and text rasterisers.
#include <dicomkit/pixel/render/draw.hpp>
#include <dicomkit/pixel/render/font.hpp>

#include <cmath>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

using namespace dicomkit::pixel::render;

namespace {

Raster blank(std::uint32_t w, std::uint32_t h) {
    Raster r;
    r.width = w, r.height = h;
    r.samples.assign(std::size_t{w} * h, 0);
    return r;
}

std::set<std::pair<int, int>> inked(const Raster& r) {
    std::set<std::pair<int, int>> out;
    for (std::uint32_t y = 0; y < r.height; ++y)
        for (std::uint32_t x = 0; x < r.width; ++x)
            if (r.at(x, y)) out.insert({int(x), int(y)});
    return out;
}

std::string picture(const Raster& r) {
    std::string s;
    for (std::uint32_t y = 0; y < r.height; ++y) {
        for (std::uint32_t x = 0; x < r.width; ++x) s += r.at(x, y) ? '#' : '.';
        s += '\n';
    }
    return s;
}

const Ink kWhite{{255, 255, 255}};

}  // namespace

TEST(Draw, LinesAreBresenham) {
    Raster r = blank(8, 5);
    draw_line(r, {0.5, 0.5}, {6.5, 0.5}, kWhite);
    draw_line(r, {0.2, 1.7}, {3.9, 4.1}, kWhite);  // pixels (0,1) .. (3,4): a diagonal
    EXPECT_EQ(picture(r),
              "#######.\n"
              "#.......\n"
              ".#......\n"
              "..#.....\n"
              "...#....\n");
    Raster s = blank(6, 3);
    draw_line(s, {0, 0}, {5, 2}, kWhite);
    EXPECT_EQ(picture(s),
              "##....\n"
              "..##..\n"
              "....##\n");
}

TEST(Draw, LinesAreClipped) {
    Raster r = blank(4, 4);
    draw_line(r, {-100, 1.5}, {100, 1.5}, kWhite);
    draw_line(r, {1e12, -1e12}, {-1e12, 1e12}, kWhite);  // far away, bounded
    EXPECT_EQ(inked(r).count({0, 1}), 1u);
    EXPECT_EQ(inked(r).count({3, 1}), 1u);
}

TEST(Draw, MidpointCircle) {
    Raster r = blank(7, 7);
    draw_circle(r, {3.5, 3.5}, 2, kWhite);
    EXPECT_EQ(picture(r),
              ".......\n"
              "..###..\n"
              ".#...#.\n"
              ".#...#.\n"
              ".#...#.\n"
              "..###..\n"
              ".......\n");
    Raster f = blank(7, 7);
    draw_circle(f, {3.5, 3.5}, 2, kWhite, true);
    EXPECT_EQ(inked(f).size(), 21u);
    // Every inked pixel lies within half a pixel of the radius.
    Raster big = blank(64, 64);
    draw_circle(big, {32, 32}, 20, kWhite);
    for (auto [x, y] : inked(big)) {
        double d = std::hypot(x - 32.0, y - 32.0);
        EXPECT_NEAR(d, 20.0, 0.75) << x << "," << y;
    }
}

TEST(Draw, PolygonFillUsesPixelCentres) {
    Raster r = blank(6, 6);
    std::vector<Point> square{{1, 1}, {4, 1}, {4, 4}, {1, 4}};
    fill_polygon(r, square, kWhite);
    EXPECT_EQ(inked(r).size(), 9u);
    EXPECT_TRUE(inked(r).count({1, 1}));
    EXPECT_TRUE(inked(r).count({3, 3}));
    EXPECT_FALSE(inked(r).count({4, 4}));
}

TEST(Draw, EllipseAndInterpolated) {
    Raster r = blank(40, 20);
    draw_ellipse(r, {5, 10}, {35, 10}, {20, 5}, {20, 15}, kWhite);
    auto px = inked(r);
    EXPECT_TRUE(px.count({5, 10}) || px.count({4, 10}));
    EXPECT_TRUE(px.count({20, 5}) || px.count({20, 4}));
    EXPECT_FALSE(px.count({20, 10}));
    for (auto [x, y] : px) {
        double u = (x + 0.5 - 20) / 15, v = (y + 0.5 - 10) / 5;
        EXPECT_NEAR(u * u + v * v, 1.0, 0.45) << x << "," << y;
    }
    Raster c = blank(30, 30);
    std::vector<Point> pts{{2, 2}, {15, 25}, {28, 2}};
    draw_interpolated(c, pts, kWhite);
    EXPECT_TRUE(inked(c).count({15, 25}));
    EXPECT_TRUE(inked(c).count({2, 2}));
    EXPECT_TRUE(inked(c).count({28, 2}));
}

TEST(Draw, TextUsesTheFont) {
    Raster r = blank(12, 8);
    draw_text(r, 0, 0, "T|", kWhite);
    EXPECT_EQ(picture(r),
              "#####...#...\n"
              "..#.....#...\n"
              "..#.....#...\n"
              "..#.....#...\n"
              "..#.....#...\n"
              "..#.....#...\n"
              "..#.....#...\n"
              "............\n");
    EXPECT_EQ(text_extent("T|", 1), (std::array<std::int64_t, 2>{11, 7}));
    EXPECT_EQ(text_extent("ab\ncde", 2), (std::array<std::int64_t, 2>{34, 32}));
    // Every printable character has ink, except the space; others draw as '?'.
    for (char c = '!'; c <= '~'; ++c) {
        int bits = 0;
        for (auto row : glyph(c)) bits += __builtin_popcount(row);
        EXPECT_GT(bits, 0) << c;
    }
    EXPECT_EQ(glyph('\x01'), glyph('?'));
    Raster s = blank(12, 16);
    draw_text(s, 0, 0, "I", kWhite, 2);
    EXPECT_EQ(inked(s).size(), 4u * 11);  // 'I' has 11 pixels
}
