// SpecificCharacterSet: reading (0008,0005) and choosing the codec for each value (PS3.5 6.1).
#include <dicomkit/core/charset.hpp>

#include <fmt/format.h>

#include <dicomkit/core/charset_detail.hpp>

namespace dicomkit {

namespace {

using detail::kDefaultTerm;
using detail::term_table;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\0')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_values(std::string_view value) {
    std::vector<std::string_view> out;
    for (;;) {
        const auto cut = value.find('\\');
        out.push_back(trim(value.substr(0, cut)));
        if (cut == std::string_view::npos) return out;
        value.remove_prefix(cut + 1);
    }
}

bool is_stateless_multibyte(std::uint8_t id) {
    return id != kDefaultTerm && term_table()[id].encoding != detail::Encoding::Iso2022;
}

void warn(std::vector<std::string>* warnings, std::string message) {
    if (warnings) warnings->push_back(std::move(message));
}

}  // namespace

Result<SpecificCharacterSet> SpecificCharacterSet::parse(std::string_view value) {
    const auto values = split_values(value);
    SpecificCharacterSet cs;
    if (values.size() == 1 && values[0].empty()) return cs;
    const bool multi = values.size() > 1;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::string_view term = values[i];
        if (term.empty()) {
            if (i != 0)
                return make_error(
                    ErrorCode::CharsetError,
                    fmt::format("Specific Character Set '{}': value {} is empty", value, i + 1));
            cs.terms_.emplace_back();
            cs.ids_.push_back(kDefaultTerm);
            continue;
        }
        const auto id = detail::find_term(term);
        if (!id)
            return make_error(ErrorCode::CharsetError,
                              fmt::format("unknown Specific Character Set term '{}'", term));
        // PS3.3 C.12.1.1.2: terms of Table C.12-2 and C.12-5 stand alone; only those of
        // Tables C.12-3 and C.12-4 take part in code extensions.
        if (multi && !term_table()[*id].extensions)
            return make_error(
                ErrorCode::CharsetError,
                fmt::format(
                    "Specific Character Set '{}': '{}' does not allow code extensions, so it "
                    "cannot be one of several values",
                    value, term));
        cs.terms_.emplace_back(term);
        cs.ids_.push_back(*id);
    }
    cs.resolve();
    return cs;
}

SpecificCharacterSet SpecificCharacterSet::lenient_parse(std::string_view value,
                                                         std::vector<std::string>* warnings) {
    const auto values = split_values(value);
    const bool multi = values.size() > 1;
    std::vector<std::uint8_t> ids;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::string_view term = values[i];
        auto id = term.empty() ? std::nullopt : detail::find_term(term);
        if (!id && !term.empty()) {
            id = detail::guess_term(term);
            if (id && *id == kDefaultTerm && i != 0) id = detail::find_term("ISO 2022 IR 6");
            if (id)
                warn(warnings, fmt::format("Specific Character Set term '{}' read as {}", term,
                                           *id == kDefaultTerm
                                               ? std::string("the default repertoire")
                                               : fmt::format("'{}'", term_table()[*id].term)));
            else
                warn(warnings,
                     fmt::format("unknown Specific Character Set term '{}' ignored", term));
        } else if (!id && i != 0) {
            warn(warnings, fmt::format("empty value {} of Specific Character Set ignored", i + 1));
        }
        if (id || i == 0) ids.push_back(id.value_or(kDefaultTerm));
    }
    // Several values with a stateless multi-byte encoding among them: that encoding alone.
    for (std::uint8_t id : ids) {
        if (!multi || !is_stateless_multibyte(id)) continue;
        warn(
            warnings,
            fmt::format("'{}' does not allow code extensions; the other values of '{}' are ignored",
                        term_table()[id].term, value));
        ids = {id};
        break;
    }
    if (ids.size() > 1) {
        for (auto& id : ids) {
            const auto ext = id == kDefaultTerm ? std::nullopt : detail::extension_form(id);
            if (!ext) continue;
            warn(warnings, fmt::format("'{}' among several values read as '{}'",
                                       term_table()[id].term, term_table()[*ext].term));
            id = *ext;
        }
    }
    SpecificCharacterSet cs;
    if (ids.size() == 1 && ids[0] == kDefaultTerm) return cs;
    for (std::uint8_t id : ids) {
        cs.terms_.emplace_back(id == kDefaultTerm ? std::string_view{} : term_table()[id].term);
        cs.ids_.push_back(id);
    }
    cs.resolve();
    return cs;
}

