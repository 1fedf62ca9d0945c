// Fuzz target: one pixel codec's decoder on a bitstream, the frame's shape taken from the first
// three bytes (rows, columns, and samples / container / signedness / bits stored). Built once a
// codec with DICOMKIT_FUZZ_CODEC (the class) and DICOMKIT_FUZZ_TS (the transfer syntax UID).
#include <cstdint>
#include <span>
#include <vector>

#include DICOMKIT_FUZZ_HEADER

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit::pixel;
    if (size < 3) return 0;
    PixelInfo info;
    info.rows = data[0] + 1u;
    info.columns = data[1] + 1u;
    const std::uint8_t flags = data[2];
    info.samples_per_pixel = (flags & 1) ? 3 : 1;
    info.bits_allocated = (flags & 2) ? 16 : 8;
    info.is_signed = (flags & 4) != 0;
    info.bits_stored = static_cast<std::uint16_t>(((flags >> 3) % info.bits_allocated) + 1);
    info.high_bit = static_cast<std::uint16_t>(info.bits_stored - 1);
    info.photometric = info.samples_per_pixel == 3 ? "RGB" : "MONOCHROME2";
    const DICOMKIT_FUZZ_CODEC codec;
    const PixelInfo out_info = codec.decoded_info(DICOMKIT_FUZZ_TS, info);
    std::vector<std::uint8_t> out(out_info.frame_bytes());
    (void)codec.decode(DICOMKIT_FUZZ_TS, std::span<const std::uint8_t>(data + 3, size - 3), info, out);
    return 0;
}
