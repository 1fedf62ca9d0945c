// FrameSet: locating and splitting a data set's pixel data into frames, native or encapsulated.
#include <dicomkit/pixel/frames.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include <dicomkit/io/frame_reader.hpp>
#include <dicomkit/pixel/layout.hpp>

namespace dicomkit::pixel {

namespace {

constexpr Tag kExtendedOffsetTable{0x7FE0, 0x0001};
constexpr Tag kExtendedOffsetTableLengths{0x7FE0, 0x0002};

std::string element_name(Tag t) {
    if (t == Tag(0x7FE0, 0x0008)) return "Float Pixel Data (7FE0,0008)";
    if (t == Tag(0x7FE0, 0x0009)) return "Double Float Pixel Data (7FE0,0009)";
    return "Pixel Data (7FE0,0010)";
}

Unexpected fail(ErrorCode code, const std::string& source, Tag tag, std::string message) {
    Error e(code, std::move(message));
    e.file = source;
    e.tag_path = tag.str();
    return Unexpected(std::move(e));
}

/// Whether `head` (a fragment's first bytes) begins a frame of `ts`: JPEG and JPEG-LS SOI
/// (FFD8 FF), JPEG 2000 codestream SOC SIZ (FF4F FF51) or JP2 signature box, JPEG XL codestream
/// (FF0A) or container, RLE header (PS3.5 G.5: 1..15 segments, the first at offset 64).
bool starts_frame(std::string_view ts, std::span<const std::uint8_t> h) {
    auto at = [&](std::initializer_list<std::uint8_t> sig) {
        return h.size() >= sig.size() && std::equal(sig.begin(), sig.end(), h.begin());
    };
    if (ts == "1.2.840.10008.1.2.5") {
        if (h.size() < 64) return false;
        std::uint32_t n = load_le<std::uint32_t>(h.data());
        if (n == 0 || n > 15 || load_le<std::uint32_t>(h.data() + 4) != 64) return false;
        std::uint32_t prev = 64;
        for (std::uint32_t i = 1; i < 15; ++i) {
            std::uint32_t o = load_le<std::uint32_t>(h.data() + 4 + 4 * i);
            if (i < n ? o < prev : o != 0) return false;
            if (i < n) prev = o;
        }
        return true;
    }
    // JPEG XL's FF0A could begin a fragment of JPEG 2000 packet data: only for its own syntaxes.
    if (ts.starts_with("1.2.840.10008.1.2.4.11"))
        return at({0xFF, 0x0A}) || at({0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20}) || at({0xFF, 0xD8, 0xFF});
    return at({0xFF, 0xD8, 0xFF}) || at({0xFF, 0x4F, 0xFF, 0x51}) ||
           at({0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20});
}

/// Native YBR_FULL_422 (Y1 Y2 CB CR for each two pixels) to YBR_FULL (Y CB CR each pixel).
Bytes expand_422(std::span<const std::uint8_t> in, const PixelInfo& info) {
    const std::size_t b = info.bytes_per_sample(), cols = info.columns, pairs = (cols + 1) / 2;
    Bytes out(info.frame_bytes());
    const std::uint8_t* src = in.data();
    std::uint8_t* dst = out.data();
    for (std::size_t r = 0; r < info.rows; ++r) {
        for (std::size_t p = 0; p < pairs; ++p, src += 4 * b) {
            for (std::size_t k = 0; k < 2 && 2 * p + k < cols; ++k, dst += 3 * b) {
                std::memcpy(dst, src + k * b, b);
                std::memcpy(dst + b, src + 2 * b, 2 * b);
            }
        }
    }
    return out;
}

/// The offsets of an offset table, each of `width` bytes.
std::vector<std::uint64_t> table(std::span<const std::uint8_t> b, std::size_t width) {
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i + width <= b.size(); i += width)
        out.push_back(width == 8 ? load_le<std::uint64_t>(b.data() + i) : load_le<std::uint32_t>(b.data() + i));
    return out;
}

}  // namespace

struct FrameSet::Impl {
    io::FrameReader reader;
    PixelInfo info;
    io::TransferSyntax ts;
    std::string source;
    /// Encapsulated: frame i is fragments [first[i], first[i + 1]).
    std::vector<std::size_t> first;

