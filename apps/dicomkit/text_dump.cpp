// Text dump of data sets.
#include "text_dump.hpp"

#include <algorithm>

#include <dicomkit/dict/dictionary.hpp>

namespace dicomkit::cli {

namespace {

constexpr Tag kSpecificCharacterSet{0x0008, 0x0005};

std::string cut(std::string s, const DumpOptions& o) {
    if (!o.full && s.size() > o.max_value_chars) {
        s.resize(o.max_value_chars);
        s += "...";
    }
    return s;
}

void append_number(std::string& s, const Element& e, std::size_t i) {
    switch (e.vr()) {
        case VR::FL: case VR::OF: s += fmt::format("{}", e.as<float>(i).value_or(0)); break;
        case VR::FD: case VR::OD: s += fmt::format("{}", e.as<double>(i).value_or(0)); break;
        case VR::SS: s += fmt::format("{}", e.as<std::int16_t>(i).value_or(0)); break;
        case VR::SL: s += fmt::format("{}", e.as<std::int32_t>(i).value_or(0)); break;
        case VR::SV: s += fmt::format("{}", e.as<std::int64_t>(i).value_or(0)); break;
        case VR::UV: case VR::OV: s += fmt::format("{}", e.as<std::uint64_t>(i).value_or(0)); break;
        default: s += fmt::format("{}", e.as<std::uint32_t>(i).value_or(0)); break;
    }
}

std::string value_text(const Element& e, const SpecificCharacterSet& cs, const DumpOptions& o) {
    if (e.is_deferred()) return fmt::format("(not loaded, {} bytes)", e.deferred().length);
    auto b = e.bytes();
    if (b.empty()) return "(no value available)";
    if (is_string(e.vr())) {
        std::string_view raw(reinterpret_cast<const char*>(b.data()), b.size());
        raw = trim_padding(raw);
        std::string text;
        if (uses_charset(e.vr())) {
            auto d = cs.decode(raw, e.vr(), true);
            text = d ? *d : std::string(raw);
        } else {
            text = std::string(raw);
        }
        if (e.vr() == VR::UI) {
            if (const auto* u = dict::find_uid(text); u && !u->keyword.empty()) return "=" + std::string(u->keyword);
        }
        return "[" + cut(std::move(text), o) + "]";
    }
    if (e.vr() == VR::AT) {
        std::string s;
        for (std::size_t i = 0; i + 4 <= b.size(); i += 4) {
            if (i) s += '\\';
            s += e.tag_value(i / 4).value_or(Tag()).str();
        }
        return cut(std::move(s), o);
    }
    if (e.vr() == VR::OB || e.vr() == VR::UN || is_bulk(e.vr()) || word_size(e.vr()) == 0) {
        std::string s;
        std::size_t w = e.vr() == VR::OW ? 2 : e.vr() == VR::OL || e.vr() == VR::OF ? 4
                        : e.vr() == VR::OD || e.vr() == VR::OV ? 8 : 1;
        std::size_t limit = o.full ? b.size() : std::min<std::size_t>(b.size(), 32 * w);
        for (std::size_t i = 0; i + w <= limit; i += w) {
            if (i) s += '\\';
            if (w == 1) s += fmt::format("{:02x}", b[i]);
            else if (w == 2) s += fmt::format("{:04x}", load_le<std::uint16_t>(b.data() + i));
            else if (w == 4) s += fmt::format("{:08x}", load_le<std::uint32_t>(b.data() + i));
            else s += fmt::format("{:016x}", load_le<std::uint64_t>(b.data() + i));
        }
        if (limit < b.size()) s += "...";
        return s;
    }
    std::string s;
    std::size_t n = b.size() / value_size(e.vr());
    std::size_t limit = o.full ? n : std::min<std::size_t>(n, 16);
    for (std::size_t i = 0; i < limit; ++i) {
        if (i) s += '\\';
        append_number(s, e, i);
    }
    if (limit < n) s += "...";
    return s;
}

void line(std::string& out, int depth, std::string_view head, std::string_view length, std::size_t vm,
          std::string_view keyword) {
    std::size_t start = out.size();
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += head;
    std::size_t width = out.size() - start;
    if (width < 56) out.append(56 - width, ' ');
    out += fmt::format(" # {:>4}, {} {}\n", length, vm, keyword);
}

std::string keyword_for(const DataSet& ds, Tag t) {
    auto kw = dict::keyword_of(t);
    if (!kw.empty()) return std::string(kw);
    if (t.is_private()) {
        auto creator = ds.private_creator_of(t);
        if (!creator.empty()) return "PrivateTag (" + creator + ")";
        return "PrivateTag";
    }
    return "Unknown Tag";
}

bool wanted(Tag t, const DumpOptions& o) {
    return o.only_tags.empty() || std::find(o.only_tags.begin(), o.only_tags.end(), t) != o.only_tags.end();
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
    for (const Element& e : ds) {
        std::string kw = keyword_for(ds, e.tag());
        bool show = wanted(e.tag(), o);
        if (e.is_sequence()) {
            const auto& items = e.sequence().items;
            if (show) {
                line(out, depth,
                     fmt::format("{} SQ (Sequence with {} length #={})", e.tag(),
                                 e.undefined_length() ? "undefined" : "explicit", items.size()),
                     e.undefined_length() ? "u/l" : "", 1, kw);
            }
            for (const DataSet& item : items) {
                if (show) {
                    line(out, depth + 1,
                         fmt::format("(FFFE,E000) na (Item with {} length #={})",
                                     item.undefined_length() ? "undefined" : "explicit", item.size()),
                         item.undefined_length() ? "u/l" : "", 1, "Item");
                }
                dump_dataset(item, *cs, o, out, depth + 2);
            }
            continue;
        }
        if (!show) continue;
        if (e.is_fragments()) {
            const PixelFragments& pf = e.fragments();
            line(out, depth, fmt::format("{} {} (PixelSequence #={})", e.tag(), e.vr(), pf.fragments.size() + 1), "u/l",
                 1, kw);
            line(out, depth + 1, fmt::format("(FFFE,E000) pi (Basic Offset Table, {} bytes)", pf.basic_offset_table.size()),
                 std::to_string(pf.basic_offset_table.size()), 1, "Item");
            for (const Bytes& f : pf.fragments)
                line(out, depth + 1, fmt::format("(FFFE,E000) pi (fragment, {} bytes)", f.size()), std::to_string(f.size()),
                     1, "Item");
            continue;
        }
        line(out, depth, fmt::format("{} {} {}", e.tag(), e.vr(), value_text(e, *cs, o)), std::to_string(e.length()),
             e.vm(), kw);
    }
}

}  // namespace dicomkit::cli
