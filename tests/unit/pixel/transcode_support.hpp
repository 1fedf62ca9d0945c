// Test images and codecs for the transcode tests.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include <dicomkit/pixel/codec.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace dicomkit::pixel::testing {

/// A data set with native pixel data of `frames` frames laid out as `info`, values from a
/// pattern that changes with the frame (so that frames mixed up are noticed).
inline DataSet make_image(PixelInfo info, std::uint32_t frames) {
    info.frames = frames;
    DataSet ds;
    ds.set_string(Tag{0x0008, 0x0016}, VR::UI, "1.2.840.10008.5.1.4.1.1.7");
    ds.set_string(Tag{0x0008, 0x0018}, VR::UI, "1.2.3.4.5");
    apply(info, ds);
    if (frames > 1) ds.set_string(Tag{0x0028, 0x0008}, VR::IS, std::to_string(frames));
    Bytes px;
    if (info.bits_allocated == 1) {
        px.assign((info.frame_bits() * frames + 7) / 8, 0);
        for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 37 + 11);
    } else {
        px.resize(info.frame_bytes() * frames);
        const std::uint32_t mask = info.bits_stored >= 32 ? 0xFFFFFFFFu : (1u << info.bits_stored) - 1;
        const std::size_t bps = info.bytes_per_sample();
        for (std::size_t s = 0; s < px.size() / bps; ++s) {
            const std::size_t frame = s / info.samples_per_frame();
            const std::size_t in = s % info.samples_per_frame();
            const std::size_t x = (in / info.samples_per_pixel) % info.columns;
            const std::size_t y = (in / info.samples_per_pixel) / info.columns;
            std::uint32_t v = static_cast<std::uint32_t>(x * 7 + y * 13 + frame * 101 + (in % info.samples_per_pixel) * 50);
            v += static_cast<std::uint32_t>((x * y) % 5);
            v &= mask;
            for (std::size_t b = 0; b < bps; ++b) px[s * bps + b] = static_cast<std::uint8_t>(v >> (8 * b));
        }
    }
    if (px.size() % 2) px.push_back(0);
    ds.set(Element(Tag{0x7FE0, 0x0010}, info.bits_allocated <= 8 ? VR::OB : VR::OW, px));
    return ds;
}

inline PixelInfo mono(std::uint16_t bits_allocated, std::uint16_t bits_stored, std::uint32_t rows = 17,
                      std::uint32_t columns = 23) {
    PixelInfo i;
    i.rows = rows;
    i.columns = columns;
    i.bits_allocated = bits_allocated;
    i.bits_stored = bits_stored;
    i.high_bit = static_cast<std::uint16_t>(bits_stored - 1);
    i.photometric = "MONOCHROME2";
    return i;
}

inline PixelInfo rgb(std::uint32_t rows = 16, std::uint32_t columns = 20) {
    PixelInfo i = mono(8, 8, rows, columns);
    i.samples_per_pixel = 3;
    i.photometric = "RGB";
    return i;
}

/// Encapsulated Uncompressed (.1.98): a frame is its native bytes, padded to even length.
class IdentityCodec final : public PixelCodec {
public:
    static constexpr std::string_view kUid = "1.2.840.10008.1.2.1.98";
    std::string_view name() const override { return "identity"; }
    std::span<const std::string_view> decodes() const override { return {&kUid, 1}; }
    std::span<const std::string_view> encodes() const override { return {&kUid, 1}; }
    PixelInfo decoded_info(std::string_view, const PixelInfo& stored) const override {
        PixelInfo i = stored;
        i.planar_configuration = 0;
        return i;
    }
    Result<void> decode(std::string_view, std::span<const std::uint8_t> encoded, const PixelInfo&,
                        std::span<std::uint8_t> out) const override {
        if (encoded.size() < out.size()) return make_error(ErrorCode::Truncated, "frame too short");
        std::memcpy(out.data(), encoded.data(), out.size());
        return {};
    }
    Result<void> can_encode(std::string_view, const PixelInfo&, const EncodeOptions&) const override { return {}; }
    PixelInfo encoded_info(std::string_view, const PixelInfo& native, const EncodeOptions&) const override { return native; }
    Result<Bytes> encode(std::string_view, std::span<const std::uint8_t> frame, const PixelInfo&,
                         const EncodeOptions&) const override {
        return Bytes(frame.begin(), frame.end());
    }
    bool lossy(std::string_view, const EncodeOptions&) const override { return false; }
};

/// A lossy stand-in for JPEG Baseline (.50): 8-bit only, keeps the high 6 bits of each sample
/// behind a 2-byte marker; colour is said to be YBR_FULL_422 once encoded and RGB once decoded.
class LossyCodec final : public PixelCodec {
public:
    static constexpr std::string_view kUid = "1.2.840.10008.1.2.4.50";
    std::string_view name() const override { return "lossy"; }
    std::span<const std::string_view> decodes() const override { return {&kUid, 1}; }
    std::span<const std::string_view> encodes() const override { return {&kUid, 1}; }
    PixelInfo decoded_info(std::string_view, const PixelInfo& stored) const override {
        PixelInfo i = stored;
        if (i.samples_per_pixel == 3) i.photometric = "RGB";
        i.planar_configuration = 0;
        return i;
    }
    Result<void> decode(std::string_view, std::span<const std::uint8_t> encoded, const PixelInfo&,
                        std::span<std::uint8_t> out) const override {
        if (encoded.size() < out.size() + 2 || encoded[0] != 0xFF || encoded[1] != 0xD8)
            return make_error(ErrorCode::InvalidValue, "no start of image marker");
        std::memcpy(out.data(), encoded.data() + 2, out.size());
        return {};
    }
    Result<void> can_encode(std::string_view, const PixelInfo& native, const EncodeOptions&) const override {
        if (native.bits_allocated != 8)
            return make_error(ErrorCode::Unsupported, "takes 8-bit samples; this image has " + std::to_string(native.bits_allocated));
        return {};
    }
    PixelInfo encoded_info(std::string_view, const PixelInfo& native, const EncodeOptions&) const override {
        PixelInfo i = native;
        if (i.samples_per_pixel == 3) i.photometric = "YBR_FULL_422";
        return i;
    }
    Result<Bytes> encode(std::string_view, std::span<const std::uint8_t> frame, const PixelInfo&,
                         const EncodeOptions&) const override {
        Bytes b{0xFF, 0xD8};
        for (std::uint8_t v : frame) b.push_back(static_cast<std::uint8_t>(v & 0xFC));
        return b;
    }
    bool lossy(std::string_view, const EncodeOptions&) const override { return true; }
};

}  // namespace dicomkit::pixel::testing
