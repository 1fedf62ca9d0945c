// JPEG-LS through CharLS's C API (no exceptions cross this file): decode, encode, the JAI quirk.
#include <dicomkit/pixel/jpegls/jpegls_codec.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>

#include <charls/charls.h>
#include <fmt/format.h>

#include <dicomkit/pixel/jpegls/charls_library.hpp>

namespace dicomkit::pixel {

namespace {

constexpr std::string_view kLossless = "1.2.840.10008.1.2.4.80";
constexpr std::string_view kNearLossless = "1.2.840.10008.1.2.4.81";
constexpr std::array<std::string_view, 2> kSyntaxes{kLossless, kNearLossless};

using detail::CharlsApi;

Unexpected charls_error(const CharlsApi& cl, std::string_view what, charls_jpegls_errc rc) {
    const ErrorCode code = rc == charls_jpegls_errc::not_enough_memory ? ErrorCode::LimitExceeded
                           : rc == charls_jpegls_errc::parameter_value_not_supported ? ErrorCode::Unsupported
                                                                                     : ErrorCode::InvalidValue;
    return make_error(code, fmt::format("JPEG-LS {}: {}", what, cl.get_error_message(rc)));
}

bool ok(charls_jpegls_errc rc) noexcept { return rc == charls_jpegls_errc::success; }

/// Checks the attributes a JPEG-LS frame may have (PS3.5 8.2.3): integers in 8- or 16-bit
/// containers, 2 to 16 bits stored, one or three samples.
Result<void> check_layout(const PixelInfo& info) {
    if (info.format != SampleFormat::Integer)
        return make_error(ErrorCode::Unsupported, "JPEG-LS takes integer samples; this image has float pixel data");
    if (info.bits_allocated != 8 && info.bits_allocated != 16)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("JPEG-LS takes 8- or 16-bit containers; Bits Allocated is {}", info.bits_allocated));
    if (info.bits_stored < 2 || info.bits_stored > info.bits_allocated)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("JPEG-LS takes 2 to 16 bits stored; Bits Stored is {}", info.bits_stored));
    if (info.samples_per_pixel != 1 && info.samples_per_pixel != 3)
        return make_error(ErrorCode::Unsupported, fmt::format("JPEG-LS takes 1 or 3 samples per pixel; this image has {}",
                                                              info.samples_per_pixel));
    return {};
}

/// Where the markers of a JPEG-LS header are (T.87 C.2): SOF55's precision, whether an LSE
/// segment precedes the first SOS, and the SOS offset.
struct HeaderScan {
    std::size_t sos = 0;
    int precision = 0;
    int near = 0;  ///< NEAR of the first scan
    bool has_lse = false;
};

std::optional<HeaderScan> scan_header(std::span<const std::uint8_t> s) {
    if (s.size() < 4 || s[0] != 0xFF || s[1] != 0xD8) return std::nullopt;
    HeaderScan h;
    std::size_t pos = 2;
    while (pos + 4 <= s.size()) {
        if (s[pos] != 0xFF) return std::nullopt;
        const std::uint8_t marker = s[pos + 1];
        if (marker == 0xFF) {  // fill byte
            ++pos;
            continue;
        }
        if (marker == 0xDA) {
            h.sos = pos;
            if (pos + 4 >= s.size()) return std::nullopt;  // no component count: truncated
            const std::size_t near_at = pos + 5 + 2 * std::size_t{s[pos + 4]};
            if (near_at >= s.size()) return std::nullopt;
            h.near = s[near_at];
            return h.precision > 0 ? std::optional(h) : std::nullopt;
        }
        const std::size_t length = (std::size_t{s[pos + 2]} << 8) | s[pos + 3];
        if (length < 2 || pos + 2 + length > s.size()) return std::nullopt;
        if (marker == 0xF7 && length >= 3) h.precision = s[pos + 4];
        if (marker == 0xF8) h.has_lse = true;
        pos += 2 + length;
    }
    return std::nullopt;
}

