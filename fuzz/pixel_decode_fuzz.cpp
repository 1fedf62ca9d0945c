// Fuzz target: one frame decoder fed through FrameSet, built once per transfer syntax
// (DICOMKIT_FUZZ_TS). The first 10 bytes choose the image layout; the rest becomes the
// encapsulated fragments. Every frame that decodes must have the size decoded_info() says, and
// where the codec also encodes, encoding it and decoding again must give it back.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/frames.hpp>

#ifndef DICOMKIT_FUZZ_TS
#error "DICOMKIT_FUZZ_TS must name the transfer syntax UID"
#endif

namespace {

using namespace dicomkit;

void us(DataSet& ds, Tag t, std::uint16_t v) { ds.set(Element::from_number<std::uint16_t>(t, VR::US, v)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const pixel::CodecRegistry codecs = pixel::standard_codecs();
    static const io::TransferSyntax* ts = io::find_transfer_syntax(DICOMKIT_FUZZ_TS);
    if (!ts || size < 10) return 0;
    // Layout: rows, columns (1..512), samples, bits allocated, bits stored, sign and planar
    // configuration, frames (1..4), fragments per frame and whether there is a Basic Offset Table.
    const std::uint16_t rows = static_cast<std::uint16_t>(1 + (data[0] | (data[1] & 1) << 8));
    const std::uint16_t cols = static_cast<std::uint16_t>(1 + (data[2] | (data[3] & 1) << 8));
    static constexpr std::uint16_t kSamples[] = {1, 3};
    static constexpr std::uint16_t kBits[] = {8, 16, 1, 32, 64};
    const std::uint16_t samples = kSamples[data[4] % 2];
    const std::uint16_t bits = kBits[data[5] % 5];
    const std::uint16_t stored = static_cast<std::uint16_t>(1 + data[6] % bits);
    const bool is_signed = data[7] & 1;
    const std::uint16_t planar = (data[7] >> 1) & 1;
    const std::uint32_t frames = 1 + data[8] % 4;
    const bool with_bot = data[9] & 1;
    const std::size_t per_frame = 1 + (data[9] >> 1) % 3;

    DataSet ds;
    us(ds, Tag(0x0028, 0x0002), samples);
    ds.set_string(Tag(0x0028, 0x0004), VR::CS, samples == 1 ? "MONOCHROME2" : "RGB");
    if (samples > 1) us(ds, Tag(0x0028, 0x0006), planar);
    ds.set_string(Tag(0x0028, 0x0008), VR::IS, std::to_string(frames));
    us(ds, Tag(0x0028, 0x0010), rows);
    us(ds, Tag(0x0028, 0x0011), cols);
    us(ds, Tag(0x0028, 0x0100), bits);
    us(ds, Tag(0x0028, 0x0101), stored);
    us(ds, Tag(0x0028, 0x0102), static_cast<std::uint16_t>(stored - 1));
    us(ds, Tag(0x0028, 0x0103), is_signed ? 1 : 0);

    // The rest in frames x per_frame fragments of about equal size.
    PixelFragments pf;
    const std::uint8_t* rest = data + 10;
    const std::size_t n = size - 10, count = frames * per_frame;
    std::size_t pos = 0;
    std::uint32_t offset = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t len = i + 1 == count ? n - pos : n / count;
        if (with_bot && i % per_frame == 0)
            for (int b = 0; b < 4; ++b) pf.basic_offset_table.push_back(static_cast<std::uint8_t>(offset >> (8 * b)));
        pf.fragments.emplace_back(rest + pos, rest + pos + len);
        offset += static_cast<std::uint32_t>(8 + len);
        pos += len;
    }
    ds.set(Element(Tag(0x7FE0, 0x0010), VR::OB, std::move(pf)));

    pixel::PixelLimits limits;
    limits.max_frame_bytes = 8u << 20;
    limits.max_total_bytes = 32u << 20;
    auto fs = pixel::FrameSet::from_dataset(ds, *ts, "fuzz", limits);
    if (!fs) return 0;
    auto info = fs->decoded_info(codecs);
    if (!info) return 0;
    const pixel::PixelCodec* encoder = codecs.encoder(ts->uid);
    for (std::size_t f = 0; f < fs->size(); ++f) {
        auto frame = fs->decoded(f, codecs);
        if (!frame) continue;
        if (frame->size() != info->frame_bytes()) std::abort();
        if (!encoder || !encoder->can_encode(ts->uid, *info, {})) continue;
        auto again = encoder->encode(ts->uid, *frame, *info, {});
        if (!again) std::abort();  // what decodes as a native frame must encode
        const pixel::PixelCodec* decoder = codecs.decoder(ts->uid);
        pixel::Bytes back(info->frame_bytes());
        if (!decoder->decode(ts->uid, *again, *info, back) || back != *frame) std::abort();
    }
    return 0;
}