void SpecificCharacterSet::resolve() {
    if (ids_.empty()) return;  // the default repertoire
    repertoire_ =
        std::make_shared<const detail::Repertoire>(detail::make_repertoire(ids_, label()));
}

bool SpecificCharacterSet::is_utf8_compatible() const noexcept {
    for (std::uint8_t id : ids_) {
        if (id == kDefaultTerm) continue;
        const auto& t = term_table()[id];
        if (t.encoding == detail::Encoding::Utf8) continue;
        if (t.term == "ISO 2022 IR 6") continue;
        return false;
    }
    return true;
}

std::string SpecificCharacterSet::label() const {
    std::string s = "Specific Character Set '";
    for (std::size_t i = 0; i < terms_.size(); ++i) {
        if (i) s += '\\';
        s += terms_[i];
    }
    return s + "'";
}

Result<std::string> SpecificCharacterSet::decode(std::string_view bytes, VR vr,
                                                 bool lenient) const {
    // PS3.5 6.1.2.3: the Specific Character Set applies to SH, LO, ST, LT, PN, UC and UT only;
    // other string values are in the default repertoire.
    const detail::Repertoire& rep =
        uses_charset(vr) && repertoire_ ? *repertoire_ : detail::default_repertoire();
    switch (rep.encoding) {
        case detail::Encoding::Utf8:
            return detail::decode_utf8(bytes, lenient);
        case detail::Encoding::Gb18030:
            return detail::decode_whole(bytes, "GB18030", "GB18030", lenient);
        case detail::Encoding::Gbk:
            return detail::decode_whole(bytes, "GBK", "GBK", lenient);
        case detail::Encoding::Iso2022:
            break;
    }
    return detail::decode_iso2022(bytes, rep, vr, lenient);
}

Result<std::string> SpecificCharacterSet::encode(std::string_view utf8, VR vr) const {
    if (auto ok = detail::validate_utf8(utf8, ErrorCode::InvalidArgument); !ok)
        return Unexpected(std::move(ok.error()));
    const detail::Repertoire& rep =
        uses_charset(vr) && repertoire_ ? *repertoire_ : detail::default_repertoire();
    switch (rep.encoding) {
        case detail::Encoding::Utf8:
            return std::string(utf8);
        case detail::Encoding::Gb18030:
            return detail::encode_whole(utf8, "GB18030", "GB18030");
        case detail::Encoding::Gbk:
            return detail::encode_whole(utf8, "GBK", "GBK");
        case detail::Encoding::Iso2022:
            break;
    }
    return detail::encode_iso2022(utf8, rep, vr);
}

}  // namespace dicomkit

namespace dicomkit {

Result<std::vector<std::string>> SpecificCharacterSet::decode_values(std::string_view bytes, VR vr,
                                                                     bool lenient) const {
    while (!bytes.empty() && (bytes.back() == ' ' || bytes.back() == '\0')) bytes.remove_suffix(1);
    auto text = decode(bytes, vr, lenient);
    if (!text) return Unexpected(text.error());
    std::vector<std::string> out;
    if (text->empty()) return out;
    if (!is_multi_valued_string(vr)) {
        out.push_back(std::move(*text));
        return out;
    }
    std::string_view all = *text;
    for (;;) {
        std::size_t cut = all.find('\\');
        std::string_view part = all.substr(0, cut);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        out.emplace_back(part);
        if (cut == std::string_view::npos) break;
        all.remove_prefix(cut + 1);
    }
    return out;
}

}  // namespace dicomkit