/// The stream with an LSE segment (T.87 C.2.4.1.1) carrying the coding parameters legacy
/// encoders used without writing them: the T.87 formulas for MAXVAL >= 128 with FACTOR computed
/// from the unclamped MAXVAL. JAI-ImageIO did so for more than 12 bits (FACTOR from MAXVAL, not
/// min(MAXVAL, 4095)); CharLS before 2.1 (and the DCMTK releases built on it) for fewer than 8
/// bits (no switch to the MAXVAL < 128 formulas). Between 8 and 12 bits both agree with T.87.
std::optional<Bytes> with_legacy_parameters(std::span<const std::uint8_t> s) {
    const std::optional<HeaderScan> h = scan_header(s);
    if (!h || h->has_lse || h->precision < 2 || h->precision > 16 || (h->precision >= 8 && h->precision <= 12))
        return std::nullopt;
    const int maxval = (1 << h->precision) - 1;
    const int factor = (maxval + 128) >> 8;
    const int near = h->near;
    int t1 = factor + 2 + 3 * near;
    if (t1 > maxval || t1 < near + 1) t1 = near + 1;
    int t2 = factor * 4 + 3 + 5 * near;
    if (t2 > maxval || t2 < t1) t2 = t1;
    int t3 = factor * 17 + 4 + 7 * near;
    if (t3 > maxval || t3 < t2) t3 = t2;
    constexpr int reset = 64;
    Bytes out;
    out.reserve(s.size() + 15);
    out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(h->sos));
    const std::array<std::uint8_t, 15> lse{0xFF, 0xF8, 0x00, 0x0D, 0x01,
                                           static_cast<std::uint8_t>(maxval >> 8), static_cast<std::uint8_t>(maxval),
                                           static_cast<std::uint8_t>(t1 >> 8), static_cast<std::uint8_t>(t1),
                                           static_cast<std::uint8_t>(t2 >> 8), static_cast<std::uint8_t>(t2),
                                           static_cast<std::uint8_t>(t3 >> 8), static_cast<std::uint8_t>(t3),
                                           0x00, static_cast<std::uint8_t>(reset)};
    out.insert(out.end(), lse.begin(), lse.end());
    out.insert(out.end(), s.begin() + static_cast<std::ptrdiff_t>(h->sos), s.end());
    return out;
}

/// Sign extends samples of `bits` bits in 16-bit (8-bit) containers (PS3.5 8.2.3).
void sign_extend(std::span<std::uint8_t> out, int container_bits, int bits) {
    if (bits >= container_bits) return;
    if (container_bits == 8) {
        const auto sign = static_cast<std::uint8_t>(1u << (bits - 1));
        const auto high = static_cast<std::uint8_t>(0xFFu << bits);
        for (std::uint8_t& v : out) v = (v & sign) ? static_cast<std::uint8_t>(v | high) : static_cast<std::uint8_t>(v & ~high);
        return;
    }
    const auto sign = static_cast<std::uint16_t>(1u << (bits - 1));
    const auto high = static_cast<std::uint16_t>(0xFFFFu << bits);
    for (std::size_t i = 0; i + 1 < out.size(); i += 2) {
        std::uint16_t v = static_cast<std::uint16_t>(out[i] | (out[i + 1] << 8));
        v = (v & sign) ? static_cast<std::uint16_t>(v | high) : static_cast<std::uint16_t>(v & ~high);
        out[i] = static_cast<std::uint8_t>(v);
        out[i + 1] = static_cast<std::uint8_t>(v >> 8);
    }
}

