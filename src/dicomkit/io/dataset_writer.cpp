// The data set encoder.
#include <dicomkit/io/dataset_writer.hpp>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/io/token_reader.hpp>

#include <cstring>

namespace dicomkit::io {

namespace {

constexpr Tag kPixelData{0x7FE0, 0x0010};

class Encoder {
public:
    Encoder(const TransferSyntax& ts, const WriteOptions& o, Bytes& out) : ts_(ts), o_(o), out_(out) {}

    Result<void> dataset(const DataSet& ds) {
        std::size_t gl_pos = 0;        // where the current group's length value goes
        bool gl_open = false;
        std::uint16_t group = 0;
        bool first = true;
        for (const Element& e : ds) {
            if (first || e.tag().group != group) {
                if (gl_open) patch32(gl_pos, static_cast<std::uint32_t>(out_.size() - gl_pos - 4));
                gl_open = false;
                group = e.tag().group;
                first = false;
                bool has_gl = e.tag().element == 0x0000;
                bool want_gl = o_.group_lengths == GroupLengthPolicy::Add ||
                               (o_.group_lengths == GroupLengthPolicy::Keep && has_gl);
                if (want_gl && group != 0xFFFE) {
                    header(Tag(group, 0), VR::UL, 4);
                    gl_pos = out_.size();
                    put32(0);
                    gl_open = true;
                }
            }
            if (e.tag().element == 0x0000) continue;  // written (or dropped) above
            auto ok = element(e);
            if (!ok) return Unexpected(std::move(ok.error()).at_tag(e.tag().str()));
        }
        if (gl_open) patch32(gl_pos, static_cast<std::uint32_t>(out_.size() - gl_pos - 4));
        return {};
    }

private:
    void put16(std::uint16_t v) {
        std::uint8_t b[2];
        store(b, v, ts_.endian);
        out_.insert(out_.end(), b, b + 2);
    }
    void put32(std::uint32_t v) {
        std::uint8_t b[4];
        store(b, v, ts_.endian);
        out_.insert(out_.end(), b, b + 4);
    }
    void patch32(std::size_t at, std::uint32_t v) { store(out_.data() + at, v, ts_.endian); }
    void tag(Tag t) {
        put16(t.group);
        put16(t.element);
    }

    /// Writes tag, VR and length; returns the position of the length field.
    std::size_t header(Tag t, VR vr, std::uint32_t length) {
        tag(t);
        std::size_t at;
        if (!ts_.explicit_vr) {
            at = out_.size();
            put32(length);
            return at;
        }
        auto name = to_string(vr);
        out_.push_back(static_cast<std::uint8_t>(name[0]));
        out_.push_back(static_cast<std::uint8_t>(name[1]));
        if (has_long_length(vr)) {
            put16(0);
            at = out_.size();
            put32(length);
        } else {
            at = out_.size();
            put16(static_cast<std::uint16_t>(length));
        }
        return at;
    }

    bool undefined(bool kept) const {
        switch (o_.lengths) {
            case LengthEncoding::Keep: return kept;
            case LengthEncoding::Explicit: return false;
            case LengthEncoding::Undefined: return true;
        }
        return kept;
    }

    Result<void> element(const Element& e) {
        if (e.is_sequence()) return sequence(e);
        if (e.is_fragments()) return fragments(e);
        if (ts_.encapsulated && e.tag() == kPixelData && !e.is_fragments() && e.length() > 0 &&
            ts_.uid != "1.2.840.10008.1.2.4.94")
            return make_error(ErrorCode::Unsupported,
                              fmt::format("native pixel data cannot be written in {} without a codec", ts_.name));
        if (e.is_deferred()) {
            if (!o_.load_deferred) return make_error(ErrorCode::InvalidArgument, "deferred value without a loader");
            auto b = o_.load_deferred(e);
            if (!b) return Unexpected(b.error());
            return value(e.tag(), e.vr(), *b);
        }
        return value(e.tag(), e.vr(), e.bytes());
    }

    Result<void> value(Tag t, VR vr, std::span<const std::uint8_t> v) {
        std::uint64_t len = v.size() + (v.size() % 2);
        if (len > 0xFFFFFFFEu) return make_error(ErrorCode::LimitExceeded, "value longer than 4 GB");
        if (ts_.explicit_vr && !has_long_length(vr) && len > 0xFFFF) vr = VR::UN;  // PS3.5 6.2.2 note
        header(t, vr, static_cast<std::uint32_t>(len));
        std::size_t at = out_.size();
        out_.insert(out_.end(), v.begin(), v.end());
        if (ts_.endian == Endian::Big) {
            std::size_t w = word_size(vr);
            if (w > 1) swap_words(out_.data() + at, v.size(), w);
        }
        if (v.size() % 2) out_.push_back(padding_byte(vr));
        return {};
    }

    Result<void> sequence(const Element& e) {
        // In implicit VR a reader knows a sequence only from its dictionary or from an undefined
        // length (PS3.5 7.5, 6.2.2): one the dictionary does not call SQ (private ones) gets the
        // undefined length, whatever the length policy, or it would read back as UN bytes.
        bool undef = undefined(e.undefined_length()) ||
                     (!ts_.explicit_vr && dict::implicit_vr(e.tag()) != VR::SQ);
        std::size_t len_at = header(e.tag(), VR::SQ, undef ? kUndefinedLength : 0);
        std::size_t start = out_.size();
        for (const DataSet& item : e.sequence().items) {
            bool item_undef = undefined(item.undefined_length());
            tag(tags::Item);
            std::size_t item_len_at = out_.size();
            put32(item_undef ? kUndefinedLength : 0);
            std::size_t item_start = out_.size();
            auto ok = dataset(item);
            if (!ok) return ok;
            if (item_undef) {
                tag(tags::ItemDelimitationItem);
                put32(0);
            } else {
                patch32(item_len_at, static_cast<std::uint32_t>(out_.size() - item_start));
            }
        }
        if (undef) {
            tag(tags::SequenceDelimitationItem);
            put32(0);
        } else {
            patch32(len_at, static_cast<std::uint32_t>(out_.size() - start));
        }
        return {};
    }