    Result<void> split(std::span<const std::uint8_t> eot, std::span<const std::uint8_t> eot_lengths);
    Result<void> split_strict(std::span<const std::uint8_t> eot, std::span<const std::uint8_t> eot_lengths);
    Result<void> check_native();
    /// Native YBR_FULL_422 holds two luminance samples and one pair of chrominance samples for
    /// each two pixels of a row (PS3.3 C.7.6.3.1.2).
    [[nodiscard]] bool native_422() const noexcept {
        return !ts.encapsulated && info.samples_per_pixel == 3 && info.photometric == "YBR_FULL_422" &&
               info.bits_allocated >= 8;
    }
    /// Bits of one frame as stored natively.
    [[nodiscard]] std::uint64_t stored_frame_bits() const noexcept {
        if (!native_422()) return info.frame_bits();
        return std::uint64_t{info.rows} * ((info.columns + 1) / 2) * 4 * info.bits_allocated;
    }
    Result<void> finish(std::span<const std::uint8_t> eot, std::span<const std::uint8_t> eot_lengths);
    [[nodiscard]] Error frame_error(std::size_t index, Error e) const {
        e.message = fmt::format("frame {} of {} ({}): {}", index + 1, info.frames, describe_syntax(ts.uid), e.message);
        if (e.file.empty()) e.file = source;
        return e;
    }
};

Result<void> FrameSet::Impl::check_native() {
    const Tag tag = reader.pixel_tag();
    const std::uint64_t bits = stored_frame_bits();
    const std::uint64_t have = reader.native_length();
    // describe() bounded frames x frame bits, so this product does not overflow.
    const std::uint64_t need = (bits * info.frames + 7) / 8;
    if (have < need)
        return fail(ErrorCode::Truncated, source, tag,
                    fmt::format("{} holds {} bytes; {} frame{} of {} x {} x {} samples x {} bits need {}", element_name(tag),
                                have, info.frames, info.frames == 1 ? "" : "s", info.rows, info.columns,
                                info.samples_per_pixel, info.bits_allocated, need));
    return {};
}

