// Raster: a rendered picture, grey or RGB, 8 or 16 bits a sample, rows top to bottom.
#pragma once

#include <cstdint>
#include <vector>

namespace dicomkit::pixel::render {

struct Raster {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint8_t channels = 1;    ///< 1 grey, 3 RGB
    std::uint8_t bit_depth = 8;   ///< 8 or 16
    std::vector<std::uint16_t> samples;  ///< width x height x channels, interleaved, 0 .. 2^bit_depth-1

    [[nodiscard]] std::uint16_t& at(std::uint32_t x, std::uint32_t y, std::uint8_t c = 0) {
        return samples[(std::size_t{y} * width + x) * channels + c];
    }
    [[nodiscard]] std::uint16_t at(std::uint32_t x, std::uint32_t y, std::uint8_t c = 0) const {
        return samples[(std::size_t{y} * width + x) * channels + c];
    }
};

}  // namespace dicomkit::pixel::render
