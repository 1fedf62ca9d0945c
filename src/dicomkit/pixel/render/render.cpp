// Applying the pipeline to a decoded frame: grey through one precomputed table per stored value
// (PS3.4 N.2), colour converted to RGB (PS3.3 C.7.6.3.1.2, C.7.6.3.1.5), overlays burned in.
#include <dicomkit/pixel/render/pipeline.hpp>

#include <dicomkit/pixel/render/grey.hpp>
#include <dicomkit/pixel/render/lut.hpp>
#include <dicomkit/pixel/render/overlay.hpp>

#include <fmt/format.h>

#include <cmath>

namespace dicomkit::pixel::render {

namespace {

Error render_error(std::string message) { return Error(ErrorCode::Unsupported, std::move(message)); }

template <typename T>
T read_le(const std::uint8_t* p) noexcept {
    if constexpr (sizeof(T) == 1) {
        return static_cast<T>(p[0]);
    } else {
        std::make_unsigned_t<T> v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::make_unsigned_t<T>>(std::make_unsigned_t<T>{p[i]} << (8 * i));
        return static_cast<T>(v);
    }
}

/// One sample's container value (bits_allocated 8, 16, 32) at sample index `i`.
std::uint32_t container(const PixelInfo& info, std::span<const std::uint8_t> f, std::size_t i) noexcept {
    switch (info.bits_allocated) {
        case 1: return (f[i / 8] >> (i % 8)) & 1u;
        case 8: return f[i];
        case 16: return read_le<std::uint16_t>(f.data() + 2 * i);
        default: return read_le<std::uint32_t>(f.data() + 4 * i);
    }
}

Result<Raster> render_colour(const Pipeline& p, const PixelInfo& info, std::span<const std::uint8_t> f) {
    Raster r{info.columns, info.rows, 3, p.output_bits, {}};
    const std::size_t n = std::size_t{info.rows} * info.columns;
    r.samples.resize(n * 3);
    const double out_max = p.output_bits == 16 ? 65535.0 : 255.0;
    const unsigned bits = std::clamp<unsigned>(info.bits_stored, 1, 16);
    const double in_max = static_cast<double>((1u << bits) - 1);
    const std::uint32_t mask = (1u << bits) - 1;
    const unsigned shift = info.high_bit + 1u >= bits ? info.high_bit + 1u - bits : 0u;
    const std::size_t bps = info.bytes_per_sample();
    if (info.bits_allocated != 8 && info.bits_allocated != 16) return Unexpected(render_error(fmt::format("colour samples of {} bits", info.bits_allocated)));
    // Scale table: a stored sample to the output depth.
    std::vector<std::uint16_t> scale(std::size_t{mask} + 1);
    for (std::size_t v = 0; v <= mask; ++v) scale[v] = static_cast<std::uint16_t>(std::lround(static_cast<double>(v) * out_max / in_max));
    auto sample = [&](std::size_t i) -> std::uint32_t { return (container(info, f, i) >> shift) & mask; };
    const std::string& pi = info.photometric;
    if (pi == "RGB" || pi == "YBR_RCT" || pi == "YBR_ICT") {  // codecs give RGB for the last two
        if (f.size() < n * 3 * bps) return Unexpected(render_error("frame shorter than its rows and columns"));
        for (std::size_t i = 0; i < n * 3; ++i) r.samples[i] = scale[sample(i)];
        return r;
    }
    if (pi != "YBR_FULL" && pi != "YBR_FULL_422")
        return Unexpected(render_error(fmt::format("photometric interpretation {} with 3 samples", pi)));
    // PS3.3 C.7.6.3.1.2: R = Y + 1.402 (Cr - h), G = Y - 0.344136 (Cb - h) - 0.714136 (Cr - h),
    // B = Y + 1.772 (Cb - h), h half the range; in fixed point through tables per chroma value.
    const std::int64_t half = std::int64_t{1} << (bits - 1);
    std::vector<std::int32_t> cr_r(mask + 1), cb_g(mask + 1), cr_g(mask + 1), cb_b(mask + 1);
    for (std::int64_t v = 0; v <= mask; ++v) {
        const double d = static_cast<double>(v - half);
        cr_r[v] = static_cast<std::int32_t>(std::lround(1.402 * d * 65536));
        cb_g[v] = static_cast<std::int32_t>(std::lround(-0.344136 * d * 65536));
        cr_g[v] = static_cast<std::int32_t>(std::lround(-0.714136 * d * 65536));
        cb_b[v] = static_cast<std::int32_t>(std::lround(1.772 * d * 65536));
    }
    auto put = [&](std::size_t px, std::uint32_t y, std::uint32_t cb, std::uint32_t cr) {
        const std::int64_t y16 = std::int64_t{y} << 16;
        auto clampv = [&](std::int64_t v) {
            v = (v + 32768) >> 16;
            return scale[static_cast<std::size_t>(std::clamp<std::int64_t>(v, 0, mask))];
        };
        r.samples[3 * px] = clampv(y16 + cr_r[cr]);
        r.samples[3 * px + 1] = clampv(y16 + cb_g[cb] + cr_g[cr]);
        r.samples[3 * px + 2] = clampv(y16 + cb_b[cb]);
    };
    const bool subsampled = pi == "YBR_FULL_422" && f.size() < n * 3 * bps && f.size() >= n * 2 * bps;
    if (subsampled) {  // Y1 Y2 Cb Cr for each pair of pixels of a row
        if (info.columns % 2) return Unexpected(render_error("YBR_FULL_422 with an odd number of columns"));
        for (std::size_t px = 0, s = 0; px < n; px += 2, s += 4) {
            const auto y1 = sample(s), y2 = sample(s + 1), cb = sample(s + 2), cr = sample(s + 3);
            put(px, y1, cb, cr);
            put(px + 1, y2, cb, cr);
        }
        return r;
    }
    if (f.size() < n * 3 * bps) return Unexpected(render_error("frame shorter than its rows and columns"));
    for (std::size_t px = 0; px < n; ++px) put(px, sample(3 * px), sample(3 * px + 1), sample(3 * px + 2));
    return r;
}

Result<Raster> render_palette(const Pipeline& p, const PixelInfo& info, std::span<const std::uint8_t> f) {
    if (!p.palette) return Unexpected(render_error("PALETTE COLOR without palette LUTs"));
    if (info.bits_allocated != 8 && info.bits_allocated != 16) return Unexpected(render_error("palette indices of more than 16 bits"));
    const unsigned bits = std::clamp<unsigned>(info.bits_stored, 1, 16);
    const std::uint32_t mask = (1u << bits) - 1;
    const unsigned shift = info.high_bit + 1u >= bits ? info.high_bit + 1u - bits : 0u;
    const double out_max = p.output_bits == 16 ? 65535.0 : 255.0;
    const Lut* luts[3] = {&p.palette->red, &p.palette->green, &p.palette->blue};
    // One table a channel over every index: index -> output sample.
    std::vector<std::uint16_t> table(3 * (std::size_t{mask} + 1));
    for (std::size_t c = 0; c < 3; ++c) {
        const double scale = out_max / lut_max(*luts[c]);
        for (std::size_t v = 0; v <= mask; ++v)
            table[v * 3 + c] = static_cast<std::uint16_t>(std::lround(lut_lookup(*luts[c], static_cast<std::int64_t>(v)) * scale));
    }
    Raster r{info.columns, info.rows, 3, p.output_bits, {}};
    const std::size_t n = std::size_t{info.rows} * info.columns;
    if (f.size() < n * info.bytes_per_sample()) return Unexpected(render_error("frame shorter than its rows and columns"));
    r.samples.resize(n * 3);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t v = (container(info, f, i) >> shift) & mask;
        std::copy_n(&table[v * 3], 3, &r.samples[i * 3]);
    }
    return r;
}

}  // namespace

