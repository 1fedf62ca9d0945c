// Building DataSets from tokens.
#include <dicomkit/io/dataset_reader.hpp>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>

namespace dicomkit::io {

Bytes to_little_endian(std::span<const std::uint8_t> value, VR vr, Endian from) {
    Bytes b(value.begin(), value.end());
    if (from == Endian::Big) {
        std::size_t w = word_size(vr);
        if (w > 1) swap_words(b.data(), b.size(), w);
    }
    return b;
}

namespace {

constexpr Tag kPixelRepresentation{0x0028, 0x0103};

/// LUT descriptors are "US or SS", but their first and third values are always unsigned
/// (PS3.3 C.11.1.1.1, C.7.6.3.1.5), so the whole value is read as US.
bool is_lut_descriptor(Tag t) {
    if (t.group != 0x0028) return false;
    return (t.element >= 0x1100 && t.element <= 0x1103) || (t.element >= 0x1111 && t.element <= 0x1113) ||
           t.element == 0x3002;
}

/// PS3.5 A.1 and 6.2: where the dictionary says "US or SS" and the encoding does not say (implicit
/// VR), the VR follows Pixel Representation: SS when it is 1 (two's complement), else US.
VR resolve_us_or_ss(Tag tag, VR vr, std::optional<std::uint16_t> pixel_representation) {
    if (vr != VR::US || !pixel_representation || *pixel_representation != 1 || is_lut_descriptor(tag)) return vr;
    const dict::AttributeInfo* info = dict::find(tag);
    if (info && info->allows(VR::US) && info->allows(VR::SS)) return VR::SS;
    return vr;
}

class Builder {
public:
    Builder(TokenReader& r, const ReadOptions& o, Diagnostics* d) : r_(r), o_(o), d_(d) {}

    Result<DataSetReadResult> run() {
        DataSetReadResult out;
        out.dataset.reserve(96);
        if (!level(out.dataset, true, &out.stopped_at)) return Unexpected(std::move(*failure_));
        return out;
    }

private:
    // The building functions return false after storing the error in failure_: a Result<void>
    // per element (an Error is large) costs more than the rest of adding the element.
    bool fail(Error e) {
        failure_ = std::move(e);
        return false;
    }

    bool warn(const Token& t, ErrorCode code, std::string message) {
        Error e(code, std::move(message));
        e.offset = t.offset;
        e.file = r_.source_name();
        e.tag_path = r_.tag_path(t.tag);
        if (o_.strict) return fail(std::move(e));
        if (d_) d_->warnings.push_back(std::move(e));
        return true;
    }

    bool add(DataSet& ds, Element&& e, const Token& t) {
        if (!ds.append(std::move(e)))
            return warn(t, ErrorCode::InvalidTag, fmt::format("duplicate element {} ignored", t.tag));
        return true;
    }

    /// Reads elements until the end of the current item (or of the data).
    bool level(DataSet& ds, bool top, std::optional<std::uint64_t>* stopped_at) {
        pixel_representation_.push_back(std::nullopt);
        auto ok = level_body(ds, top, stopped_at);
        pixel_representation_.pop_back();
        return ok;
    }

    /// Pixel Representation of the innermost data set that has one (items inherit it).
    std::optional<std::uint16_t> pixel_representation() const {
        for (auto it = pixel_representation_.rbegin(); it != pixel_representation_.rend(); ++it)
            if (*it) return *it;
        return std::nullopt;
    }

    /// PS3.5 7.2: a group length (gggg,0000) counts the bytes of the rest of its group. Checked at
    /// the top level (group lengths are retired elsewhere); a wrong one is kept and warned about.
    bool check_group_length(const Token& t, bool top) {
        if (!top) return true;
        bool ends_group = t.kind == TokenKind::End || !group_end_ || t.tag.group != group_end_->first;
        if (group_end_ && ends_group) {
            auto [group, end] = *group_end_;
            group_end_.reset();
            if (t.offset != end) {
                Token at = t;
                at.tag = Tag(group, 0x0000);
                auto w = warn(at, ErrorCode::InvalidLength,
                              fmt::format("group length ({:04X},0000) ends the group at offset {}, but it ends at {}",
                                          group, end, t.offset));
                if (!w) return false;
            }
        }
        if (t.kind == TokenKind::Element && t.tag.element == 0x0000 && t.value.size() == 4) {
            std::uint32_t n = load<std::uint32_t>(t.value.data(), t.endian);
            group_end_ = std::pair{t.tag.group, t.value_offset + 4 + n};
        }
        return true;
    }

