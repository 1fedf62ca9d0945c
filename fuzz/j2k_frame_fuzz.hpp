// Shared by the JPEG 2000 decoder fuzz targets: the first three input bytes choose the frame
// layout (rows - 1, columns - 1, flags: 1 three samples, 2 16-bit, 4 signed), the rest is the
// codestream handed to the codec.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::fuzz {

inline void decode_frame(const pixel::PixelCodec& codec, std::string_view ts, const std::uint8_t* data,
                         std::size_t size) {
    if (size < 3) return;
    pixel::PixelInfo info;
    info.rows = data[0] + 1u;
    info.columns = data[1] + 1u;
    info.samples_per_pixel = (data[2] & 1) ? 3 : 1;
    info.bits_allocated = (data[2] & 2) ? 16 : 8;
    info.bits_stored = info.bits_allocated;
    info.high_bit = static_cast<std::uint16_t>(info.bits_stored - 1);
    info.is_signed = (data[2] & 4) != 0;
    info.photometric = info.samples_per_pixel == 3 ? "YBR_RCT" : "MONOCHROME2";
    const pixel::PixelInfo out_info = codec.decoded_info(ts, info);
    std::vector<std::uint8_t> out(out_info.frame_bytes());
    (void)codec.decode(ts, std::span<const std::uint8_t>(data + 3, size - 3), info, out);
}

}  // namespace dicomkit::fuzz
