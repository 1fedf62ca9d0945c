// OpenJPEG decoding and encoding on memory streams, its messages captured into the error.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include <openjpeg.h>

#include <dicomkit/pixel/j2k/j2k_codec.hpp>
#include <dicomkit/pixel/j2k/library_checks.hpp>
#include <dicomkit/pixel/j2k/samples.hpp>
#include <dicomkit/pixel/layout.hpp>

namespace dicomkit::pixel::j2k {
namespace {

/// OpenJPEG's error and warning messages for one codec use.
struct Messages {
    std::string errors;
    std::string warnings;
};

void append_line(std::string& to, const char* msg) {
    if (msg == nullptr) return;
    std::string_view m(msg);
    while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.remove_suffix(1);
    if (m.empty()) return;
    if (!to.empty()) to += "; ";
    to += m;
}

void on_error(const char* msg, void* data) { append_line(static_cast<Messages*>(data)->errors, msg); }
void on_warning(const char* msg, void* data) { append_line(static_cast<Messages*>(data)->warnings, msg); }
void on_info(const char*, void*) {}

struct CodecDeleter {
    void operator()(opj_codec_t* c) const noexcept { opj_destroy_codec(c); }
};
struct StreamDeleter {
    void operator()(opj_stream_t* s) const noexcept { opj_stream_destroy(s); }
};
struct ImageDeleter {
    void operator()(opj_image_t* i) const noexcept { opj_image_destroy(i); }
};
using CodecPtr = std::unique_ptr<opj_codec_t, CodecDeleter>;
using StreamPtr = std::unique_ptr<opj_stream_t, StreamDeleter>;
using ImagePtr = std::unique_ptr<opj_image_t, ImageDeleter>;

void attach(opj_codec_t* codec, Messages& m) {
    opj_set_error_handler(codec, on_error, &m);
    opj_set_warning_handler(codec, on_warning, &m);
    opj_set_info_handler(codec, on_info, &m);
}

// --- reading from memory --------------------------------------------------------------------
struct MemoryIn {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t pos;
};

OPJ_SIZE_T read_in(void* buffer, OPJ_SIZE_T n, void* user) {
    auto* in = static_cast<MemoryIn*>(user);
    if (in->pos >= in->size) return static_cast<OPJ_SIZE_T>(-1);
    const std::size_t take = std::min<std::size_t>(n, in->size - in->pos);
    std::memcpy(buffer, in->data + in->pos, take);
    in->pos += take;
    return take;
}
OPJ_OFF_T skip_in(OPJ_OFF_T n, void* user) {
    auto* in = static_cast<MemoryIn*>(user);
    if (n < 0) {
        const auto back = std::min<std::uint64_t>(static_cast<std::uint64_t>(-n), in->pos);
        in->pos -= back;
        return -static_cast<OPJ_OFF_T>(back);
    }
    const auto fwd = std::min<std::uint64_t>(static_cast<std::uint64_t>(n), in->size - in->pos);
    in->pos += fwd;
    return static_cast<OPJ_OFF_T>(fwd);
}
OPJ_BOOL seek_in(OPJ_OFF_T to, void* user) {
    auto* in = static_cast<MemoryIn*>(user);
    if (to < 0 || static_cast<std::uint64_t>(to) > in->size) return OPJ_FALSE;
    in->pos = static_cast<std::size_t>(to);
    return OPJ_TRUE;
}

// --- writing to memory ----------------------------------------------------------------------
struct MemoryOut {
    Bytes bytes;
    std::size_t pos = 0;
};

OPJ_SIZE_T write_out(void* buffer, OPJ_SIZE_T n, void* user) {
    auto* out = static_cast<MemoryOut*>(user);
    if (out->pos + n > out->bytes.size()) out->bytes.resize(out->pos + n);
    std::memcpy(out->bytes.data() + out->pos, buffer, n);
    out->pos += n;
    return n;
}
OPJ_OFF_T skip_out(OPJ_OFF_T n, void* user) {
    auto* out = static_cast<MemoryOut*>(user);
    if (n < 0 && static_cast<std::uint64_t>(-n) > out->pos) return -1;
    out->pos = static_cast<std::size_t>(static_cast<OPJ_OFF_T>(out->pos) + n);
    if (out->pos > out->bytes.size()) out->bytes.resize(out->pos);
    return n;
}
OPJ_BOOL seek_out(OPJ_OFF_T to, void* user) {
    auto* out = static_cast<MemoryOut*>(user);
    if (to < 0) return OPJ_FALSE;
    out->pos = static_cast<std::size_t>(to);
    if (out->pos > out->bytes.size()) out->bytes.resize(out->pos);
    return OPJ_TRUE;
}

/// "OpenJPEG: <what>: <its messages>" as an InvalidValue error.
Unexpected fail(std::string_view what, const Messages& m) {
    std::string msg = "JPEG 2000: " + std::string(what);
    if (!m.errors.empty()) msg += ": " + m.errors;
    else if (!m.warnings.empty()) msg += " (" + m.warnings + ")";
    return make_error(ErrorCode::InvalidValue, std::move(msg));
}

constexpr std::uint8_t kJp2Signature[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};

/// The contiguous codestream box (jp2c) of a JP2 file (ISO/IEC 15444-1 I.5.4), empty if none.
std::span<const std::uint8_t> jp2_codestream(std::span<const std::uint8_t> file) {
    std::size_t pos = 0;
    while (pos + 8 <= file.size()) {
        std::uint64_t length = (std::uint64_t{file[pos]} << 24) | (std::uint64_t{file[pos + 1]} << 16) |
                               (std::uint64_t{file[pos + 2]} << 8) | file[pos + 3];
        std::size_t header = 8;
        if (length == 1) {
            if (pos + 16 > file.size()) return {};
            length = 0;
            for (int i = 0; i < 8; ++i) length = length << 8 | file[pos + 8 + i];
            header = 16;
        } else if (length == 0) {
            length = file.size() - pos;
        }
        if (length < header || length > file.size() - pos) return {};
        if (std::memcmp(&file[pos + 4], "jp2c", 4) == 0) return file.subspan(pos + header, length - header);
        pos += static_cast<std::size_t>(length);
    }
    return {};
}

}  // namespace

std::string_view openjpeg_name() {
    static const std::string name = std::string("OpenJPEG ") + opj_version();
    return name;
}

namespace {

Result<void> decode_checked(std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                            std::span<std::uint8_t> out, int threads) {
    const PixelInfo layout = decoded_layout(stored);
    if (out.size() != layout.frame_bytes())
        return make_error(ErrorCode::InvalidArgument, "JPEG 2000: output buffer does not match the frame size");
    if (layout.bits_allocated == 1 && layout.format == SampleFormat::Integer) {
        // 1-bit frames (e.g. segmentations) are coded as 1-bit components: decode into bytes,
        // then pack them 8 a byte (PS3.5 8.1.1).
        PixelInfo bytes_info = stored;
        bytes_info.bits_allocated = 8;
        bytes_info.bits_stored = 1;
        bytes_info.high_bit = 0;
        std::vector<std::uint8_t> unpacked(decoded_layout(bytes_info).frame_bytes());
        auto r = decode_checked(encoded, bytes_info, unpacked, threads);
        if (!r) return r;
        pack_bits(unpacked, out);
        return {};
    }
    const unsigned bytes = layout.bytes_per_sample();
    if (layout.format != SampleFormat::Integer || (bytes != 1 && bytes != 2 && bytes != 4))
        return make_error(ErrorCode::Unsupported, "JPEG 2000 frames decode into 8-, 16- or 32-bit integer samples");

    const bool jp2 = encoded.size() >= sizeof kJp2Signature &&
                     std::memcmp(encoded.data(), kJp2Signature, sizeof kJp2Signature) == 0;
    if (!jp2 && (encoded.size() < 2 || encoded[0] != 0xFF || encoded[1] != 0x4F))
        return make_error(ErrorCode::InvalidValue,
                          "JPEG 2000: the frame starts with neither SOC (FF4F) nor a JP2 signature box");

    const auto codestream = jp2 ? jp2_codestream(encoded) : encoded;
    if (codestream.size() < 2 || codestream[0] != 0xFF || codestream[1] != 0x4F)
        return make_error(ErrorCode::InvalidValue, "JPEG 2000: the JP2 file holds no codestream");
    if (auto ok = check_main_header(codestream, layout); !ok) return ok;

    Messages m;
    CodecPtr codec(opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
    if (!codec) return make_error(ErrorCode::Unsupported, "JPEG 2000: OpenJPEG has no decoder");
    attach(codec.get(), m);
    opj_dparameters_t params;
    opj_set_default_decoder_parameters(&params);
    if (!opj_setup_decoder(codec.get(), &params)) return fail("decoder setup failed", m);
    if (threads > 1) opj_codec_set_threads(codec.get(), threads);

    MemoryIn in{encoded.data(), encoded.size(), 0};
    StreamPtr stream(opj_stream_create(64 * 1024, OPJ_TRUE));
    if (!stream) return make_error(ErrorCode::LimitExceeded, "JPEG 2000: no memory for a stream");
    opj_stream_set_user_data(stream.get(), &in, nullptr);
    opj_stream_set_user_data_length(stream.get(), encoded.size());
    opj_stream_set_read_function(stream.get(), read_in);
    opj_stream_set_skip_function(stream.get(), skip_in);
    opj_stream_set_seek_function(stream.get(), seek_in);

    opj_image_t* raw = nullptr;
    if (!opj_read_header(stream.get(), codec.get(), &raw)) {
        opj_image_destroy(raw);
        return fail("unreadable main header", m);
    }
    ImagePtr image(raw);
    // Check the header against the data set before anything is allocated for the samples.
    const std::uint64_t width = image->x1 > image->x0 ? image->x1 - image->x0 : 0;
    const std::uint64_t height = image->y1 > image->y0 ? image->y1 - image->y0 : 0;
    if (width != layout.columns || height != layout.rows)
        return make_error(ErrorCode::InvalidValue,
                          "JPEG 2000: the codestream is " + std::to_string(width) + "x" + std::to_string(height) +
                              ", the data set says " + std::to_string(layout.columns) + "x" +
                              std::to_string(layout.rows) + " (Columns x Rows)");
    if (image->numcomps != layout.samples_per_pixel)
        return make_error(ErrorCode::InvalidValue, "JPEG 2000: the codestream has " + std::to_string(image->numcomps) +
                                                       " components, Samples per Pixel is " +
                                                       std::to_string(layout.samples_per_pixel));
    for (OPJ_UINT32 c = 0; c < image->numcomps; ++c) {
        const auto& comp = image->comps[c];
        if (comp.dx != 1 || comp.dy != 1)
            return make_error(ErrorCode::Unsupported, "JPEG 2000: component " + std::to_string(c) +
                                                          " is subsampled, which DICOM frames cannot hold");
        if (comp.prec == 0 || comp.prec > 8u * bytes)
            return make_error(ErrorCode::InvalidValue, "JPEG 2000: component " + std::to_string(c) + " has " +
                                                           std::to_string(comp.prec) + "-bit samples, Bits Allocated is " +
                                                           std::to_string(layout.bits_allocated));
    }
    if (!opj_decode(codec.get(), stream.get(), image.get())) return fail("decoding failed", m);
    if (!opj_end_decompress(codec.get(), stream.get())) return fail("decoding failed at the end", m);

    const std::size_t pixels = static_cast<std::size_t>(width) * height;
    for (OPJ_UINT32 c = 0; c < image->numcomps; ++c) {
        const auto& comp = image->comps[c];
        if (comp.data == nullptr || comp.w != width || comp.h != height)
            return make_error(ErrorCode::InvalidValue,
                              "JPEG 2000: component " + std::to_string(c) + " was not decoded at full size");
        put_samples(comp.data, pixels, out.data(), c, layout.samples_per_pixel, bytes);
    }
    return {};
}

}  // namespace

Result<void> openjpeg_decode(std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                             std::span<std::uint8_t> out, int threads) {
    if (threads > 1) return decode_checked(encoded, stored, out, threads);
    // On this thread a failed assertion in OpenJPEG (a corrupt code-block) is an error of the
    // frame; what OpenJPEG allocated for the decode is released with the codec (a few bytes of
    // its job may stay behind).
    try {
        LibraryCheckScope scope;
        return decode_checked(encoded, stored, out, threads);
    } catch (const LibraryCheckFailed& e) {
        return make_error(ErrorCode::InvalidValue,
                          std::string("JPEG 2000: the codestream is corrupt, OpenJPEG stopped at ") + e.what());
    }
}

Result<Bytes> openjpeg_encode(std::span<const std::uint8_t> frame, const PixelInfo& native, const OpenJpegEncode& how) {
    if (auto ok = check_encodable(native, "JPEG 2000"); !ok) return tl::unexpected(ok.error());
    if (frame.size() != native.frame_bytes())
        return make_error(ErrorCode::InvalidArgument, "JPEG 2000: the frame is " + std::to_string(frame.size()) +
                                                          " bytes, not " + std::to_string(native.frame_bytes()));
    const unsigned spp = native.samples_per_pixel;
    opj_image_cmptparm_t comps[3];
    std::memset(comps, 0, sizeof comps);
    for (unsigned c = 0; c < spp; ++c) {
        comps[c].dx = comps[c].dy = 1;
        comps[c].w = native.columns;
        comps[c].h = native.rows;
        comps[c].prec = native.bits_stored;
        comps[c].sgnd = native.is_signed ? 1 : 0;
    }
    ImagePtr image(opj_image_create(spp, comps, spp == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY));
    if (!image) return make_error(ErrorCode::LimitExceeded, "JPEG 2000: no memory for the image");
    image->x0 = image->y0 = 0;
    image->x1 = native.columns;
    image->y1 = native.rows;
    const std::size_t pixels = static_cast<std::size_t>(native.rows) * native.columns;
    for (unsigned c = 0; c < spp; ++c)
        get_samples(frame.data(), c, pixels, spp, native.bytes_per_sample(), native.bits_stored, native.is_signed,
                    image->comps[c].data);

    opj_cparameters_t params;
    opj_set_default_encoder_parameters(&params);
    params.tcp_numlayers = 1;
    params.cp_disto_alloc = 1;
    params.tcp_rates[0] = how.reversible ? 0.0f : static_cast<float>(std::max(1.0, how.compression_ratio));
    params.irreversible = how.reversible ? 0 : 1;
    params.tcp_mct = (how.colour_transform && spp == 3) ? 1 : 0;
    params.numresolution = static_cast<int>(decomposition_levels(native, 5)) + 1;
    params.cblockw_init = params.cblockh_init = 64;

    Messages m;
    CodecPtr codec(opj_create_compress(OPJ_CODEC_J2K));
    if (!codec) return make_error(ErrorCode::Unsupported, "JPEG 2000: OpenJPEG has no encoder");
    attach(codec.get(), m);
    if (!opj_setup_encoder(codec.get(), &params, image.get())) return fail("encoder setup failed", m);

    MemoryOut out;
    out.bytes.reserve(native.frame_bytes() / (how.reversible ? 2 : 8) + 1024);
    StreamPtr stream(opj_stream_create(64 * 1024, OPJ_FALSE));
    if (!stream) return make_error(ErrorCode::LimitExceeded, "JPEG 2000: no memory for a stream");
    opj_stream_set_user_data(stream.get(), &out, nullptr);
    opj_stream_set_write_function(stream.get(), write_out);
    opj_stream_set_skip_function(stream.get(), skip_out);
    opj_stream_set_seek_function(stream.get(), seek_out);
    if (!opj_start_compress(codec.get(), image.get(), stream.get())) return fail("encoding failed to start", m);
    if (!opj_encode(codec.get(), stream.get())) return fail("encoding failed", m);
    if (!opj_end_compress(codec.get(), stream.get())) return fail("encoding failed at the end", m);
    stream.reset();  // flushes what OpenJPEG still buffers
    return std::move(out.bytes);
}

}  // namespace dicomkit::pixel::j2k
