// Native frame layout conversions: planar configuration 0 <-> 1 (PS3.3 C.7.6.3.1.3) and 1-bit
// packing (PS3.5 8.1.1, least significant bit first).
#pragma once

#include <cstdint>
#include <span>

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel {

/// Planes (R...R G...G B...B) to interleaved pixels (RGB RGB ...). `in` and `out` hold `pixels`
/// x `samples` samples of `bytes_per_sample` bytes each and must not overlap.
void planar_to_interleaved(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::uint64_t pixels,
                           std::uint32_t samples, std::uint32_t bytes_per_sample) noexcept;
/// Interleaved pixels to planes; the inverse of planar_to_interleaved.
void interleaved_to_planar(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::uint64_t pixels,
                           std::uint32_t samples, std::uint32_t bytes_per_sample) noexcept;

/// A frame laid out as `info` converted to planar configuration 0 (a copy when it already is, or
/// has one sample per pixel). `frame` must be info.frame_bytes() long.
[[nodiscard]] Bytes to_interleaved(std::span<const std::uint8_t> frame, const PixelInfo& info);
/// A planar configuration 0 frame laid out as `info` (apart from its planar configuration)
/// converted to planar configuration 1.
[[nodiscard]] Bytes to_planar(std::span<const std::uint8_t> frame, const PixelInfo& info);

/// `count` bits of `in` starting at bit `bit_offset` (bit 0 is the least significant bit of the
/// first byte) as bytes that start at bit 0; the bits after the last one are zero. `in` must hold
/// bit_offset + count bits.
[[nodiscard]] Bytes extract_bits(std::span<const std::uint8_t> in, std::uint64_t bit_offset, std::uint64_t count);
/// Unpacks `count` 1-bit samples to one byte each (0 or 1).
void unpack_bits(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::uint64_t count) noexcept;
/// Packs bytes (non-zero is 1) to 1-bit samples, least significant bit first; `out` holds
/// (in.size() + 7) / 8 bytes, the unused bits of its last byte zero.
void pack_bits(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept;

}  // namespace dicomkit::pixel
