// The grayscale pipeline: a table from stored value to output sample, built once a frame.
#include <dicomkit/pixel/render/grey.hpp>

#include <dicomkit/pixel/render/lut.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace dicomkit::pixel::render {

namespace {

bool is_padding(const Pipeline& p, std::int64_t stored) noexcept {
    if (!p.padding_value) return false;
    const std::int64_t a = *p.padding_value;
    const std::int64_t b = p.padding_range_limit ? *p.padding_range_limit : a;
    return stored >= std::min(a, b) && stored <= std::max(a, b);
}

/// Stored values of one frame, pixel by pixel, as a visitor over a sample type.
template <typename Container, typename Fn>
void for_each_raw(std::span<const std::uint8_t> f, std::size_t n, Fn&& fn) {
    for (std::size_t i = 0; i < n; ++i) {
        Container v;
        std::memcpy(&v, f.data() + i * sizeof(Container), sizeof(Container));  // little-endian host
        fn(i, static_cast<std::uint32_t>(v));
    }
}

template <typename Fn>
void visit_raw(const PixelInfo& info, std::span<const std::uint8_t> f, std::size_t n, Fn&& fn) {
    switch (info.bits_allocated) {
        case 1:
            for (std::size_t i = 0; i < n; ++i) fn(i, static_cast<std::uint32_t>((f[i / 8] >> (i % 8)) & 1u));
            break;
        case 8: for_each_raw<std::uint8_t>(f, n, fn); break;
        case 16: for_each_raw<std::uint16_t>(f, n, fn); break;
        default: for_each_raw<std::uint32_t>(f, n, fn); break;
    }
}

std::uint16_t to_output(double y, double out_max) noexcept {
    return static_cast<std::uint16_t>(std::lround(std::clamp(y, 0.0, 1.0) * out_max));
}

/// Bits stored up to 16: one table entry per possible stored bit pattern.
Raster grey_by_table(const Pipeline& p, const PixelInfo& info, std::span<const std::uint8_t> f) {
    const std::size_t n = std::size_t{info.rows} * info.columns;
    const unsigned bits = std::clamp<unsigned>(info.bits_stored, 1, 16);
    const std::uint32_t mask = (1u << bits) - 1;
    const unsigned shift = info.high_bit + 1u >= bits ? info.high_bit + 1u - bits : 0u;
    const std::uint32_t sign = info.is_signed ? (1u << (bits - 1)) : 0u;
    auto stored_of = [&](std::uint32_t u) -> std::int64_t {
        return sign && (u & sign) ? static_cast<std::int64_t>(u) - (std::int64_t{1} << bits) : std::int64_t{u};
    };
    const double out_max = p.output_bits == 16 ? 65535.0 : 255.0;
    const std::size_t size = std::size_t{mask} + 1;
    std::vector<double> modality(size);
    for (std::size_t u = 0; u < size; ++u)
        modality[u] = modality_value(p, static_cast<double>(stored_of(static_cast<std::uint32_t>(u))));

    Window minmax{};
    if (!p.window && !p.voi_lut) {
        // PS3.4 N.2.1.1 leaves an image without a window to the application: the range of the
        // frame's modality values, padding excluded.
        std::vector<std::uint8_t> used(size, 0);
        visit_raw(info, f, n, [&](std::size_t, std::uint32_t raw) { used[(raw >> shift) & mask] = 1; });
        double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
        for (std::size_t u = 0; u < size; ++u) {
            if (!used[u] || is_padding(p, stored_of(static_cast<std::uint32_t>(u)))) continue;
            lo = std::min(lo, modality[u]);
            hi = std::max(hi, modality[u]);
        }
        if (lo > hi) lo = hi = 0;
        minmax = minmax_window(lo, hi);
    }
    std::vector<std::uint16_t> table(size);
    for (std::size_t u = 0; u < size; ++u) table[u] = to_output(present(p, minmax, modality[u]), out_max);

    Raster r{info.columns, info.rows, 1, p.output_bits, {}};
    r.samples.resize(n);
    std::uint16_t* out = r.samples.data();
    visit_raw(info, f, n, [&](std::size_t i, std::uint32_t raw) { out[i] = table[(raw >> shift) & mask]; });
    return r;
}

/// 32-bit integers and float samples: modality values pixel by pixel.
Raster grey_by_pixel(const Pipeline& p, const PixelInfo& info, std::span<const std::uint8_t> f) {
    const std::size_t n = std::size_t{info.rows} * info.columns;
    std::vector<double> m(n);
    const double out_max = p.output_bits == 16 ? 65535.0 : 255.0;
    const bool padded = p.padding_value.has_value();
    std::vector<std::uint8_t> pad(padded ? n : 0, 0);
    if (info.format == SampleFormat::Float32) {
        for (std::size_t i = 0; i < n; ++i) {
            float v;
            std::memcpy(&v, f.data() + 4 * i, 4);
            m[i] = modality_value(p, v);
        }
    } else if (info.format == SampleFormat::Float64) {
        for (std::size_t i = 0; i < n; ++i) {
            double v;
            std::memcpy(&v, f.data() + 8 * i, 8);
            m[i] = modality_value(p, v);
        }
    } else {
        const unsigned bits = std::clamp<unsigned>(info.bits_stored, 1, 32);
        const unsigned shift = info.high_bit + 1u >= bits ? info.high_bit + 1u - bits : 0u;
        const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
        visit_raw(info, f, n, [&](std::size_t i, std::uint32_t raw) {
            std::uint64_t u = (raw >> shift) & mask;
            std::int64_t s = static_cast<std::int64_t>(u);
            if (info.is_signed && (u >> (bits - 1)) & 1u) s -= std::int64_t{1} << bits;
            if (padded) pad[i] = is_padding(p, s);
            m[i] = modality_value(p, static_cast<double>(s));
        });
    }
    Window minmax{};
    if (!p.window && !p.voi_lut) {
        double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
        for (std::size_t i = 0; i < n; ++i) {
            if ((padded && pad[i]) || !std::isfinite(m[i])) continue;
            lo = std::min(lo, m[i]);
            hi = std::max(hi, m[i]);
        }
        if (lo > hi) lo = hi = 0;
        minmax = minmax_window(lo, hi);
    }
    Raster r{info.columns, info.rows, 1, p.output_bits, {}};
    r.samples.resize(n);
    for (std::size_t i = 0; i < n; ++i) r.samples[i] = to_output(present(p, minmax, m[i]), out_max);
    return r;
}

}  // namespace

