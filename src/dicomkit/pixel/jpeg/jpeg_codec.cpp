// JpegCodec: the PixelCodec of the JPEG syntaxes (PS3.5 8.2.1, A.4.1).
#include <dicomkit/pixel/jpeg/jpeg_codec.hpp>

#include <array>
#include <vector>

#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/pixel/jpeg/jpeg_decoder.hpp>
#include <dicomkit/pixel/jpeg/jpeg_encoder.hpp>
#include <dicomkit/pixel/jpeg/jpeg_output.hpp>
#include <dicomkit/pixel/jpeg/jpeg_turbo.hpp>

namespace dicomkit::pixel {

namespace {

constexpr std::array<std::string_view, 4> kDecodes = {jpeg_ts::kBaseline, jpeg_ts::kExtended, jpeg_ts::kLossless,
                                                      jpeg_ts::kLosslessSV1};
constexpr std::array<std::string_view, 4> kEncodes = {jpeg_ts::kBaseline, jpeg_ts::kExtended, jpeg_ts::kLossless,
                                                      jpeg_ts::kLosslessSV1};

bool is_lossy_ts(std::string_view ts) { return ts == jpeg_ts::kBaseline || ts == jpeg_ts::kExtended; }
bool is_ybr_full(const std::string& pi) { return pi == "YBR_FULL_422" || pi == "YBR_FULL"; }

/// Lossless JPEG of signed data codes the Bits Stored bits as stored (PS3.5 8.2.1); the native
/// frame gets them sign-extended into the container, as the original native data had them.
void sign_extend(const PixelInfo& info, std::span<std::uint8_t> out) {
    const std::size_t n = info.samples_per_frame();
    if (info.bits_allocated == 8) {
        const int shift = 8 - info.bits_stored;
        for (std::size_t i = 0; i < n; ++i)
            out[i] = static_cast<std::uint8_t>(static_cast<std::int8_t>(static_cast<std::uint8_t>(out[i] << shift)) >> shift);
    } else {
        const int shift = 16 - info.bits_stored;
        for (std::size_t i = 0; i < n; ++i) {
            const auto v = static_cast<std::uint16_t>(out[2 * i] | (out[2 * i + 1] << 8));
            const auto s = static_cast<std::uint16_t>(static_cast<std::int16_t>(static_cast<std::uint16_t>(v << shift)) >> shift);
            out[2 * i] = static_cast<std::uint8_t>(s);
            out[2 * i + 1] = static_cast<std::uint8_t>(s >> 8);
        }
    }
}

Unexpected bad(ErrorCode code, std::string msg) { return make_error(code, "JPEG: " + std::move(msg)); }

}  // namespace

std::string_view JpegCodec::name() const {
    static const std::string n = std::string("JPEG T.81 (own decoder, lossless encoder; ") + jpeg::turbo_version() + ")";
    return n;
}
std::span<const std::string_view> JpegCodec::decodes() const { return kDecodes; }
std::span<const std::string_view> JpegCodec::encodes() const { return kEncodes; }

PixelInfo JpegCodec::decoded_info(std::string_view ts, const PixelInfo& stored) const {
    PixelInfo out = stored;
    out.planar_configuration = 0;
    // DCT-coded colour is YCbCr in the stream: given as RGB, as DCMTK's dcmdjpeg does by default.
    if (is_lossy_ts(ts) && stored.samples_per_pixel == 3 && is_ybr_full(stored.photometric)) out.photometric = "RGB";
    return out;
}

Result<void> JpegCodec::decode(std::string_view ts, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                               std::span<std::uint8_t> out) const {
    const PixelInfo info = decoded_info(ts, stored);
    if (out.size() < info.frame_bytes()) return bad(ErrorCode::InvalidArgument, "output buffer smaller than the frame");
    if (info.bits_allocated != 8 && info.bits_allocated != 16)
        return bad(ErrorCode::Unsupported, "bits allocated " + std::to_string(info.bits_allocated) + " (8 or 16)");
    auto header = jpeg::read_header(encoded);
    if (!header) return Unexpected(header.error());
    const jpeg::Image& h = *header;
    if (h.columns != stored.columns || (h.rows != 0 && h.rows != stored.rows) ||
        h.components.size() != stored.samples_per_pixel)
        return bad(ErrorCode::InvalidValue, "stream is " + std::to_string(h.columns) + "x" + std::to_string(h.rows) + " with " +
                                                std::to_string(h.components.size()) + " components, the data set says " +
                                                std::to_string(stored.columns) + "x" + std::to_string(stored.rows) + " with " +
                                                std::to_string(stored.samples_per_pixel));
    if (h.precision > info.bits_allocated)
        return bad(ErrorCode::InvalidValue, std::to_string(h.precision) + "-bit samples do not fit bits allocated " +
                                                std::to_string(info.bits_allocated));
    const bool convert = !h.lossless() && h.components.size() == 3 && is_ybr_full(stored.photometric);
    const int bps = info.bits_allocated / 8;
    std::string turbo_message;
    if (use_turbo_ && !h.lossless() && h.precision == 8 && (h.components.size() == 1 || h.components.size() == 3)) {
        const auto color = h.components.size() == 1 ? jpeg::ColorIn::Gray
                                                     : (convert ? jpeg::ColorIn::YCbCrToRgb : jpeg::ColorIn::AsIs);
        const std::size_t n = info.samples_per_frame();
        if (bps == 1) {
            turbo_message = jpeg::turbo_decode(encoded, stored.rows, stored.columns,
                                               static_cast<int>(h.components.size()), color, out.first(n));
            if (turbo_message.empty()) return {};
        } else {
            std::vector<std::uint8_t> tmp(n);
            turbo_message = jpeg::turbo_decode(encoded, stored.rows, stored.columns,
                                               static_cast<int>(h.components.size()), color, tmp);
            if (turbo_message.empty()) {
                for (std::size_t i = 0; i < n; ++i) {
                    out[2 * i] = tmp[i];
                    out[2 * i + 1] = 0;
                }
                return {};
            }
        }
    }
    jpeg::DecodeLimits limits;
    limits.rows_if_dnl = stored.rows;
    // Block padding at most doubles a plane's size in each direction for small images.
    limits.max_samples = (std::uint64_t{stored.rows} + 64) * (std::uint64_t{stored.columns} + 64) * 4 * 4;
    // The decoded planes of this thread's previous frame are reused: a multi-frame decode then
    // takes no fresh pages per frame (their faults and zeroing cost as much as a lossless
    // frame's entropy decoding). Planes of more than kKeepSamples are not kept past the call.
    constexpr std::uint64_t kKeepSamples = std::uint64_t{8} << 20;  // 16 MiB of planes a thread
    thread_local jpeg::Image img;
    auto decoded = jpeg::decode(encoded, limits, img);
    struct Release {
        jpeg::Image& img;
        ~Release() {
            std::uint64_t held = 0;
            for (const jpeg::Component& c : img.components) held += c.plane.capacity() + c.coef.capacity();
            if (held > kKeepSamples) img = jpeg::Image{};
        }
    } release{img};
    if (!decoded) {
        Error e = decoded.error();
        if (!turbo_message.empty()) e.message += " (libjpeg-turbo: " + turbo_message + ")";
        return Unexpected(std::move(e));
    }
    if (auto w = jpeg::write_native(img, convert, bps, out); !w) return w;
    if (h.lossless() && stored.is_signed && stored.bits_stored < info.bits_allocated) sign_extend(info, out);
    return {};
}

Result<void> JpegCodec::can_encode(std::string_view ts, const PixelInfo& native, const EncodeOptions& options) const {
    const std::string what = describe_syntax(ts);
    if (ts != jpeg_ts::kBaseline && ts != jpeg_ts::kExtended && ts != jpeg_ts::kLossless && ts != jpeg_ts::kLosslessSV1)
        return make_error(ErrorCode::UnsupportedTransferSyntax, "no JPEG encoder for " + what);
    if (native.format != SampleFormat::Integer) return make_error(ErrorCode::Unsupported, what + " takes integer samples");
    if (native.rows == 0 || native.columns == 0 || native.rows > 65535 || native.columns > 65535)
        return make_error(ErrorCode::Unsupported, what + " takes 1..65535 rows and columns");
    if (native.samples_per_pixel != 1 && native.samples_per_pixel != 3)
        return make_error(ErrorCode::Unsupported, what + " is encoded here for 1 or 3 samples per pixel");
    const std::string& pi = native.photometric;
    if (pi == "YBR_FULL_422" || pi.rfind("YBR_PARTIAL", 0) == 0 || (pi == "PALETTE COLOR" && ts == jpeg_ts::kBaseline))
        return make_error(ErrorCode::Unsupported, what + " is not encoded here from " + pi);
    if (ts == jpeg_ts::kBaseline) {
        if (native.bits_allocated != 8 || native.bits_stored > 8 || native.is_signed)
            return make_error(ErrorCode::Unsupported, "JPEG Baseline (Process 1) takes unsigned 8-bit samples; this image has " +
                                                          std::to_string(native.bits_stored) + (native.is_signed ? " signed" : ""));
        if (options.quality < 1 || options.quality > 100)
            return make_error(ErrorCode::InvalidArgument, "JPEG quality must be 1..100");
        return {};
    }
    if (ts == jpeg_ts::kExtended) {
        const bool grey12 = native.samples_per_pixel == 1 && native.bits_allocated == 16 && native.bits_stored <= 12;
        const bool eight = native.bits_allocated == 8 && native.bits_stored <= 8;
        if (native.is_signed || !(grey12 || eight))
            return make_error(ErrorCode::Unsupported, "JPEG Extended is encoded here from unsigned 8-bit samples, or grey "
                                                      "samples of up to 12 bits; this image has " +
                                                          std::to_string(native.bits_stored) + (native.is_signed ? " signed" : ""));
        if (options.quality < 1 || options.quality > 100)
            return make_error(ErrorCode::InvalidArgument, "JPEG quality must be 1..100");
        return {};
    }
    if (native.bits_allocated != 8 && native.bits_allocated != 16)
        return make_error(ErrorCode::Unsupported, what + " takes 8- or 16-bit containers; this image has " +
                                                      std::to_string(native.bits_allocated));
    if (native.bits_stored < 2 || native.bits_stored > 16)
        return make_error(ErrorCode::Unsupported, what + " takes 2..16 bits stored");
    if (ts == jpeg_ts::kLossless && (options.predictor < 1 || options.predictor > 7))
        return make_error(ErrorCode::InvalidArgument, "JPEG lossless predictor must be 1..7");
    return {};
}

PixelInfo JpegCodec::encoded_info(std::string_view ts, const PixelInfo& native, const EncodeOptions&) const {
    PixelInfo out = native;
    out.planar_configuration = 0;
    if (is_lossy_ts(ts) && native.samples_per_pixel == 3) out.photometric = "YBR_FULL_422";
    return out;
}

Result<Bytes> JpegCodec::encode(std::string_view ts, std::span<const std::uint8_t> frame, const PixelInfo& native,
                                const EncodeOptions& options) const {
    if (auto ok = can_encode(ts, native, options); !ok) return Unexpected(ok.error());
    if (frame.size() < native.frame_bytes()) return bad(ErrorCode::InvalidLength, "frame shorter than its pixel attributes say");
    if (ts == jpeg_ts::kExtended && native.samples_per_pixel == 1) {
        jpeg::DctParams p;
        p.rows = native.rows;
        p.columns = native.columns;
        p.precision = native.bits_allocated == 8 ? 8 : 12;
        p.quality = options.quality;
        return jpeg::encode_extended(frame, p);
    }
    if (is_lossy_ts(ts)) {
        Bytes out;
        const std::string msg = jpeg::turbo_encode(frame, native.rows, native.columns, native.samples_per_pixel,
                                                   native.photometric == "YBR_FULL", options.quality, out);
        if (!msg.empty()) return bad(ErrorCode::InvalidValue, "libjpeg-turbo: " + msg);
        return out;
    }
    jpeg::LosslessParams p;
    p.rows = native.rows;
    p.columns = native.columns;
    p.components = native.samples_per_pixel;
    p.bytes_per_sample = native.bits_allocated / 8;
    p.precision = native.bits_stored;
    p.predictor = ts == jpeg_ts::kLossless ? options.predictor : 1;
    return jpeg::encode_lossless(frame, p);
}

bool JpegCodec::lossy(std::string_view ts, const EncodeOptions&) const { return is_lossy_ts(ts); }

}  // namespace dicomkit::pixel
