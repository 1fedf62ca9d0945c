// Conversions below the ISO 2022 machine: UTF-8, glibc iconv, single characters of each code
// element, and the stateless encodings (UTF-8, GB18030, GBK) of whole values.
#include <cerrno>
#include <iconv.h>

#include <fmt/format.h>

#include <dicomkit/core/charset_detail.hpp>

namespace dicomkit::detail {

// ---- UTF-8 -----------------------------------------------------------------------------------

Utf8Char next_utf8(std::string_view s, std::size_t pos) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
    const std::uint8_t b0 = byte(pos);
    if (b0 < 0x80) return {b0, 1, true};
    // Unicode 15, Table 3-7 (well-formed byte sequences): the second byte's range depends on
    // the first so that overlong forms, surrogates and values over U+10FFFF are excluded.
    std::size_t len = 0;
    std::uint8_t lo = 0x80, hi = 0xBF;
    char32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2, cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3, cp = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4, cp = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return {0, 1, false};
    }
    for (std::size_t i = 1; i < len; ++i) {
        if (pos + i >= s.size()) return {0, i, false};
        const std::uint8_t b = byte(pos + i);
        if (b < lo || b > hi) return {0, i, false};
        lo = 0x80, hi = 0xBF;
        cp = (cp << 6) | (b & 0x3F);
    }
    return {cp, len, true};
}

void append_utf8(std::string& out, char32_t cp) {
    const auto put = [&](std::uint32_t v) { out += static_cast<char>(v); };
    if (cp < 0x80) {
        put(cp);
    } else if (cp < 0x800) {
        put(0xC0 | (cp >> 6)), put(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        put(0xE0 | (cp >> 12)), put(0x80 | ((cp >> 6) & 0x3F)), put(0x80 | (cp & 0x3F));
    } else {
        put(0xF0 | (cp >> 18)), put(0x80 | ((cp >> 12) & 0x3F));
        put(0x80 | ((cp >> 6) & 0x3F)), put(0x80 | (cp & 0x3F));
    }
}

std::string code_point_name(char32_t cp) {
    return fmt::format("U+{:04X}", static_cast<std::uint32_t>(cp));
}

Unexpected charset_error(std::size_t offset, std::string message) {
    Error e(ErrorCode::CharsetError, std::move(message));
    e.offset = offset;
    return Unexpected(std::move(e));
}

Result<void> validate_utf8(std::string_view utf8, ErrorCode code) {
    for (std::size_t pos = 0; pos < utf8.size();) {
        const Utf8Char c = next_utf8(utf8, pos);
        if (!c.valid) {
            Error e(code, fmt::format("invalid UTF-8 at offset {} (byte 0x{:02X})", pos,
                                      static_cast<std::uint8_t>(utf8[pos])));
            e.offset = pos;
            return Unexpected(std::move(e));
        }
        pos += c.length;
    }
    return {};
}

Result<std::string> decode_utf8(std::string_view bytes, bool lenient) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t pos = 0; pos < bytes.size();) {
        const Utf8Char c = next_utf8(bytes, pos);
        if (c.valid) {
            out.append(bytes.substr(pos, c.length));
        } else if (lenient) {
            append_utf8(out, kReplacement);
        } else {
            return charset_error(
                pos, fmt::format("invalid UTF-8 (ISO_IR 192) at offset {} (byte 0x{:02X})", pos,
                                 static_cast<std::uint8_t>(bytes[pos])));
        }
        pos += c.length;
    }
    return out;
}

// ---- iconv -----------------------------------------------------------------------------------

namespace {
const iconv_t kInvalid = reinterpret_cast<iconv_t>(-1);
}

Iconv::Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
Iconv::Iconv(Iconv&& other) noexcept : cd_(other.cd_) { other.cd_ = kInvalid; }
Iconv& Iconv::operator=(Iconv&& other) noexcept {
    if (this != &other) {
        if (valid()) iconv_close(static_cast<iconv_t>(cd_));
        cd_ = other.cd_;
        other.cd_ = kInvalid;
    }
    return *this;
}
Iconv::~Iconv() {
    if (valid()) iconv_close(static_cast<iconv_t>(cd_));
}
bool Iconv::valid() const noexcept { return cd_ != kInvalid; }

