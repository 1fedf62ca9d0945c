// J2kCodec: JPEG 2000 Image Compression (Lossless Only) and JPEG 2000 Image Compression.
#include <dicomkit/pixel/j2k/j2k_codec.hpp>

#include <array>
#include <string>

#include <dicomkit/pixel/j2k/samples.hpp>

namespace dicomkit::pixel {
namespace {

constexpr std::string_view kLossless = "1.2.840.10008.1.2.4.90";  ///< PS3.5 A.4.4, reversible only
constexpr std::string_view kLossy = "1.2.840.10008.1.2.4.91";     ///< reversible or irreversible
constexpr std::array<std::string_view, 2> kSyntaxes{kLossless, kLossy};

bool known(std::string_view ts) noexcept { return ts == kLossless || ts == kLossy; }

}  // namespace

std::string_view J2kCodec::name() const { return j2k::openjpeg_name(); }
std::span<const std::string_view> J2kCodec::decodes() const { return kSyntaxes; }
std::span<const std::string_view> J2kCodec::encodes() const { return kSyntaxes; }

PixelInfo J2kCodec::decoded_info(std::string_view, const PixelInfo& stored) const {
    return j2k::decoded_layout(stored);
}

Result<void> J2kCodec::decode(std::string_view ts, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                              std::span<std::uint8_t> out) const {
    if (!known(ts)) return make_error(ErrorCode::UnsupportedTransferSyntax, "JPEG 2000 codec asked for " + std::string(ts));
    return j2k::openjpeg_decode(encoded, stored, out, 1);
}

bool J2kCodec::lossy(std::string_view ts, const EncodeOptions& options) const {
    // .91 with a ratio of 1 or less asks for the reversible path (PS3.5 A.4.4 allows it).
    return ts == kLossy && options.compression_ratio > 1.0;
}

Result<void> J2kCodec::can_encode(std::string_view ts, const PixelInfo& native, const EncodeOptions&) const {
    if (!known(ts)) return make_error(ErrorCode::UnsupportedTransferSyntax, "JPEG 2000 codec asked for " + std::string(ts));
    return j2k::check_encodable(native, ts == kLossless ? "JPEG 2000 (Lossless Only)" : "JPEG 2000");
}

PixelInfo J2kCodec::encoded_info(std::string_view ts, const PixelInfo& native, const EncodeOptions& options) const {
    PixelInfo out = native;
    out.planar_configuration = 0;
    if (j2k::uses_colour_transform(native)) out.photometric = lossy(ts, options) ? "YBR_ICT" : "YBR_RCT";
    return out;
}

Result<Bytes> J2kCodec::encode(std::string_view ts, std::span<const std::uint8_t> frame, const PixelInfo& native,
                               const EncodeOptions& options) const {
    if (auto ok = can_encode(ts, native, options); !ok) return tl::unexpected(ok.error());
    j2k::OpenJpegEncode how;
    how.reversible = !lossy(ts, options);
    how.compression_ratio = options.compression_ratio;
    how.colour_transform = j2k::uses_colour_transform(native);
    return j2k::openjpeg_encode(frame, native, how);
}

}  // namespace dicomkit::pixel
