// Htj2kCodec: OpenJPH (through the dicomkit-openjph.so module, openjph_api.hpp) on memory files;
// its errors, thrown as exceptions, stop at this boundary.
#include <dicomkit/pixel/htj2k/htj2k_codec.hpp>
#include <dicomkit/pixel/j2k/library_checks.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <openjph/ojph_version.h>  // the version the module is built with, for name()

#include <dicomkit/base/module_loader.hpp>
#include <dicomkit/pixel/htj2k/openjph_api.hpp>
#include <dicomkit/pixel/j2k/j2k_codec.hpp>
#include <dicomkit/pixel/j2k/samples.hpp>

namespace dicomkit::pixel {
namespace {

constexpr std::string_view kLossless = "1.2.840.10008.1.2.4.201";      ///< HTJ2K Lossless
constexpr std::string_view kLosslessRpcl = "1.2.840.10008.1.2.4.202";  ///< HTJ2K Lossless RPCL
constexpr std::string_view kHtj2k = "1.2.840.10008.1.2.4.203";         ///< lossless or lossy
constexpr std::array<std::string_view, 3> kSyntaxes{kLossless, kLosslessRpcl, kHtj2k};

bool known(std::string_view ts) noexcept { return ts == kLossless || ts == kLosslessRpcl || ts == kHtj2k; }

/// What OpenJPH wrote to its error stream during the current call on this thread.
thread_local std::string t_messages;

void append_message(const char* text, std::size_t size) {
    if (t_messages.size() < 1024) t_messages.append(text, size);
}

/// The module, opened at the first call that needs it (once per process), its messages routed to
/// t_messages. Each call clears this thread's messages.
Result<htj2k::OpenJphApi*> openjph() {
    static const Result<htj2k::OpenJphApi*> api = []() -> Result<htj2k::OpenJphApi*> {
        auto entry = load_module(htj2k::kOpenJphModuleFile, htj2k::kOpenJphModuleEntry);
        if (!entry) return make_error(ErrorCode::Unsupported, "HTJ2K through OpenJPH: " + entry.error().message);
        htj2k::OpenJphApi* a = reinterpret_cast<htj2k::OpenJphEntry>(*entry)();
        a->route_messages(append_message);
        return a;
    }();
    t_messages.clear();
    return api;
}

/// The message of the OpenJPH error being handled, without its source location.
std::string last_message(const char* what) {
    std::string m = t_messages.empty() ? std::string(what) : t_messages;
    if (const auto at = m.find(": "); m.rfind("ojph error", 0) == 0 && at != std::string::npos) m.erase(0, at + 2);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
}

Unexpected openjph_failure(std::string_view what) {
    return make_error(ErrorCode::InvalidValue, "HTJ2K: " + std::string(what));
}

Result<void> decode_checked(htj2k::OpenJphApi& api, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                            std::span<std::uint8_t> out) {
    const PixelInfo layout = j2k::decoded_layout(stored);
    if (out.size() != layout.frame_bytes())
        return make_error(ErrorCode::InvalidArgument, "HTJ2K: output buffer does not match the frame size");
    const unsigned bytes = layout.bytes_per_sample();
    if (layout.format != SampleFormat::Integer || layout.bits_allocated == 1 || (bytes != 1 && bytes != 2 && bytes != 4))
        return make_error(ErrorCode::Unsupported, "HTJ2K frames decode into 8-, 16- or 32-bit integer samples");
    if (encoded.size() < 2 || encoded[0] != 0xFF || encoded[1] != 0x4F)
        return openjph_failure("the frame does not start with SOC (FF4F)");
    if (auto ok = j2k::check_main_header(encoded, layout); !ok) return ok;

    struct Sink final : htj2k::OjphDecodeSink {
        const PixelInfo& layout;
        std::span<std::uint8_t> out;
        unsigned bytes;
        std::size_t row_samples = 0;
        std::int32_t lo[htj2k::OjphImage::kMaxComponents] = {}, hi[htj2k::OjphImage::kMaxComponents] = {};
        Sink(const PixelInfo& l, std::span<std::uint8_t> o, unsigned b) : layout(l), out(o), bytes(b) {}

        std::string check(const htj2k::OjphImage& image) override {
            if (image.width != layout.columns || image.height != layout.rows)
                return "the codestream is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                       ", the data set says " + std::to_string(layout.columns) + "x" + std::to_string(layout.rows) +
                       " (Columns x Rows)";
            const unsigned spp = layout.samples_per_pixel;
            if (image.components != spp)
                return "the codestream has " + std::to_string(image.components) + " components, Samples per Pixel is " +
                       std::to_string(spp);
            if (spp > htj2k::OjphImage::kMaxComponents) return std::to_string(spp) + " components are not decoded here";
            for (unsigned c = 0; c < spp; ++c) {
                const htj2k::OjphComponent& k = image.component[c];
                if (k.subsampled) return "component " + std::to_string(c) + " is subsampled";
                if (k.bit_depth > 8u * bytes)
                    return "component " + std::to_string(c) + " has " + std::to_string(k.bit_depth) +
                           "-bit samples, Bits Allocated is " + std::to_string(layout.bits_allocated);
                if (k.width != image.width || k.height != image.height)
                    return "component " + std::to_string(c) + " is not full size";
                // The irreversible path gives values past the sample range where the quantisation
                // overshoots; they are clamped as OpenJPEG does (ISO/IEC 15444-1 G.1.2 leaves it
                // to the decoder).
                const unsigned bits = k.bit_depth > 31 ? 31 : k.bit_depth;
                const std::int64_t range = std::int64_t{1} << bits;
                lo[c] = k.is_signed ? static_cast<std::int32_t>(-range / 2) : 0;
                hi[c] = static_cast<std::int32_t>(k.is_signed ? range / 2 - 1 : range - 1);
            }
            row_samples = static_cast<std::size_t>(image.width) * spp;
            return {};
        }
        void row(std::size_t y, std::uint32_t comp, std::int32_t* v) override {
            const std::size_t width = layout.columns;
            const std::int32_t l = lo[comp], h = hi[comp];
            for (std::size_t x = 0; x < width; ++x) v[x] = v[x] < l ? l : (v[x] > h ? h : v[x]);
            j2k::put_samples(v, width, out.data(), y * row_samples + comp, layout.samples_per_pixel, bytes);
        }
    } sink(layout, out, bytes);
    if (std::string why = api.decode(encoded.data(), encoded.size(), sink); !why.empty()) return openjph_failure(why);
    return {};
}

/// Decomposition levels for OpenJPH 0.9's irreversible (9/7) path. Its vertical 9/7 transform
/// of a resolution two rows high gives wrong samples (a mean error of about 30 of 255 at any
/// step, in both its own ojph_compress and here; a width of two is coded correctly, and so is
/// the reversible 5/3 path), so levels stop before the resolution being split is two rows high:
/// level l splits ceil(rows / 2^(l-1)) rows (image and tile offsets are 0).
unsigned irreversible_levels(const PixelInfo& native) noexcept {
    unsigned levels = j2k::decomposition_levels(native, 5);
    for (unsigned l = 1; l <= levels; ++l) {
        const std::uint64_t split = (std::uint64_t{native.rows} + (std::uint64_t{1} << (l - 1)) - 1) >> (l - 1);
        if (split == 2) return l - 1;
    }
    return levels;
}

/// The quantisation steps OpenJPH 0.9 is given: past about 1 its code-block coder fails an
/// assertion (missing MSBs >= Kmax) and aborts the process, so steps stay under it.
constexpr double kMinStep = 1e-6;
constexpr double kMaxStep = 0.9;

/// Removes the COM marker segments (FF64) of a codestream's main header: OpenJPH 0.9 always
/// writes one naming itself (24 bytes), a tenth of what a small frame has at 4:1. Main header
/// segments are FFxx then a 16-bit length counting itself (ISO/IEC 15444-1 A.1.3); the scan
/// stops at the first tile-part (SOT, FF90) or at anything it does not recognise.
void drop_comments(Bytes& cs) {
    std::size_t at = 2;  // after SOC
    while (at + 4 <= cs.size() && cs[at] == 0xFF && cs[at + 1] != 0x90) {
        const std::size_t length = (std::size_t{cs[at + 2]} << 8) | cs[at + 3];
        if (length < 2 || at + 2 + length > cs.size()) return;
        if (cs[at + 1] == 0x64) {
            const auto first = cs.begin() + static_cast<std::ptrdiff_t>(at);
            cs.erase(first, first + static_cast<std::ptrdiff_t>(2 + length));
        } else {
            at += 2 + length;
        }
    }
}

/// One OpenJPH encoding of a frame; `qstep` is the irreversible quantisation step. Throws what
/// OpenJPH throws.
Bytes encode_once(htj2k::OpenJphApi& api, std::string_view ts, std::span<const std::uint8_t> frame,
                  const PixelInfo& native, bool reversible, float qstep) {
    htj2k::OjphEncodeParams p;
    p.columns = native.columns;
    p.rows = native.rows;
    p.components = native.samples_per_pixel;
    p.bits_stored = native.bits_stored;
    p.is_signed = native.is_signed;
    p.decomposition_levels = reversible ? j2k::decomposition_levels(native, 5) : irreversible_levels(native);
    // PS3.5 A.4.6: .202 streams are in resolution-position-component-layer order.
    p.rpcl = ts == kLosslessRpcl;
    p.colour_transform = j2k::uses_colour_transform(native);
    p.reversible = reversible;
    p.quantisation_step = qstep;
    p.size_hint = native.frame_bytes() / 2 + 4096;
    struct Source final : htj2k::OjphEncodeSource {
        std::span<const std::uint8_t> frame;
        const PixelInfo& native;
        Source(std::span<const std::uint8_t> f, const PixelInfo& n) : frame(f), native(n) {}
        void row(std::size_t y, std::uint32_t comp, std::int32_t* values) override {
            const std::size_t row_samples = static_cast<std::size_t>(native.columns) * native.samples_per_pixel;
            j2k::get_samples(frame.data(), y * row_samples + comp, native.columns, native.samples_per_pixel,
                             native.bytes_per_sample(), native.bits_stored, native.is_signed, values);
        }
    } source(frame, native);
    Bytes out = api.encode(p, source);
    drop_comments(out);
    return out;
}

}  // namespace

namespace htj2k {

Result<void> openjph_decode(std::span<const std::uint8_t> encoded, const PixelInfo& stored, std::span<std::uint8_t> out) {
    auto api = openjph();
    if (!api) return tl::unexpected(api.error());
    try {
        // OpenJPH's failed assertions become errors where its frames let the exception pass
        // (its block decoder's do); elsewhere the process still ends (see library_checks.hpp).
        j2k::LibraryCheckScope scope;
        return decode_checked(**api, encoded, stored, out);
    } catch (const std::exception& e) {
        return openjph_failure(last_message(e.what()));
    } catch (...) {
        return openjph_failure("the decoder failed");
    }
}

float quantisation_step(double compression_ratio) noexcept {
    const double r = compression_ratio < 1.0 ? 1.0 : compression_ratio;
    return static_cast<float>(std::clamp(0.02 * r / 10.0, kMinStep, kMaxStep));
}

}  // namespace htj2k

std::string_view Htj2kCodec::name() const {
    static const std::string name = "OpenJPH " + std::to_string(OPENJPH_VERSION_MAJOR) + "." +
                                    std::to_string(OPENJPH_VERSION_MINOR) + "." +
                                    std::to_string(OPENJPH_VERSION_PATCH);
    return name;
}
std::span<const std::string_view> Htj2kCodec::decodes() const { return kSyntaxes; }
std::span<const std::string_view> Htj2kCodec::encodes() const { return kSyntaxes; }

PixelInfo Htj2kCodec::decoded_info(std::string_view, const PixelInfo& stored) const { return j2k::decoded_layout(stored); }

Result<void> Htj2kCodec::decode(std::string_view ts, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                                std::span<std::uint8_t> out) const {
    if (!known(ts)) return make_error(ErrorCode::UnsupportedTransferSyntax, "HTJ2K codec asked for " + std::string(ts));
    if (decoder_ == Decoder::OpenJpeg) {
        auto r = j2k::openjpeg_decode(encoded, stored, out, 1);
        if (!r) r.error().message = "HTJ2K: " + r.error().message;
        return r;
    }
    auto first = htj2k::openjph_decode(encoded, stored, out);
    if (first) return first;
    // OpenJPEG 2.5 decodes HTJ2K too (and JP2-wrapped frames); its answer stands when it succeeds.
    auto second = j2k::openjpeg_decode(encoded, stored, out, 1);
    if (second) return second;
    Error e = std::move(first.error());
    e.message += " (OpenJPEG: " + second.error().message + ")";
    return tl::unexpected(std::move(e));
}

bool Htj2kCodec::lossy(std::string_view ts, const EncodeOptions& options) const {
    return ts == kHtj2k && options.compression_ratio > 1.0;
}

Result<void> Htj2kCodec::can_encode(std::string_view ts, const PixelInfo& native, const EncodeOptions& options) const {
    if (!known(ts)) return make_error(ErrorCode::UnsupportedTransferSyntax, "HTJ2K codec asked for " + std::string(ts));
    if (auto ok = j2k::check_encodable(native, "HTJ2K"); !ok) return ok;
    // Without a decomposition level OpenJPH 0.9 can stop the process on an assertion (missing
    // MSBs, 16-bit noise), and fewer than three rows leave no level it codes correctly.
    if (lossy(ts, options) && irreversible_levels(native) == 0)
        return make_error(ErrorCode::Unsupported,
                          "lossy HTJ2K (" + std::string(kHtj2k) + ") through OpenJPH 0.9 needs frames of at least " +
                              "3 rows and 2 columns, this one is " + std::to_string(native.columns) + "x" +
                              std::to_string(native.rows) + " (Columns x Rows)");
    return {};
}

PixelInfo Htj2kCodec::encoded_info(std::string_view ts, const PixelInfo& native, const EncodeOptions& options) const {
    PixelInfo out = native;
    out.planar_configuration = 0;
    if (j2k::uses_colour_transform(native)) out.photometric = lossy(ts, options) ? "YBR_ICT" : "YBR_RCT";
    return out;
}

Result<Bytes> Htj2kCodec::encode(std::string_view ts, std::span<const std::uint8_t> frame, const PixelInfo& native,
                                 const EncodeOptions& options) const {
    if (auto ok = can_encode(ts, native, options); !ok) return tl::unexpected(ok.error());
    if (frame.size() != native.frame_bytes())
        return make_error(ErrorCode::InvalidArgument, "HTJ2K: the frame is " + std::to_string(frame.size()) +
                                                          " bytes, not " + std::to_string(native.frame_bytes()));
    auto api = openjph();
    if (!api) return tl::unexpected(api.error());
    htj2k::OpenJphApi& ojph = **api;
    try {
        if (!lossy(ts, options)) return encode_once(ojph, ts, frame, native, true, 0.0f);
        // OpenJPH has no rate control: the quantisation step is searched for (in log scale, the
        // size of the stream falling about as a power of the step) until the stream is within 10%
        // under the target size, at most six encodings; the largest stream under it is kept.
        const double target = static_cast<double>(native.samples_per_frame()) * native.bits_stored / 8.0 /
                              std::max(1.0, options.compression_ratio);
        double q = htj2k::quantisation_step(options.compression_ratio);
        double slope = 1.0;  // -d log(size) / d log(q)
        Bytes best;
        double best_q = q;
        double prev_q = 0, prev_size = 0;
        for (int attempt = 0; attempt < 6; ++attempt) {
            Bytes out = encode_once(ojph, ts, frame, native, false, static_cast<float>(q));
            const auto size = static_cast<double>(out.size());
            const bool under = size <= target;
            if ((under && (best.empty() || best.size() > target || out.size() > best.size())) ||
                (!under && (best.empty() || (best.size() > target && out.size() < best.size())))) {
                best = std::move(out);
                best_q = q;
            }
            if (under && size >= 0.9 * target) break;
            if (prev_size > 0 && prev_q != q && size != prev_size) {
                const double s = -std::log(size / prev_size) / std::log(q / prev_q);
                if (s > 0.05 && s < 20) slope = s;
            }
            prev_q = q;
            prev_size = size;
            q = std::clamp(q * std::pow(size / (0.95 * target), 1.0 / slope), kMinStep, kMaxStep);
            if (q == prev_q) break;
        }
        // A target no step reaches is not chased with the quality: smaller steps are taken while
        // the stream stays within 10% of the smallest one. Small frames meet this: the headers
        // are much of the stream, and at large steps OpenJPH 0.9 codes code-blocks that quantise
        // to zero with a few bytes each or not at all depending on memory it reads before
        // writing (the same frame: 202 bytes in a fresh process, 289 under MALLOC_PERTURB_,
        // decoding to the same samples).
        if (best.size() > target) {
            const double smallest = static_cast<double>(best.size());
            for (int attempt = 0; attempt < 3 && best_q / 2 >= kMinStep; ++attempt) {
                Bytes out = encode_once(ojph, ts, frame, native, false, static_cast<float>(best_q / 2));
                if (static_cast<double>(out.size()) > 1.1 * smallest) break;
                best = std::move(out);
                best_q /= 2;
            }
        }
        return best;
    } catch (const std::exception& e) {
        return openjph_failure(last_message(e.what()));
    } catch (...) {
        return openjph_failure("the encoder failed");
    }
}

}  // namespace dicomkit::pixel
