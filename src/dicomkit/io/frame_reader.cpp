// Frame access without loading the whole pixel data.
#include <dicomkit/io/frame_reader.hpp>

#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/token_reader.hpp>

namespace dicomkit::io {

namespace {

constexpr Tag kPixelData{0x7FE0, 0x0010};
constexpr Tag kExtendedOffsetTable{0x7FE0, 0x0001};

struct Fragment {
    std::uint64_t offset;  ///< of the value
    std::uint64_t item_offset;  ///< of the item header (offset tables count from the first one)
    std::uint64_t length;
};

std::uint64_t number(const DataSet& ds, Tag t, std::uint64_t fallback) {
    auto v = ds.get_number<std::uint64_t>(t);
    return v ? *v : fallback;
}

/// Splits fragments into frames: Extended Offset Table, Basic Offset Table, one fragment per
/// frame, or everything in one frame.
Result<std::vector<std::vector<Fragment>>> group_frames(const DataSet& ds, const std::vector<Fragment>& frags,
                                                        std::span<const std::uint8_t> bot, std::uint64_t n_frames) {
    std::vector<std::vector<Fragment>> frames;
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
            std::vector<Fragment> parts;
            for (const Fragment& fr : frags)
                if (fr.item_offset >= start && fr.item_offset < end) parts.push_back(fr);
            if (parts.empty()) return make_error(ErrorCode::InvalidValue, fmt::format("offset table entry {} points at no fragment", f));
            frames.push_back(std::move(parts));
        }
        return frames;
    }
    if (n_frames <= 1) {
        frames.push_back(frags);
    } else if (frags.size() == n_frames) {
        for (const Fragment& fr : frags) frames.push_back({fr});
    } else {
        return make_error(ErrorCode::InvalidValue,
                          fmt::format("{} frames in {} fragments and no offset table", n_frames, frags.size()));
    }
    return frames;
}

}  // namespace

Result<FrameReader> FrameReader::open(const DicomFile& file) {
    FrameReader r;
    r.source_ = file.source;
    r.endian_ = file.transfer_syntax.endian;
    const DataSet& ds = file.dataset;
    std::uint64_t n_frames = 1;
    if (auto nf = ds.get_string(Tag(0x0028, 0x0008)); nf && !nf->empty()) n_frames = std::stoull("0" + *nf);
    std::uint64_t rows = number(ds, Tag(0x0028, 0x0010), 0), cols = number(ds, Tag(0x0028, 0x0011), 0);
    std::uint64_t spp = number(ds, Tag(0x0028, 0x0002), 1), bits = number(ds, Tag(0x0028, 0x0100), 8);
    std::uint64_t pixels = rows * cols * spp;
    r.frame_size_ = bits == 1 ? (pixels + 7) / 8 : pixels * ((bits + 7) / 8);

    std::vector<Fragment> frags;
    Bytes bot;
    std::uint64_t native_offset = 0, native_length = 0;
    const Element* px = ds.find(kPixelData);
    if (px && px->is_fragments()) {
        r.encapsulated_ = true;
        r.in_memory_ = px;
        std::uint64_t pos = 8 + px->fragments().basic_offset_table.size();
        for (std::size_t i = 0; i < px->fragments().fragments.size(); ++i) {
            std::uint64_t len = px->fragments().fragments[i].size();
            frags.push_back({i, pos, len});
            pos += 8 + len;
        }
        bot = px->fragments().basic_offset_table;
    } else if (px && px->is_bytes()) {
        r.in_memory_ = px;
        native_length = px->length();
    } else if (px && px->is_deferred()) {
        native_offset = px->deferred().offset;
        native_length = px->deferred().length;
        r.vr_ = px->vr();
    } else if (file.stopped_at && file.source) {
        auto all = file.source->all_bytes();
        std::uint64_t base = file.source->inflated.empty() ? file.source->dataset_offset : 0;
        if (*file.stopped_at < base || *file.stopped_at > all.size())
            return make_error(ErrorCode::InvalidArgument, "stop offset outside the file");
        ReadOptions ro;
        TokenReader tr(all.subspan(*file.stopped_at), TokenReaderConfig{file.transfer_syntax.explicit_vr, file.transfer_syntax.endian, *file.stopped_at, file.path}, ro);
        auto t = tr.next();
        if (!t) return Unexpected(t.error());
        if (t->tag != kPixelData) return make_error(ErrorCode::NotFound, "no pixel data where reading stopped");
        if (t->kind == TokenKind::Element) {
            native_offset = t->value_offset;
            native_length = t->value.size();
            r.vr_ = t->vr;
        } else if (t->kind == TokenKind::FragmentsStart) {
            r.encapsulated_ = true;
            bool first = true;
            for (;;) {
                auto f = tr.next();
                if (!f) return Unexpected(f.error());
                if (f->kind != TokenKind::Fragment) break;
                if (first) {
                    bot.assign(f->value.begin(), f->value.end());
                    first = false;
                } else {
                    frags.push_back({f->value_offset, f->offset, f->value.size()});
                }
            }
        } else {
            return make_error(ErrorCode::InvalidValue, "pixel data is neither native nor encapsulated");
        }
    } else {
        return make_error(ErrorCode::NotFound, "no pixel data");
    }

    if (r.encapsulated_) {
        auto frames = group_frames(ds, frags, bot, n_frames);
        if (!frames) return Unexpected(frames.error());
        for (const auto& f : *frames) {
            std::vector<Piece> pieces;
            for (const Fragment& fr : f) pieces.push_back({fr.offset, fr.length});
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
        if (start + r.frame_size_ > native_length)
            return make_error(ErrorCode::Truncated, fmt::format("pixel data holds {} bytes, frame {} needs {}", native_length, i + 1, start + r.frame_size_));
        r.frames_.push_back({Piece{native_offset + start, r.frame_size_}});
    }
    return r;
}

Result<Bytes> FrameReader::frame(std::size_t index) const {
    if (index >= frames_.size())
        return make_error(ErrorCode::NotFound, fmt::format("frame {} of {}", index + 1, frames_.size()));
    Bytes out;
    for (const Piece& p : frames_[index]) {
        if (in_memory_) {
            if (encapsulated_) {
                const Bytes& f = in_memory_->fragments().fragments[p.offset];
                out.insert(out.end(), f.begin(), f.end());
            } else {
                auto b = in_memory_->bytes().subspan(p.offset, p.length);
                out.insert(out.end(), b.begin(), b.end());
            }
            continue;
        }
        auto all = source_->all_bytes();
        if (p.offset > all.size() || p.length > all.size() - p.offset)
            return make_error(ErrorCode::Truncated, "frame lies outside the file");
        auto b = all.subspan(p.offset, p.length);
        if (encapsulated_) {
            out.insert(out.end(), b.begin(), b.end());
        } else {
            Bytes le = to_little_endian(b, vr_, endian_);
            out.insert(out.end(), le.begin(), le.end());
        }
    }
    return out;
}

}  // namespace dicomkit::io
