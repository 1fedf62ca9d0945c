// Rasters to image files: PNG (8/16-bit grey and RGB), JPEG (8-bit), and resizing to a box.
#pragma once

#include <cstdint>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/pixel/render/raster.hpp>

namespace dicomkit::pixel::render {

/// A PNG file of `r` (grey or RGB, its bit depth; 16-bit samples big endian as PNG wants).
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_png(const Raster& r);

/// A baseline JPEG file of `r` at `quality` (1-100); 16-bit rasters are reduced to 8 bits.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_jpeg(const Raster& r, int quality = 90);

/// The largest size with the aspect of `width` x `height` that fits `box_w` x `box_h` (0 in a
/// box dimension leaves it free); at least 1 x 1.
[[nodiscard]] std::pair<std::uint32_t, std::uint32_t> fit_size(std::uint32_t width, std::uint32_t height,
                                                               std::uint32_t box_w, std::uint32_t box_h) noexcept;

/// `r` resampled to `width` x `height`: area averaging where it shrinks, bilinear where it grows.
[[nodiscard]] Raster resize(const Raster& r, std::uint32_t width, std::uint32_t height);

}  // namespace dicomkit::pixel::render
