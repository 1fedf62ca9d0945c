// Our T.81 lossless encoder (Process 14, SOF3): predictors 1-7, 2..16-bit precision, 1 to 4
// components in one interleaved scan, Huffman table optimised for the frame (T.81 K.2).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <dicomkit/base/error.hpp>

namespace dicomkit::pixel::jpeg {

struct LosslessParams {
    std::uint32_t rows = 0;
    std::uint32_t columns = 0;
    int components = 1;        ///< 1..4, samples interleaved in the input
    int bytes_per_sample = 1;  ///< 1 or 2 (little endian)
    int precision = 8;         ///< P, 2..16: the low P bits of each sample are coded
    int predictor = 1;         ///< selection value 1..7
    std::uint32_t restart_rows = 0;  ///< lines between RSTn markers (DRI = lines x columns); 0 none
};

/// Encodes one frame; the input is rows x columns x components samples.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_lossless(std::span<const std::uint8_t> in, const LosslessParams& p);

struct DctParams {
    std::uint32_t rows = 0;
    std::uint32_t columns = 0;
    int precision = 12;  ///< 8 or 12; samples in 8- or 16-bit containers
    int quality = 90;    ///< 1..100, scaling the T.81 Annex K luminance table
    std::uint16_t restart_interval = 0;  ///< blocks between RSTn markers; 0 none
};

/// Encodes one grey frame as sequential DCT (SOF1, Process 2/4) with optimised Huffman tables.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_extended(std::span<const std::uint8_t> in, const DctParams& p);

}  // namespace dicomkit::pixel::jpeg
