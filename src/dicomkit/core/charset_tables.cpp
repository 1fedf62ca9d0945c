// The defined terms of Specific Character Set (PS3.3 C.12.1.1.2, Tables C.12-2 to C.12-5), the
// code elements they designate and the ISO 2022 escape sequences that designate them.
#include <algorithm>
#include <cctype>
#include <string>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/charset_detail.hpp>

namespace dicomkit::detail {

namespace {

using CE = CodeElement;

// PS3.3 Tables C.12-3 and C.12-4 give the escape sequences as column/row pairs: ESC 02/13 04/01
// is ESC '-' 'A' (a 96-character set into G1), ESC 02/04 04/02 is ESC '$' 'B' (a multi-byte
// 94-character set into G0, the short form ISO 2022 keeps for final bytes 04/00..04/02),
// ESC 02/04 02/09 04/03 is ESC '$' ')' 'C' (a multi-byte set into G1).
constexpr ElementInfo kElements[] = {
    {CE::None, "none", "", 0, 1, ""},
    {CE::IsoIr6, "ISO-IR 6", "(B", 0, 1, ""},
    {CE::IsoIr14, "ISO-IR 14", "(J", 0, 1, ""},
    {CE::IsoIr13, "ISO-IR 13", ")I", 1, 1, ""},
    {CE::IsoIr100, "ISO-IR 100", "-A", 1, 1, "ISO-8859-1"},
    {CE::IsoIr101, "ISO-IR 101", "-B", 1, 1, "ISO-8859-2"},
    {CE::IsoIr109, "ISO-IR 109", "-C", 1, 1, "ISO-8859-3"},
    {CE::IsoIr110, "ISO-IR 110", "-D", 1, 1, "ISO-8859-4"},
    {CE::IsoIr144, "ISO-IR 144", "-L", 1, 1, "ISO-8859-5"},
    {CE::IsoIr127, "ISO-IR 127", "-G", 1, 1, "ISO-8859-6"},
    {CE::IsoIr126, "ISO-IR 126", "-F", 1, 1, "ISO-8859-7"},
    {CE::IsoIr138, "ISO-IR 138", "-H", 1, 1, "ISO-8859-8"},
    {CE::IsoIr148, "ISO-IR 148", "-M", 1, 1, "ISO-8859-9"},
    {CE::IsoIr203, "ISO-IR 203", "-b", 1, 1, "ISO-8859-15"},
    {CE::IsoIr166, "ISO-IR 166", "-T", 1, 1, "TIS-620"},
    {CE::IsoIr87, "ISO-IR 87", "$B", 0, 2, "EUC-JP"},
    {CE::IsoIr159, "ISO-IR 159", "$(D", 0, 2, "EUC-JP"},
    {CE::IsoIr149, "ISO-IR 149", "$)C", 1, 2, "EUC-KR"},
    {CE::IsoIr58, "ISO-IR 58", "$)A", 1, 2, "EUC-CN"},
};

constexpr TermInfo kTerms[] = {
    // Table C.12-2: single-byte, without code extensions.
    {"ISO_IR 100", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr100},
    {"ISO_IR 101", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr101},
    {"ISO_IR 109", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr109},
    {"ISO_IR 110", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr110},
    {"ISO_IR 144", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr144},
    {"ISO_IR 127", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr127},
    {"ISO_IR 126", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr126},
    {"ISO_IR 138", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr138},
    {"ISO_IR 148", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr148},
    {"ISO_IR 203", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr203},
    {"ISO_IR 13", false, Encoding::Iso2022, CE::IsoIr14, CE::IsoIr13},
    {"ISO_IR 166", false, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr166},
    // Table C.12-3: single-byte, with code extensions.
    {"ISO 2022 IR 6", true, Encoding::Iso2022, CE::IsoIr6, CE::None},
    {"ISO 2022 IR 100", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr100},
    {"ISO 2022 IR 101", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr101},
    {"ISO 2022 IR 109", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr109},
    {"ISO 2022 IR 110", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr110},
    {"ISO 2022 IR 144", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr144},
    {"ISO 2022 IR 127", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr127},
    {"ISO 2022 IR 126", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr126},
    {"ISO 2022 IR 138", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr138},
    {"ISO 2022 IR 148", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr148},
    {"ISO 2022 IR 203", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr203},
    {"ISO 2022 IR 13", true, Encoding::Iso2022, CE::IsoIr14, CE::IsoIr13},
    {"ISO 2022 IR 166", true, Encoding::Iso2022, CE::IsoIr6, CE::IsoIr166},
    // Table C.12-4: multi-byte, with code extensions.
    {"ISO 2022 IR 87", true, Encoding::Iso2022, CE::IsoIr87, CE::None},
    {"ISO 2022 IR 159", true, Encoding::Iso2022, CE::IsoIr159, CE::None},
    {"ISO 2022 IR 149", true, Encoding::Iso2022, CE::None, CE::IsoIr149},
    {"ISO 2022 IR 58", true, Encoding::Iso2022, CE::None, CE::IsoIr58},
    // Table C.12-5: multi-byte, without code extensions.
    {"ISO_IR 192", false, Encoding::Utf8, CE::None, CE::None},
    {"GB18030", false, Encoding::Gb18030, CE::None, CE::None},
    {"GBK", false, Encoding::Gbk, CE::None, CE::None},
};

std::string squeeze(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == ' ' || c == '_' || c == '-') continue;
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

bool is_single_byte_g0(CE e) noexcept { return e == CE::IsoIr6 || e == CE::IsoIr14; }

}  // namespace

const ElementInfo& element_info(CodeElement e) noexcept {
    return kElements[static_cast<std::size_t>(e)];
}

std::optional<CodeElement> element_for_escape(std::string_view after_esc) noexcept {
    for (const auto& info : kElements)
        if (!info.escape.empty() && info.escape == after_esc) return info.id;
    return std::nullopt;
}

std::optional<CodeElement> element_for_lenient_escape(std::string_view after_esc) noexcept {
    if (after_esc == "$@" || after_esc == "$(@" || after_esc == "$(B") return CE::IsoIr87;
    return std::nullopt;
}

std::span<const TermInfo> term_table() noexcept { return kTerms; }

std::optional<std::uint8_t> find_term(std::string_view term) noexcept {
    for (std::size_t i = 0; i < std::size(kTerms); ++i)
        if (kTerms[i].term == term) return static_cast<std::uint8_t>(i);
    return std::nullopt;
}

std::optional<std::uint8_t> guess_term(std::string_view term) noexcept {
    const std::string key = squeeze(term);
    if (key.empty()) return std::nullopt;
    if (key == "ISOIR6") return kDefaultTerm;
    if (key == "UTF8") return find_term("ISO_IR 192");
    if (key == "GB2312") return find_term("GBK");  // EUC-CN without escapes is a subset of GBK
    for (std::size_t i = 0; i < std::size(kTerms); ++i)
        if (squeeze(kTerms[i].term) == key) return static_cast<std::uint8_t>(i);
    return std::nullopt;
}

std::optional<std::uint8_t> extension_form(std::uint8_t term_index) noexcept {
    const TermInfo& t = kTerms[term_index];
    if (t.extensions || t.encoding != Encoding::Iso2022) return std::nullopt;
    std::string name = "ISO 2022 IR " + std::string(t.term.substr(7));  // after "ISO_IR "
    return find_term(name);
}

bool Repertoire::is_declared(CodeElement e) const noexcept {
    return std::find(declared.begin(), declared.end(), e) != declared.end();
}

const Repertoire& default_repertoire() {
    static const Repertoire rep = [] {
        Repertoire r;
        r.declared = {CE::IsoIr6};
        r.label = "the default repertoire";
        return r;
    }();
    return rep;
}

Repertoire make_repertoire(const std::vector<std::uint8_t>& term_ids, std::string label) {
    Repertoire rep = default_repertoire();
    if (!label.empty()) rep.label = std::move(label);
    if (term_ids.empty()) return rep;
    const std::uint8_t first = term_ids.front();
    if (first != kDefaultTerm && kTerms[first].encoding != Encoding::Iso2022) {
        rep.encoding = kTerms[first].encoding;  // UTF-8, GB18030, GBK: one value only
        return rep;
    }
    rep.extensions = term_ids.size() > 1 || (first != kDefaultTerm && kTerms[first].extensions);
    if (first != kDefaultTerm) {
        // PS3.5 6.1.2.5.1: value 1 is designated initially, as G0 and G1. A double-byte G0 set
        // in value 1 cannot be the initial G0 (delimiters are single bytes), so ASCII stays.
        const TermInfo& t = kTerms[first];
        if (is_single_byte_g0(t.g0)) rep.initial_g0 = t.g0;
        rep.initial_g1 = t.g1;
    }
    for (std::uint8_t id : term_ids) {
        if (id == kDefaultTerm) continue;
        for (CE e : {kTerms[id].g0, kTerms[id].g1})
            if (e != CE::None && !rep.is_declared(e)) rep.declared.push_back(e);
    }
    return rep;
}

}  // namespace dicomkit::detail

namespace dicomkit {

std::vector<std::string_view> supported_character_sets() {
    std::vector<std::string_view> out;
    for (const auto& t : detail::kTerms) out.push_back(t.term);
    return out;
}

}  // namespace dicomkit