Result<void> FrameSet::Impl::split_strict(std::span<const std::uint8_t> eot, std::span<const std::uint8_t> eot_lengths) {
    const Tag tag = reader.pixel_tag();
    const std::size_t n = reader.fragment_count();
    const std::uint64_t frames = info.frames;
    if (n == 0) return fail(ErrorCode::InvalidValue, source, tag, "encapsulated pixel data without fragments");
    first.clear();

    std::vector<std::uint64_t> offsets;
    std::string what;
    if (!eot.empty()) {
        if (eot.size() % 8)
            return fail(ErrorCode::InvalidLength, source, kExtendedOffsetTable,
                        fmt::format("Extended Offset Table (7FE0,0001) of {} bytes (a multiple of 8 expected)", eot.size()));
        offsets = table(eot, 8);
        what = "Extended Offset Table (7FE0,0001)";
        if (!eot_lengths.empty() && eot_lengths.size() != eot.size())
            return fail(ErrorCode::InvalidValue, source, kExtendedOffsetTableLengths,
                        fmt::format("Extended Offset Table Lengths (7FE0,0002) has {} entries, the table {}",
                                    eot_lengths.size() / 8, offsets.size()));
    } else if (!reader.basic_offset_table().empty()) {
        const Bytes& bot = reader.basic_offset_table();
        if (bot.size() % 4)
            return fail(ErrorCode::InvalidLength, source, tag,
                        fmt::format("Basic Offset Table of {} bytes (a multiple of 4 expected)", bot.size()));
        offsets = table(bot, 4);
        what = "Basic Offset Table";
    }
    if (!offsets.empty()) {
        if (offsets.size() != frames)
            return fail(ErrorCode::InvalidValue, source, tag,
                        fmt::format("{} has {} entries for {} frames", what, offsets.size(), frames));
        const std::uint64_t end = reader.fragment_position(n - 1) + 8 + reader.fragment_length(n - 1);
        std::size_t k = 0;
        for (std::size_t f = 0; f < offsets.size(); ++f) {
            const std::uint64_t o = offsets[f];
            if (o >= end)
                return fail(ErrorCode::InvalidValue, source, tag,
                            fmt::format("{} entry {} ({}) points past the {} bytes of fragments", what, f + 1, o, end));
            if (f == 0 && o != 0)
                return fail(ErrorCode::InvalidValue, source, tag,
                            fmt::format("{} entry 1 is {} (0 expected: the first frame starts at the first fragment)", what, o));
            while (k < n && reader.fragment_position(k) < o) ++k;
            if (k == n || reader.fragment_position(k) != o)
                return fail(ErrorCode::InvalidValue, source, tag,
                            fmt::format("{} entry {} ({}) points at no fragment's item", what, f + 1, o));
            if (!first.empty() && first.back() == k)
                return fail(ErrorCode::InvalidValue, source, tag,
                            fmt::format("{} entries {} and {} point at the same fragment", what, f, f + 1));
            first.push_back(k);
        }
        first.push_back(n);
        if (!eot_lengths.empty()) {
            auto lengths = table(eot_lengths, 8);
            for (std::size_t f = 0; f < frames; ++f) {
                std::uint64_t len = 0;
                for (std::size_t i = first[f]; i < first[f + 1]; ++i) len += reader.fragment_length(i);
                if (lengths[f] != len)
                    return fail(ErrorCode::InvalidValue, source, kExtendedOffsetTableLengths,
                                fmt::format("Extended Offset Table Lengths (7FE0,0002) entry {} is {}; the frame's "
                                            "fragments hold {} bytes", f + 1, lengths[f], len));
            }
        }
        return {};
    }

    // No offset table (PS3.5 A.4): one frame in all fragments, one fragment per frame, or frames
    // told apart by the marker that begins each.
    if (frames == 1) {
        first = {0, n};
        return {};
    }
    if (n == frames) {
        for (std::size_t i = 0; i <= n; ++i) first.push_back(i);
        return {};
    }
    if (n < frames)
        return fail(ErrorCode::InvalidValue, source, tag,
                    fmt::format("{} frames in {} fragments (fewer fragments than frames)", frames, n));
    for (std::size_t i = 0; i < n; ++i) {
        auto head = reader.fragment_prefix(i, 64);
        if (!head) return Unexpected(head.error());
        if (starts_frame(ts.uid, *head)) first.push_back(i);
    }
    if (first.size() != frames || first.front() != 0) {
        const std::size_t found = first.size();
        first.clear();
        return fail(ErrorCode::InvalidValue, source, tag,
                    fmt::format("{} frames in {} fragments without an offset table, and {} fragment{} begin a "
                                "frame of {}", frames, n, found, found == 1 ? "" : "s", describe_syntax(ts.uid)));
    }
    first.push_back(n);
    return {};
}

/// An offset table that contradicts the fragments is an error, except when there is one fragment
/// per frame: then the frames are plain to see and are read so (as other toolkits do; some
/// writers count offsets wrongly).
Result<void> FrameSet::Impl::split(std::span<const std::uint8_t> eot, std::span<const std::uint8_t> eot_lengths) {
    auto r = split_strict(eot, eot_lengths);
    if (r || reader.fragment_count() != info.frames) return r;
    first.clear();
    for (std::size_t i = 0; i <= reader.fragment_count(); ++i) first.push_back(i);
    return {};
}

FrameSet::FrameSet() : impl_(std::make_unique<Impl>()) {}
FrameSet::FrameSet(FrameSet&&) noexcept = default;
FrameSet& FrameSet::operator=(FrameSet&&) noexcept = default;
FrameSet::~FrameSet() = default;

