// Simple rasterisers for annotations burned into a Raster.
#include <dicomkit/pixel/render/draw.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <dicomkit/pixel/render/font.hpp>

namespace dicomkit::pixel::render {

namespace {

std::int64_t cell(double v) { return pixel_index(v); }

void span_row(Raster& r, std::int64_t y, std::int64_t x0, std::int64_t x1, const Ink& ink) {
    if (y < 0 || y >= r.height) return;
    x0 = std::max<std::int64_t>(x0, 0);
    x1 = std::min<std::int64_t>(x1, std::int64_t{r.width} - 1);
    for (std::int64_t x = x0; x <= x1; ++x) plot(r, x, y, ink);
}

/// Points along a closed ellipse, enough that neighbours are about a pixel apart.
std::vector<Point> ellipse_points(Point c, double a, double b, double angle) {
    std::size_t n = std::clamp<std::size_t>(static_cast<std::size_t>(2 * std::numbers::pi * std::max(a, b)), 16, 1u << 16);
    std::vector<Point> pts(n);
    double ca = std::cos(angle), sa = std::sin(angle);
    for (std::size_t i = 0; i < n; ++i) {
        double t = 2 * std::numbers::pi * double(i) / double(n);
        double x = a * std::cos(t), y = b * std::sin(t);
        pts[i] = {c[0] + x * ca - y * sa, c[1] + x * sa + y * ca};
    }
    return pts;
}

}  // namespace

std::int64_t pixel_index(double v) noexcept {
    constexpr double kLimit = 1099511627776.0;  // 2^40
    if (std::isnan(v)) return -static_cast<std::int64_t>(kLimit);
    return static_cast<std::int64_t>(std::floor(std::clamp(v, -kLimit, kLimit)));
}

void plot(Raster& r, std::int64_t x, std::int64_t y, const Ink& ink) {
    if (x < 0 || y < 0 || x >= r.width || y >= r.height) return;
    std::uint16_t* p = &r.samples[(std::size_t(y) * r.width + std::size_t(x)) * r.channels];
    for (std::uint8_t c = 0; c < r.channels && c < 3; ++c) p[c] = ink.value[c];
}

void draw_line(Raster& r, Point a, Point b, const Ink& ink) {
    // Liang-Barsky: a segment reaching outside the raster is cut to a margin around it, so the
    // loop below runs over about as many pixels as the raster has.
    const double lo_x = -2, lo_y = -2, hi_x = double(r.width) + 2, hi_y = double(r.height) + 2;
    if (!(std::isfinite(a[0]) && std::isfinite(a[1]) && std::isfinite(b[0]) && std::isfinite(b[1]))) return;
    if (a[0] < lo_x || a[0] > hi_x || a[1] < lo_y || a[1] > hi_y || b[0] < lo_x || b[0] > hi_x || b[1] < lo_y ||
        b[1] > hi_y) {
        double t0 = 0, t1 = 1, dx = b[0] - a[0], dy = b[1] - a[1];
        const double p[4] = {-dx, dx, -dy, dy}, q[4] = {a[0] - lo_x, hi_x - a[0], a[1] - lo_y, hi_y - a[1]};
        for (int i = 0; i < 4; ++i) {
            if (p[i] == 0) {
                if (q[i] < 0) return;
                continue;
            }
            double t = q[i] / p[i];
            if (p[i] < 0) t0 = std::max(t0, t);
            else t1 = std::min(t1, t);
        }
        if (t0 > t1) return;
        b = {a[0] + t1 * dx, a[1] + t1 * dy};
        a = {a[0] + t0 * dx, a[1] + t0 * dy};
    }
    std::int64_t x0 = cell(a[0]), y0 = cell(a[1]), x1 = cell(b[0]), y1 = cell(b[1]);
    std::int64_t dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    std::int64_t sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    for (;;) {
        plot(r, x0, y0, ink);
        if (x0 == x1 && y0 == y1) break;
        std::int64_t e2 = 2 * err;
        if (e2 >= dy) err += dy, x0 += sx;
        if (e2 <= dx) err += dx, y0 += sy;
    }
}

void draw_polyline(Raster& r, std::span<const Point> points, const Ink& ink, bool closed) {
    if (points.size() == 1) draw_line(r, points[0], points[0], ink);
    for (std::size_t i = 1; i < points.size(); ++i) draw_line(r, points[i - 1], points[i], ink);
    if (closed && points.size() > 2) draw_line(r, points.back(), points.front(), ink);
}

void fill_polygon(Raster& r, std::span<const Point> points, const Ink& ink) {
    if (points.size() < 3) return;
    double ymin = points[0][1], ymax = ymin;
    for (const Point& p : points) ymin = std::min(ymin, p[1]), ymax = std::max(ymax, p[1]);
    std::int64_t y0 = std::max<std::int64_t>(cell(ymin), 0);
    std::int64_t y1 = std::min<std::int64_t>(cell(ymax), std::int64_t{r.height} - 1);
    std::vector<double> xs;
    for (std::int64_t y = y0; y <= y1; ++y) {
        double yc = double(y) + 0.5;
        xs.clear();
        for (std::size_t i = 0, j = points.size() - 1; i < points.size(); j = i++) {
            const Point &p = points[i], &q = points[j];
            if ((p[1] > yc) != (q[1] > yc)) xs.push_back(p[0] + (yc - p[1]) * (q[0] - p[0]) / (q[1] - p[1]));
        }
        std::sort(xs.begin(), xs.end());
        // Pixel x is inside when its centre x + 0.5 lies in [xs[k], xs[k+1]).
        for (std::size_t k = 0; k + 1 < xs.size(); k += 2)
            span_row(r, y, -pixel_index(0.5 - xs[k]), -pixel_index(0.5 - xs[k + 1]) - 1, ink);
    }
}

void draw_circle(Raster& r, Point center, double radius, const Ink& ink, bool filled) {
    std::int64_t cx = cell(center[0]), cy = cell(center[1]);
    std::int64_t rad = std::min<std::int64_t>(pixel_index(std::abs(radius) + 0.5), std::int64_t{1} << 20);
    if (rad < 0) return;
    std::int64_t x = rad, y = 0, d = 1 - rad;
    while (x >= y) {
        if (filled) {
            span_row(r, cy + y, cx - x, cx + x, ink);
            span_row(r, cy - y, cx - x, cx + x, ink);
            span_row(r, cy + x, cx - y, cx + y, ink);
            span_row(r, cy - x, cx - y, cx + y, ink);
        }
        const std::int64_t pts[8][2] = {{x, y}, {y, x}, {-y, x}, {-x, y}, {-x, -y}, {-y, -x}, {y, -x}, {x, -y}};
        for (const auto& p : pts) plot(r, cx + p[0], cy + p[1], ink);
        ++y;
        if (d < 0) {
            d += 2 * y + 1;
        } else {
            --x;
            d += 2 * (y - x) + 1;
        }
    }
}

void draw_ellipse(Raster& r, Point ma, Point mb, Point na, Point nb, const Ink& ink, bool filled) {
    Point c{(ma[0] + mb[0]) / 2, (ma[1] + mb[1]) / 2};
    double a = std::hypot(mb[0] - ma[0], mb[1] - ma[1]) / 2;
    double b = std::hypot(nb[0] - na[0], nb[1] - na[1]) / 2;
    double angle = std::atan2(mb[1] - ma[1], mb[0] - ma[0]);
    auto pts = ellipse_points(c, std::min(a, 1e6), std::min(b, 1e6), angle);
    if (filled) fill_polygon(r, pts, ink);
    draw_polyline(r, pts, ink, true);
}

void draw_interpolated(Raster& r, std::span<const Point> p, const Ink& ink, bool filled) {
    if (p.size() < 3) return draw_polyline(r, p, ink);
    std::vector<Point> out;
    const int steps = 16;
    for (std::size_t i = 0; i + 1 < p.size(); ++i) {
        const Point& p0 = p[i == 0 ? 0 : i - 1];
        const Point& p1 = p[i];
        const Point& p2 = p[i + 1];
        const Point& p3 = p[std::min(i + 2, p.size() - 1)];
        for (int s = 0; s < steps; ++s) {
            double t = double(s) / steps, t2 = t * t, t3 = t2 * t;
            Point q;
            for (int k = 0; k < 2; ++k)
                q[k] = 0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * t + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t2 +
                              (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t3);
            out.push_back(q);
        }
    }
    out.push_back(p.back());
    if (filled) fill_polygon(r, out, ink);
    draw_polyline(r, out, ink);
}

std::array<std::int64_t, 2> text_extent(std::string_view text, int scale) {
    std::int64_t lines = 1, col = 0, widest = 0;
    for (char c : text) {
        if (c == '\n') {
            ++lines, col = 0;
            continue;
        }
        if (c == '\r') continue;
        widest = std::max(widest, ++col);
    }
    if (widest == 0) return {0, 0};
    return {(widest * kGlyphAdvance - 1) * scale, ((lines - 1) * kLineAdvance + kGlyphHeight) * scale};
}

void draw_text(Raster& r, std::int64_t x, std::int64_t y, std::string_view text, const Ink& ink, int scale) {
    scale = std::clamp(scale, 1, 64);
    std::int64_t cx = x, cy = y;
    for (char c : text) {
        if (c == '\n') {
            cx = x, cy += kLineAdvance * scale;
            continue;
        }
        if (c == '\r') continue;
        const auto& g = glyph(c);
        for (int row = 0; row < kGlyphHeight; ++row)
            for (int col = 0; col < kGlyphWidth; ++col)
                if (g[row] & (0x10 >> col))
                    for (int sy = 0; sy < scale; ++sy)
                        for (int sx = 0; sx < scale; ++sx)
                            plot(r, cx + col * scale + sx, cy + row * scale + sy, ink);
        cx += kGlyphAdvance * scale;
    }
}

}  // namespace dicomkit::pixel::render
