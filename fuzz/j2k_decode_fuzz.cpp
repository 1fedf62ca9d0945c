// Fuzz target: JPEG 2000 frames (OpenJPEG) through the codec, J2K and JP2 alike.
#include <dicomkit/pixel/j2k/j2k_codec.hpp>

#include "j2k_frame_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const dicomkit::pixel::J2kCodec codec;
    dicomkit::fuzz::decode_frame(codec, "1.2.840.10008.1.2.4.91", data, size);
    return 0;
}
