// JPEG XL through libjxl's C API: decode (all three syntaxes) and encode (lossless and lossy).
#include <dicomkit/pixel/jxl/jxl_codec.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <jxl/version.h>

#include <dicomkit/pixel/jxl/jxl_library.hpp>

namespace dicomkit::pixel {

namespace {

constexpr std::string_view kLossless = "1.2.840.10008.1.2.4.110";
constexpr std::string_view kRecompression = "1.2.840.10008.1.2.4.111";
constexpr std::string_view kJpegXl = "1.2.840.10008.1.2.4.112";
constexpr std::array<std::string_view, 3> kDecodes{kLossless, kRecompression, kJpegXl};
constexpr std::array<std::string_view, 2> kEncodes{kLossless, kJpegXl};

struct DecoderDeleter {
    decltype(&::JxlDecoderDestroy) destroy;
    void operator()(JxlDecoder* d) const noexcept { destroy(d); }
};
struct EncoderDeleter {
    decltype(&::JxlEncoderDestroy) destroy;
    void operator()(JxlEncoder* e) const noexcept { destroy(e); }
};

Result<void> check_layout(const PixelInfo& info, bool encoding) {
    if (info.format != SampleFormat::Integer)
        return make_error(ErrorCode::Unsupported, "JPEG XL codec takes integer samples; this image has float pixel data");
    if (info.bits_allocated != 8 && info.bits_allocated != 16)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("JPEG XL takes 8- or 16-bit containers; Bits Allocated is {}", info.bits_allocated));
    if (info.samples_per_pixel != 1 && info.samples_per_pixel != 3)
        return make_error(ErrorCode::Unsupported, fmt::format("JPEG XL takes 1 or 3 samples per pixel; this image has {}",
                                                              info.samples_per_pixel));
    if (encoding && info.is_signed)
        return make_error(ErrorCode::Unsupported, "the JPEG XL encoder takes unsigned samples; this image is signed");
    if (encoding && info.samples_per_pixel == 3 && info.photometric != "RGB")
        return make_error(ErrorCode::Unsupported,
                          fmt::format("the JPEG XL encoder takes RGB colour; this image is {}", info.photometric));
    return {};
}

/// cjxl's mapping of a JPEG-like quality (1..99) to a butteraugli distance.
float distance_for(int quality) {
    const int q = std::clamp(quality, 1, 99);
    const double d = q >= 30 ? 0.1 + (100 - q) * 0.09 : 6.4 + std::pow(2.5, (30 - q) / 5.0) / 6.25;
    return static_cast<float>(std::min(d, 15.0));
}

/// Scales samples libjxl gave in the container's full range back to `bits` bits.
void rescale(std::span<std::uint8_t> out, int container_bits, int bits) {
    const std::uint32_t full = (1u << container_bits) - 1, max = (1u << bits) - 1;
    if (container_bits == 8) {
        for (std::uint8_t& v : out) v = static_cast<std::uint8_t>((v * max + full / 2) / full);
        return;
    }
    for (std::size_t i = 0; i + 1 < out.size(); i += 2) {
        const std::uint32_t v = out[i] | (std::uint32_t{out[i + 1]} << 8);
        const std::uint32_t r = (v * max + full / 2) / full;
        out[i] = static_cast<std::uint8_t>(r);
        out[i + 1] = static_cast<std::uint8_t>(r >> 8);
    }
}

}  // namespace

JxlCodec::JxlCodec() : soname_(detail::JxlLibrary::default_soname()) {}
JxlCodec::JxlCodec(std::string soname) : soname_(std::move(soname)) {}
JxlCodec::~JxlCodec() = default;

Result<const detail::JxlApi*> JxlCodec::api() const {
    std::call_once(once_, [this] {
        auto lib = detail::JxlLibrary::open(soname_);
        if (lib) library_ = std::move(*lib);
        else load_error_ = std::move(lib.error());
    });
    if (!library_) return Unexpected(load_error_);
    return &library_->api();
}

std::string_view JxlCodec::name() const {
    static const std::string n = fmt::format("libjxl {}.{}.{}", JPEGXL_MAJOR_VERSION, JPEGXL_MINOR_VERSION,
                                             JPEGXL_PATCH_VERSION);
    return n;
}

std::span<const std::string_view> JxlCodec::decodes() const { return kDecodes; }
std::span<const std::string_view> JxlCodec::encodes() const { return kEncodes; }

PixelInfo JxlCodec::decoded_info(std::string_view /*ts*/, const PixelInfo& stored) const {
    PixelInfo info = stored;
    info.planar_configuration = 0;
    if (info.samples_per_pixel == 3) info.photometric = "RGB";  // libjxl hands out RGB
    return info;
}

