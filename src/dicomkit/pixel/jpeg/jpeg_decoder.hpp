// A T.81 (JPEG) decoder of our own: sequential DCT (8 and 12 bit, Huffman) and lossless
// (Process 14, predictors 1-7), any sampling factors, restart intervals, every read checked.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <dicomkit/base/error.hpp>

namespace dicomkit::pixel::jpeg {

/// One frame component (T.81 B.2.2) and, once decoded, its samples.
struct Component {
    std::uint8_t id = 0;
    std::uint8_t h = 1;                ///< horizontal sampling factor 1..4
    std::uint8_t v = 1;                ///< vertical sampling factor 1..4
    std::uint8_t tq = 0;               ///< quantization table selector
    std::uint32_t width = 0;           ///< samples in a line: ceil(X * h / Hmax) (A.1.1)
    std::uint32_t height = 0;          ///< lines: ceil(Y * v / Vmax)
    std::uint32_t stride = 0;          ///< samples between lines of `plane` (block padded)
    std::uint32_t plane_rows = 0;      ///< lines in `plane`
    int point_transform = 0;           ///< lossless Pt of the scan that coded it (H.1.2.1)
    std::vector<std::uint16_t> plane;  ///< decoded samples, stride x plane_rows
    std::vector<std::int32_t> coef;    ///< progressive: quantized coefficients, 64 a block, natural order
};

/// The frame header (SOFn) and the decoded image.
struct Image {
    std::uint8_t sof = 0;              ///< 0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless
    int precision = 8;                 ///< P (B.2.2): 8 or 12 for DCT, 2..16 for lossless
    std::uint32_t rows = 0;            ///< Y (from DNL when the SOF has 0)
    std::uint32_t columns = 0;         ///< X
    int hmax = 1;
    int vmax = 1;
    std::vector<Component> components;
    bool adobe_seen = false;           ///< an APP14 "Adobe" marker was present
    int adobe_transform = -1;          ///< its colour transform flag (0 none, 1 YCbCr)

    [[nodiscard]] bool lossless() const noexcept { return sof == 0xC3; }
    [[nodiscard]] bool progressive() const noexcept { return sof == 0xC2; }
};

/// Bounds a decode may not pass: a header asking for more is an error, never an allocation.
struct DecodeLimits {
    std::uint64_t max_samples = std::uint64_t{1} << 31;  ///< all components together
    std::uint32_t rows_if_dnl = 0;  ///< lines to assume when the SOF says 0 and a DNL follows
};

/// Reads the frame header only (SOI ... SOFn), for callers that check dimensions first.
[[nodiscard]] Result<Image> read_header(std::span<const std::uint8_t> data);

/// Decodes a whole JPEG stream (SOI ... EOI). Errors name the marker and the byte offset.
[[nodiscard]] Result<Image> decode(std::span<const std::uint8_t> data, const DecodeLimits& limits = {});

/// The same into `img`, whose sample planes from an earlier decode are reused (no allocation and
/// no fresh pages when the next frame has the same size): for decoding many frames in a row.
/// Everything else in `img` is replaced; after an error its contents are unspecified.
[[nodiscard]] Result<void> decode(std::span<const std::uint8_t> data, const DecodeLimits& limits, Image& img);

}  // namespace dicomkit::pixel::jpeg
