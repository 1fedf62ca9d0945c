// The blob: a version byte (1), then elements as tag (4 bytes, group << 16 | element), VR (2
// characters) and a 4-byte length, little endian, then the value; a sequence's value is its items,
// each a 4-byte length and the item's elements. Strings are UTF-8.
#include <dicomkit/server/index/sql/attributes.hpp>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/model/entity_level.hpp>

namespace dicomkit::server::index::sql {

namespace {

constexpr char kVersion = 1;
constexpr std::size_t kMaxValue = 4096, kMaxSequence = 16384;
constexpr int kMaxDepth = 8;

void put32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>(v >> (8 * i));
}

void patch32(std::string& out, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>(v >> (8 * i));
}

std::uint32_t get32(std::string_view b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}

bool kept(const Element& e) {
    const Tag t = e.tag();
    if (t.is_private() || t.is_group_length() || t.is_meta() || t.is_delimiter()) return false;
    if (t == tags::SpecificCharacterSet || t == tags::IconImageSequence) return false;
    if (t.group == 0x7FE0 || t.group == 0x5400 || ((t.group & 0xFF00) == 0x6000 && t.element == 0x3000)) return false;
    if (e.is_sequence()) return true;
    return e.is_bytes() && e.bytes().size() <= kMaxValue;
}

void encode(std::string& out, const DataSet& ds, const SpecificCharacterSet& cs);

/// Appends one element; a sequence that grows over the limit is taken back out.
void encode(std::string& out, const Element& e, const SpecificCharacterSet& cs) {
    const std::size_t start = out.size();
    put32(out, e.tag().value());
    const auto vr = to_string(e.vr());
    out.append(vr.substr(0, 2));
    const std::size_t length_at = out.size();
    put32(out, 0);
    if (e.is_sequence()) {
        for (const DataSet& item : e.sequence().items) {
            const std::size_t item_at = out.size();
            put32(out, 0);
            encode(out, item, cs);
            patch32(out, item_at, static_cast<std::uint32_t>(out.size() - item_at - 4));
        }
        if (out.size() - start > kMaxSequence) {
            out.resize(start);
            return;
        }
    } else {
        const auto b = e.bytes();
        std::string_view raw(reinterpret_cast<const char*>(b.data()), b.size());
        std::string utf8;
        if (uses_charset(e.vr()) && !raw.empty()) {
            if (auto v = cs.decode_values(raw, e.vr(), true)) {
                const Element decoded = Element::from_strings(e.tag(), e.vr(), *v);
                const auto d = decoded.bytes();
                utf8.assign(reinterpret_cast<const char*>(d.data()), d.size());
                raw = utf8;
            }
        }
        out.append(raw);
    }
    patch32(out, length_at, static_cast<std::uint32_t>(out.size() - length_at - 4));
}

void encode(std::string& out, const DataSet& ds, const SpecificCharacterSet& cs) {
    for (const Element& e : ds)
        if (kept(e)) encode(out, e, cs);
}

Result<DataSet> decode(std::string_view b, int depth) {
    if (depth > kMaxDepth) return make_error(ErrorCode::LimitExceeded, "index attributes: nested too deep");
    DataSet ds;
    std::size_t at = 0;
    while (at < b.size()) {
        if (b.size() - at < 10) return make_error(ErrorCode::Truncated, "index attributes: truncated element");
        const Tag tag(get32(b, at));
        const auto vr = vr_from_chars(b[at + 4], b[at + 5]);
        const std::uint32_t length = get32(b, at + 6);
        at += 10;
        if (!vr || length > b.size() - at) return make_error(ErrorCode::InvalidLength, "index attributes: bad element");
        const std::string_view value = b.substr(at, length);
        at += length;
        if (*vr != VR::SQ) {
            ds.insert(Element::from_bytes(
                tag, *vr, std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size())));
            continue;
        }
        Sequence seq;
        for (std::size_t i = 0; i < value.size();) {
            if (value.size() - i < 4 || get32(value, i) > value.size() - i - 4)
                return make_error(ErrorCode::InvalidLength, "index attributes: bad item");
            auto item = decode(value.substr(i + 4, get32(value, i)), depth + 1);
            if (!item) return item;
            seq.items.push_back(std::move(*item));
            i += 4 + get32(value, i);
        }
        ds.insert(Element(tag, VR::SQ, std::move(seq)));
    }
    return ds;
}

}  // namespace

std::array<std::string, 4> level_blobs(const DataSet& ds, const SpecificCharacterSet& charset) {
    std::array<std::string, 4> out;
    for (auto& b : out) b += kVersion;
    for (const Element& e : ds) {
        if (!kept(e) || model::find_key(e.tag())) continue;
        encode(out[static_cast<int>(model::entity_level(e.tag()))], e, charset);
    }
    return out;
}

std::string object_blob(const DataSet& ds, const SpecificCharacterSet& charset) {
    std::string out(1, kVersion);
    for (const Element& e : ds)
        if (kept(e)) encode(out, e, charset);
    return out;
}

Result<DataSet> decode_blob(std::string_view blob) {
    if (blob.empty()) return DataSet{};
    if (blob[0] != kVersion) return make_error(ErrorCode::Unsupported, "index attributes: unknown blob version");
    return decode(blob.substr(1), 0);
}

}  // namespace dicomkit::server::index::sql
