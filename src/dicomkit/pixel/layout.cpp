// Native frame layout conversions: planar configuration and 1-bit packing.
#include <dicomkit/pixel/layout.hpp>

#include <algorithm>
#include <cstring>

namespace dicomkit::pixel {

namespace {

template <std::size_t B>
void to_interleaved_fixed(const std::uint8_t* in, std::uint8_t* out, std::uint64_t pixels, std::uint32_t samples) {
    for (std::uint32_t s = 0; s < samples; ++s) {
        const std::uint8_t* plane = in + s * pixels * B;
        std::uint8_t* o = out + s * B;
        const std::size_t stride = std::size_t{samples} * B;
        for (std::uint64_t p = 0; p < pixels; ++p, o += stride) std::memcpy(o, plane + p * B, B);
    }
}

template <std::size_t B>
void to_planar_fixed(const std::uint8_t* in, std::uint8_t* out, std::uint64_t pixels, std::uint32_t samples) {
    for (std::uint32_t s = 0; s < samples; ++s) {
        std::uint8_t* plane = out + s * pixels * B;
        const std::uint8_t* i = in + s * B;
        const std::size_t stride = std::size_t{samples} * B;
        for (std::uint64_t p = 0; p < pixels; ++p, i += stride) std::memcpy(plane + p * B, i, B);
    }
}

}  // namespace

void planar_to_interleaved(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::uint64_t pixels,
                           std::uint32_t samples, std::uint32_t bytes_per_sample) noexcept {
    const std::uint64_t need = pixels * samples * bytes_per_sample;
    if (in.size() < need || out.size() < need) return;
    switch (bytes_per_sample) {
        case 1: to_interleaved_fixed<1>(in.data(), out.data(), pixels, samples); break;
        case 2: to_interleaved_fixed<2>(in.data(), out.data(), pixels, samples); break;
        case 4: to_interleaved_fixed<4>(in.data(), out.data(), pixels, samples); break;
        case 8: to_interleaved_fixed<8>(in.data(), out.data(), pixels, samples); break;
        default:
            for (std::uint32_t s = 0; s < samples; ++s)
                for (std::uint64_t p = 0; p < pixels; ++p)
                    std::memcpy(out.data() + (p * samples + s) * bytes_per_sample,
                                in.data() + (s * pixels + p) * bytes_per_sample, bytes_per_sample);
    }
}

void interleaved_to_planar(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::uint64_t pixels,
                           std::uint32_t samples, std::uint32_t bytes_per_sample) noexcept {
    const std::uint64_t need = pixels * samples * bytes_per_sample;
    if (in.size() < need || out.size() < need) return;
    switch (bytes_per_sample) {
        case 1: to_planar_fixed<1>(in.data(), out.data(), pixels, samples); break;
        case 2: to_planar_fixed<2>(in.data(), out.data(), pixels, samples); break;
        case 4: to_planar_fixed<4>(in.data(), out.data(), pixels, samples); break;
        case 8: to_planar_fixed<8>(in.data(), out.data(), pixels, samples); break;
        default:
            for (std::uint32_t s = 0; s < samples; ++s)
                for (std::uint64_t p = 0; p < pixels; ++p)
                    std::memcpy(out.data() + (s * pixels + p) * bytes_per_sample,
                                in.data() + (p * samples + s) * bytes_per_sample, bytes_per_sample);
    }
}

Bytes to_interleaved(std::span<const std::uint8_t> frame, const PixelInfo& info) {
    Bytes out(frame.begin(), frame.end());
    if (info.planar_configuration != 1 || info.samples_per_pixel < 2 || info.bits_allocated < 8) return out;
    planar_to_interleaved(frame, out, std::uint64_t{info.rows} * info.columns, info.samples_per_pixel,
                          info.bytes_per_sample());
    return out;
}

Bytes to_planar(std::span<const std::uint8_t> frame, const PixelInfo& info) {
    Bytes out(frame.begin(), frame.end());
    if (info.samples_per_pixel < 2 || info.bits_allocated < 8) return out;
    interleaved_to_planar(frame, out, std::uint64_t{info.rows} * info.columns, info.samples_per_pixel,
                          info.bytes_per_sample());
    return out;
}

Bytes extract_bits(std::span<const std::uint8_t> in, std::uint64_t bit_offset, std::uint64_t count) {
    Bytes out((count + 7) / 8, 0);
    if (count == 0 || bit_offset + count > std::uint64_t{in.size()} * 8) return out;
    const std::uint64_t first = bit_offset / 8;
    const unsigned shift = static_cast<unsigned>(bit_offset % 8);
    if (shift == 0) {
        std::memcpy(out.data(), in.data() + first, out.size());
    } else {
        const std::uint64_t last = in.size();
        for (std::size_t i = 0; i < out.size(); ++i) {
            unsigned lo = in[first + i];
            unsigned hi = first + i + 1 < last ? in[first + i + 1] : 0;
            out[i] = static_cast<std::uint8_t>((lo >> shift) | (hi << (8 - shift)));
        }
    }
    if (count % 8) out.back() &= static_cast<std::uint8_t>((1u << (count % 8)) - 1);
    return out;
}

void unpack_bits(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::uint64_t count) noexcept {
    count = std::min<std::uint64_t>({count, out.size(), std::uint64_t{in.size()} * 8});
    for (std::uint64_t i = 0; i < count; ++i) out[i] = (in[i / 8] >> (i % 8)) & 1u;
}

void pack_bits(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept {
    const std::size_t n = std::min(out.size(), (in.size() + 7) / 8);
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), std::uint8_t{0});
    for (std::size_t i = 0; i < in.size() && i / 8 < n; ++i)
        if (in[i]) out[i / 8] = static_cast<std::uint8_t>(out[i / 8] | (1u << (i % 8)));
}

}  // namespace dicomkit::pixel
