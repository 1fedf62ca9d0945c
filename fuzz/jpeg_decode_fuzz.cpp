// Fuzz target: the T.81 decoder on raw JPEG streams, directly and through JpegCodec (which also
// runs libjpeg-turbo for 8-bit DCT), with the frame size bounded. An Image kept from one input to
// the next (as JpegCodec keeps one a thread) must decode each input as a fresh one does.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include <dicomkit/pixel/jpeg/jpeg_codec.hpp>
#include <dicomkit/pixel/jpeg/jpeg_decoder.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit::pixel;
    const std::span<const std::uint8_t> in(data, size);
    jpeg::DecodeLimits limits;
    limits.max_samples = std::uint64_t{1} << 18;
    limits.rows_if_dnl = 16;
    auto fresh = jpeg::decode(in, limits);
    static jpeg::Image reused;
    const bool ok = static_cast<bool>(jpeg::decode(in, limits, reused));
    if (ok != static_cast<bool>(fresh)) std::abort();
    if (ok) {
        if (reused.components.size() != fresh->components.size()) std::abort();
        for (std::size_t i = 0; i < reused.components.size(); ++i)
            if (reused.components[i].plane != fresh->components[i].plane) std::abort();
    }

    auto h = jpeg::read_header(in);
    if (!h || h->columns > 512 || h->rows > 512 || std::uint64_t{h->columns} * h->rows > (1u << 16)) return 0;
    PixelInfo info;
    info.rows = h->rows ? h->rows : 16;
    info.columns = h->columns;
    info.samples_per_pixel = static_cast<std::uint16_t>(h->components.size());
    info.bits_allocated = h->precision > 8 ? 16 : 8;
    info.bits_stored = static_cast<std::uint16_t>(h->precision);
    info.high_bit = static_cast<std::uint16_t>(h->precision - 1);
    info.photometric = info.samples_per_pixel == 3 ? "YBR_FULL_422" : "MONOCHROME2";
    const auto ts = h->lossless() ? jpeg_ts::kLossless : (h->precision == 8 ? jpeg_ts::kBaseline : jpeg_ts::kExtended);
    for (bool turbo : {true, false}) {
        JpegCodec codec(turbo);
        std::vector<std::uint8_t> out(codec.decoded_info(ts, info).frame_bytes());
        (void)codec.decode(ts, in, info, out);
    }
    return 0;
}
