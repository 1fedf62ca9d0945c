// Character-set aware splitting, trimming, decoding and encoding of string values.
#include <dicomkit/json/detail/text_codec.hpp>


#include <fmt/format.h>

namespace dicomkit::json::detail {

namespace {

constexpr char kEsc = '\x1B';

bool is_default_term(std::string_view t) {
    return t.empty() || t == "ISO_IR 6" || t == "ISO 2022 IR 6";
}

SplitMode split_mode_of(const SpecificCharacterSet& cs) {
    SplitMode mode = SplitMode::Simple;
    for (const std::string& t : cs.terms()) {
        if (t == "ISO 2022 IR 87" || t == "ISO 2022 IR 159") mode = SplitMode::Iso2022;
        if (t == "GB18030" || t == "GBK") return SplitMode::LeadByte;
    }
    return mode;
}

bool all_default(const SpecificCharacterSet& cs) {
    for (const std::string& t : cs.terms())
        if (!is_default_term(t)) return false;
    return true;
}

}  // namespace

bool is_plain_ascii(std::string_view s) noexcept {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80 || c == kEsc) return false;
    return true;
}

std::string_view trim_value(std::string_view v, VR vr) noexcept {
    while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
    switch (vr) {
        case VR::LT:
        case VR::ST:
        case VR::UT:
        case VR::UR:
            return v;  // leading spaces are significant in text (PS3.5 6.2)
        default:
            while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            return v;
    }
}

TextCodec::TextCodec(SpecificCharacterSet cs, bool lenient)
    : cs_(std::move(cs)),
      mode_(split_mode_of(cs_)),
      lenient_(lenient),
      default_(all_default(cs_)) {}

Result<TextCodec> TextCodec::from_element(const Element& e, bool lenient) {
    auto b = e.bytes();
    std::string_view value(reinterpret_cast<const char*>(b.data()), b.size());
    while (!value.empty() && (value.back() == ' ' || value.back() == '\0')) value.remove_suffix(1);
    if (lenient) return TextCodec(SpecificCharacterSet::lenient_parse(value), true);
    auto cs = SpecificCharacterSet::parse(value);
    if (!cs) return Unexpected(cs.error());
    return TextCodec(std::move(*cs), false);
}

std::size_t TextCodec::find_delimiter(std::string_view s, std::size_t from) const noexcept {
    if (mode_ == SplitMode::Simple) {
        std::size_t p = s.find('\\', from);
        return p == std::string_view::npos ? s.size() : p;
    }
    bool g0_double = false;  // a two-byte set is designated to G0 (ISO 2022)
    for (std::size_t i = from; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (mode_ == SplitMode::LeadByte) {
            if (c >= 0x81 && c <= 0xFE) {
                i += 2;
                continue;
            }
        } else if (c == 0x1B) {
            // ESC, intermediate bytes 02/00-02/15, one final byte (ISO 2022 / ECMA-35).
            std::size_t j = i + 1;
            while (j < s.size() && s[j] >= 0x20 && s[j] <= 0x2F) ++j;
            if (j < s.size()) ++j;
            std::string_view seq = s.substr(i + 1, j - i - 1);
            if (seq == "$B" || seq == "$@" || seq == "$(D") {
                g0_double = true;
            } else if (seq == "(B" || seq == "(J") {
                g0_double = false;
            }
            i = j;
            continue;
        } else if (g0_double && c >= 0x21 && c <= 0x7E) {
            i += 2;
            continue;
        }
        if (c == '\\') return i;
        ++i;
    }
    return s.size();
}

Result<std::string_view> TextCodec::decode(std::string_view raw, VR vr,
                                           std::string& scratch) const {
    if (is_plain_ascii(raw)) return raw;
    auto text = cs_.decode(raw, vr, lenient_);
    if (!text) return Unexpected(text.error());
    scratch = std::move(*text);
    return std::string_view(scratch);
}

Result<std::string> TextCodec::encode(std::string_view utf8, VR vr) const {
    bool ascii = true;
    for (char c : utf8)
        if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (ascii) return std::string(utf8);
    if (default_)
        return make_error(ErrorCode::CharsetError,
                          "text outside the default repertoire needs a Specific Character Set");
    return cs_.encode(utf8, vr);
}

Result<std::array<std::string_view, 3>> split_person_name(std::string_view v) {
    std::array<std::string_view, 3> groups{};
    std::size_t n = 0;
    std::size_t start = 0;
    for (;;) {
        std::size_t p = v.find('=', start);
        if (n == 3)
            return make_error(
                ErrorCode::InvalidValue,
                fmt::format("person name '{}' has more than three component groups", v));
        groups[n++] =
            v.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start);
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
    return groups;
}

Result<std::array<std::string_view, 5>> split_name_components(std::string_view g) {
    std::array<std::string_view, 5> parts{};
    std::size_t n = 0;
    std::size_t start = 0;
    for (;;) {
        std::size_t p = g.find('^', start);
        if (n == 5)
            return make_error(
                ErrorCode::InvalidValue,
                fmt::format("name component group '{}' has more than five components", g));
        parts[n++] =
            g.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start);
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
    return parts;
}

std::string join_trimmed(std::span<const std::string> pieces, char sep) {
    std::size_t n = pieces.size();
    while (n > 0 && pieces[n - 1].empty()) --n;
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i) out.push_back(sep);
        out += pieces[i];
    }
    return out;
}

Result<Element> make_string_element(Tag tag, VR vr, std::span<const std::string> values) {
    const bool multi = is_multi_valued_string(vr);
    if (!multi && values.size() > 1)
        return make_error(ErrorCode::InvalidValue,
                          fmt::format("{} takes a single value, got {}", vr, values.size()));
    std::string joined;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (multi && values[i].find('\\') != std::string::npos)
            return make_error(
                ErrorCode::InvalidValue,
                fmt::format("value {} contains '\\', the value delimiter of {}", i + 1, vr));
        if (i) joined.push_back('\\');
        joined += values[i];
    }
    return Element::from_string(tag, vr, joined);
}

}  // namespace dicomkit::json::detail