/// Decodes `encoded` into `out` (planar configuration 0, containers of `stored`).
Result<void> decode_stream(std::span<const std::uint8_t> encoded, const PixelInfo& stored, std::span<std::uint8_t> out) {
    if (encoded.empty()) return make_error(ErrorCode::Truncated, "JPEG-LS: empty bitstream");
    auto api = detail::charls_api();
    if (!api) return Unexpected(api.error());
    const CharlsApi& cl = **api;
    const std::unique_ptr<charls_jpegls_decoder, decltype(cl.decoder_destroy)> dec(cl.decoder_create(),
                                                                                    cl.decoder_destroy);
    if (!dec) return make_error(ErrorCode::LimitExceeded, "JPEG-LS: cannot create a decoder");
    if (auto rc = cl.decoder_set_source_buffer(dec.get(), encoded.data(), encoded.size()); !ok(rc))
        return charls_error(cl, "stream", rc);
    if (auto rc = cl.decoder_read_header(dec.get()); !ok(rc)) return charls_error(cl, "header", rc);
    charls_frame_info fi{};
    if (auto rc = cl.decoder_get_frame_info(dec.get(), &fi); !ok(rc)) return charls_error(cl, "frame header", rc);
    if (fi.width != stored.columns || fi.height != stored.rows ||
        fi.component_count != static_cast<std::int32_t>(stored.samples_per_pixel))
        return make_error(ErrorCode::InvalidValue,
                          fmt::format("JPEG-LS frame is {}x{} with {} components; the data set says {}x{} with {}",
                                      fi.width, fi.height, fi.component_count, stored.columns, stored.rows,
                                      stored.samples_per_pixel));
    if (fi.bits_per_sample > 8 && stored.bits_allocated == 8)
        return make_error(ErrorCode::InvalidValue,
                          fmt::format("JPEG-LS frame has {} bits a sample; Bits Allocated is 8", fi.bits_per_sample));
    charls_interleave_mode mode{};
    if (auto rc = cl.decoder_get_interleave_mode(dec.get(), &mode); !ok(rc)) return charls_error(cl, "header", rc);
    std::size_t size = 0;
    if (auto rc = cl.decoder_get_destination_size(dec.get(), 0, &size); !ok(rc)) return charls_error(cl, "header", rc);

    const std::size_t in_bytes = fi.bits_per_sample > 8 ? 2 : 1;
    const std::size_t out_bytes = stored.bits_allocated / 8;
    const std::size_t pixels = std::size_t{fi.width} * fi.height;
    const std::size_t comps = stored.samples_per_pixel;
    const bool planar = comps > 1 && mode == charls_interleave_mode::none;
    if (size != pixels * comps * in_bytes || out.size() != pixels * comps * out_bytes)
        return make_error(ErrorCode::InvalidArgument, "JPEG-LS: output buffer does not match the frame");

    if (in_bytes == out_bytes && !planar) {
        if (auto rc = cl.decoder_decode_to_buffer(dec.get(), out.data(), out.size(), 0); !ok(rc))
            return charls_error(cl, "scan", rc);
    } else {
        Bytes tmp(size);
        if (auto rc = cl.decoder_decode_to_buffer(dec.get(), tmp.data(), tmp.size(), 0); !ok(rc))
            return charls_error(cl, "scan", rc);
        // Sample i of component c sits at (planar ? c * pixels + i : i * comps + c) in tmp.
        for (std::size_t c = 0; c < comps; ++c) {
            for (std::size_t i = 0; i < pixels; ++i) {
                const std::size_t src = planar ? c * pixels + i : i * comps + c;
                const std::size_t dst = i * comps + c;
                const unsigned v = in_bytes == 1 ? tmp[src] : unsigned(tmp[2 * src]) | (unsigned(tmp[2 * src + 1]) << 8);
                if (out_bytes == 1) {
                    out[dst] = static_cast<std::uint8_t>(v);
                } else {
                    out[2 * dst] = static_cast<std::uint8_t>(v);
                    out[2 * dst + 1] = static_cast<std::uint8_t>(v >> 8);
                }
            }
        }
    }
    if (stored.is_signed) sign_extend(out, stored.bits_allocated, stored.bits_stored);
    return {};
}

