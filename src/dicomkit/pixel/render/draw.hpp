// Drawing into a Raster: lines, circles, ellipses, polygons and 5x7 text, clipped to the raster.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include <dicomkit/pixel/render/raster.hpp>

namespace dicomkit::pixel::render {

/// The sample values one drawing writes, per channel (only the first `channels` are used).
struct Ink {
    std::array<std::uint16_t, 3> value{0, 0, 0};
};

/// A point in raster coordinates: pixel (i, j) covers [i, i+1) x [j, j+1).
using Point = std::array<double, 2>;

/// The pixel holding coordinate `v` (floor), saturated to +-2^40; NaN gives a pixel far outside.
[[nodiscard]] std::int64_t pixel_index(double v) noexcept;
/// Sets pixel (x, y) when it is inside the raster.
void plot(Raster& r, std::int64_t x, std::int64_t y, const Ink& ink);
/// Bresenham line between the pixels holding `a` and `b`, both ends included.
void draw_line(Raster& r, Point a, Point b, const Ink& ink);
/// Lines between consecutive points; `closed` joins the last to the first.
void draw_polyline(Raster& r, std::span<const Point> points, const Ink& ink, bool closed = false);
/// Fills the pixels whose centres lie inside the polygon (even-odd rule).
void fill_polygon(Raster& r, std::span<const Point> points, const Ink& ink);
/// Midpoint circle of radius `radius` (pixels, rounded) around the pixel holding `center`;
/// `filled` fills the disc as well.
void draw_circle(Raster& r, Point center, double radius, const Ink& ink, bool filled = false);
/// An ellipse given by the ends of its major axis and of its minor axis (PS3.3 C.10.5 ELLIPSE).
void draw_ellipse(Raster& r, Point major_a, Point major_b, Point minor_a, Point minor_b, const Ink& ink,
                  bool filled = false);
/// A uniform Catmull-Rom curve through the points (PS3.3 C.10.5 INTERPOLATED).
void draw_interpolated(Raster& r, std::span<const Point> points, const Ink& ink, bool filled = false);
/// Text with the top left of its first glyph at (x, y), each font pixel `scale` x `scale`;
/// '\n' starts a new line.
void draw_text(Raster& r, std::int64_t x, std::int64_t y, std::string_view text, const Ink& ink, int scale = 1);
/// Width and height in pixels that draw_text covers for `text` at `scale`.
[[nodiscard]] std::array<std::int64_t, 2> text_extent(std::string_view text, int scale = 1);

}  // namespace dicomkit::pixel::render
