// A 5x7 bitmap font of printable ASCII for burning text annotations into rasters.
#pragma once

#include <array>
#include <cstdint>

namespace dicomkit::pixel::render {

/// Glyph cell: 5 columns of ink in a 6-column advance, 7 rows in a 9-row line.
inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 7;
inline constexpr int kGlyphAdvance = 6;
inline constexpr int kLineAdvance = 9;

/// The 7 rows of character `c` (bit 4 the leftmost column); characters outside 0x20..0x7E get '?'.
[[nodiscard]] const std::array<std::uint8_t, 7>& glyph(char c) noexcept;

}  // namespace dicomkit::pixel::render