/// Completes a FrameSet whose reader, info, ts and source are set.
Result<void> FrameSet::Impl::finish(std::span<const std::uint8_t> eot, std::span<const std::uint8_t> eot_lengths) {
    Impl& m = *this;
    const Tag tag = m.reader.pixel_tag();
    const bool is_float = tag == Tag(0x7FE0, 0x0008) || tag == Tag(0x7FE0, 0x0009);
    const SampleFormat want = tag == Tag(0x7FE0, 0x0008)   ? SampleFormat::Float32
                              : tag == Tag(0x7FE0, 0x0009) ? SampleFormat::Float64
                                                           : SampleFormat::Integer;
    if (m.info.format != want) {
        if (!is_float)
            return fail(ErrorCode::InvalidValue, m.source, tag, "both Pixel Data and Float or Double Float Pixel Data");
        // Reading stopped before the float pixel data: describe() did not see it.
        const std::uint16_t bits = want == SampleFormat::Float32 ? 32 : 64;
        if (m.info.bits_allocated != bits)
            return fail(ErrorCode::InvalidValue, m.source, Tag(0x0028, 0x0100),
                        fmt::format("Bits Allocated (0028,0100) {} for {}", m.info.bits_allocated, element_name(tag)));
        m.info.format = want;
        m.info.is_signed = true;
    }
    if (m.reader.encapsulated() != m.ts.encapsulated)
        return fail(ErrorCode::InvalidValue, m.source, tag,
                    fmt::format("{} is {} but the transfer syntax {} is {}", element_name(tag),
                                m.reader.encapsulated() ? "encapsulated" : "native", describe_syntax(m.ts.uid),
                                m.ts.encapsulated ? "encapsulated" : "native"));
    if (m.reader.encapsulated()) return m.split(eot, eot_lengths);
    return m.check_native();
}

Result<FrameSet> FrameSet::open(const io::DicomFile& file, const PixelLimits& limits) {
    FrameSet fs;
    Impl& m = *fs.impl_;
    m.source = file.path;
    m.ts = file.transfer_syntax;
    auto info = describe(file.dataset, m.source, limits);
    if (!info) return Unexpected(info.error());
    m.info = std::move(*info);
    auto reader = io::FrameReader::locate(file);
    if (!reader) {
        Error e = reader.error();
        if (e.file.empty()) e.file = m.source;
        return Unexpected(std::move(e));
    }
    m.reader = std::move(*reader);
    Bytes eot, eot_lengths;
    for (auto [tag, out] : {std::pair{kExtendedOffsetTable, &eot}, std::pair{kExtendedOffsetTableLengths, &eot_lengths}}) {
        const Element* e = file.dataset.find(tag);
        if (!e) continue;
        if (e->is_deferred()) {
            auto b = io::load_deferred(file, *e);
            if (!b) return Unexpected(b.error());
            *out = std::move(*b);
        } else if (e->is_bytes()) {
            out->assign(e->bytes().begin(), e->bytes().end());
        }
    }
    auto ok = m.finish(eot, eot_lengths);
    if (!ok) return Unexpected(ok.error());
    return fs;
}

Result<FrameSet> FrameSet::from_dataset(const DataSet& ds, const io::TransferSyntax& ts, std::string source,
                                        const PixelLimits& limits) {
    FrameSet fs;
    Impl& m = *fs.impl_;
    m.source = std::move(source);
    m.ts = ts;
    auto info = describe(ds, m.source, limits);
    if (!info) return Unexpected(info.error());
    m.info = std::move(*info);
    auto reader = io::FrameReader::locate(ds);
    if (!reader) {
        Error e = reader.error();
        if (e.file.empty()) e.file = m.source;
        return Unexpected(std::move(e));
    }
    m.reader = std::move(*reader);
    auto bytes_of = [&](Tag t) {
        const Element* e = ds.find(t);
        return e && e->is_bytes() ? e->bytes() : std::span<const std::uint8_t>{};
    };
    auto ok = m.finish(bytes_of(kExtendedOffsetTable), bytes_of(kExtendedOffsetTableLengths));
    if (!ok) return Unexpected(ok.error());
    return fs;
}

const PixelInfo& FrameSet::info() const noexcept { return impl_->info; }
const io::TransferSyntax& FrameSet::transfer_syntax() const noexcept { return impl_->ts; }
std::size_t FrameSet::size() const noexcept { return impl_->info.frames; }

