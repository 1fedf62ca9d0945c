#include <dicomkit/hl7/message.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include <dicomkit/core/charset.hpp>

namespace dicomkit::hl7 {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_eol(char c) { return c == '\r' || c == '\n'; }

/// The `n`th (1-based) piece of `text` split at `sep` ('\0': `text` is one piece).
std::string_view piece(std::string_view text, char sep, std::size_t n) {
    if (n == 0) return {};
    if (sep == '\0') return n == 1 ? text : std::string_view();
    std::size_t start = 0;
    for (std::size_t i = 1; i < n; ++i) {
        std::size_t p = text.find(sep, start);
        if (p == std::string_view::npos) return {};
        start = p + 1;
    }
    std::size_t end = text.find(sep, start);
    return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

/// The offset of the first byte that is not part of well-formed UTF-8; npos when all are.
std::size_t utf8_error_at(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
        else return i;
        if (i + n >= s.size()) return i;
        for (std::size_t k = 1; k <= n; ++k) {
            auto t = static_cast<unsigned char>(s[i + k]);
            if ((t & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (t & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n + 1;
    }
    return std::string_view::npos;
}
bool valid_utf8(std::string_view s) { return utf8_error_at(s) == std::string_view::npos; }

/// Segment number (from 1) of byte `offset`, counting non-empty lines as parse does.
std::size_t segment_at(std::string_view bytes, std::size_t offset) {
    std::size_t seg = 0;
    bool in_line = false;
    for (std::size_t i = 0; i < bytes.size() && i <= offset; ++i) {
        if (is_eol(bytes[i])) in_line = false;
        else if (!in_line) { in_line = true; ++seg; }
    }
    return std::max<std::size_t>(seg, 1);
}

Unexpected seg_error(ErrorCode code, std::size_t index, std::string_view id, std::string_view what) {
    std::string where = id.empty() ? fmt::format("segment {}", index) : fmt::format("segment {} ({})", index, id);
    Error e(code, fmt::format("{}: {}", where, what));
    e.tag_path = std::string(id);
    return Unexpected(std::move(e));
}

std::string decode_bytes(std::string_view bytes, std::string_view term) {
    if (term.empty()) {
        std::string out;
        for (char c : bytes) {
            if (static_cast<unsigned char>(c) < 0x80) out += c;
            else out += "\xEF\xBF\xBD";
        }
        return out;
    }
    auto cs = SpecificCharacterSet::parse(term);
    if (!cs) return std::string(bytes);
    auto d = cs->decode(bytes, VR::LO, true);
    return d ? *d : std::string();
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Result<std::string> dicom_charset_for(std::string_view msh18) {
    while (!msh18.empty() && msh18.back() == ' ') msh18.remove_suffix(1);
    while (!msh18.empty() && msh18.front() == ' ') msh18.remove_prefix(1);
    if (msh18.empty() || msh18 == "ASCII") return std::string();
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kMap{{
        {"8859/1", "ISO_IR 100"}, {"8859/2", "ISO_IR 101"}, {"8859/3", "ISO_IR 109"},
        {"8859/4", "ISO_IR 110"}, {"8859/5", "ISO_IR 144"}, {"8859/6", "ISO_IR 127"},
        {"8859/7", "ISO_IR 126"}, {"8859/8", "ISO_IR 138"}, {"8859/9", "ISO_IR 148"},
        {"8859/15", "ISO_IR 203"}, {"UNICODE UTF-8", "ISO_IR 192"},
    }};
    for (const auto& [hl7, dicom] : kMap)
        if (msh18 == hl7) return std::string(dicom);
    return make_error(ErrorCode::Unsupported,
                      fmt::format("MSH-18 character set '{}' is not supported (ASCII, 8859/1 to 8859/9, 8859/15, "
                                  "UNICODE UTF-8)",
                                  msh18));
}

std::string unescape(std::string_view text, const Delimiters& d, std::string_view charset_term) {
    if (d.escape == '\0' || text.find(d.escape) == std::string_view::npos) return std::string(text);
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c != d.escape) {
            out += c;
            ++i;
            continue;
        }
        std::size_t end = text.find(d.escape, i + 1);
        if (end == std::string_view::npos || end == i + 1) {  // unterminated or empty: literal
            out += c;
            ++i;
            continue;
        }
        std::string_view seq = text.substr(i + 1, end - i - 1);
        bool known = true;
        if (seq == "F") out += d.field;
        else if (seq == "S") out += d.component;
        else if (seq == "T") out += d.subcomponent;
        else if (seq == "R") out += d.repetition;
        else if (seq == "E") out += d.escape;
        else if (seq == "P" && d.truncation != '\0') out += d.truncation;
        else if (seq == ".br") out += "\r\n";
        else if (seq == "H" || seq == "N" || seq.starts_with(".sp") || seq.starts_with(".in") ||
                 seq.starts_with(".ti") || seq.starts_with(".sk") || seq == ".ce" || seq == ".fi" || seq == ".nf") {
            // formatting only: dropped
        } else if (seq.size() >= 3 && seq.size() % 2 == 1 && seq[0] == 'X') {
            std::string bytes;
            for (std::size_t k = 1; k + 1 < seq.size() && known; k += 2) {
                int h = hex_digit(seq[k]), l = hex_digit(seq[k + 1]);
                if (h < 0 || l < 0) known = false;
                else bytes += static_cast<char>(h * 16 + l);
            }
            if (known) out += decode_bytes(bytes, charset_term);
        } else {
            known = false;
        }
        if (!known) out.append(text.substr(i, end - i + 1));
        i = end + 1;
    }
    return out;
}

std::string escape(std::string_view text, const Delimiters& d) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const bool delimiter = c == d.field || (c != '\0' && (c == d.component || c == d.repetition ||
                                                               c == d.subcomponent || c == d.escape));
        if (delimiter && d.escape == '\0') out += ' ';  // no escape character: nothing else will do
        else if (c == d.escape && d.escape != '\0') out += fmt::format("{}E{}", d.escape, d.escape);
        else if (c == d.field) out += fmt::format("{}F{}", d.escape, d.escape);
        else if (c == d.component && c != '\0') out += fmt::format("{}S{}", d.escape, d.escape);
        else if (c == d.repetition && c != '\0') out += fmt::format("{}R{}", d.escape, d.escape);
        else if (c == d.subcomponent && c != '\0') out += fmt::format("{}T{}", d.escape, d.escape);
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out += ' ';
        else out += c;
    }
    return out;
}

const Segment* Message::find(std::string_view id, std::size_t nth) const noexcept {
    for (const Segment& s : segments_)
        if (s.id() == id && nth-- == 0) return &s;
    return nullptr;
}

std::string Message::value(const Segment& seg, std::size_t field, std::size_t repetition, std::size_t component,
                           std::size_t subcomponent) const {
    std::string_view f = seg.raw(field);
    if (seg.id() == "MSH" && field <= 2) return repetition == 1 && component == 1 && subcomponent == 1 ? std::string(f) : "";
    std::string_view r = piece(f, delimiters_.repetition, repetition);
    std::string_view c = piece(r, delimiters_.component, component);
    std::string_view s = piece(c, delimiters_.subcomponent, subcomponent);
    return unescape(s, delimiters_, charset_term_);
}

std::string Message::value(std::string_view id, std::size_t field, std::size_t repetition, std::size_t component,
                           std::size_t subcomponent) const {
    const Segment* s = find(id);
    return s ? value(*s, field, repetition, component, subcomponent) : std::string();
}

std::size_t Message::repetitions(const Segment& seg, std::size_t field) const {
    std::string_view f = seg.raw(field);
    if (f.empty()) return 0;
    if (delimiters_.repetition == '\0' || (seg.id() == "MSH" && field <= 2)) return 1;
    return static_cast<std::size_t>(std::count(f.begin(), f.end(), delimiters_.repetition)) + 1;
}

Result<Message> parse(std::string_view bytes, const ParseLimits& limits) {
    if (bytes.size() > limits.max_message_bytes)
        return make_error(ErrorCode::LimitExceeded, fmt::format("message of {} bytes is over the limit of {} bytes",
                                                                bytes.size(), limits.max_message_bytes));
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    while (!bytes.empty() && (is_eol(bytes.front()) || bytes.front() == ' ' || bytes.front() == '\t'))
        bytes.remove_prefix(1);
    if (!bytes.starts_with("MSH") || bytes.size() < 5)
        return seg_error(ErrorCode::ParseError, 1, "", "a message starts with an MSH segment");
    Delimiters d;
    d.field = bytes[3];
    if (is_alnum(d.field) || static_cast<unsigned char>(d.field) <= 0x20 || static_cast<unsigned char>(d.field) >= 0x7F)
        return seg_error(ErrorCode::ParseError, 1, "MSH",
                         "MSH-1: the field separator must be ASCII punctuation (not a letter, digit, space or control)");
    std::size_t enc_end = 4;
    while (enc_end < bytes.size() && bytes[enc_end] != d.field && !is_eol(bytes[enc_end])) ++enc_end;
    std::string_view enc = bytes.substr(4, enc_end - 4);
    if (enc.empty() || enc.size() > 5)
        return seg_error(ErrorCode::ParseError, 1, "MSH", fmt::format("MSH-2: {} encoding characters, expected 1 to 5", enc.size()));
    for (std::size_t i = 0; i < enc.size(); ++i) {
        char c = enc[i];
        if (is_alnum(c) || c == ' ' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F ||
            std::count(enc.begin(), enc.end(), c) != 1)
            return seg_error(ErrorCode::ParseError, 1, "MSH",
                             "MSH-2: the encoding characters must be distinct punctuation, other than the field separator");
    }
    d.component = enc[0];
    d.repetition = enc.size() > 1 ? enc[1] : '\0';
    d.escape = enc.size() > 2 ? enc[2] : '\0';
    d.subcomponent = enc.size() > 3 ? enc[3] : '\0';
    d.truncation = enc.size() > 4 ? enc[4] : '\0';

    // MSH-18, read on the raw bytes (it is ASCII), names how to decode the rest.
    std::size_t msh_end = 0;
    while (msh_end < bytes.size() && !is_eol(bytes[msh_end])) ++msh_end;
    std::string_view msh = bytes.substr(0, msh_end);
    std::string_view msh18 = piece(msh, d.field, 18);  // piece 1 is "MSH", piece k is MSH-(k+1)
    msh18 = piece(piece(piece(msh18, d.repetition, 1), d.component, 1), d.subcomponent, 1);
    std::string msh18_text(msh18);
    std::string term;
    std::string text;
    if (msh18.empty() && !valid_utf8(bytes)) {
        term = "ISO_IR 100";
    } else if (msh18.empty()) {
        term = "ISO_IR 192";
    } else {
        auto t = dicom_charset_for(msh18);
        if (!t) return seg_error(t.error().code, 1, "MSH", t.error().message);
        term = *t;
    }
    if (term.empty()) {
        for (std::size_t i = 0; i < bytes.size(); ++i)
            if (static_cast<unsigned char>(bytes[i]) >= 0x80)
                return seg_error(ErrorCode::CharsetError, segment_at(bytes, i), "",
                                 fmt::format("byte 0x{:02X} at offset {} is not ASCII (MSH-18 '{}')",
                                             static_cast<unsigned char>(bytes[i]), i, msh18_text));
        text.assign(bytes);
    } else if (term == "ISO_IR 192") {
        if (std::size_t bad = utf8_error_at(bytes); bad != std::string_view::npos) {
            return seg_error(ErrorCode::CharsetError, segment_at(bytes, bad), "",
                             fmt::format("bytes at offset {} are not UTF-8 (MSH-18 '{}')", bad,
                                         msh18_text.empty() ? std::string("UNICODE UTF-8") : msh18_text));
        }
        text.assign(bytes);
    } else {
        auto cs = SpecificCharacterSet::parse(term);
        if (!cs) return seg_error(ErrorCode::CharsetError, 1, "MSH", cs.error().message);
        auto decoded = cs->decode(bytes, VR::UT, false);
        if (!decoded) {
            std::size_t at = decoded.error().offset.value_or(0);
            return seg_error(ErrorCode::CharsetError, segment_at(bytes, at), "",
                             fmt::format("byte at offset {} cannot be decoded as {} (MSH-18 '{}')", at, term, msh18_text));
        }
        text = std::move(*decoded);
    }

    std::vector<Segment> segments;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = pos;
        while (end < text.size() && !is_eol(text[end])) ++end;
        std::string_view line = std::string_view(text).substr(pos, end - pos);
        pos = end;
        while (pos < text.size() && is_eol(text[pos])) ++pos;
        if (line.empty()) continue;
        const std::size_t index = segments.size() + 1;
        if (index > limits.max_segments)
            return make_error(ErrorCode::LimitExceeded,
                              fmt::format("more than {} segments (the limit)", limits.max_segments));
        std::size_t id_end = line.find(d.field);
        std::string_view id = line.substr(0, id_end);
        if (id.size() != 3 || !std::all_of(id.begin(), id.end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            }))
            return seg_error(ErrorCode::ParseError, index, "",
                             fmt::format("'{}' is not a segment ID (three upper-case letters or digits)",
                                         std::string(id.substr(0, 16))));
        if (index == 1 && id != "MSH") return seg_error(ErrorCode::ParseError, 1, id, "a message starts with MSH");
        if (index > 1 && id == "MSH") return seg_error(ErrorCode::ParseError, index, id, "a second MSH segment");
        std::vector<std::string> fields;
        std::size_t start = 0;
        while (true) {
            std::size_t p = line.find(d.field, start);
            fields.emplace_back(line.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
            if (fields.size() > limits.max_fields + 1)
                return seg_error(ErrorCode::LimitExceeded, index, id,
                                 fmt::format("more than {} fields (the limit)", limits.max_fields));
            if (p == std::string_view::npos) break;
            start = p + 1;
        }
        if (id == "MSH") fields.insert(fields.begin() + 1, std::string(1, d.field));
        segments.emplace_back(std::string(id), std::move(fields), index);
    }
    Message m(d, std::move(segments), msh18_text);
    m.set_charset_term(term);
    return m;
}

}  // namespace dicomkit::hl7