    bool level_body(DataSet& ds, bool top, std::optional<std::uint64_t>* stopped_at) {
        for (;;) {
            auto t = r_.next();
            if (!t) return fail(std::move(t.error()));
            if (!check_group_length(*t, top)) return false;
            switch (t->kind) {
                case TokenKind::End:
                case TokenKind::ItemEnd:
                    return true;
                case TokenKind::SequenceEnd:
                case TokenKind::FragmentsEnd:
                case TokenKind::Fragment:
                case TokenKind::ItemStart:
                    // The token reader never yields these at element level.
                    return fail(Error(ErrorCode::InvalidTag, "unexpected structure token"));
                case TokenKind::Element:
                case TokenKind::SequenceStart:
                case TokenKind::FragmentsStart:
                    break;
            }
            if (top && o_.stop_before && !(t->tag < *o_.stop_before)) {
                *stopped_at = t->offset;
                return true;
            }
            bool ok = t->kind == TokenKind::Element         ? element(ds, *t)
                      : t->kind == TokenKind::SequenceStart ? sequence(ds, *t)
                                                            : fragments(ds, *t);
            if (!ok) return false;
        }
    }

    bool element(DataSet& ds, const Token& t) {
        VR vr = t.vr_from_dictionary ? resolve_us_or_ss(t.tag, t.vr, pixel_representation()) : t.vr;
        if (t.value.size() > o_.defer_larger_than && !t.truncated) {
            return add(ds, Element(t.tag, vr, DeferredValue{t.value_offset, t.value.size()}), t);
        }
        Element e = Element::from_bytes(t.tag, vr, t.value);
        if (t.endian == Endian::Big && word_size(vr) > 1) {
            ValueBytes& b = e.mutable_bytes();
            swap_words(reinterpret_cast<std::uint8_t*>(b.data()), b.size(), word_size(vr));
        }
        if (t.tag == kPixelRepresentation && e.bytes().size() >= 2 && (vr == VR::US || vr == VR::SS))
            pixel_representation_.back() = load_le<std::uint16_t>(e.bytes().data());
        return add(ds, std::move(e), t);
    }

    bool sequence(DataSet& ds, const Token& start) {
        Element e(start.tag, VR::SQ, Sequence{});
        e.set_undefined_length(start.length == kUndefinedLength);
        Sequence& seq = e.sequence();
        std::size_t last_item_size = 4;
        for (;;) {
            auto t = r_.next();
            if (!t) return fail(std::move(t.error()));
            if (t->kind == TokenKind::SequenceEnd || t->kind == TokenKind::End) break;
            if (t->kind != TokenKind::ItemStart) return fail(Error(ErrorCode::InvalidTag, "expected an item"));
            DataSet item;
            // Items of one sequence usually have the same attributes: size each like the last.
            item.reserve(last_item_size);
            item.set_undefined_length(t->length == kUndefinedLength);
            if (!level(item, false, nullptr)) return false;
            last_item_size = item.size();
            seq.items.push_back(std::move(item));
        }
        return add(ds, std::move(e), start);
    }

    bool fragments(DataSet& ds, const Token& start) {
        PixelFragments pf;
        bool first = true;
        for (;;) {
            auto t = r_.next();
            if (!t) return fail(std::move(t.error()));
            if (t->kind == TokenKind::FragmentsEnd || t->kind == TokenKind::End) break;
            if (t->kind != TokenKind::Fragment) return fail(Error(ErrorCode::InvalidTag, "expected a fragment"));
            if (first) {
                pf.basic_offset_table.assign(t->value.begin(), t->value.end());
                first = false;
            } else {
                pf.fragments.emplace_back(t->value.begin(), t->value.end());
            }
        }
        // PS3.5 A.4: encapsulated Pixel Data has VR OB, whatever the header said.
        if (start.vr != VR::OB && !start.vr_from_dictionary) {
            auto w = warn(start, ErrorCode::InvalidVR,
                          fmt::format("encapsulated pixel data with VR {}; read as OB", start.vr));
            if (!w) return false;
        }
        return add(ds, Element(start.tag, VR::OB, std::move(pf)), start);
    }

    TokenReader& r_;
    const ReadOptions& o_;
    Diagnostics* d_;
    std::vector<std::optional<std::uint16_t>> pixel_representation_;
    std::optional<std::pair<std::uint16_t, std::uint64_t>> group_end_;  ///< group, offset where it ends
    std::optional<Error> failure_;  ///< why a building function returned false
};

}  // namespace

Result<DataSetReadResult> read_dataset(TokenReader& reader, const ReadOptions& options, Diagnostics* diagnostics) {
    return Builder(reader, options, diagnostics).run();
}

Result<DataSet> read_dataset(std::span<const std::uint8_t> bytes, const TransferSyntax& ts,
                             const ReadOptions& options, Diagnostics* diagnostics) {
    TokenReader reader(bytes, TokenReaderConfig{ts.explicit_vr, ts.endian, 0, {}}, options, diagnostics);
    auto r = read_dataset(reader, options, diagnostics);
    if (!r) return Unexpected(r.error());
    return std::move(r->dataset);
}

}  // namespace dicomkit::io