Iconv::Outcome Iconv::convert(std::string_view in, std::string& out) {
    Outcome result;
    if (!valid()) return result;
    auto cd = static_cast<iconv_t>(cd_);
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    char* src = const_cast<char*>(in.data());  // glibc's iconv does not write through it
    std::size_t src_left = in.size();
    char buffer[256];
    for (;;) {
        char* dst = buffer;
        std::size_t dst_left = sizeof buffer;
        const std::size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
        const int err = errno;
        out.append(buffer, sizeof buffer - dst_left);
        if (rc != static_cast<std::size_t>(-1)) {
            result.complete = true;
            break;
        }
        if (err == E2BIG) continue;
        result.incomplete = err == EINVAL;
        break;
    }
    result.consumed = in.size() - src_left;
    return result;
}

// ---- single characters of one code element ---------------------------------------------------

namespace {

constexpr char32_t kUnmapped = 0xFFFFFFFF;
constexpr std::size_t kFirstTable = static_cast<std::size_t>(CodeElement::IsoIr100);
constexpr std::size_t kTableCount =
    static_cast<std::size_t>(CodeElement::IsoIr166) - kFirstTable + 1;

using HighHalf = std::array<char32_t, 128>;  // bytes 0x80..0xFF

HighHalf build_table(const char* name) {
    HighHalf table;
    table.fill(kUnmapped);
    Iconv conv("UTF-8", name);
    for (unsigned b = 0x80; b <= 0xFF; ++b) {
        const char byte = static_cast<char>(b);
        std::string utf8;
        if (!conv.convert(std::string_view(&byte, 1), utf8).complete || utf8.empty()) continue;
        const Utf8Char c = next_utf8(utf8, 0);
        if (c.valid && c.length == utf8.size()) table[b - 0x80] = c.cp;
    }
    return table;
}

/// The ISO 8859 and TIS 620 right halves, read once from the iconv tables and then immutable.
const HighHalf& single_byte_table(CodeElement e) {
    static const std::array<HighHalf, kTableCount> tables = [] {
        std::array<HighHalf, kTableCount> all;
        for (std::size_t i = 0; i < kTableCount; ++i) {
            auto name = element_info(static_cast<CodeElement>(kFirstTable + i)).iconv_name;
            all[i] = build_table(std::string(name).c_str());
        }
        return all;
    }();
    return tables[static_cast<std::size_t>(e) - kFirstTable];
}

bool has_table(CodeElement e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i >= kFirstTable && i < kFirstTable + kTableCount;
}

std::size_t double_byte_slot(CodeElement e) noexcept {
    switch (e) {
        case CodeElement::IsoIr87:
            return 0;
        case CodeElement::IsoIr159:
            return 1;
        case CodeElement::IsoIr149:
            return 2;
        default:
            return 3;  // IsoIr58
    }
}

bool in_gr94(std::uint8_t b) noexcept { return b >= 0xA1 && b <= 0xFE; }

// JIS X 0201 katakana (ISO-IR 13) 0xA1..0xDF is Unicode's half-width katakana block in order.
constexpr char32_t kHalfwidthKatakana = 0xFF61;

}  // namespace

Iconv& ElementCodec::to_utf8(CodeElement e) {
    Iconv& conv = decoders_[double_byte_slot(e)];
    if (!conv.valid()) conv = Iconv("UTF-8", std::string(element_info(e).iconv_name).c_str());
    return conv;
}

Iconv& ElementCodec::from_utf8(CodeElement e) {
    Iconv& conv = encoders_[double_byte_slot(e)];
    if (!conv.valid()) conv = Iconv(std::string(element_info(e).iconv_name).c_str(), "UTF-8");
    return conv;
}

bool ElementCodec::decode(CodeElement e, std::uint8_t b1, std::uint8_t b2, std::string& out) {
    if (e == CodeElement::IsoIr6 || e == CodeElement::IsoIr14) {
        // ISO-IR 14 differs from ASCII at 05/12 (YEN SIGN) and 07/14 (OVERLINE); DICOM uses
        // 05/12 as the value delimiter, so both are read as ASCII, as common practice does.
        if (b1 >= 0x80) return false;
        out += static_cast<char>(b1);
        return true;
    }
    if (e == CodeElement::IsoIr13) {
        const std::uint8_t b = b1 | 0x80;
        if (b < 0xA1 || b > 0xDF) return false;
        append_utf8(out, kHalfwidthKatakana + (b - 0xA1));
        return true;
    }
    if (has_table(e)) {
        if (b1 < 0x80) return false;
        const char32_t cp = single_byte_table(e)[b1 - 0x80];
        if (cp == kUnmapped) return false;
        append_utf8(out, cp);
        return true;
    }
    // Double-byte sets: the EUC form of a GL or GR pair is the pair with both high bits set
    // (JIS X 0212 after the single shift 0x8F).
    const std::uint8_t c1 = b1 | 0x80, c2 = b2 | 0x80;
    if (!in_gr94(c1) || !in_gr94(c2)) return false;
    std::string euc;
    if (e == CodeElement::IsoIr159) euc += '\x8F';
    euc += static_cast<char>(c1);
    euc += static_cast<char>(c2);
    std::string utf8;
    if (!to_utf8(e).convert(euc, utf8).complete || utf8.empty()) return false;
    out += utf8;
    return true;
}