Result<Bytes> FrameSet::stored(std::size_t index) const {
    const Impl& m = *impl_;
    if (index >= m.info.frames)
        return make_error(ErrorCode::NotFound, fmt::format("frame {} of {}", index + 1, m.info.frames));
    Result<Bytes> out;
    if (m.reader.encapsulated()) {
        out = m.reader.read_fragments(m.first[index], m.first[index + 1] - m.first[index]);
    } else {
        const std::uint64_t bits = m.stored_frame_bits();
        const std::uint64_t start = bits * index;
        if (bits % 8 == 0) {
            out = m.reader.read_native(start / 8, (bits + 7) / 8);
        } else {
            // 1-bit frames follow each other without padding (PS3.5 8.1.1): shift to bit 0.
            const std::uint64_t lo = start / 8, hi = (start + bits + 7) / 8;
            auto raw = m.reader.read_native(lo, hi - lo);
            if (raw) out = extract_bits(*raw, start % 8, bits);
            else out = Unexpected(raw.error());
        }
    }
    if (!out) return Unexpected(m.frame_error(index, out.error()));
    return out;
}

Result<PixelInfo> FrameSet::decoded_info(const CodecRegistry& codecs) const {
    const Impl& m = *impl_;
    if (!m.ts.encapsulated) {
        PixelInfo out = m.info;
        out.planar_configuration = 0;
        if (m.native_422()) out.photometric = "YBR_FULL";
        return out;
    }
    auto codec = codecs.need_decoder(m.ts.uid);
    if (!codec) {
        Error e = codec.error();
        if (e.file.empty()) e.file = m.source;
        return Unexpected(std::move(e));
    }
    return (*codec)->decoded_info(m.ts.uid, m.info);
}

Result<Bytes> FrameSet::decoded(std::size_t index, const CodecRegistry& codecs) const {
    const Impl& m = *impl_;
    auto frame = stored(index);
    if (!frame) return frame;
    if (!m.ts.encapsulated) {
        if (m.native_422()) return expand_422(*frame, m.info);
        if (m.info.planar_configuration == 1 && m.info.samples_per_pixel > 1) return to_interleaved(*frame, m.info);
        return frame;
    }
    auto codec = codecs.need_decoder(m.ts.uid);
    if (!codec) return Unexpected(m.frame_error(index, codec.error()));
    const PixelInfo out_info = (*codec)->decoded_info(m.ts.uid, m.info);
    Bytes out(out_info.frame_bytes());
    auto ok = (*codec)->decode(m.ts.uid, *frame, m.info, out);
    if (!ok) return Unexpected(m.frame_error(index, ok.error()));
    return out;
}

std::uint64_t FrameSet::end_offset() const noexcept { return impl_->reader.end_offset(); }

Result<void> FrameSet::decode_into(std::size_t index, const CodecRegistry& codecs, std::span<std::uint8_t> out) const {
    const Impl& m = *impl_;
    if (!m.ts.encapsulated || index >= m.info.frames || m.first[index + 1] - m.first[index] != 1) {
        auto frame = decoded(index, codecs);
        if (!frame) return Unexpected(frame.error());
        if (frame->size() > out.size())
            return make_error(ErrorCode::InvalidArgument, fmt::format("output of {} bytes for a frame of {}", out.size(), frame->size()));
        std::memcpy(out.data(), frame->data(), frame->size());
        return {};
    }
    auto bits = m.reader.fragment_view(m.first[index]);
    if (!bits) return Unexpected(m.frame_error(index, bits.error()));
    auto codec = codecs.need_decoder(m.ts.uid);
    if (!codec) return Unexpected(m.frame_error(index, codec.error()));
    const PixelInfo out_info = (*codec)->decoded_info(m.ts.uid, m.info);
    if (out.size() < out_info.frame_bytes())
        return make_error(ErrorCode::InvalidArgument,
                          fmt::format("output of {} bytes for a frame of {}", out.size(), out_info.frame_bytes()));
    auto ok = (*codec)->decode(m.ts.uid, *bits, m.info, out.first(static_cast<std::size_t>(out_info.frame_bytes())));
    if (!ok) return Unexpected(m.frame_error(index, ok.error()));
    return {};
}

}  // namespace dicomkit::pixel
