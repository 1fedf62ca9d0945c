// Frame access without loading the whole pixel data.
#include <dicomkit/io/frame_reader.hpp>

#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/token_reader.hpp>

#include <algorithm>
#include <charconv>

namespace dicomkit::io {

namespace {

constexpr Tag kPixelData{0x7FE0, 0x0010};
constexpr Tag kExtendedOffsetTable{0x7FE0, 0x0001};

struct FragPos {
    std::uint64_t offset;  ///< of the value (fragment index)
    std::uint64_t item_offset;  ///< of the item header (offset tables count from the first one)
    std::uint64_t length;
};

std::uint64_t number(const DataSet& ds, Tag t, std::uint64_t fallback) {
    auto v = ds.get_number<std::uint64_t>(t);
    return v ? *v : fallback;
}

/// Splits fragments into frames: Extended Offset Table, Basic Offset Table, one fragment per
/// frame, or everything in one frame.
Result<std::vector<std::vector<FragPos>>> group_frames(const DataSet& ds, const std::vector<FragPos>& frags,
                                                        std::span<const std::uint8_t> bot, std::uint64_t n_frames) {
    std::vector<std::vector<FragPos>> frames;
    std::vector<std::uint64_t> offsets;
    if (const Element* eot = ds.find(kExtendedOffsetTable); eot && eot->is_bytes()) {
        for (std::size_t i = 0; i + 8 <= eot->bytes().size(); i += 8) offsets.push_back(load_le<std::uint64_t>(eot->bytes().data() + i));
    } else {
        for (std::size_t i = 0; i + 4 <= bot.size(); i += 4) offsets.push_back(load_le<std::uint32_t>(bot.data() + i));
    }
    if (!offsets.empty() && !frags.empty()) {
        std::uint64_t base = frags.front().item_offset;
        for (std::size_t f = 0; f < offsets.size(); ++f) {
            std::uint64_t start = base + offsets[f];
            std::uint64_t end = f + 1 < offsets.size() ? base + offsets[f + 1] : UINT64_MAX;
            std::vector<FragPos> parts;
            for (const FragPos& fr : frags)
                if (fr.item_offset >= start && fr.item_offset < end) parts.push_back(fr);
            if (parts.empty()) return make_error(ErrorCode::InvalidValue, fmt::format("offset table entry {} points at no fragment", f));
            frames.push_back(std::move(parts));
        }
        return frames;
    }
    if (n_frames <= 1) {
        frames.push_back(frags);
    } else if (frags.size() == n_frames) {
        for (const FragPos& fr : frags) frames.push_back({fr});
    } else {
        return make_error(ErrorCode::InvalidValue,
                          fmt::format("{} frames in {} fragments and no offset table", n_frames, frags.size()));
    }
    return frames;
}

}  // namespace

namespace {

const Element* pixel_element(const DataSet& ds) {
    for (Tag t : {kPixelData, Tag(0x7FE0, 0x0008), Tag(0x7FE0, 0x0009)})
        if (const Element* e = ds.find(t)) return e;
    return nullptr;
}

bool is_pixel_tag(Tag t) {
    return t == kPixelData || t == Tag(0x7FE0, 0x0008) || t == Tag(0x7FE0, 0x0009);
}

}  // namespace

Result<FrameReader> FrameReader::locate(const DataSet& ds) {
    FrameReader r;
    const Element* px = pixel_element(ds);
    if (!px) return make_error(ErrorCode::NotFound, "no pixel data");
    if (px->is_deferred()) return make_error(ErrorCode::InvalidArgument, "pixel data left in a file that is not given");
    r.tag_ = px->tag();
    r.vr_ = px->vr();
    r.in_memory_ = px;
    if (px->is_fragments()) {
        r.encapsulated_ = true;
        const PixelFragments& pf = px->fragments();
        std::uint64_t pos = 8 + pf.basic_offset_table.size();
        for (std::size_t i = 0; i < pf.fragments.size(); ++i) {
            r.fragments_.push_back({i, pos, pf.fragments[i].size()});
            pos += 8 + pf.fragments[i].size();
        }
        r.bot_ = pf.basic_offset_table;
    } else if (px->is_bytes()) {
        r.native_length_ = px->length();
    } else {
        return make_error(ErrorCode::InvalidValue, "pixel data is neither native nor encapsulated");
    }
    return r;
}

Result<FrameReader> FrameReader::locate(const DicomFile& file) {
    const DataSet& ds = file.dataset;
    const Element* px = pixel_element(ds);
    if (px && !px->is_deferred()) return locate(ds);
    FrameReader r;
    r.source_ = file.source;
    r.endian_ = file.transfer_syntax.endian;
    if (px) {
        if (!file.source) return make_error(ErrorCode::InvalidArgument, "deferred pixel data without its source");
        r.tag_ = px->tag();
        r.native_offset_ = px->deferred().offset;
        r.native_length_ = px->deferred().length;
        r.vr_ = px->vr();
        return r;
    }
    if (!file.stopped_at || !file.source) return make_error(ErrorCode::NotFound, "no pixel data");
    auto all = file.source->all_bytes();
    std::uint64_t base = file.source->inflated.empty() ? file.source->dataset_offset : 0;
    if (*file.stopped_at < base || *file.stopped_at > all.size())
        return make_error(ErrorCode::InvalidArgument, "stop offset outside the file");
    ReadOptions ro;
    TokenReader tr(all.subspan(*file.stopped_at),
                   TokenReaderConfig{file.transfer_syntax.explicit_vr, file.transfer_syntax.endian, *file.stopped_at, file.path}, ro);
    auto t = tr.next();
    if (!t) return Unexpected(t.error());
    if (!is_pixel_tag(t->tag)) return make_error(ErrorCode::NotFound, "no pixel data where reading stopped");
    r.tag_ = t->tag;
    if (t->kind == TokenKind::Element) {
        r.native_offset_ = t->value_offset;
        r.native_length_ = t->value.size();
        r.vr_ = t->vr;
    } else if (t->kind == TokenKind::FragmentsStart) {
        r.encapsulated_ = true;
        bool first = true;
        for (;;) {
            auto f = tr.next();
            if (!f) return Unexpected(f.error());
            if (f->kind != TokenKind::Fragment) break;
            if (first) {
                r.bot_.assign(f->value.begin(), f->value.end());
                first = false;
            } else {
                r.fragments_.push_back({f->value_offset, f->offset, f->value.size()});
            }
        }
    } else {
        return make_error(ErrorCode::InvalidValue, "pixel data is neither native nor encapsulated");
    }
    r.end_offset_ = *file.stopped_at + tr.position();
    return r;
}

Result<Bytes> FrameReader::read_native(std::uint64_t offset, std::uint64_t length) const {
    if (encapsulated_) return make_error(ErrorCode::InvalidArgument, "pixel data is encapsulated");
    if (offset > native_length_ || length > native_length_ - offset)
        return make_error(ErrorCode::Truncated, fmt::format("bytes {}..{} of pixel data that holds {}", offset,
                                                            offset + length, native_length_));
    if (in_memory_) {
        auto b = in_memory_->bytes().subspan(offset, length);
        return Bytes(b.begin(), b.end());
    }
    auto all = source_ ? source_->all_bytes() : std::span<const std::uint8_t>{};
    // Big endian words are swapped whole: read from and to word boundaries.
    std::uint64_t unit = endian_ == Endian::Big ? std::max<std::size_t>(1, word_size(vr_)) : 1;
    std::uint64_t lo = offset / unit * unit, hi = std::min(native_length_, (offset + length + unit - 1) / unit * unit);
    if (native_offset_ + hi > all.size()) return make_error(ErrorCode::Truncated, "pixel data lies outside the file");
    auto b = all.subspan(native_offset_ + lo, hi - lo);
    if (unit == 1) return Bytes(b.begin(), b.end());
    Bytes le = to_little_endian(b, vr_, endian_);
    return Bytes(le.begin() + static_cast<std::ptrdiff_t>(offset - lo), le.begin() + static_cast<std::ptrdiff_t>(offset - lo + length));
}

Result<std::span<const std::uint8_t>> FrameReader::fragment_bytes(std::size_t i) const {
    if (i >= fragments_.size()) return make_error(ErrorCode::NotFound, fmt::format("fragment {} of {}", i + 1, fragments_.size()));
    const Fragment& f = fragments_[i];
    if (in_memory_) return std::span<const std::uint8_t>(in_memory_->fragments().fragments[f.offset]);
    auto all = source_ ? source_->all_bytes() : std::span<const std::uint8_t>{};
    if (f.offset > all.size() || f.length > all.size() - f.offset)
        return make_error(ErrorCode::Truncated, fmt::format("fragment {} lies outside the file", i + 1));
    return all.subspan(f.offset, f.length);
}

Result<Bytes> FrameReader::read_fragments(std::size_t first, std::size_t count) const {
    std::uint64_t total = 0;
    for (std::size_t i = first; i < first + count && i < fragments_.size(); ++i) total += fragments_[i].length;
    Bytes out;
    out.reserve(total);
    for (std::size_t i = first; i < first + count; ++i) {
        auto b = fragment_bytes(i);
        if (!b) return Unexpected(b.error());
        out.insert(out.end(), b->begin(), b->end());
    }
    return out;
}

Result<Bytes> FrameReader::fragment_prefix(std::size_t i, std::size_t n) const {
    auto b = fragment_bytes(i);
    if (!b) return Unexpected(b.error());
    auto p = b->first(std::min<std::size_t>(n, b->size()));
    return Bytes(p.begin(), p.end());
}

Result<FrameReader> FrameReader::open(const DicomFile& file) {
    auto located = locate(file);
    if (!located) return Unexpected(located.error());
    FrameReader r = std::move(*located);
    const DataSet& ds = file.dataset;
    std::uint64_t n_frames = 1;
    if (auto nf = ds.get_string(Tag(0x0028, 0x0008)); nf && !nf->empty()) {
        std::string_view v = *nf;
        while (!v.empty() && (v.front() == ' ' || v.front() == '+')) v.remove_prefix(1);
        n_frames = 0;
        std::from_chars(v.data(), v.data() + v.size(), n_frames);
        if (n_frames == 0) n_frames = 1;
    }
    std::uint64_t rows = number(ds, Tag(0x0028, 0x0010), 0), cols = number(ds, Tag(0x0028, 0x0011), 0);
    std::uint64_t spp = number(ds, Tag(0x0028, 0x0002), 1), bits = number(ds, Tag(0x0028, 0x0100), 8);
    std::uint64_t pixels = rows * cols * spp;
    r.frame_size_ = bits == 1 ? (pixels + 7) / 8 : pixels * ((bits + 7) / 8);

    if (r.encapsulated_) {
        std::vector<FragPos> plain;
        for (std::size_t i = 0; i < r.fragments_.size(); ++i)
            plain.push_back({i, r.fragments_[i].item_offset, r.fragments_[i].length});
        auto frames = group_frames(ds, plain, r.bot_, n_frames);
        if (!frames) return Unexpected(frames.error());
        for (const auto& f : *frames) {
            std::vector<Piece> pieces;
            for (const auto& fr : f) pieces.push_back({fr.offset, fr.length});  // fragment index
            r.frames_.push_back(std::move(pieces));
        }
        r.frame_size_ = 0;
        return r;
    }
    if (r.frame_size_ == 0) return make_error(ErrorCode::InvalidValue, "Rows, Columns or Bits Allocated missing");
    if (bits == 1 && n_frames > 1 && pixels % 8 != 0)
        return make_error(ErrorCode::Unsupported, "1-bit frames that do not end on a byte boundary");
    for (std::uint64_t i = 0; i < n_frames; ++i) {
        std::uint64_t start = i * r.frame_size_;
        if (start + r.frame_size_ > r.native_length_)
            return make_error(ErrorCode::Truncated, fmt::format("pixel data holds {} bytes, frame {} needs {}",
                                                                r.native_length_, i + 1, start + r.frame_size_));
        r.frames_.push_back({Piece{start, r.frame_size_}});
    }
    return r;
}

Result<Bytes> FrameReader::frame(std::size_t index) const {
    if (index >= frames_.size())
        return make_error(ErrorCode::NotFound, fmt::format("frame {} of {}", index + 1, frames_.size()));
    if (!encapsulated_) return read_native(frames_[index].front().offset, frames_[index].front().length);
    Bytes out;
    for (const Piece& p : frames_[index]) {
        auto b = fragment_bytes(static_cast<std::size_t>(p.offset));
        if (!b) return Unexpected(b.error());
        out.insert(out.end(), b->begin(), b->end());
    }
    return out;
}

}  // namespace dicomkit::io
