// Moving JPEG 2000 component samples (32-bit integers) to and from native frames, and the checks
// both JPEG 2000 codecs share.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel::j2k {

/// Writes `count` samples of one component into a native frame whose pixels hold `spp` samples
/// of `bytes` bytes each (1, 2 or 4), starting at sample `first` (the pixel's index x spp + the
/// component). Values are stored as two's complement in their container, little endian.
inline void put_samples(const std::int32_t* src, std::size_t count, std::uint8_t* out, std::size_t first,
                        unsigned spp, unsigned bytes) noexcept {
    if (bytes == 1) {
        std::uint8_t* d = out + first;
        for (std::size_t i = 0; i < count; ++i) d[i * spp] = static_cast<std::uint8_t>(src[i]);
    } else if (bytes == 2) {
        std::uint8_t* d = out + first * 2;
        for (std::size_t i = 0; i < count; ++i) {
            const auto v = static_cast<std::uint16_t>(src[i]);
            d[i * spp * 2] = static_cast<std::uint8_t>(v);
            d[i * spp * 2 + 1] = static_cast<std::uint8_t>(v >> 8);
        }
    } else {
        std::uint8_t* d = out + first * 4;
        for (std::size_t i = 0; i < count; ++i) {
            const auto v = static_cast<std::uint32_t>(src[i]);
            d[i * spp * 4] = static_cast<std::uint8_t>(v);
            d[i * spp * 4 + 1] = static_cast<std::uint8_t>(v >> 8);
            d[i * spp * 4 + 2] = static_cast<std::uint8_t>(v >> 16);
            d[i * spp * 4 + 3] = static_cast<std::uint8_t>(v >> 24);
        }
    }
}

/// Reads `count` samples of one component from a native frame (layout as in put_samples), keeping
/// the low `bits` bits, sign-extended when `is_signed`.
inline void get_samples(const std::uint8_t* in, std::size_t first, std::size_t count, unsigned spp,
                        unsigned bytes, unsigned bits, bool is_signed, std::int32_t* dst) noexcept {
    const std::uint32_t mask = bits >= 32 ? 0xFFFFFFFFu : ((1u << bits) - 1u);
    const std::uint32_t sign = 1u << (bits - 1);
    const auto finish = [&](std::uint32_t v) noexcept -> std::int32_t {
        v &= mask;
        if (is_signed) v = (v ^ sign) - sign;  // sign extension of a `bits`-bit value
        return static_cast<std::int32_t>(v);
    };
    if (bytes == 1) {
        const std::uint8_t* s = in + first;
        for (std::size_t i = 0; i < count; ++i) dst[i] = finish(s[i * spp]);
    } else {
        const std::uint8_t* s = in + first * 2;
        for (std::size_t i = 0; i < count; ++i)
            dst[i] = finish(static_cast<std::uint32_t>(s[i * spp * 2]) |
                            (static_cast<std::uint32_t>(s[i * spp * 2 + 1]) << 8));
    }
}

/// The photometric interpretation a stored frame has once decoded: YBR_RCT and YBR_ICT frames
/// are RGB after the inverse component transform (PS3.5 8.2.4).
[[nodiscard]] inline PixelInfo decoded_layout(const PixelInfo& stored) {
    PixelInfo out = stored;
    if (out.photometric == "YBR_RCT" || out.photometric == "YBR_ICT") out.photometric = "RGB";
    out.planar_configuration = 0;
    return out;
}

/// Whether a native frame can be JPEG 2000 coded: integer samples of 1 to 16 bits in 8- or
/// 16-bit containers, one or three samples a pixel. `what` names the syntax in the message.
[[nodiscard]] inline Result<void> check_encodable(const PixelInfo& native, std::string_view what) {
    const auto fail = [&](std::string why) {
        return make_error(ErrorCode::Unsupported, std::string(what) + " " + why);
    };
    if (native.format != SampleFormat::Integer) return fail("takes integer samples, not floating point");
    if (native.bits_allocated != 8 && native.bits_allocated != 16)
        return fail("takes 8- or 16-bit containers; this image has " + std::to_string(native.bits_allocated));
    if (native.bits_stored < 1 || native.bits_stored > native.bits_allocated)
        return fail("needs 1 to " + std::to_string(native.bits_allocated) + " bits stored; this image has " +
                    std::to_string(native.bits_stored));
    if (native.samples_per_pixel != 1 && native.samples_per_pixel != 3)
        return fail("takes 1 or 3 samples a pixel; this image has " + std::to_string(native.samples_per_pixel));
    if (native.rows == 0 || native.columns == 0) return fail("needs at least one row and one column");
    if (native.photometric == "PALETTE COLOR" && native.bits_stored > 16) return fail("palette index too wide");
    return {};
}

/// Whether the encoder applies the component transform: three samples of an RGB image.
[[nodiscard]] inline bool uses_colour_transform(const PixelInfo& native) noexcept {
    return native.samples_per_pixel == 3 && native.photometric == "RGB";
}

/// Decomposition levels for an image (at most `wanted`, fewer for small images so that the
/// lowest resolution keeps at least one sample a side).
[[nodiscard]] inline unsigned decomposition_levels(const PixelInfo& info, unsigned wanted) noexcept {
    unsigned levels = 0;
    std::uint32_t side = info.rows < info.columns ? info.rows : info.columns;
    while (levels < wanted && (side >> (levels + 1)) >= 1) ++levels;
    return levels;
}

}  // namespace dicomkit::pixel::j2k
