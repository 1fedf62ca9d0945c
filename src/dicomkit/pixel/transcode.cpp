// transcode(): pixel data from one transfer syntax to another through decoded frames.
#include <dicomkit/pixel/transcode.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/transcode_frames.hpp>

namespace dicomkit::pixel {

namespace {

constexpr Tag kLossyImageCompression{0x0028, 0x2110};
constexpr Tag kLossyImageCompressionRatio{0x0028, 0x2112};
constexpr Tag kLossyImageCompressionMethod{0x0028, 0x2114};
constexpr Tag kExtendedOffsetTable{0x7FE0, 0x0001};
constexpr Tag kExtendedOffsetTableLengths{0x7FE0, 0x0002};
constexpr Tag kFloatPixelData{0x7FE0, 0x0008};
constexpr Tag kDoubleFloatPixelData{0x7FE0, 0x0009};
constexpr Tag kPixelData{0x7FE0, 0x0010};

/// The pixel data element of `ds`, nullptr when it has none.
const Element* pixel_element(const DataSet& ds) {
    for (Tag t : {kPixelData, kFloatPixelData, kDoubleFloatPixelData})
        if (const Element* e = ds.find(t)) return e;
    return nullptr;
}

/// PS3.3 C.7.6.1.1.5.1: the Lossy Image Compression Method defined term of a syntax.
std::string_view lossy_method(std::string_view uid) {
    if (uid.starts_with("1.2.840.10008.1.2.4.5") || uid.starts_with("1.2.840.10008.1.2.4.6")) return "ISO_10918_1";
    if (uid == "1.2.840.10008.1.2.4.80" || uid == "1.2.840.10008.1.2.4.81") return "ISO_14495_1";
    if (uid.starts_with("1.2.840.10008.1.2.4.9")) return "ISO_15444_1";
    if (uid.starts_with("1.2.840.10008.1.2.4.20")) return "ISO_15444_15";
    if (uid.starts_with("1.2.840.10008.1.2.4.11")) return "ISO_18181_1";
    return "";
}

/// A DS value of at most 16 characters (PS3.5 6.2).
std::string ds_number(double v) {
    for (int digits = 6; digits > 0; --digits) {
        std::string s = fmt::format("{:.{}g}", v, digits);
        if (s.size() <= 16) return s;
    }
    return "0";
}

/// Appends one value to a multi-valued string element (PS3.3 C.7.6.1.1.5: the history of
/// successive lossy compressions).
void append_value(DataSet& ds, Tag tag, VR vr, std::string_view value) {
    std::string old;
    if (const Element* e = ds.find(tag)) old.assign(e->bytes().begin(), e->bytes().end());  // every value
    while (!old.empty() && (old.back() == ' ' || old.back() == '\0')) old.pop_back();
    ds.set(Element::from_string(tag, vr, old.empty() ? std::string(value) : old + "\\" + std::string(value)));
}

Error frame_error(Error e, std::string_view what, std::uint32_t frame, std::uint32_t frames, std::string_view uid,
                  std::string_view source) {
    e.message = fmt::format("frame {} of {}: {} {}: {}", frame + 1, frames, what, describe_syntax(uid), e.message);
    if (!source.empty() && e.file.empty()) e.file = std::string(source);
    return e;
}

}  // namespace

bool can_transcode(const io::TransferSyntax& from, const io::TransferSyntax& to, const CodecRegistry& registry) noexcept {
    if (from == to || (!from.encapsulated && !to.encapsulated)) return true;
    if (from.encapsulated && !registry.decoder(from.uid)) return false;
    if (to.encapsulated && !registry.encoder(to.uid)) return false;
    return true;
}

bool transcode_is_lossy(const io::TransferSyntax& to, const CodecRegistry& registry, const EncodeOptions& options) noexcept {
    if (!to.encapsulated) return false;
    const PixelCodec* c = registry.encoder(to.uid);
    return c && c->lossy(to.uid, options);
}

Result<void> transcode(DataSet& ds, const io::TransferSyntax& from, const io::TransferSyntax& to,
                       const CodecRegistry& registry, const TranscodeOptions& options) {
    if (from == to || (!from.encapsulated && !to.encapsulated)) return {};
    const Element* pixels = pixel_element(ds);
    if (!pixels) return {};  // nothing to do: no pixel data
    auto named = [&](Error e) {
        if (!options.source.empty() && e.file.empty()) e.file = std::string(options.source);
        return Unexpected(std::move(e));
    };
    if (pixels->is_deferred())
        return named(Error(ErrorCode::InvalidArgument, "the pixel data was not read (deferred); load it first"));
    if (from.encapsulated != pixels->is_fragments())
        return named(Error(ErrorCode::InvalidValue,
                           fmt::format("the pixel data is {} but {} is {}", pixels->is_fragments() ? "fragments" : "native",
                                       describe_syntax(from.uid), from.encapsulated ? "encapsulated" : "native")));

    // A missing codec first: it says more than what the frames' layout may get wrong.
    if (from.encapsulated)
        if (auto d = registry.need_decoder(from.uid); !d) return named(std::move(d.error()));
    if (to.encapsulated)
        if (auto e = registry.need_encoder(to.uid); !e) return named(std::move(e.error()));

    // The frames as stored, and how they look once native (planar configuration 0). The source
    // is named here rather than by the FrameSet, so that errors name it once.
    auto set = FrameSet::from_dataset(ds, from, {}, options.limits);
    if (!set) return named(std::move(set.error()));
    const PixelInfo& info = set->info();
    const std::uint32_t frames = info.frames;
    if (frames == 0 || info.rows == 0 || info.columns == 0) return {};
    auto decoded_info = set->decoded_info(registry);
    if (!decoded_info) return named(std::move(decoded_info.error()));
    const PixelInfo native = *decoded_info;

    // The encoding side.
    const PixelCodec* encoder = nullptr;
    PixelInfo target = native;
    bool lossy = false;
    if (to.encapsulated) {
        auto e = registry.need_encoder(to.uid);
        if (!e) return named(std::move(e.error()));
        encoder = *e;
        if (auto ok = encoder->can_encode(to.uid, native, options.encode); !ok) {
            Error err = std::move(ok.error());
            err.message = fmt::format("cannot encode in {}: {}", describe_syntax(to.uid), err.message);
            return named(std::move(err));
        }
        lossy = encoder->lossy(to.uid, options.encode);
        if (lossy && !options.allow_lossy)
            return named(Error(ErrorCode::Unsupported,
                               fmt::format("encoding in {} loses information; allow lossy compression to do it",
                                           describe_syntax(to.uid))));
        target = encoder->encoded_info(to.uid, native, options.encode);
    }

    const std::uint64_t frame_bytes = native.frame_bytes();
    const bool bit_frames = native.bits_allocated == 1;
    std::vector<Bytes> out_frames(frames);  // encoded frames, or decoded 1-bit frames
    Bytes native_out;                        // decoded frames one after the other
    if (!to.encapsulated && !bit_frames) native_out.resize(static_cast<std::size_t>(frame_bytes * frames));

    auto work = [&](std::uint32_t i, unsigned) -> Result<void> {
        if (!to.encapsulated && !bit_frames) {  // decoded where it belongs
            auto ok = set->decode_into(i, registry, std::span<std::uint8_t>(native_out).subspan(
                                                        static_cast<std::size_t>(frame_bytes * i), static_cast<std::size_t>(frame_bytes)));
            if (!ok) return named(std::move(ok.error()));
            return {};
        }
        auto frame = set->decoded(i, registry);
        if (!frame) return named(std::move(frame.error()));  // names the frame and the syntax
        if (frame->size() < frame_bytes)
            return named(Error(ErrorCode::InvalidValue, fmt::format("frame {} of {} ({}): {} bytes decoded, {} expected",
                                                                    i + 1, frames, describe_syntax(from.uid),
                                                                    frame->size(), frame_bytes)));
        if (!to.encapsulated) {
            if (bit_frames) {
                out_frames[i] = std::move(*frame);
            } else {
                std::memcpy(native_out.data() + frame_bytes * i, frame->data(), static_cast<std::size_t>(frame_bytes));
            }
            return {};
        }
        auto enc = encoder->encode(to.uid, std::span<const std::uint8_t>(*frame).first(static_cast<std::size_t>(frame_bytes)),
                                   native, options.encode);
        if (!enc) return Unexpected(frame_error(std::move(enc.error()), "encoding in", i, frames, to.uid, options.source));
        if (enc->size() % 2) enc->push_back(0);  // PS3.5 A.4: fragments have even length
        out_frames[i] = std::move(*enc);
        return {};
    };
    if (auto ok = detail::for_each_frame(frames, frames > 1 ? options.threads : 1, work); !ok) return ok;

    // Everything worked: the data set changes now.
    const Tag tag = pixels->tag();
    ds.remove(kExtendedOffsetTable);
    ds.remove(kExtendedOffsetTableLengths);
    if (to.encapsulated) {
        std::uint64_t encoded_bytes = 0;
        std::vector<std::uint64_t> sizes;
        sizes.reserve(out_frames.size());
        for (const Bytes& f : out_frames) {
            encoded_bytes += f.size();
            sizes.push_back(f.size());
        }
        detail::OffsetTables tables = detail::offset_tables(sizes);
        if (!tables.extended_offsets.empty()) {
            ds.set(Element::from_numbers<std::uint64_t>(kExtendedOffsetTable, VR::OV, tables.extended_offsets));
            ds.set(Element::from_numbers<std::uint64_t>(kExtendedOffsetTableLengths, VR::OV, tables.extended_lengths));
        }
        const Tag out_tag = native.format == SampleFormat::Integer ? kPixelData : tag;
        if (out_tag != tag) ds.remove(tag);
        ds.set(Element(out_tag, VR::OB, PixelFragments{std::move(tables.basic), std::move(out_frames)}));
        apply(target, ds);
        if (lossy) {
            // PS3.3 C.7.6.1.1.5: once lossy, always "01"; ratio and method keep the history.
            ds.set(Element::from_string(kLossyImageCompression, VR::CS, "01"));
            const double ratio = encoded_bytes ? static_cast<double>(frame_bytes * frames) / static_cast<double>(encoded_bytes) : 0;
            append_value(ds, kLossyImageCompressionRatio, VR::DS, ds_number(ratio));
            if (auto m = lossy_method(to.uid); !m.empty()) append_value(ds, kLossyImageCompressionMethod, VR::CS, m);
        }
        return {};
    }
    if (bit_frames) native_out = detail::pack_bit_frames(out_frames, native);
    if (native_out.size() % 2) native_out.push_back(0);
    Tag out_tag = kPixelData;
    VR vr = native.bits_allocated <= 8 ? VR::OB : VR::OW;
    if (native.format == SampleFormat::Float32) out_tag = kFloatPixelData, vr = VR::OF;
    if (native.format == SampleFormat::Float64) out_tag = kDoubleFloatPixelData, vr = VR::OD;
    if (out_tag != tag) ds.remove(tag);
    ds.set(Element::from_bytes(out_tag, vr, native_out));
    apply(native, ds);
    return {};
}

const io::TransferSyntax* find_syntax(std::string_view name) noexcept {
    if (const auto* t = io::find_transfer_syntax(name)) return t;
    for (const auto& t : io::all_transfer_syntaxes())
        if (t.keyword == name) return &t;  // "HTJ2K" is the lossy syntax, "htj2k" the alias
    struct Alias {
        std::string_view alias;
        std::string_view uid;
    };
    static constexpr Alias kAliases[] = {
        {"rle", "1.2.840.10008.1.2.5"},
        {"jpeg", "1.2.840.10008.1.2.4.50"},
        {"jpeg-baseline", "1.2.840.10008.1.2.4.50"},
        {"jpeg-extended", "1.2.840.10008.1.2.4.51"},
        {"jpeg-lossless", "1.2.840.10008.1.2.4.70"},
        {"jpeg-lossless-sv1", "1.2.840.10008.1.2.4.70"},
        {"jpeg-lossless-14", "1.2.840.10008.1.2.4.57"},
        {"jpeg-ls", "1.2.840.10008.1.2.4.80"},
        {"jpegls", "1.2.840.10008.1.2.4.80"},
        {"jpeg-ls-near", "1.2.840.10008.1.2.4.81"},
        {"jpeg-ls-lossy", "1.2.840.10008.1.2.4.81"},
        {"j2k", "1.2.840.10008.1.2.4.90"},
        {"j2k-lossless", "1.2.840.10008.1.2.4.90"},
        {"j2k-lossy", "1.2.840.10008.1.2.4.91"},
        {"htj2k", "1.2.840.10008.1.2.4.201"},
        {"htj2k-lossless", "1.2.840.10008.1.2.4.201"},
        {"htj2k-rpcl", "1.2.840.10008.1.2.4.202"},
        {"htj2k-lossy", "1.2.840.10008.1.2.4.203"},
        {"jpegxl", "1.2.840.10008.1.2.4.112"},
        {"jpegxl-lossless", "1.2.840.10008.1.2.4.110"},
        {"deflated-frame", "1.2.840.10008.1.2.8.1"},
        {"encapsulated", "1.2.840.10008.1.2.1.98"},
    };
    auto iequals = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
               });
    };
    for (const auto& a : kAliases)
        if (iequals(a.alias, name)) return io::find_transfer_syntax(a.uid);
    return io::find_transfer_syntax_by_name(name);
}

}  // namespace dicomkit::pixel