double modality_value(const Pipeline& p, double stored) noexcept {
    if (p.modality_lut) return lut_lookup(*p.modality_lut, static_cast<std::int64_t>(std::llround(stored)));
    return stored * p.rescale_slope + p.rescale_intercept;
}

Window minmax_window(double lo, double hi) noexcept {
    return Window{(lo + hi + 1) / 2, hi - lo + 1, VoiFunction::Linear, "min-max"};
}

double present(const Pipeline& p, const Window& minmax, double m) noexcept {
    double y;
    if (p.window) y = apply_window(*p.window, m, 0.0, 1.0);
    else if (p.voi_lut) y = lut_lookup(*p.voi_lut, static_cast<std::int64_t>(std::floor(m))) / lut_max(*p.voi_lut);
    else y = apply_window(minmax, m, 0.0, 1.0);
    if (p.presentation_lut && !p.presentation_lut->data.empty()) {
        // PS3.3 C.11.6.1: the VOI output range maps onto the presentation LUT's input range.
        const auto entries = static_cast<double>(p.presentation_lut->data.size() - 1);
        const auto i = static_cast<std::int64_t>(std::lround(y * entries));
        return p.presentation_lut->data[static_cast<std::size_t>(std::clamp<std::int64_t>(i, 0, static_cast<std::int64_t>(entries)))] /
               lut_max(*p.presentation_lut);
    }
    return p.presentation_shape == PresentationShape::Inverse ? 1.0 - y : y;
}

Result<Raster> render_grey(const Pipeline& p, const PixelInfo& info, std::span<const std::uint8_t> frame) {
    const std::size_t n = std::size_t{info.rows} * info.columns;
    const std::size_t bytes = info.format == SampleFormat::Float32   ? 4 * n
                              : info.format == SampleFormat::Float64 ? 8 * n
                                                                     : static_cast<std::size_t>(info.frame_bytes());
    if (frame.size() < bytes)
        return Unexpected(Error(ErrorCode::InvalidValue, fmt::format("frame of {} bytes, {} expected", frame.size(), bytes)));
    if (info.format == SampleFormat::Integer && info.bits_allocated != 1 && info.bits_allocated != 8 &&
        info.bits_allocated != 16 && info.bits_allocated != 32)
        return Unexpected(Error(ErrorCode::Unsupported, fmt::format("grey samples of {} bits allocated", info.bits_allocated)));
    if (info.format == SampleFormat::Integer && info.bits_stored <= 16) return grey_by_table(p, info, frame);
    return grey_by_pixel(p, info, frame);
}

}  // namespace dicomkit::pixel::render
