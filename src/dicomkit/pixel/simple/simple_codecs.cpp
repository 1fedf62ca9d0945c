// Deflated Image Frame Compression and Encapsulated Uncompressed: frames of native bytes.
#include <dicomkit/pixel/simple/simple_codecs.hpp>

#include <fmt/format.h>

#include <array>
#include <cstring>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/pixel/layout.hpp>

namespace dicomkit::pixel::simple {

namespace {

constexpr std::array<std::string_view, 1> kDeflated{"1.2.840.10008.1.2.8.1"};
constexpr std::array<std::string_view, 1> kUncompressed{"1.2.840.10008.1.2.1.98"};

PixelInfo interleaved(const PixelInfo& info) {
    PixelInfo out = info;
    out.planar_configuration = 0;
    return out;
}

/// Copies a native frame laid out as `stored` to `out` with planar configuration 0.
Result<void> place(std::span<const std::uint8_t> native, const PixelInfo& stored, std::span<std::uint8_t> out,
                   std::string_view what) {
    const std::uint64_t need = stored.frame_bytes();
    if (native.size() < need)
        return make_error(ErrorCode::Truncated, fmt::format("{} frame holds {} bytes; {} expected", what, native.size(), need));
    if (out.size() < need) return make_error(ErrorCode::InvalidArgument, "output buffer too small");
    if (stored.planar_configuration == 1 && stored.samples_per_pixel > 1 && stored.bits_allocated >= 8)
        planar_to_interleaved(native, out, std::uint64_t{stored.rows} * stored.columns, stored.samples_per_pixel,
                              stored.bytes_per_sample());
    else
        std::memcpy(out.data(), native.data(), need);
    return {};
}

Result<void> check_ts(std::string_view ts, std::string_view want) {
    if (ts != want) return make_error(ErrorCode::UnsupportedTransferSyntax, fmt::format("this codec does not encode {}", ts));
    return {};
}

}  // namespace

std::span<const std::string_view> DeflatedFrameCodec::decodes() const { return kDeflated; }
std::span<const std::string_view> DeflatedFrameCodec::encodes() const { return kDeflated; }
PixelInfo DeflatedFrameCodec::decoded_info(std::string_view, const PixelInfo& stored) const { return interleaved(stored); }
PixelInfo DeflatedFrameCodec::encoded_info(std::string_view, const PixelInfo& native, const EncodeOptions&) const {
    return interleaved(native);
}

Result<void> DeflatedFrameCodec::decode(std::string_view, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                                        std::span<std::uint8_t> out) const {
    // The inflated stream ends where its final block does: a trailing pad byte is ignored.
    auto native = io::inflate_raw(encoded, stored.frame_bytes() + 1);
    if (!native) return Unexpected(native.error());
    return place(*native, stored, out, "inflated");
}

Result<void> DeflatedFrameCodec::can_encode(std::string_view ts, const PixelInfo&, const EncodeOptions&) const {
    return check_ts(ts, kDeflated[0]);
}

Result<Bytes> DeflatedFrameCodec::encode(std::string_view ts, std::span<const std::uint8_t> frame, const PixelInfo& native,
                                         const EncodeOptions& options) const {
    if (auto ok = can_encode(ts, native, options); !ok) return Unexpected(ok.error());
    if (frame.size() < native.frame_bytes())
        return make_error(ErrorCode::InvalidArgument, fmt::format("frame of {} bytes; {} expected", frame.size(), native.frame_bytes()));
    auto out = io::deflate_raw(frame.first(native.frame_bytes()));
    if (!out) return out;
    if (out->size() % 2) out->push_back(0);
    return out;
}

std::span<const std::string_view> EncapsulatedUncompressedCodec::decodes() const { return kUncompressed; }
std::span<const std::string_view> EncapsulatedUncompressedCodec::encodes() const { return kUncompressed; }
PixelInfo EncapsulatedUncompressedCodec::decoded_info(std::string_view, const PixelInfo& stored) const {
    return interleaved(stored);
}
PixelInfo EncapsulatedUncompressedCodec::encoded_info(std::string_view, const PixelInfo& native, const EncodeOptions&) const {
    return interleaved(native);
}

Result<void> EncapsulatedUncompressedCodec::decode(std::string_view, std::span<const std::uint8_t> encoded,
                                                   const PixelInfo& stored, std::span<std::uint8_t> out) const {
    return place(encoded, stored, out, "encapsulated uncompressed");
}

Result<void> EncapsulatedUncompressedCodec::can_encode(std::string_view ts, const PixelInfo&, const EncodeOptions&) const {
    return check_ts(ts, kUncompressed[0]);
}

Result<Bytes> EncapsulatedUncompressedCodec::encode(std::string_view ts, std::span<const std::uint8_t> frame,
                                                    const PixelInfo& native, const EncodeOptions& options) const {
    if (auto ok = can_encode(ts, native, options); !ok) return Unexpected(ok.error());
    if (frame.size() < native.frame_bytes())
        return make_error(ErrorCode::InvalidArgument, fmt::format("frame of {} bytes; {} expected", frame.size(), native.frame_bytes()));
    Bytes out(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(native.frame_bytes()));
    if (out.size() % 2) out.push_back(0);
    return out;
}

}  // namespace dicomkit::pixel::simple