    Result<void> fragments(const Element& e) {
        if (!ts_.encapsulated)
            return make_error(ErrorCode::Unsupported,
                              fmt::format("encapsulated pixel data cannot be written in {} without decoding", ts_.name));
        const PixelFragments& pf = e.fragments();
        header(e.tag(), e.vr() == VR::OW ? VR::OW : VR::OB, kUndefinedLength);
        auto item = [&](std::span<const std::uint8_t> b) {
            tag(tags::Item);
            put32(static_cast<std::uint32_t>(b.size() + b.size() % 2));
            out_.insert(out_.end(), b.begin(), b.end());
            if (b.size() % 2) out_.push_back(0);
        };
        item(pf.basic_offset_table);
        for (const Bytes& f : pf.fragments) item(f);
        tag(tags::SequenceDelimitationItem);
        put32(0);
        return {};
    }

    const TransferSyntax& ts_;
    const WriteOptions& o_;
    Bytes& out_;
};

}  // namespace

Result<void> write_dataset(const DataSet& ds, const TransferSyntax& ts, const WriteOptions& options, Bytes& out) {
    return Encoder(ts, options, out).dataset(ds);
}

Result<Bytes> encode_dataset(const DataSet& ds, const TransferSyntax& ts, const WriteOptions& options) {
    Bytes out;
    auto ok = write_dataset(ds, ts, options, out);
    if (!ok) return Unexpected(ok.error());
    if (ts.deflated) return deflate_raw(out);
    return out;
}

DataSet make_meta(const DataSet& ds, const TransferSyntax& ts, const DataSet* existing, bool keep_sop_uids) {
    DataSet meta;
    if (existing)
        for (const Element& e : *existing)
            if (e.tag().group == 0x0002) meta.set(e);
    meta.set(Element(Tag(0x0002, 0x0000), VR::UL, Bytes(4)));
    if (!meta.contains(Tag(0x0002, 0x0001))) meta.set(Element(Tag(0x0002, 0x0001), VR::OB, Bytes{0x00, 0x01}));
    auto sop_class = ds.get_string(Tag(0x0008, 0x0016));
    auto sop_instance = ds.get_string(Tag(0x0008, 0x0018));
    if (sop_class && !(keep_sop_uids && meta.contains(Tag(0x0002, 0x0002))))
        meta.set_string(Tag(0x0002, 0x0002), VR::UI, *sop_class);
    if (sop_instance && !(keep_sop_uids && meta.contains(Tag(0x0002, 0x0003))))
        meta.set_string(Tag(0x0002, 0x0003), VR::UI, *sop_instance);
    meta.set_string(Tag(0x0002, 0x0010), VR::UI, ts.uid);
    if (!meta.contains(Tag(0x0002, 0x0012))) {
        meta.set_string(Tag(0x0002, 0x0012), VR::UI, kImplementationClassUID);
        meta.set_string(Tag(0x0002, 0x0013), VR::SH, kImplementationVersionName);
    }
    return meta;
}

Result<void> encode_file_into(const DicomFile& file, Bytes& out, const FileWriteOptions& options) {
    const TransferSyntax& ts = options.transfer_syntax ? *options.transfer_syntax : file.transfer_syntax;
    out.clear();
    if (file.preamble) {
        out.assign(file.preamble->begin(), file.preamble->end());
    } else {
        out.assign(128, 0);
    }
    out.insert(out.end(), {'D', 'I', 'C', 'M'});
    DataSet meta = make_meta(file.dataset, ts, &file.meta, options.keep_meta_sop_uids);
    WriteOptions meta_options;
    meta_options.group_lengths = GroupLengthPolicy::Keep;
    auto ok = write_dataset(meta, ts::ExplicitVRLittleEndian, meta_options, out);
    if (!ok) return ok;
    WriteOptions wo = options.write;
    if (!wo.load_deferred && file.source) {
        wo.load_deferred = [&file](const Element& e) { return load_deferred(file, e); };
    }
    DataSet body;
    const DataSet* ds = &file.dataset;
    bool has_meta_in_body = !file.dataset.empty() && file.dataset.begin()->tag().group == 0x0002;
    if (has_meta_in_body) {
        body = file.dataset;
        body.remove_range(Tag(0x0002, 0x0000), Tag(0x0002, 0xFFFF));
        ds = &body;
    }
    if (!ts.deflated) return write_dataset(*ds, ts, wo, out);  // straight after the meta, no copy
    auto enc = encode_dataset(*ds, ts, wo);
    if (!enc) return Unexpected(enc.error());
    out.insert(out.end(), enc->begin(), enc->end());
    return {};
}

Result<Bytes> encode_file(const DicomFile& file, const FileWriteOptions& options) {
    Bytes out;
    if (auto ok = encode_file_into(file, out, options); !ok) return Unexpected(std::move(ok.error()));
    return out;
}

Result<void> write_file(const std::string& path, const DicomFile& file, const FileWriteOptions& options) {
    auto bytes = encode_file(file, options);
    if (!bytes) return Unexpected(std::move(bytes.error()).in_file(path));
    return write_file_atomic(path, *bytes);
}

}  // namespace dicomkit::io