Result<void> JxlCodec::decode(std::string_view /*ts*/, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                              std::span<std::uint8_t> out) const {
    if (auto r = check_layout(stored, false); !r) return r;
    if (out.size() != stored.frame_bytes())
        return make_error(ErrorCode::InvalidArgument, "JPEG XL: output buffer does not match the frame");
    if (encoded.empty()) return make_error(ErrorCode::Truncated, "JPEG XL: empty codestream");
    auto loaded = api();
    if (!loaded) return Unexpected(std::move(loaded.error()));
    const detail::JxlApi& jxl = **loaded;
    const std::unique_ptr<JxlDecoder, DecoderDeleter> dec(jxl.DecoderCreate(nullptr), DecoderDeleter{jxl.DecoderDestroy});
    if (!dec) return make_error(ErrorCode::LimitExceeded, "JPEG XL: cannot create a decoder");
    if (jxl.DecoderSubscribeEvents(dec.get(), JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE) != JXL_DEC_SUCCESS ||
        jxl.DecoderSetKeepOrientation(dec.get(), JXL_TRUE) != JXL_DEC_SUCCESS ||
        jxl.DecoderSetInput(dec.get(), encoded.data(), encoded.size()) != JXL_DEC_SUCCESS)
        return make_error(ErrorCode::InvalidValue, "JPEG XL: decoder set-up failed");
    jxl.DecoderCloseInput(dec.get());
    const JxlPixelFormat format{stored.samples_per_pixel, stored.bits_allocated == 8 ? JXL_TYPE_UINT8 : JXL_TYPE_UINT16,
                                JXL_LITTLE_ENDIAN, 0};
    JxlBasicInfo basic{};
    bool have_image = false;
    for (;;) {
        const JxlDecoderStatus st = jxl.DecoderProcessInput(dec.get());
        if (st == JXL_DEC_ERROR) return make_error(ErrorCode::InvalidValue, "JPEG XL: invalid codestream");
        if (st == JXL_DEC_NEED_MORE_INPUT) return make_error(ErrorCode::Truncated, "JPEG XL: codestream ends early");
        if (st == JXL_DEC_BASIC_INFO) {
            if (jxl.DecoderGetBasicInfo(dec.get(), &basic) != JXL_DEC_SUCCESS)
                return make_error(ErrorCode::InvalidValue, "JPEG XL: unreadable basic info");
            if (basic.xsize != stored.columns || basic.ysize != stored.rows ||
                basic.num_color_channels != stored.samples_per_pixel)
                return make_error(ErrorCode::InvalidValue,
                                  fmt::format("JPEG XL image is {}x{} with {} colour channels; the data set says {}x{} "
                                              "with {} samples",
                                              basic.xsize, basic.ysize, basic.num_color_channels, stored.columns,
                                              stored.rows, stored.samples_per_pixel));
            if (basic.bits_per_sample > stored.bits_allocated)
                return make_error(ErrorCode::InvalidValue,
                                  fmt::format("JPEG XL image has {} bits a sample; Bits Allocated is {}",
                                              basic.bits_per_sample, stored.bits_allocated));
        } else if (st == JXL_DEC_NEED_IMAGE_OUT_BUFFER) {
            std::size_t size = 0;
            if (jxl.DecoderImageOutBufferSize(dec.get(), &format, &size) != JXL_DEC_SUCCESS || size != out.size())
                return make_error(ErrorCode::InvalidValue, "JPEG XL: image size does not match the frame");
            if (jxl.DecoderSetImageOutBuffer(dec.get(), &format, out.data(), out.size()) != JXL_DEC_SUCCESS)
                return make_error(ErrorCode::InvalidValue, "JPEG XL: output buffer refused");
        } else if (st == JXL_DEC_FULL_IMAGE) {
            have_image = true;
            break;  // one frame a DICOM frame; later frames (animation) are not pixel data
        } else if (st == JXL_DEC_SUCCESS) {
            break;
        }
    }
    if (!have_image) return make_error(ErrorCode::InvalidValue, "JPEG XL: codestream has no image");
    if (basic.bits_per_sample < stored.bits_allocated) rescale(out, stored.bits_allocated, static_cast<int>(basic.bits_per_sample));
    return {};
}

Result<void> JxlCodec::can_encode(std::string_view ts, const PixelInfo& native, const EncodeOptions& options) const {
    if (ts != kLossless && ts != kJpegXl)
        return make_error(ErrorCode::UnsupportedTransferSyntax,
                          fmt::format("the JPEG XL encoder does not write {} (JPEG Recompression needs a JPEG input)", ts));
    if (auto r = check_layout(native, true); !r) return r;
    if (ts == kJpegXl && (options.quality < 1 || options.quality > 100))
        return make_error(ErrorCode::InvalidArgument, fmt::format("JPEG XL quality must be 1..100; it is {}", options.quality));
    return {};
}

