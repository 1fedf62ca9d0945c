// Building DataSets from tokens.
#include <dicomkit/io/dataset_reader.hpp>

#include <dicomkit/base/log.hpp>

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

class Builder {
public:
    Builder(TokenReader& r, const ReadOptions& o, Diagnostics* d) : r_(r), o_(o), d_(d) {}

    Result<DataSetReadResult> run() {
        DataSetReadResult out;
        out.dataset.reserve(96);
        auto ok = level(out.dataset, true, &out.stopped_at);
        if (!ok) return Unexpected(ok.error());
        return out;
    }

private:
    Result<void> warn_duplicate(const Token& t) {
        Error e(ErrorCode::InvalidTag, fmt::format("duplicate element {} ignored", t.tag));
        e.offset = t.offset;
        e.tag_path = r_.tag_path(t.tag);
        if (o_.strict) return Unexpected(std::move(e));
        if (d_) d_->warnings.push_back(std::move(e));
        return {};
    }

    Result<void> add(DataSet& ds, Element e, const Token& t) {
        if (!ds.append(std::move(e))) return warn_duplicate(t);
        return {};
    }

    /// Reads elements until the end of the current item (or of the data).
    Result<void> level(DataSet& ds, bool top, std::optional<std::uint64_t>* stopped_at) {
        for (;;) {
            auto t = r_.next();
            if (!t) return Unexpected(t.error());
            switch (t->kind) {
                case TokenKind::End:
                case TokenKind::ItemEnd:
                    return {};
                case TokenKind::SequenceEnd:
                case TokenKind::FragmentsEnd:
                case TokenKind::Fragment:
                case TokenKind::ItemStart:
                    // The token reader never yields these at element level.
                    return make_error(ErrorCode::InvalidTag, "unexpected structure token");
                case TokenKind::Element:
                case TokenKind::SequenceStart:
                case TokenKind::FragmentsStart:
                    break;
            }
            if (top && o_.stop_before && !(t->tag < *o_.stop_before)) {
                *stopped_at = t->offset;
                return {};
            }
            Result<void> ok;
            if (t->kind == TokenKind::Element) {
                ok = element(ds, *t);
            } else if (t->kind == TokenKind::SequenceStart) {
                ok = sequence(ds, *t);
            } else {
                ok = fragments(ds, *t);
            }
            if (!ok) return ok;
        }
    }

    Result<void> element(DataSet& ds, const Token& t) {
        if (t.value.size() > o_.defer_larger_than && !t.truncated) {
            return add(ds, Element(t.tag, t.vr, DeferredValue{t.value_offset, t.value.size()}), t);
        }
        return add(ds, Element(t.tag, t.vr, to_little_endian(t.value, t.vr, t.endian)), t);
    }

    Result<void> sequence(DataSet& ds, const Token& start) {
        Element e(start.tag, VR::SQ, Sequence{});
        e.set_undefined_length(start.length == kUndefinedLength);
        Sequence& seq = e.sequence();
        for (;;) {
            auto t = r_.next();
            if (!t) return Unexpected(t.error());
            if (t->kind == TokenKind::SequenceEnd || t->kind == TokenKind::End) break;
            if (t->kind != TokenKind::ItemStart) return make_error(ErrorCode::InvalidTag, "expected an item");
            DataSet item;
            item.set_undefined_length(t->length == kUndefinedLength);
            auto ok = level(item, false, nullptr);
            if (!ok) return ok;
            seq.items.push_back(std::move(item));
        }
        return add(ds, std::move(e), start);
    }

    Result<void> fragments(DataSet& ds, const Token& start) {
        PixelFragments pf;
        bool first = true;
        for (;;) {
            auto t = r_.next();
            if (!t) return Unexpected(t.error());
            if (t->kind == TokenKind::FragmentsEnd || t->kind == TokenKind::End) break;
            if (t->kind != TokenKind::Fragment) return make_error(ErrorCode::InvalidTag, "expected a fragment");
            if (first) {
                pf.basic_offset_table.assign(t->value.begin(), t->value.end());
                first = false;
            } else {
                pf.fragments.emplace_back(t->value.begin(), t->value.end());
            }
        }
        VR vr = start.vr == VR::OW || start.vr == VR::OB ? start.vr : VR::OB;
        return add(ds, Element(start.tag, vr, std::move(pf)), start);
    }

    TokenReader& r_;
    const ReadOptions& o_;
    Diagnostics* d_;
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
