// Number formatting and parsing for the JSON and XML models.
#include <dicomkit/json/detail/numbers.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include <dicomkit/base/endian.hpp>
#include <dicomkit/core/values.hpp>
#include <dicomkit/json/detail/tag_path.hpp>

namespace dicomkit::json::detail {

namespace {

constexpr std::uint64_t kMaxSafeInteger = std::uint64_t{1} << 53;  // PS3.18 F.2.3 note

template <typename T>
NumberText format_integer(T v, NumberBuffer& buf, bool json_number = true) {
    auto r = std::to_chars(buf.data, buf.data + sizeof(buf.data), v);
    return {std::string_view(buf.data, static_cast<std::size_t>(r.ptr - buf.data)), json_number};
}

template <typename T>
NumberText format_float(T v, NumberBuffer& buf, NumberStyle style) {
    if (std::isnan(v)) return {"NaN", false};
    if (std::isinf(v)) {
        if (style == NumberStyle::Json) return {v < 0 ? "-Infinity" : "Infinity", false};
        return {v < 0 ? "-INF" : "INF", false};
    }
    auto r = std::to_chars(buf.data, buf.data + sizeof(buf.data), v);
    std::string_view text(buf.data, static_cast<std::size_t>(r.ptr - buf.data));
    // "-0" reads back as the integer 0 in JSON parsers; "-0.0" keeps the sign.
    if (text == "-0") return {"-0.0", true};
    return {text, true};
}

template <typename T>
T load_float(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

std::string_view trim_ascii_spaces(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

Unexpected not_a_value(VR vr, std::string_view text, std::string_view why) {
    return make_error(ErrorCode::InvalidValue,
                      fmt::format("'{}' is not a {} value: {}", text, vr, why));
}

/// Parses an integer; integral floating-point spellings (5.0, 1e3) are accepted too.
template <typename T>
Result<T> parse_integer(VR vr, std::string_view s) {
    std::string_view digits = s;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    T v{};
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc() && p == digits.data() + digits.size()) return v;
    if (ec == std::errc::result_out_of_range) return not_a_value(vr, s, "out of range");
    double d{};
    auto [p2, ec2] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (ec2 != std::errc() || p2 != digits.data() + digits.size() || !std::isfinite(d))
        return not_a_value(vr, s, "not a number");
    if (d != std::floor(d)) return not_a_value(vr, s, "not an integer");
    // The limits as doubles: max() of 64-bit types rounds up, so compare with >=.
    if (d < static_cast<double>(std::numeric_limits<T>::min()) ||
        d >= static_cast<double>(std::numeric_limits<T>::max()) + 1.0)
        return not_a_value(vr, s, "out of range");
    return static_cast<T>(d);
}

template <typename T>
Result<T> parse_float(VR vr, std::string_view s) {
    std::string_view digits = s;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    T v{};
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc::result_out_of_range) return not_a_value(vr, s, "out of range");
    if (ec != std::errc() || p != digits.data() + digits.size())
        return not_a_value(vr, s, "not a number");
    return v;
}

template <typename T>
void append_le(Bytes& out, T v) {
    std::uint8_t b[sizeof(T)];
    if constexpr (std::is_integral_v<T>) {
        store(b, v, Endian::Little);
    } else {
        std::memcpy(b, &v, sizeof(T));
    }
    out.insert(out.end(), b, b + sizeof(T));
}

template <typename T>
Result<void> append_integer(VR vr, std::string_view s, Bytes& out) {
    auto v = parse_integer<T>(vr, s);
    if (!v) return Unexpected(v.error());
    append_le<T>(out, *v);
    return {};
}

template <typename T>
Result<void> append_float(VR vr, std::string_view s, Bytes& out) {
    auto v = parse_float<T>(vr, s);
    if (!v) return Unexpected(v.error());
    append_le<T>(out, *v);
    return {};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Consumes -?(0|[1-9][0-9]*) from the front of s; false when it is not there.
bool eat_integer_part(std::string_view& s) {
    if (!s.empty() && s.front() == '-') s.remove_prefix(1);
    if (s.empty() || !is_digit(s.front())) return false;
    if (s.front() == '0') {
        s.remove_prefix(1);
    } else {
        while (!s.empty() && is_digit(s.front())) s.remove_prefix(1);
    }
    return true;
}

bool eat_digits(std::string_view& s) {
    if (s.empty() || !is_digit(s.front())) return false;
    while (!s.empty() && is_digit(s.front())) s.remove_prefix(1);
    return true;
}

}  // namespace

NumberText format_binary_value(VR vr, const std::uint8_t* p, NumberBuffer& buf, NumberStyle style) {
    switch (vr) {
        case VR::US:
            return format_integer(load_le<std::uint16_t>(p), buf);
        case VR::SS:
            return format_integer(load_le<std::int16_t>(p), buf);
        case VR::UL:
            return format_integer(load_le<std::uint32_t>(p), buf);
        case VR::SL:
            return format_integer(load_le<std::int32_t>(p), buf);
        case VR::UV: {
            auto v = load_le<std::uint64_t>(p);
            return format_integer(v, buf, v <= kMaxSafeInteger);
        }
        case VR::SV: {
            auto v = load_le<std::int64_t>(p);
            bool safe = v >= -static_cast<std::int64_t>(kMaxSafeInteger) &&
                        v <= static_cast<std::int64_t>(kMaxSafeInteger);
            return format_integer(v, buf, safe);
        }
        case VR::FL:
            return format_float(load_float<float>(p), buf, style);
        case VR::FD:
            return format_float(load_float<double>(p), buf, style);
        case VR::AT: {
            std::string key;
            append_tag_key(key, Tag(load_le<std::uint16_t>(p), load_le<std::uint16_t>(p + 2)));
            std::memcpy(buf.data, key.data(), 8);
            return {std::string_view(buf.data, 8), false};
        }
        default:
            break;
    }
    return {"", false};
}

Result<void> append_binary_from_text(VR vr, std::string_view text, Bytes& out) {
    std::string_view s = trim_ascii_spaces(text);
    switch (vr) {
        case VR::US:
            return append_integer<std::uint16_t>(vr, s, out);
        case VR::SS:
            return append_integer<std::int16_t>(vr, s, out);
        case VR::UL:
            return append_integer<std::uint32_t>(vr, s, out);
        case VR::SL:
            return append_integer<std::int32_t>(vr, s, out);
        case VR::UV:
            return append_integer<std::uint64_t>(vr, s, out);
        case VR::SV:
            return append_integer<std::int64_t>(vr, s, out);
        case VR::FL:
            return append_float<float>(vr, s, out);
        case VR::FD:
            return append_float<double>(vr, s, out);
        case VR::AT: {
            auto tag = parse_tag_key(s);
            if (!tag) return not_a_value(vr, s, "an AT value is eight hex digits GGGGEEEE");
            append_le<std::uint16_t>(out, tag->group);
            append_le<std::uint16_t>(out, tag->element);
            return {};
        }
        default:
            break;
    }
    return make_error(ErrorCode::InvalidArgument, fmt::format("{} is not a binary numeric VR", vr));
}

bool is_json_number_text(std::string_view s) noexcept {
    if (!eat_integer_part(s)) return false;
    if (!s.empty() && s.front() == '.') {
        s.remove_prefix(1);
        if (!eat_digits(s)) return false;
    }
    if (!s.empty() && (s.front() == 'e' || s.front() == 'E')) {
        s.remove_prefix(1);
        if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
        if (!eat_digits(s)) return false;
    }
    return s.empty();
}

bool is_json_integer_text(std::string_view s) noexcept { return eat_integer_part(s) && s.empty(); }

Result<std::string> integer_string_from_number(std::string_view raw) {
    auto v = parse_integer<std::int64_t>(VR::IS, raw);
    if (!v) return Unexpected(v.error());
    if (*v < std::numeric_limits<std::int32_t>::min() ||
        *v > std::numeric_limits<std::int32_t>::max())
        return not_a_value(VR::IS, raw, "out of the range -2^31 .. 2^31-1");
    if (is_json_integer_text(raw)) return std::string(raw);
    return std::to_string(*v);
}

Result<std::string> decimal_string_from_number(std::string_view raw) {
    if (raw.size() <= 16) return std::string(raw);
    auto v = parse_float<double>(VR::DS, raw);
    if (!v) return Unexpected(v.error());
    return format_decimal_string(*v);
}

}  // namespace dicomkit::json::detail
