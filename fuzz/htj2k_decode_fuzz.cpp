// Fuzz target: HTJ2K frames through the codec as files of unknown origin are decoded (OpenJPEG).
#include <dicomkit/pixel/htj2k/htj2k_codec.hpp>

#include "j2k_frame_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const dicomkit::pixel::Htj2kCodec codec;
    dicomkit::fuzz::decode_frame(codec, "1.2.840.10008.1.2.4.203", data, size);
    return 0;
}
