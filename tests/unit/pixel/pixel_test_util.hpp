// Building small images for the pixel tests.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include <dicomkit/core/dataset.hpp>

namespace dicomkit::test {

inline constexpr Tag kPixelData{0x7FE0, 0x0010};

/// An image header (Image Pixel Module) with the given layout.
inline DataSet image(std::uint16_t rows, std::uint16_t cols, std::uint32_t frames, std::uint16_t bits,
                     std::uint16_t samples = 1, std::uint16_t planar = 0, bool is_signed = false) {
    DataSet ds;
    auto us = [&](Tag t, std::uint16_t v) { ds.set(Element::from_number<std::uint16_t>(t, VR::US, v)); };
    ds.set_string(Tag(0x0008, 0x0016), VR::UI, "1.2.840.10008.5.1.4.1.1.7");
    ds.set_string(Tag(0x0008, 0x0018), VR::UI, "1.2.3.4.5");
    us(Tag(0x0028, 0x0002), samples);
    ds.set_string(Tag(0x0028, 0x0004), VR::CS, samples == 1 ? "MONOCHROME2" : "RGB");
    if (samples > 1) us(Tag(0x0028, 0x0006), planar);
    if (frames != 1) ds.set_string(Tag(0x0028, 0x0008), VR::IS, std::to_string(frames));
    us(Tag(0x0028, 0x0010), rows);
    us(Tag(0x0028, 0x0011), cols);
    us(Tag(0x0028, 0x0100), bits);
    us(Tag(0x0028, 0x0101), bits);
    us(Tag(0x0028, 0x0102), static_cast<std::uint16_t>(bits - 1));
    us(Tag(0x0028, 0x0103), is_signed ? 1 : 0);
    return ds;
}

/// Random bytes with runs in them (so that RLE sees both literal and replicate runs).
inline Bytes noise(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes out(n);
    for (std::size_t i = 0; i < n;) {
        std::size_t run = rng() % 4 == 0 ? 1 + rng() % 200 : 1 + rng() % 3;
        const bool constant = rng() % 2 == 0;
        auto v = static_cast<std::uint8_t>(rng());
        for (std::size_t k = 0; k < run && i < n; ++k, ++i) out[i] = constant ? v : static_cast<std::uint8_t>(rng());
    }
    return out;
}

}  // namespace dicomkit::test
