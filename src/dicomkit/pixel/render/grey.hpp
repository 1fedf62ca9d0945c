// The grayscale pipeline (PS3.4 N.2): modality, VOI and presentation stages, and the rendering of
// a grey frame through one table over every stored value.
#pragma once

#include <span>

#include <dicomkit/base/error.hpp>
#include <dicomkit/pixel/pixel_info.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>

namespace dicomkit::pixel::render {

/// Modality stage (PS3.3 C.11.1): the Modality LUT entry for `stored`, or slope x stored +
/// intercept.
[[nodiscard]] double modality_value(const Pipeline& p, double stored) noexcept;

/// VOI and presentation stages for modality value `m`: the VOI output normalised to [0, 1]
/// (p.window, else p.voi_lut, else `minmax`, a window over the frame's values), then the
/// presentation LUT or shape; the result is a P-value in [0, 1].
[[nodiscard]] double present(const Pipeline& p, const Window& minmax, double m) noexcept;

/// The window DCMTK and PS3.4 N.2.1.1 viewers use when there is none: the LINEAR window that
/// maps `lo` to the lowest and `hi` to the highest output.
[[nodiscard]] Window minmax_window(double lo, double hi) noexcept;

/// A 1-sample grey frame through the pipeline. Stored values are masked to Bits Stored below
/// High Bit and sign-extended for Pixel Representation 1; up to 16 bits stored run through one
/// precomputed table, wider and float samples pixel by pixel.
[[nodiscard]] Result<Raster> render_grey(const Pipeline& p, const PixelInfo& info, std::span<const std::uint8_t> frame);

}  // namespace dicomkit::pixel::render
