// Text dump of data sets. Written straight into one output buffer with no per-element
// formatting machinery: dumping whole archives is an everyday job.
#include "text_dump.hpp"

#include <algorithm>
#include <charconv>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/private_dictionary.hpp>

namespace dicomkit::cli {

namespace {

constexpr Tag kSpecificCharacterSet{0x0008, 0x0005};
constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

void hex(std::string& out, std::uint64_t v, int digits, const char* table = kHex) {
    char buf[16];
    for (int i = digits - 1; i >= 0; --i) {
        buf[i] = table[v & 0xF];
        v >>= 4;
    }
    out.append(buf, static_cast<std::size_t>(digits));
}

void append_tag(std::string& out, Tag t) {
    char buf[11] = {'(', 0, 0, 0, 0, ',', 0, 0, 0, 0, ')'};
    for (int i = 0; i < 4; ++i) {
        buf[4 - i] = kHexUpper[(t.group >> (4 * i)) & 0xF];
        buf[9 - i] = kHexUpper[(t.element >> (4 * i)) & 0xF];
    }
    out.append(buf, sizeof buf);
}

template <typename T>
void number(std::string& out, T v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_value_number(std::string& s, const Element& e, std::size_t i) {
    switch (e.vr()) {
        case VR::FL: case VR::OF: number(s, e.as<float>(i).value_or(0)); break;
        case VR::FD: case VR::OD: number(s, e.as<double>(i).value_or(0)); break;
        case VR::SS: number(s, e.as<std::int16_t>(i).value_or(0)); break;
        case VR::SL: number(s, e.as<std::int32_t>(i).value_or(0)); break;
        case VR::SV: number(s, e.as<std::int64_t>(i).value_or(0)); break;
        case VR::UV: case VR::OV: number(s, e.as<std::uint64_t>(i).value_or(0)); break;
        default: number(s, e.as<std::uint32_t>(i).value_or(0)); break;
    }
}

bool is_plain_ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80 || c == 0x1B) return false;
    return true;
}

void append_cut(std::string& out, std::string_view text, const DumpOptions& o) {
    if (!o.full && text.size() > o.max_value_chars) {
        out.append(text.substr(0, o.max_value_chars));
        out += "...";
    } else {
        out.append(text);
    }
}

void append_string_value(std::string& out, const Element& e, std::span<const std::uint8_t> b,
                         const SpecificCharacterSet& cs, const DumpOptions& o) {
    std::string_view raw = trim_padding(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    if (e.vr() == VR::UI) {
        if (const auto* u = dict::find_uid(raw); u && !u->keyword.empty()) {
            out += '=';
            out += u->keyword;
            return;
        }
    }
    out += '[';
    if (uses_charset(e.vr()) && !is_plain_ascii(raw)) {
        auto d = cs.decode(raw, e.vr(), true);
        append_cut(out, d ? std::string_view(*d) : raw, o);
    } else {
        append_cut(out, raw, o);
    }
    out += ']';
}

void append_binary_value(std::string& out, const Element& e, std::span<const std::uint8_t> b, bool partial,
                         const DumpOptions& o) {
    if (e.vr() == VR::AT) {
        for (std::size_t i = 0; i + 4 <= b.size(); i += 4) {
            if (i) out += '\\';
            append_tag(out, Tag(load_le<std::uint16_t>(b.data() + i), load_le<std::uint16_t>(b.data() + i + 2)));
        }
        return;
    }
    if (is_bulk(e.vr()) || word_size(e.vr()) == 0) {
        std::size_t w = e.vr() == VR::OW ? 2 : e.vr() == VR::OL || e.vr() == VR::OF ? 4
                        : e.vr() == VR::OD || e.vr() == VR::OV ? 8 : 1;
        std::size_t limit = o.full ? b.size() : std::min<std::size_t>(b.size(), 32 * w);
        for (std::size_t i = 0; i + w <= limit; i += w) {
            if (i) out += '\\';
            std::uint64_t v = w == 1 ? b[i] : w == 2 ? load_le<std::uint16_t>(b.data() + i)
                              : w == 4 ? load_le<std::uint32_t>(b.data() + i) : load_le<std::uint64_t>(b.data() + i);
            hex(out, v, static_cast<int>(2 * w));
        }
        if (limit < b.size() || partial) out += "...";
        return;
    }
    std::size_t n = b.size() / value_size(e.vr());
    std::size_t limit = o.full ? n : std::min<std::size_t>(n, 16);
    for (std::size_t i = 0; i < limit; ++i) {
        if (i) out += '\\';
        append_value_number(out, e, i);
    }
    if (limit < n || partial) out += "...";
}

/// Appends the value column of `e`, its bytes read as VR `as` (the private dictionary's VR of an
/// element stored as UN; else e's own VR).
void append_value(std::string& out, const Element& e, VR as, const SpecificCharacterSet& cs, const DumpOptions& o) {
    Bytes peeked;
    std::span<const std::uint8_t> b = e.bytes();
    if (e.is_deferred()) {
        if (!o.peek_deferred) {
            out += "(not loaded, ";
            number(out, e.deferred().length);
            out += " bytes)";
            return;
        }
        peeked = o.peek_deferred(e, 256);
        b = peeked;
    }
    if (b.empty()) {
        out += "(no value available)";
        return;
    }
    bool partial = e.is_deferred() && b.size() < e.deferred().length;
    if (as != e.vr()) {
        Element typed = Element::from_bytes(e.tag(), as, b);
        if (is_string(as))
            append_string_value(out, typed, b, cs, o);
        else
            append_binary_value(out, typed, typed.bytes(), partial, o);
        return;
    }
    if (is_string(e.vr())) {
        append_string_value(out, e, b, cs, o);
        return;
    }
    append_binary_value(out, e, b, partial, o);
}

/// Pads the line begun at `start` to the comment column and appends "# length, VM keyword".
void finish_line(std::string& out, std::size_t start, std::string_view length, std::size_t vm,
                 std::string_view keyword, std::string_view keyword_suffix = {}) {
    std::size_t width = out.size() - start;
    if (width < 56) out.append(56 - width, ' ');
    out += " # ";
    if (length.size() < 4) out.append(4 - length.size(), ' ');
    out += length;
    out += ", ";
    number(out, vm);
    out += ' ';
    out += keyword;
    out += keyword_suffix;
    out += '\n';
}

void begin_line(std::string& out, int depth, Tag t, std::string_view vr) {
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    append_tag(out, t);
    out += ' ';
    out += vr;
    out += ' ';
}

/// The keyword column: the dictionary's keyword; for a private tag the private dictionary's name
/// and its creator ("Full fidelity (GEMS_IDEN_01)"), or "PrivateTag (creator)" when the creator
/// or the element is unknown (kept in `storage`, which the returned view may point into). `info`
/// is set to the private dictionary's entry.
std::string_view keyword_for(const DataSet& ds, Tag t, std::string& storage,
                             const dict::PrivateAttributeInfo*& info) {
    info = nullptr;
    auto k = dict::keyword_of(t);
    if (!k.empty()) return k;
    if (t.is_private()) {
        auto resolved = dict::resolve_private(ds, t);
        if (resolved.creator.empty()) return "PrivateTag";
        info = resolved.info;
        storage = info ? std::string(info->name) : std::string("PrivateTag");
        storage += " (" + resolved.creator + ")";
        return storage;
    }
    return "UnknownTag";
}

/// The VR to show `e`'s value as: a private element kept as UN (explicit UN, or read in implicit
/// VR, which gives private elements no VR) is decoded with its private dictionary VR. The
/// element itself is left as it is, so conversion keeps its bytes.
VR shown_vr(const Element& e, const dict::PrivateAttributeInfo* info) {
    if (!info || e.vr() != VR::UN) return e.vr();
    if (info->vr == VR::SQ || info->vr == VR::UN) return e.vr();
    return info->vr;
}

bool wanted(Tag t, const DumpOptions& o) {
    return o.only_tags.empty() || std::find(o.only_tags.begin(), o.only_tags.end(), t) != o.only_tags.end();
}

void dump_fragments(std::string& out, int depth, const Element& e, std::string_view kw) {
    const PixelFragments& pf = e.fragments();
    std::size_t start = out.size();
    begin_line(out, depth, e.tag(), to_string(e.vr()));
    out += "(PixelSequence #=";
    number(out, pf.fragments.size() + 1);
    out += ')';
    finish_line(out, start, "u/l", 1, kw);
    auto item = [&](std::size_t size, std::string_view what) {
        std::size_t s = out.size();
        begin_line(out, depth + 1, tags::Item, "pi");
        out += '(';
        out += what;
        out += ", ";
        number(out, size);
        out += " bytes)";
        finish_line(out, s, std::to_string(size), 1, "Item");
    };
    item(pf.basic_offset_table.size(), "Basic Offset Table");
    for (const Bytes& f : pf.fragments) item(f.size(), "fragment");
}

}  // namespace

void dump_dataset(const DataSet& ds, const SpecificCharacterSet& inherited, const DumpOptions& o, std::string& out,
                  int depth) {
    SpecificCharacterSet own;
    const SpecificCharacterSet* cs = &inherited;
    if (const Element* e = ds.find(kSpecificCharacterSet)) {
        own = SpecificCharacterSet::lenient_parse(std::string(e->string_value().value_or("")));
        cs = &own;
    }
    std::string kw_storage;
    std::string_view kw;
    const dict::PrivateAttributeInfo* pinfo = nullptr;
    for (const Element& e : ds) {
        bool show = wanted(e.tag(), o);
        if (show) kw = keyword_for(ds, e.tag(), kw_storage, pinfo);
        if (e.is_sequence()) {
            const auto& items = e.sequence().items;
            if (show) {
                std::size_t start = out.size();
                begin_line(out, depth, e.tag(), "SQ");
                out += e.undefined_length() ? "(Sequence with undefined length #=" : "(Sequence with explicit length #=";
                number(out, items.size());
                out += ')';
                finish_line(out, start, e.undefined_length() ? "u/l" : "", 1, kw);
            }
            for (const DataSet& item : items) {
                if (show) {
                    std::size_t start = out.size();
                    begin_line(out, depth + 1, tags::Item, "na");
                    out += item.undefined_length() ? "(Item with undefined length #=" : "(Item with explicit length #=";
                    number(out, item.size());
                    out += ')';
                    finish_line(out, start, item.undefined_length() ? "u/l" : "", 1, "Item");
                }
                dump_dataset(item, *cs, o, out, depth + 2);
            }
            continue;
        }
        if (!show) continue;
        if (e.is_fragments()) {
            dump_fragments(out, depth, e, kw);
            continue;
        }
        std::size_t start = out.size();
        const VR as = shown_vr(e, pinfo);
        begin_line(out, depth, e.tag(), to_string(as));
        append_value(out, e, as, *cs, o);
        std::size_t vm = as == e.vr() || e.is_deferred() ? e.vm() : Element::from_bytes(e.tag(), as, e.bytes()).vm();
        char len[24];
        auto r = std::to_chars(len, len + sizeof len, e.length());
        finish_line(out, start, std::string_view(len, static_cast<std::size_t>(r.ptr - len)), vm, kw);
    }
}

}  // namespace dicomkit::cli
