// Turns a decoded T.81 image into a native frame: point transform, upsampling of subsampled
// components (libjpeg's "fancy" triangle filter for 2:1), YCbCr to RGB (T.871), 8/16-bit containers.
#pragma once

#include <span>

#include <dicomkit/base/error.hpp>
#include <dicomkit/pixel/jpeg/jpeg_decoder.hpp>

namespace dicomkit::pixel::jpeg {

/// Writes `img` as rows x columns x components samples, interleaved, `bytes_per_sample` 1 or 2
/// (little endian); `ycbcr_to_rgb` converts 3-component images.
[[nodiscard]] Result<void> write_native(const Image& img, bool ycbcr_to_rgb, int bytes_per_sample,
                                        std::span<std::uint8_t> out);

}  // namespace dicomkit::pixel::jpeg