Result<Raster> render_frame(const Pipeline& p, const PixelInfo& info, std::span<const std::uint8_t> frame) {
    if (p.output_bits != 8 && p.output_bits != 16) return Unexpected(render_error(fmt::format("{} output bits (8 or 16)", p.output_bits)));
    if (info.rows == 0 || info.columns == 0) return Unexpected(render_error("no rows or columns"));
    if (info.format == SampleFormat::Integer && frame.size() < info.frame_bytes() &&
        !(info.photometric == "YBR_FULL_422" && info.samples_per_pixel == 3))
        return Unexpected(render_error(fmt::format("frame of {} bytes, {} expected", frame.size(), info.frame_bytes())));
    Result<Raster> r;
    if (info.samples_per_pixel == 3 && info.format == SampleFormat::Integer) r = render_colour(p, info, frame);
    else if (info.samples_per_pixel != 1) return Unexpected(render_error(fmt::format("{} samples a pixel", info.samples_per_pixel)));
    else if (info.photometric == "PALETTE COLOR") r = render_palette(p, info, frame);
    else r = render_grey(p, info, frame);
    if (!r) return r;
    if (p.burn_overlays && !p.overlays.empty()) {
        const double out_max = p.output_bits == 16 ? 65535.0 : 255.0;
        const auto value = static_cast<std::uint16_t>(std::lround(p.overlay_value / 65535.0 * out_max));
        burn_overlays(p.overlays, p.frame, info, frame, value, *r);
    }
    return r;
}

}  // namespace dicomkit::pixel::render