/// Encodes `source` as one sample-interleaved scan into a buffer of `capacity` bytes (0: CharLS's
/// estimate), MAXVAL `maxval` (0: 2^P - 1); `too_small` is set to the capacity when that was not
/// enough.
Result<Bytes> encode_stream(const charls_frame_info& fi, int near, int maxval,
                            std::span<const std::uint8_t> source, std::size_t capacity, std::size_t& too_small) {
    too_small = 0;
    auto api = detail::charls_api();
    if (!api) return Unexpected(api.error());
    const CharlsApi& cl = **api;
    const std::unique_ptr<charls_jpegls_encoder, decltype(cl.encoder_destroy)> enc(cl.encoder_create(),
                                                                                    cl.encoder_destroy);
    if (!enc) return make_error(ErrorCode::LimitExceeded, "JPEG-LS: cannot create an encoder");
    if (auto rc = cl.encoder_set_frame_info(enc.get(), &fi); !ok(rc)) return charls_error(cl, "encode", rc);
    if (maxval > 0) {
        const charls_jpegls_pc_parameters pc{maxval, 0, 0, 0, 0};
        if (auto rc = cl.encoder_set_preset_coding_parameters(enc.get(), &pc); !ok(rc))
            return charls_error(cl, "encode", rc);
    }
    if (fi.component_count > 1) {
        if (auto rc = cl.encoder_set_interleave_mode(enc.get(), charls_interleave_mode::sample); !ok(rc))
            return charls_error(cl, "encode", rc);
    }
    if (auto rc = cl.encoder_set_near_lossless(enc.get(), near); !ok(rc)) return charls_error(cl, "encode", rc);
    if (capacity == 0) {
        if (auto rc = cl.encoder_get_estimated_destination_size(enc.get(), &capacity); !ok(rc))
            return charls_error(cl, "encode", rc);
    }
    Bytes out(capacity);
    if (auto rc = cl.encoder_set_destination_buffer(enc.get(), out.data(), out.size()); !ok(rc))
        return charls_error(cl, "encode", rc);
    if (auto rc = cl.encoder_encode_from_buffer(enc.get(), source.data(), source.size(), 0); !ok(rc)) {
        if (rc == charls_jpegls_errc::destination_buffer_too_small) too_small = capacity;
        return charls_error(cl, "encode", rc);
    }
    std::size_t written = 0;
    if (auto rc = cl.encoder_get_bytes_written(enc.get(), &written); !ok(rc))
        return charls_error(cl, "encode", rc);
    out.resize(written);
    return out;
}

}  // namespace


#define DICOMKIT_JLS_STR2(x) #x
#define DICOMKIT_JLS_STR(x) DICOMKIT_JLS_STR2(x)

std::string_view JpegLsCodec::name() const {
    return "CharLS " DICOMKIT_JLS_STR(CHARLS_VERSION_MAJOR) "." DICOMKIT_JLS_STR(CHARLS_VERSION_MINOR) "." DICOMKIT_JLS_STR(
        CHARLS_VERSION_PATCH);
}

std::span<const std::string_view> JpegLsCodec::decodes() const { return kSyntaxes; }
std::span<const std::string_view> JpegLsCodec::encodes() const { return kSyntaxes; }

PixelInfo JpegLsCodec::decoded_info(std::string_view /*ts*/, const PixelInfo& stored) const {
    PixelInfo info = stored;
    info.planar_configuration = 0;
    return info;
}

Result<void> JpegLsCodec::decode(std::string_view /*ts*/, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                                 std::span<std::uint8_t> out) const {
    if (auto r = check_layout(stored); !r) return r;
    Result<void> first = decode_stream(encoded, stored, out);
    if (first || first.error().code != ErrorCode::InvalidValue) return first;
    // Legacy encoders coded some bit depths with thresholds of their own and wrote no LSE
    // segment; only tried when the standard defaults fail.
    if (std::optional<Bytes> patched = with_legacy_parameters(encoded)) {
        if (decode_stream(*patched, stored, out)) return {};
    }
    return first;
}

