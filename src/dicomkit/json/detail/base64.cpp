// Base64 encoding and strict decoding.
#include <dicomkit/json/detail/base64.hpp>

#include <array>

#include <fmt/format.h>

namespace dicomkit::json::detail {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_table() {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}
constexpr auto kTable = make_table();

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

void append_base64(std::string& out, std::span<const std::uint8_t> bytes) {
    const std::size_t n = bytes.size();
    const std::size_t start = out.size();
    out.resize(start + (n + 2) / 3 * 4);
    char* p = out.data() + start;
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        std::uint32_t v =
            (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        *p++ = kAlphabet[(v >> 18) & 63];
        *p++ = kAlphabet[(v >> 12) & 63];
        *p++ = kAlphabet[(v >> 6) & 63];
        *p++ = kAlphabet[v & 63];
    }
    if (n - i == 1) {
        std::uint32_t v = std::uint32_t{bytes[i]} << 16;
        *p++ = kAlphabet[(v >> 18) & 63];
        *p++ = kAlphabet[(v >> 12) & 63];
        *p++ = '=';
        *p++ = '=';
    } else if (n - i == 2) {
        std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
        *p++ = kAlphabet[(v >> 18) & 63];
        *p++ = kAlphabet[(v >> 12) & 63];
        *p++ = kAlphabet[(v >> 6) & 63];
        *p++ = '=';
    }
}

Result<Bytes> decode_base64(std::string_view text) {
    Bytes out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t acc = 0;
    int have = 0;     // sextets in the current quantum
    int padding = 0;  // '=' seen in the current quantum
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (is_space(c)) continue;
        if (c == '=') {
            if (have < 2 || have + padding >= 4)
                return make_error(ErrorCode::InvalidValue,
                                  fmt::format("base64: misplaced '=' at character {}", i));
            ++padding;
            if (have + padding == 4) {
                if (have == 2) {
                    out.push_back(static_cast<std::uint8_t>(acc >> 4));
                } else {
                    out.push_back(static_cast<std::uint8_t>(acc >> 10));
                    out.push_back(static_cast<std::uint8_t>(acc >> 2));
                }
                have = 0;
                acc = 0;
                padding = -1;  // marks "ended": nothing but white space may follow
            }
            continue;
        }
        std::int8_t d = kTable[static_cast<unsigned char>(c)];
        if (d < 0)
            return make_error(ErrorCode::InvalidValue,
                              fmt::format("base64: invalid character 0x{:02X} at character {}",
                                          static_cast<unsigned char>(c), i));
        if (padding != 0)
            return make_error(ErrorCode::InvalidValue,
                              fmt::format("base64: data after padding at character {}", i));
        acc = (acc << 6) | static_cast<std::uint32_t>(d);
        if (++have == 4) {
            out.push_back(static_cast<std::uint8_t>(acc >> 16));
            out.push_back(static_cast<std::uint8_t>(acc >> 8));
            out.push_back(static_cast<std::uint8_t>(acc));
            have = 0;
            acc = 0;
        }
    }
    if (have != 0 || padding > 0)
        return make_error(ErrorCode::InvalidValue, "base64: text length is not a multiple of four");
    return out;
}

}  // namespace dicomkit::json::detail
