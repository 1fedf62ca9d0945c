// The presentation state stages of PS3.4 N.2 around the grayscale render pipeline.
#include <dicomkit/pixel/render/presentation_apply.hpp>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include <dicomkit/pixel/render/font.hpp>
#include <dicomkit/pixel/render/overlay.hpp>

namespace dicomkit::pixel::render {

namespace {

std::uint16_t max_sample(const Raster& r) { return static_cast<std::uint16_t>((1u << r.bit_depth) - 1); }

/// A P-value (0..0xFFFF, PS3.4 N.2.1.2) as a sample of `r`'s depth.
std::uint16_t from_pvalue(const Raster& r, std::uint32_t pvalue) {
    return static_cast<std::uint16_t>((std::uint64_t{pvalue} * max_sample(r) + 32767) / 65535);
}

/// A grey P-value, or the lightness of a scaled CIELab value (PS3.3 C.10.7.1.1), or `fallback`.
std::uint16_t grey_pvalue(std::optional<std::uint16_t> grey, const std::optional<std::array<std::uint16_t, 3>>& lab,
                          std::uint16_t fallback) {
    if (grey) return *grey;
    if (lab) return (*lab)[0];
    return fallback;
}

Ink ink_for(const Raster& r, std::uint16_t pvalue, const std::optional<std::array<std::uint16_t, 3>>& lab) {
    Ink ink;
    if (r.channels >= 3 && lab) {
        auto rgb = lab_to_srgb(*lab);
        for (int c = 0; c < 3; ++c) ink.value[c] = from_pvalue(r, rgb[c] * 257u);
    } else {
        ink.value.fill(from_pvalue(r, pvalue));
    }
    return ink;
}

bool inside_polygon(const std::vector<std::array<std::int32_t, 2>>& v, double row, double col) {
    bool in = false;
    for (std::size_t i = 0, j = v.size() - 1; i < v.size(); j = i++) {
        double ri = v[i][0], ci = v[i][1], rj = v[j][0], cj = v[j][1];
        if ((ri > row) != (rj > row) && col < ci + (row - ri) * (cj - ci) / (rj - ri)) in = !in;
    }
    return in;
}

const Overlay* find_overlay(std::span<const Overlay> list, std::uint16_t group) {
    for (const Overlay& o : list)
        if (o.group == group) return &o;
    return nullptr;
}

void burn_overlay(Raster& r, const Overlay& o, std::size_t frame, const Ink& ink) {
    for (std::uint32_t y = 0; y < r.height; ++y)
        for (std::uint32_t x = 0; x < r.width; ++x)
            if (overlay_bit(o, frame, y, x, PixelInfo{}, {})) plot(r, x, y, ink);
}

/// Transformed (continuous) coordinates of an image point: rotation clockwise, then the flip.
Point transform_point(const Geometry& g, Point p) {
    double w = g.image_width, h = g.image_height, x = p[0], y = p[1];
    Point q;
    switch (g.rotation) {
        case 90: q = {h - y, x}; break;
        case 180: q = {w - x, h - y}; break;
        case 270: q = {y, w - x}; break;
        default: q = {x, y}; break;
    }
    if (g.flip) q[0] = ((g.rotation == 90 || g.rotation == 270) ? h : w) - q[0];
    return q;
}

void draw_graphic(Raster& out, const Geometry& g, const PsGraphic& gr, const Ink& ink) {
    std::vector<Point> pts;
    pts.reserve(gr.points.size());
    for (const auto& p : gr.points) {
        Point q{p[0], p[1]};
        pts.push_back(gr.units == AnnotationUnits::Display ? g.from_display(q) : g.from_pixel(q));
    }
    const bool closed = pts.size() > 2 && gr.points.front() == gr.points.back();
    switch (gr.type) {
        case PsGraphic::Type::Point: draw_circle(out, pts[0], 1, ink, true); break;
        case PsGraphic::Type::Polyline:
            if (gr.filled && closed) fill_polygon(out, pts, ink);
            draw_polyline(out, pts, ink);
            break;
        case PsGraphic::Type::Interpolated: draw_interpolated(out, pts, ink, gr.filled && closed); break;
        case PsGraphic::Type::Circle: {
            // A circle stays one when both output scales agree; otherwise it is an ellipse.
            double radius = std::hypot(pts[1][0] - pts[0][0], pts[1][1] - pts[0][1]);
            if (std::abs(g.scale_x - g.scale_y) < 1e-9) {
                draw_circle(out, pts[0], radius, ink, gr.filled);
            } else {
                auto map = [&](double x, double y) {
                    return gr.units == AnnotationUnits::Display ? g.from_display({x, y}) : g.from_pixel({x, y});
                };
                const double cx = gr.points[0][0], cy = gr.points[0][1];
                const double r0 = std::hypot(double(gr.points[1][0]) - cx, double(gr.points[1][1]) - cy);
                Point a = map(cx - r0, cy), b = map(cx + r0, cy), d = map(cx, cy - r0), e = map(cx, cy + r0);
                draw_ellipse(out, a, b, d, e, ink, gr.filled);
            }
            break;
        }
        case PsGraphic::Type::Ellipse: draw_ellipse(out, pts[0], pts[1], pts[2], pts[3], ink, gr.filled); break;
    }
}

void draw_text_object(Raster& out, const Geometry& g, const PsText& t, const Ink& ink) {
    auto map = [&](AnnotationUnits u, const std::array<float, 2>& p) {
        return u == AnnotationUnits::Display ? g.from_display({p[0], p[1]}) : g.from_pixel({p[0], p[1]});
    };
    int scale = std::clamp(static_cast<int>(out.height / 512) + 1, 1, 8);
    auto extent = text_extent(t.text, scale);
    std::optional<std::array<double, 4>> box;
    if (t.box_tlhc && t.box_brhc) {
        Point a = map(t.box_units, *t.box_tlhc), b = map(t.box_units, *t.box_brhc);
        box = std::array<double, 4>{std::min(a[0], b[0]), std::min(a[1], b[1]), std::max(a[0], b[0]), std::max(a[1], b[1])};
        // The font shrinks to fit the box's height where it can.
        while (scale > 1 && text_extent(t.text, scale)[1] > (*box)[3] - (*box)[1]) --scale;
        extent = text_extent(t.text, scale);
    }
    std::optional<Point> anchor;
    if (t.anchor) anchor = map(t.anchor_units, *t.anchor);
    double x = 0, y = 0;
    if (box) {
        double left = (*box)[0], right = (*box)[2];
        x = t.justification == "RIGHT"    ? right - double(extent[0])
            : t.justification == "CENTER" ? (left + right - double(extent[0])) / 2
                                          : left;
        y = (*box)[1];
    } else {
        x = (*anchor)[0] + 2 * scale, y = (*anchor)[1] - double(extent[1]) - 2 * scale;
    }
    draw_text(out, pixel_index(x + 0.5), pixel_index(y + 0.5), t.text, ink, scale);
    if (anchor && t.anchor_visible) {
        // PS3.3 C.10.5.1.1: a line from the anchor point to the nearest point of the text's box.
        double bx0 = box ? (*box)[0] : x, by0 = box ? (*box)[1] : y;
        double bx1 = box ? (*box)[2] : x + double(extent[0]), by1 = box ? (*box)[3] : y + double(extent[1]);
        Point near{std::clamp((*anchor)[0], bx0, bx1), std::clamp((*anchor)[1], by0, by1)};
        draw_line(out, *anchor, near, ink);
    }
}

}  // namespace

Point Geometry::from_pixel(Point p) const {
    Point q = transform_point(*this, p);
    return {(q[0] - area[0]) * scale_x + offset_x, (q[1] - area[1]) * scale_y + offset_y};
}

Point Geometry::from_display(Point p) const {
    return {p[0] * (area[2] - area[0]) * scale_x + offset_x, p[1] * (area[3] - area[1]) * scale_y + offset_y};
}

void apply_state_luts(const ImagePresentation& ip, const PixelInfo& info, Pipeline& p) {
    const PresentationState& s = *ip.state;
    p.modality_lut.reset();
    p.rescale_slope = 1.0, p.rescale_intercept = 0.0, p.rescale_type.clear();
    if (s.modality) {
        p.rescale_slope = s.modality->slope;
        p.rescale_intercept = s.modality->intercept;
        p.rescale_type = s.modality->rescale_type;
        p.modality_lut = s.modality->lut;
    }
    p.window.reset(), p.voi_lut.reset(), p.windows.clear(), p.voi_luts.clear();
    if (ip.voi && ip.voi->lut) {
        p.voi_lut = ip.voi->lut;
    } else if (ip.voi) {
        Window w;
        w.center = ip.voi->centers.front();
        w.width = ip.voi->widths.front();
        w.function = ip.voi->function == "SIGMOID"        ? VoiFunction::Sigmoid
                     : ip.voi->function == "LINEAR_EXACT" ? VoiFunction::LinearExact
                                                          : VoiFunction::Linear;
        p.window = w;
    } else {
        // No VOI transformation: the whole modality output range maps onto the P-values.
        double lo = 0, hi = 0;
        if (p.modality_lut) {
            hi = double((1u << p.modality_lut->bits) - 1);
        } else {
            int bits = std::clamp<int>(info.bits_stored, 1, 32);
            double smin = info.is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
            double smax = info.is_signed ? std::ldexp(1.0, bits - 1) - 1 : std::ldexp(1.0, bits) - 1;
            double a = smin * p.rescale_slope + p.rescale_intercept, b = smax * p.rescale_slope + p.rescale_intercept;
            lo = std::min(a, b), hi = std::max(a, b);
        }
        p.window = Window{(lo + hi) / 2, std::max(hi - lo, 1.0), VoiFunction::LinearExact, "identity"};
    }
    p.presentation_lut = s.presentation_lut.lut;
    p.presentation_shape = s.presentation_lut.shape == "INVERSE" ? PresentationShape::Inverse : PresentationShape::Identity;
    p.burn_overlays = false;
}

Raster spatial_transform(const Raster& in, std::uint16_t rotation, bool flip) {
    const bool swap = rotation == 90 || rotation == 270;
    Raster out;
    out.width = swap ? in.height : in.width;
    out.height = swap ? in.width : in.height;
    out.channels = in.channels;
    out.bit_depth = in.bit_depth;
    out.samples.resize(in.samples.size());
    const std::uint32_t W = in.width, H = in.height, ch = in.channels;
    for (std::uint32_t j = 0; j < out.height; ++j) {
        for (std::uint32_t i0 = 0; i0 < out.width; ++i0) {
            std::uint32_t i = flip ? out.width - 1 - i0 : i0;  // the flip comes after the rotation
            std::uint32_t x, y;
            switch (rotation) {
                case 90: x = j, y = H - 1 - i; break;
                case 180: x = W - 1 - i, y = H - 1 - j; break;
                case 270: x = W - 1 - j, y = i; break;
                default: x = i, y = j; break;
            }
            const std::uint16_t* s = &in.samples[(std::size_t{y} * W + x) * ch];
            std::uint16_t* d = &out.samples[(std::size_t{j} * out.width + i0) * ch];
            for (std::uint32_t c = 0; c < ch; ++c) d[c] = s[c];
        }
    }
    return out;
}

void apply_shutter(Raster& image, const PsShutter& s, const Overlay* bitmap, std::uint16_t value, std::size_t frame) {
    if (!s.any()) return;
    const double r2 = double(s.radius) * s.radius;
    for (std::uint32_t y = 0; y < image.height; ++y) {
        const std::int64_t row = std::int64_t{y} + 1;  // the shutter attributes count from 1
        for (std::uint32_t x = 0; x < image.width; ++x) {
            const std::int64_t col = std::int64_t{x} + 1;
            bool shown = true;
            if (s.rectangular) shown = col >= s.left && col <= s.right && row >= s.upper && row <= s.lower;
            if (shown && s.circular) {
                double dr = double(row - s.center[0]), dc = double(col - s.center[1]);
                shown = dr * dr + dc * dc <= r2;
            }
            if (shown && s.polygonal) shown = inside_polygon(s.vertices, double(row), double(col));
            if (shown && bitmap)
                shown = !overlay_bit(*bitmap, frame, y, x, PixelInfo{}, {});
            if (!shown) {
                std::uint16_t* p = &image.samples[(std::size_t{y} * image.width + x) * image.channels];
                for (std::uint8_t c = 0; c < image.channels; ++c) p[c] = value;
            }
        }
    }
}

Result<Geometry> make_geometry(const ImagePresentation& ip, std::uint32_t width, std::uint32_t height,
                               const PresentOptions& options) {
    Geometry g;
    g.image_width = width, g.image_height = height;
    g.rotation = ip.state->rotation, g.flip = ip.state->flip;
    const bool swap = g.rotation == 90 || g.rotation == 270;
    double aw = 1, ah = 1;  // the pixel's width and height, after the transformation
    SizeMode mode = SizeMode::ScaleToFit;
    double magnification = 1;
    if (ip.displayed_area) {
        const PsDisplayedArea& a = *ip.displayed_area;
        // The corners name pixels of the image before the transformation (1-based): the area is
        // the rectangle spanning both pixels, carried through the transformation.
        double x0 = std::min(a.tlhc[0], a.brhc[0]) - 1.0, x1 = std::max(a.tlhc[0], a.brhc[0]);
        double y0 = std::min(a.tlhc[1], a.brhc[1]) - 1.0, y1 = std::max(a.tlhc[1], a.brhc[1]);
        Point p = transform_point(g, {x0, y0}), q = transform_point(g, {x1, y1});
        g.area = {std::min(p[0], q[0]), std::min(p[1], q[1]), std::max(p[0], q[0]), std::max(p[1], q[1])};
        ah = a.aspect_ratio[0], aw = a.aspect_ratio[1];
        if (swap) std::swap(aw, ah);
        mode = a.mode;
        magnification = a.magnification;
    } else {
        g.area = {0, 0, double(swap ? height : width), double(swap ? width : height)};
    }
    const double sx = aw >= ah ? aw / ah : 1.0, sy = ah > aw ? ah / aw : 1.0;
    const double area_w = g.area[2] - g.area[0], area_h = g.area[3] - g.area[1];
    double s = mode == SizeMode::Magnify ? magnification : 1.0;
    if (mode == SizeMode::ScaleToFit && options.fit) {
        s = std::min(double((*options.fit)[0]) / (area_w * sx), double((*options.fit)[1]) / (area_h * sy));
        g.scale_x = s * sx, g.scale_y = s * sy;
        g.width = (*options.fit)[0], g.height = (*options.fit)[1];
        g.offset_x = (g.width - area_w * g.scale_x) / 2, g.offset_y = (g.height - area_h * g.scale_y) / 2;
    } else {
        g.scale_x = s * sx, g.scale_y = s * sy;
        double w = std::round(area_w * g.scale_x), h = std::round(area_h * g.scale_y);
        if (!(w <= options.max_side && h <= options.max_side))
            return make_error(ErrorCode::LimitExceeded,
                              fmt::format("displayed area {} x {} pixels is over the limit {}", w, h, options.max_side));
        g.width = static_cast<std::uint32_t>(std::max(w, 1.0)), g.height = static_cast<std::uint32_t>(std::max(h, 1.0));
    }
    if (g.width > options.max_side || g.height > options.max_side || g.width == 0 || g.height == 0)
        return make_error(ErrorCode::LimitExceeded, fmt::format("output size {} x {}", g.width, g.height));
    return g;
}

Result<Raster> present(const ImagePresentation& ip, const Raster& image, std::span<const Overlay> image_overlays,
                       const PresentOptions& options) {
    const PresentationState& s = *ip.state;
    Raster work = image;
    // N.2.4 shutters, in the image's pixel space.
    const Overlay* bitmap = s.shutter.bitmap ? find_overlay(s.overlays, s.shutter.overlay_group) : nullptr;
    if (s.shutter.bitmap && !bitmap) bitmap = find_overlay(image_overlays, s.shutter.overlay_group);
    if (s.shutter.bitmap && !bitmap)
        return make_error(ErrorCode::NotFound,
                          fmt::format("the bitmap shutter's overlay group {:04X} is in neither the state nor the image",
                                      s.shutter.overlay_group));
    const auto shutter_ink = ink_for(work, s.shutter.presentation_value, s.shutter.color_lab);
    apply_shutter(work, s.shutter, bitmap, shutter_ink.value[0], ip.frame - 1);
    // N.2.5 image relative overlays, on their graphic layer (in layer order).
    std::vector<const PsOverlayActivation*> acts;
    for (const auto& a : s.activations) acts.push_back(&a);
    auto order = [&](const std::string& layer) {
        const PsLayer* l = find_layer(s, layer);
        return l ? l->order : 0;
    };
    std::stable_sort(acts.begin(), acts.end(), [&](auto* a, auto* b) { return order(a->layer) < order(b->layer); });
    for (const PsOverlayActivation* a : acts) {
        if (s.shutter.bitmap && a->group == s.shutter.overlay_group) continue;
        const Overlay* o = find_overlay(s.overlays, a->group);
        if (!o) o = find_overlay(image_overlays, a->group);
        if (!o) continue;  // activating an overlay the image does not have shows nothing
        const PsLayer* l = find_layer(s, a->layer);
        burn_overlay(work, *o, ip.frame - 1, ink_for(work, grey_pvalue(l ? l->grey : std::nullopt, l ? l->color_lab : std::nullopt, 0xFFFF),
                                       l ? l->color_lab : std::nullopt));
    }
    // N.2.6 spatial transformation and displayed area.
    auto g = make_geometry(ip, image.width, image.height, options);
    if (!g) return Unexpected(g.error());
    Raster turned = spatial_transform(work, s.rotation, s.flip);
    Raster out;
    out.width = g->width, out.height = g->height, out.channels = image.channels, out.bit_depth = image.bit_depth;
    out.samples.assign(std::size_t{out.width} * out.height * out.channels, 0);
    std::vector<std::int64_t> src_x(out.width);
    for (std::uint32_t i = 0; i < out.width; ++i)
        src_x[i] = pixel_index(g->area[0] + (i + 0.5 - g->offset_x) / g->scale_x);
    for (std::uint32_t j = 0; j < out.height; ++j) {
        std::int64_t y = pixel_index(g->area[1] + (j + 0.5 - g->offset_y) / g->scale_y);
        if (y < 0 || y >= turned.height) continue;
        for (std::uint32_t i = 0; i < out.width; ++i) {
            std::int64_t x = src_x[i];
            if (x < 0 || x >= turned.width) continue;
            const std::uint16_t* sp = &turned.samples[(std::size_t(y) * turned.width + std::size_t(x)) * out.channels];
            std::uint16_t* dp = &out.samples[(std::size_t{j} * out.width + i) * out.channels];
            for (std::uint8_t c = 0; c < out.channels; ++c) dp[c] = sp[c];
        }
    }
    // Graphic and text annotations, layer by layer.
    for (const PsAnnotation* a : ip.annotations) {
        const PsLayer* l = find_layer(s, a->layer);
        const auto lab = l ? l->color_lab : std::nullopt;
        Ink ink = ink_for(out, grey_pvalue(l ? l->grey : std::nullopt, lab, 0xFFFF), lab);
        for (const PsGraphic& gr : a->graphics) draw_graphic(out, *g, gr, ink);
        for (const PsText& t : a->texts) draw_text_object(out, *g, t, ink);
    }
    return out;
}

}  // namespace dicomkit::pixel::render