bool ElementCodec::encode(CodeElement e, char32_t cp, std::string& out) {
    if (e == CodeElement::IsoIr6 || e == CodeElement::IsoIr14) {
        if (cp >= 0x80) return false;
        out += static_cast<char>(cp);
        return true;
    }
    if (e == CodeElement::IsoIr13) {
        if (cp < kHalfwidthKatakana || cp > kHalfwidthKatakana + (0xDF - 0xA1)) return false;
        out += static_cast<char>(0xA1 + (cp - kHalfwidthKatakana));
        return true;
    }
    if (has_table(e)) {
        const HighHalf& table = single_byte_table(e);
        for (unsigned b = 0xA0; b <= 0xFF; ++b) {  // graphic characters only, not C1 controls
            if (table[b - 0x80] != cp) continue;
            out += static_cast<char>(b);
            return true;
        }
        return false;
    }
    std::string utf8, euc;
    append_utf8(utf8, cp);
    if (!from_utf8(e).convert(utf8, euc).complete) return false;
    const auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(euc[i]); };
    std::size_t first = 0;
    if (e == CodeElement::IsoIr159) {
        if (euc.size() != 3 || at(0) != 0x8F) return false;
        first = 1;
    } else if (euc.size() != 2) {
        return false;  // e.g. EUC-JP's 0x8E half-width katakana are not JIS X 0208
    }
    if (!in_gr94(at(first)) || !in_gr94(at(first + 1))) return false;
    const std::uint8_t mask = element_info(e).graphic == 0 ? 0x7F : 0xFF;
    out += static_cast<char>(at(first) & mask);
    out += static_cast<char>(at(first + 1) & mask);
    return true;
}

bool is_reset_point(char32_t c, VR vr) noexcept {
    if (c < 0x20) return c != 0x1B;  // CR, LF, FF, TAB and the other C0 controls but ESC
    if (c == '\\') return is_multi_valued_string(vr);
    if (c == '^' || c == '=') return vr == VR::PN;
    return false;
}

// ---- stateless multi-byte encodings ----------------------------------------------------------

Result<std::string> decode_whole(std::string_view bytes, const char* table, std::string_view label,
                                 bool lenient) {
    Iconv conv("UTF-8", table);
    if (!conv.valid())
        return make_error(ErrorCode::Unsupported, fmt::format("no {} converter available", label));
    std::string out;
    for (std::size_t pos = 0; pos < bytes.size();) {
        const Iconv::Outcome r = conv.convert(bytes.substr(pos), out);
        if (r.complete) break;
        const std::size_t at = pos + r.consumed;
        if (!lenient)
            return charset_error(
                at, fmt::format("{} at offset {} (byte 0x{:02X}) in {}",
                                r.incomplete ? "truncated character" : "invalid bytes", at,
                                static_cast<std::uint8_t>(bytes[at]), label));
        append_utf8(out, kReplacement);
        pos = r.incomplete ? bytes.size() : at + 1;
    }
    return out;
}

Result<std::string> encode_whole(std::string_view utf8, const char* table, std::string_view label) {
    Iconv conv(table, "UTF-8");
    if (!conv.valid())
        return make_error(ErrorCode::Unsupported, fmt::format("no {} converter available", label));
    std::string out;
    const Iconv::Outcome r = conv.convert(utf8, out);
    if (r.complete) return out;
    const Utf8Char c = next_utf8(utf8, r.consumed);
    return charset_error(r.consumed, fmt::format("{} at offset {} cannot be encoded in {}",
                                                 code_point_name(c.cp), r.consumed, label));
}

}  // namespace dicomkit::detail