Result<void> JpegLsCodec::can_encode(std::string_view ts, const PixelInfo& native, const EncodeOptions& options) const {
    if (ts != kLossless && ts != kNearLossless)
        return make_error(ErrorCode::UnsupportedTransferSyntax, fmt::format("JPEG-LS does not encode {}", ts));
    if (auto r = check_layout(native); !r) return r;
    if (native.rows == 0 || native.columns == 0 || native.rows > 65535 || native.columns > 65535)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("JPEG-LS takes 1 to 65535 rows and columns; this image is {}x{}", native.columns,
                                      native.rows));
    if (native.photometric == "YBR_FULL_422" || native.photometric == "YBR_PARTIAL_422")
        return make_error(ErrorCode::Unsupported,
                          fmt::format("JPEG-LS does not encode subsampled {} frames", native.photometric));
    if (ts == kNearLossless) {
        const int max_near = std::min(255, ((1 << native.bits_stored) - 1) / 2);
        if (options.near_lossless < 0 || options.near_lossless > max_near)
            return make_error(ErrorCode::InvalidArgument, fmt::format("JPEG-LS NEAR must be 0..{} for {} bits; it is {}",
                                                                      max_near, native.bits_stored, options.near_lossless));
    }
    return {};
}

PixelInfo JpegLsCodec::encoded_info(std::string_view /*ts*/, const PixelInfo& native,
                                    const EncodeOptions& /*options*/) const {
    PixelInfo info = native;
    info.planar_configuration = 0;
    return info;
}

Result<Bytes> JpegLsCodec::encode(std::string_view ts, std::span<const std::uint8_t> frame, const PixelInfo& native,
                                  const EncodeOptions& options) const {
    if (auto r = can_encode(ts, native, options); !r) return Unexpected(std::move(r.error()));
    const std::size_t samples = native.samples_per_frame();
    const std::size_t in_bytes = native.bits_allocated / 8;
    if (frame.size() != samples * in_bytes)
        return make_error(ErrorCode::InvalidArgument,
                          fmt::format("JPEG-LS encode: frame has {} bytes, {} expected", frame.size(), samples * in_bytes));
    // CharLS takes one byte a sample up to 8 bits, two above; values must fit Bits Stored, so
    // signed (and padded) samples are masked (PS3.5 8.2.3). A 16-bit container of 8 bits or
    // fewer is coded as 16-bit samples with MAXVAL 2^BitsStored - 1 (an LSE segment), as DCMTK
    // does: DCMTK and GDCM take an 8-bit stream for an 8-bit container only.
    const int bits = native.bits_stored;
    const bool widened = native.bits_allocated == 16 && bits <= 8;
    const int precision = widened ? 16 : bits;
    const std::size_t jls_bytes = precision > 8 ? 2 : 1;
    const unsigned mask = (1u << bits) - 1;
    Bytes source(samples * jls_bytes);
    for (std::size_t i = 0; i < samples; ++i) {
        const unsigned v = (in_bytes == 1 ? frame[i] : unsigned(frame[2 * i]) | (unsigned(frame[2 * i + 1]) << 8)) & mask;
        if (jls_bytes == 1) {
            source[i] = static_cast<std::uint8_t>(v);
        } else {
            source[2 * i] = static_cast<std::uint8_t>(v);
            source[2 * i + 1] = static_cast<std::uint8_t>(v >> 8);
        }
    }

    const int near = ts == kNearLossless ? options.near_lossless : 0;
    const int maxval = widened ? static_cast<int>(mask) : 0;
    const charls_frame_info fi{native.columns, native.rows, precision, native.samples_per_pixel};
    std::size_t too_small_for = 0;
    Result<Bytes> r = encode_stream(fi, near, maxval, source, 0, too_small_for);
    // CharLS's estimate can be short for noise; no sample takes more than LIMIT bits (T.87 A.5),
    // at most four times its size.
    if (!r && too_small_for > 0) r = encode_stream(fi, near, maxval, source, source.size() * 4 + 4096, too_small_for);
    return r;
}

bool JpegLsCodec::lossy(std::string_view ts, const EncodeOptions& options) const {
    return ts == kNearLossless && options.near_lossless > 0;
}

}  // namespace dicomkit::pixel