PixelInfo JxlCodec::encoded_info(std::string_view /*ts*/, const PixelInfo& native, const EncodeOptions& /*options*/) const {
    PixelInfo info = native;
    info.planar_configuration = 0;
    return info;
}

Result<Bytes> JxlCodec::encode(std::string_view ts, std::span<const std::uint8_t> frame, const PixelInfo& native,
                               const EncodeOptions& options) const {
    if (auto r = can_encode(ts, native, options); !r) return Unexpected(std::move(r.error()));
    if (frame.size() != native.frame_bytes())
        return make_error(ErrorCode::InvalidArgument,
                          fmt::format("JPEG XL encode: frame has {} bytes, {} expected", frame.size(), native.frame_bytes()));
    const bool lossless = !lossy(ts, options);
    auto loaded = api();
    if (!loaded) return Unexpected(std::move(loaded.error()));
    const detail::JxlApi& jxl = **loaded;
    const std::unique_ptr<JxlEncoder, EncoderDeleter> enc(jxl.EncoderCreate(nullptr), EncoderDeleter{jxl.EncoderDestroy});
    if (!enc) return make_error(ErrorCode::LimitExceeded, "JPEG XL: cannot create an encoder");
    JxlBasicInfo basic;
    jxl.EncoderInitBasicInfo(&basic);
    basic.xsize = native.columns;
    basic.ysize = native.rows;
    // The container's depth: libjxl 0.7 takes UINT16 input as the full 16-bit range, so 12 bits
    // stored are coded as 16-bit samples that happen to be small (lossless all the same).
    basic.bits_per_sample = native.bits_allocated;
    basic.num_color_channels = native.samples_per_pixel;
    basic.uses_original_profile = lossless ? JXL_TRUE : JXL_FALSE;
    if (jxl.EncoderSetBasicInfo(enc.get(), &basic) != JXL_ENC_SUCCESS)
        return make_error(ErrorCode::Unsupported, "JPEG XL: image parameters refused");
    JxlColorEncoding colour;
    jxl.ColorEncodingSetToSRGB(&colour, native.samples_per_pixel == 1 ? JXL_TRUE : JXL_FALSE);
    if (jxl.EncoderSetColorEncoding(enc.get(), &colour) != JXL_ENC_SUCCESS)
        return make_error(ErrorCode::Unsupported, "JPEG XL: colour encoding refused");
    JxlEncoderFrameSettings* fs = jxl.EncoderFrameSettingsCreate(enc.get(), nullptr);
    if (!fs) return make_error(ErrorCode::LimitExceeded, "JPEG XL: cannot create frame settings");
    // Effort 3 keeps encoding fast; higher efforts gain a few percent at several times the time.
    if (jxl.EncoderFrameSettingsSetOption(fs, JXL_ENC_FRAME_SETTING_EFFORT, 3) != JXL_ENC_SUCCESS)
        return make_error(ErrorCode::Unsupported, "JPEG XL: effort refused");
    if (lossless) {
        if (jxl.EncoderSetFrameLossless(fs, JXL_TRUE) != JXL_ENC_SUCCESS)
            return make_error(ErrorCode::Unsupported, "JPEG XL: lossless mode refused");
    } else if (jxl.EncoderSetFrameDistance(fs, distance_for(options.quality)) != JXL_ENC_SUCCESS) {
        return make_error(ErrorCode::Unsupported, "JPEG XL: distance refused");
    }
    const JxlPixelFormat format{native.samples_per_pixel, native.bits_allocated == 8 ? JXL_TYPE_UINT8 : JXL_TYPE_UINT16,
                                JXL_LITTLE_ENDIAN, 0};
    if (jxl.EncoderAddImageFrame(fs, &format, frame.data(), frame.size()) != JXL_ENC_SUCCESS)
        return make_error(ErrorCode::InvalidValue, "JPEG XL: frame refused by the encoder");
    jxl.EncoderCloseInput(enc.get());
    Bytes out(std::max<std::size_t>(frame.size() / 4, 4096));
    std::uint8_t* next = out.data();
    std::size_t avail = out.size();
    for (;;) {
        const JxlEncoderStatus st = jxl.EncoderProcessOutput(enc.get(), &next, &avail);
        if (st == JXL_ENC_SUCCESS) break;
        if (st != JXL_ENC_NEED_MORE_OUTPUT) return make_error(ErrorCode::InvalidValue, "JPEG XL: encoding failed");
        const std::size_t used = static_cast<std::size_t>(next - out.data());
        out.resize(out.size() * 2);
        next = out.data() + used;
        avail = out.size() - used;
    }
    out.resize(static_cast<std::size_t>(next - out.data()));
    return out;
}

bool JxlCodec::lossy(std::string_view ts, const EncodeOptions& options) const {
    return ts == kJpegXl && options.quality < 100;
}

}  // namespace dicomkit::pixel
