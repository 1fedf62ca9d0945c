// Overlay planes (PS3.3 C.9.2, groups 6000-601E): read from a data set and burned into a Raster.
#pragma once

#include <span>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/pixel/pixel_info.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>

namespace dicomkit::pixel::render {

/// The overlays of `ds`: graphics and ROI planes with Overlay Data (60xx,3000), and those
/// embedded in unused high bits of the pixel data (Overlay Bits Allocated > 1, retired PS3.5
/// 8.1.2). Planes with no rows or columns, or data shorter than they need, are errors.
[[nodiscard]] Result<std::vector<Overlay>> read_overlays(const DataSet& ds);

/// Whether the overlay has a set bit at (row, column) of image frame `frame` (0-based; overlay
/// coordinates resolved through its origin and image frame origin). `pixels` is the decoded
/// frame `info` describes, for embedded overlays.
[[nodiscard]] bool overlay_bit(const Overlay& ov, std::size_t frame, std::int64_t row, std::int64_t column,
                               const PixelInfo& info, std::span<const std::uint8_t> pixels) noexcept;

/// Draws every overlay of `overlays` into `raster` (its size that of the frame): set bits get
/// `value` (already scaled to the raster's depth) in every channel.
void burn_overlays(const std::vector<Overlay>& overlays, std::size_t frame, const PixelInfo& info,
                   std::span<const std::uint8_t> pixels, std::uint16_t value, Raster& raster);

}  // namespace dicomkit::pixel::render
