// 8-bit JPEG through libjpeg-turbo's libjpeg API: decode of any 8-bit process it knows, and
// baseline encode (grey, or colour as YCbCr 4:2:2, PS3.5 8.2.1).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dicomkit::pixel::jpeg {

/// How a 3-component stream's samples are to be taken.
enum class ColorIn { Gray, YCbCrToRgb, AsIs };

/// Decodes into `out` (rows x columns x components, 8-bit, interleaved). Returns "" on success,
/// else the library's message (a warning about corrupt data counts as a failure).
[[nodiscard]] std::string turbo_decode(std::span<const std::uint8_t> in, std::uint32_t rows, std::uint32_t columns,
                                       int components, ColorIn color, std::span<std::uint8_t> out);

/// Encodes an 8-bit interleaved frame; `ycbcr_input` when the samples already are YCbCr.
/// Colour is written 4:2:2 (H 2, V 1 for Y). Returns "" on success, else the message.
[[nodiscard]] std::string turbo_encode(std::span<const std::uint8_t> in, std::uint32_t rows, std::uint32_t columns,
                                       int components, bool ycbcr_input, int quality, std::vector<std::uint8_t>& out);

/// "libjpeg-turbo <version>" as compiled in.
[[nodiscard]] const char* turbo_version();

}  // namespace dicomkit::pixel::jpeg
