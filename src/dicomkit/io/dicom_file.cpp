// Reading Part 10 files, leniently unless told to be strict.
#include <dicomkit/io/dicom_file.hpp>

#include <cstdio>
#include <cstring>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/token_reader.hpp>

namespace dicomkit::io {

std::span<const std::uint8_t> Source::all_bytes() const {
    if (!inflated.empty()) return inflated;
    if (!partial) return file.bytes();
    std::call_once(full_once_, [this] {
        auto f = MappedFile::open(path, 0);
        if (f) full_ = std::move(*f);
    });
    return full_.bytes();
}

namespace {

constexpr Tag kTransferSyntaxUID{0x0002, 0x0010};
constexpr Tag kMetaGroupLength{0x0002, 0x0000};

struct Reading {
    const ReadOptions& options;
    DicomFile& out;
    std::span<const std::uint8_t> bytes;

    Result<void> warn(ErrorCode code, std::string message, std::uint64_t offset) {
        Error e(code, std::move(message));
        e.offset = offset;
        e.file = out.path;
        if (options.strict) return Unexpected(std::move(e));
        out.diagnostics.warnings.push_back(std::move(e));
        return {};
    }
};

bool looks_like_vr(const std::uint8_t* p) {
    return vr_from_chars(static_cast<char>(p[0]), static_cast<char>(p[1])).has_value();
}

/// Reads group 0002 starting at `pos`; returns the position after it.
Result<std::size_t> read_meta(Reading& rd, std::size_t pos) {
    auto data = rd.bytes.subspan(pos);
    bool explicit_vr = data.size() >= 6 && looks_like_vr(data.data() + 4);
    if (!explicit_vr) {
        auto w = rd.warn(ErrorCode::BadMeta, "file meta information is not in explicit VR", pos);
        if (!w) return Unexpected(w.error());
    }
    ReadOptions meta_options = rd.options;
    meta_options.stop_before.reset();
    meta_options.defer_larger_than = UINT64_MAX;
    TokenReader reader(data, TokenReaderConfig{explicit_vr, Endian::Little, pos, rd.out.path}, meta_options,
                       &rd.out.diagnostics);
    while (reader.position() + 8 <= data.size() && load_le<std::uint16_t>(data.data() + reader.position()) == 0x0002) {
        std::size_t at = reader.position();
        auto t = reader.next();
        if (!t) return Unexpected(t.error());
        if (t->kind != TokenKind::Element) {
            return Unexpected(std::move(Error(ErrorCode::BadMeta, "sequence or delimiter in the file meta information"))
                                  .at_offset(pos + at)
                                  .in_file(rd.out.path));
        }
        if (!rd.out.meta.append(Element::from_bytes(t->tag, t->vr, t->value))) {
            auto w = rd.warn(ErrorCode::BadMeta, fmt::format("duplicate meta element {}", t->tag), pos + at);
            if (!w) return Unexpected(w.error());
        }
    }
    std::size_t end = pos + reader.position();
    if (const Element* gl = rd.out.meta.find(kMetaGroupLength)) {
        auto v = gl->as<std::uint32_t>();
        std::size_t start_after_gl = pos + 12;
        if (v && start_after_gl + *v != end) {
            auto w = rd.warn(ErrorCode::BadMeta,
                             fmt::format("meta group length says {} but the group has {} bytes", *v,
                                         end - start_after_gl),
                             pos);
            if (!w) return Unexpected(w.error());
        }
    } else {
        auto w = rd.warn(ErrorCode::BadMeta, "no (0002,0000) group length", pos);
        if (!w) return Unexpected(w.error());
    }
    return end;
}

/// Guesses the encoding of a data set from its first element header.
TransferSyntax guess_encoding(std::span<const std::uint8_t> d) {
    if (d.size() < 8) return ts::ImplicitVRLittleEndian;
    std::uint16_t g_le = load_le<std::uint16_t>(d.data());
    std::uint16_t g_be = load<std::uint16_t>(d.data(), Endian::Big);
    bool big = (g_le & 0x00FF) == 0 && g_be != 0 && g_be < g_le;
    bool explicit_vr = looks_like_vr(d.data() + 4);
    if (big) return explicit_vr ? ts::ExplicitVRBigEndian : ts::ImplicitVRLittleEndian;
    return explicit_vr ? ts::ExplicitVRLittleEndian : ts::ImplicitVRLittleEndian;
}

/// Checks the declared encoding against the first element; corrects it with a warning.
Result<TransferSyntax> check_encoding(Reading& rd, TransferSyntax declared, std::span<const std::uint8_t> d,
                                      std::size_t at) {
    if (d.size() < 8 || declared.deflated) return declared;
    bool vr_chars = looks_like_vr(d.data() + 4);
    if (declared.explicit_vr && !vr_chars) {
        auto w = rd.warn(ErrorCode::BadMeta,
                         fmt::format("transfer syntax {} is explicit VR, but the data set is implicit VR", declared.uid),
                         at);
        if (!w) return Unexpected(w.error());
        return ts::ImplicitVRLittleEndian;
    }
    if (!declared.explicit_vr && vr_chars) {
        Tag tag(load_le<std::uint16_t>(d.data()), load_le<std::uint16_t>(d.data() + 2));
        const dict::AttributeInfo* info = dict::find(tag);
        auto vr = *vr_from_chars(static_cast<char>(d[4]), static_cast<char>(d[5]));
        if (info && info->allows(vr)) {
            auto w = rd.warn(ErrorCode::BadMeta, "transfer syntax is implicit VR, but the data set is explicit VR", at);
            if (!w) return Unexpected(w.error());
            TransferSyntax t = ts::ExplicitVRLittleEndian;
            return t;
        }
    }
    return declared;
}

/// Reads the file in `bytes` (src->file's, or bytes the caller keeps); the result keeps `src`
/// unless `keep_source` is false.
Result<DicomFile> read_source(std::shared_ptr<Source> src, std::span<const std::uint8_t> bytes, const ReadOptions& options,
                              std::string name, bool keep_source = true) {
    DicomFile out;
    out.path = std::move(name);
    Reading rd{options, out, bytes};
    std::size_t pos = 0;
    if (bytes.size() >= 132 && std::memcmp(bytes.data() + 128, "DICM", 4) == 0) {
        std::array<std::uint8_t, 128> pre{};
        std::memcpy(pre.data(), bytes.data(), 128);
        out.preamble = pre;
        pos = 132;
    } else if (bytes.size() >= 4 && std::memcmp(bytes.data(), "DICM", 4) == 0) {
        auto w = rd.warn(ErrorCode::NotDicom, "no 128-byte preamble before DICM", 0);
        if (!w) return Unexpected(w.error());
        pos = 4;
    } else {
        auto w = rd.warn(ErrorCode::NotDicom, "no preamble and DICM prefix (not a Part 10 file)", 0);
        if (!w) return Unexpected(w.error());
    }
    if (bytes.size() >= pos + 8 && load_le<std::uint16_t>(bytes.data() + pos) == 0x0002) {
        auto end = read_meta(rd, pos);
        if (!end) return Unexpected(end.error());
        pos = *end;
    } else if (out.preamble) {
        auto w = rd.warn(ErrorCode::BadMeta, "no file meta information after DICM", pos);
        if (!w) return Unexpected(w.error());
    }
    if (pos >= bytes.size() && out.meta.empty()) {
        return Unexpected(std::move(Error(ErrorCode::NotDicom, "empty file")).in_file(out.path));
    }

    auto data = bytes.subspan(pos);
    TransferSyntax declared = guess_encoding(data);
    if (const Element* tse = out.meta.find(kTransferSyntaxUID)) {
        out.transfer_syntax_uid = std::string(tse->string_value().value_or(""));
        if (const TransferSyntax* known = find_transfer_syntax(out.transfer_syntax_uid)) {
            declared = *known;
        } else {
            auto w = rd.warn(ErrorCode::UnsupportedTransferSyntax,
                             fmt::format("unknown transfer syntax '{}'; guessing the encoding", out.transfer_syntax_uid), pos);
            if (!w) return Unexpected(w.error());
        }
    } else if (!out.meta.empty()) {
        auto w = rd.warn(ErrorCode::BadMeta, "no transfer syntax UID in the meta; guessing the encoding", pos);
        if (!w) return Unexpected(w.error());
    }
    src->dataset_offset = pos;
    std::uint64_t base = pos;
    if (declared.deflated) {
        auto inflated = inflate_raw(data, std::uint64_t{1} << 34);
        if (!inflated) return Unexpected(std::move(inflated.error()).at_offset(pos).in_file(out.path));
        src->inflated = std::move(*inflated);
        data = src->inflated;
        base = 0;
    }
    auto checked = check_encoding(rd, declared, data, pos);
    if (!checked) return Unexpected(checked.error());
    out.transfer_syntax = *checked;

    TokenReader reader(data, TokenReaderConfig{checked->explicit_vr, checked->endian, base, out.path}, options,
                       &out.diagnostics);
    auto result = read_dataset(reader, options, &out.diagnostics);
    if (!result) return Unexpected(std::move(result.error()).in_file(out.path));
    out.dataset = std::move(result->dataset);
    out.stopped_at = result->stopped_at;
    if (keep_source) out.source = std::move(src);
    return out;
}

}  // namespace

namespace {
/// A header read (stop_before, nothing deferred) of a large file first parses only its start; if
/// the stop element lies inside it, the rest of the file is never read.
constexpr std::size_t kHeaderPrefix = 16 * 1024;

/// The read when the first kHeaderPrefix bytes settle it: the file is no longer than that (then
/// it is all there: one open and one read per small file), or the stop element lies inside them.
std::optional<Result<DicomFile>> try_prefix(const std::string& path, const ReadOptions& options) {
    if (!options.stop_before || options.defer_larger_than != UINT64_MAX || path == "-") return std::nullopt;
    auto prefix = read_file_prefix(path, kHeaderPrefix);
    if (!prefix) return std::nullopt;  // the full read reports the error
    auto src = std::make_shared<Source>();
    src->file = MappedFile::from_buffer(std::move(prefix->first));
    src->path = path;
    if (!prefix->second) return read_source(src, src->file.bytes(), options, path);  // the whole file
    src->partial = true;
    ReadOptions quiet = options;
    quiet.strict = false;
    auto f = read_source(src, src->file.bytes(), quiet, path);
    // Only a read that reached the stop element inside the prefix is the same as a full read.
    if (!f || !f->stopped_at || f->transfer_syntax.deflated || *f->stopped_at + 16 > kHeaderPrefix) return std::nullopt;
    if (options.strict && !f->diagnostics.warnings.empty()) return std::nullopt;
    return f;
}
}  // namespace

bool has_part10_preamble(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    unsigned char head[132];
    const bool whole = std::fread(head, 1, sizeof head, f) == sizeof head;
    std::fclose(f);
    return whole && std::memcmp(head + 128, "DICM", 4) == 0;
}

Result<DicomFile> read_file(const std::string& path, const ReadOptions& options) {
    if (auto f = try_prefix(path, options)) return std::move(*f);
    // When the bulk of a file will not be looked at, map rather than read all of it.
    bool partial = options.stop_before || options.defer_larger_than < 65536;
    auto f = MappedFile::open(path, partial ? 32 * 1024 : 256 * 1024);
    if (!f) return Unexpected(f.error());
    auto src = std::make_shared<Source>();
    src->file = std::move(*f);
    src->path = path;
    const auto bytes = src->file.bytes();
    return read_source(std::move(src), bytes, options, path);
}

Result<DicomFile> read_bytes(std::vector<std::uint8_t> bytes, const ReadOptions& options, std::string name) {
    auto src = std::make_shared<Source>();
    src->file = MappedFile::from_bytes(std::move(bytes));
    const auto view = src->file.bytes();
    return read_source(std::move(src), view, options, std::move(name));
}

Result<DicomFile> read_view(std::span<const std::uint8_t> bytes, const ReadOptions& options, std::string name) {
    ReadOptions copy_all = options;
    copy_all.defer_larger_than = UINT64_MAX;  // nothing may refer back to `bytes`
    return read_source(std::make_shared<Source>(), bytes, copy_all, std::move(name), false);
}

Result<Bytes> load_deferred(const DicomFile& file, const Element& element) {
    return load_deferred_prefix(file, element, SIZE_MAX);
}

Result<Bytes> load_deferred_prefix(const DicomFile& file, const Element& element, std::size_t max_bytes) {
    if (!element.is_deferred()) {
        auto b = element.bytes().first(std::min(max_bytes, element.bytes().size()));
        return Bytes(b.begin(), b.end());
    }
    if (!file.source) return make_error(ErrorCode::NotFound, "the file's bytes are no longer available");
    const DeferredValue& d = element.deferred();
    auto all = file.source->all_bytes();
    if (d.offset > all.size() || d.length > all.size() - d.offset)
        return make_error(ErrorCode::InvalidLength, "deferred value lies outside the file");
    std::uint64_t n = std::min<std::uint64_t>(d.length, max_bytes);
    return to_little_endian(all.subspan(d.offset, n), element.vr(), file.transfer_syntax.endian);
}

}  // namespace dicomkit::io
