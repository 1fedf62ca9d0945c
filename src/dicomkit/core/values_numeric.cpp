// DS, IS and AS values (PS3.5 6.2).
#include <dicomkit/core/values.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include <dicomkit/core/values_detail.hpp>

namespace dicomkit {

namespace {

constexpr std::size_t kMaxDecimalString = 16;
constexpr std::size_t kMaxIntegerString = 12;

using detail::count_digits;
using detail::without_padding;
using detail::without_spaces;
constexpr auto invalid = detail::invalid_value;

/// The pieces of a DS value that matched the grammar [+-]I[.F][(e|E)[+-]X].
struct DecimalParts {
    bool negative = false;
    std::string_view integer, fraction;
    long exponent = 0;  ///< saturated at +-1000000, enough to tell overflow from underflow
};

std::optional<DecimalParts> match_decimal(std::string_view s) {
    DecimalParts p;
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) p.negative = s[i++] == '-';
    p.integer = s.substr(i, count_digits(s, i));
    i += p.integer.size();
    if (i < s.size() && s[i] == '.') {
        p.fraction = s.substr(i + 1, count_digits(s, i + 1));
        i += 1 + p.fraction.size();
    }
    if (p.integer.empty() && p.fraction.empty()) return std::nullopt;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool negative_exponent = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative_exponent = s[i++] == '-';
        const std::size_t n = count_digits(s, i);
        if (n == 0) return std::nullopt;
        for (char c : s.substr(i, n)) p.exponent = std::min(p.exponent * 10 + (c - '0'), 1000000L);
        if (negative_exponent) p.exponent = -p.exponent;
        i += n;
    }
    if (i != s.size()) return std::nullopt;
    return p;
}

/// Whether a value out of the range of a double is too small (rather than too large): the
/// decimal exponent of its first significant digit is negative.
bool is_underflow(const DecimalParts& p) noexcept {
    const auto first = p.integer.find_first_not_of('0');
    if (first != std::string_view::npos)
        return static_cast<long>(p.integer.size() - first) - 1 + p.exponent < 0;
    const auto lead = p.fraction.find_first_not_of('0');
    return -static_cast<long>(lead) - 1 + p.exponent < 0;
}

/// Shortens the exponent that std::to_chars writes ("e+05" -> "e5", "e-05" -> "e-5").
std::string compact_exponent(std::string s) {
    const auto e = s.find('e');
    if (e == std::string::npos) return s;
    std::size_t digits = e + 1;
    if (digits < s.size() && s[digits] == '+') s.erase(digits, 1);
    if (digits < s.size() && s[digits] == '-') ++digits;
    while (digits + 1 < s.size() && s[digits] == '0') s.erase(digits, 1);
    return s;
}

/// std::to_chars as a string; empty if it does not fit in the buffer (huge fixed forms).
template <typename... Format>
std::string to_text(double v, Format... format) {
    char buf[512];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format...);
    if (ec != std::errc{}) return {};
    return compact_exponent(std::string(buf, end));
}

/// The closest text of at most 16 characters, for values whose exact shortest form is longer.
std::string closest_in_16(double v) {
    std::string best;
    double best_error = std::numeric_limits<double>::infinity();
    for (auto format : {std::chars_format::fixed, std::chars_format::scientific}) {
        for (int precision = 0; precision <= static_cast<int>(kMaxDecimalString); ++precision) {
            std::string text = to_text(v, format, precision);
            if (text.empty() || text.size() > kMaxDecimalString) continue;
            double back = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), back);
            if (ec != std::errc{}) continue;  // rounded up past the largest double
            const double error = std::fabs(back - v);
            if (error < best_error || (error == best_error && text.size() < best.size())) {
                best = std::move(text);
                best_error = error;
            }
        }
    }
    return best;
}

}  // namespace

Result<double> parse_decimal_string(std::string_view s, bool lenient) {
    s = without_padding(s);
    if (!lenient && s.size() > kMaxDecimalString)
        return invalid("DS", s, "longer than 16 characters");
    s = without_spaces(s);
    if (s.empty()) return invalid("DS", s, "empty value");
    const auto parts = match_decimal(s);
    if (!parts) return invalid("DS", s, "not a decimal number");
    std::string_view number = s;
    if (number.front() == '+') number.remove_prefix(1);  // std::from_chars takes no '+'
    double v = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (ec == std::errc::result_out_of_range) {
        if (!is_underflow(*parts)) return invalid("DS", s, "out of the range of a double");
        return parts->negative ? -0.0 : 0.0;
    }
    if (ec != std::errc{} || end != number.data() + number.size())
        return invalid("DS", s, "not a decimal number");
    return v;
}

Result<std::string> format_decimal_string(double v) {
    if (!std::isfinite(v))
        return make_error(ErrorCode::InvalidArgument, "DS has no form for NaN or infinity");
    std::string best;
    for (std::string text : {to_text(v), to_text(v, std::chars_format::scientific),
                             to_text(v, std::chars_format::fixed)}) {
        if (!text.empty() && (best.empty() || text.size() < best.size())) best = std::move(text);
    }
    if (best.size() <= kMaxDecimalString) return best;
    return closest_in_16(v);
}

Result<std::int64_t> parse_integer_string(std::string_view s, bool lenient) {
    s = without_padding(s);
    if (!lenient && s.size() > kMaxIntegerString)
        return invalid("IS", s, "longer than 12 characters");
    s = without_spaces(s);
    if (s.empty()) return invalid("IS", s, "empty value");
    std::size_t i = 0;
    const bool negative = s[0] == '-';
    if (s[0] == '+' || s[0] == '-') ++i;
    if (i == s.size() || count_digits(s, i) != s.size() - i)
        return invalid("IS", s, "not an integer");
    constexpr std::int64_t kMax = std::int64_t{1} << 31;  // magnitude of the most negative value
    std::int64_t magnitude = 0;
    for (char c : s.substr(i)) {
        magnitude = magnitude * 10 + (c - '0');
        if (magnitude > kMax) return invalid("IS", s, "out of range -2^31..2^31-1");
    }
    if (!negative && magnitude == kMax) return invalid("IS", s, "out of range -2^31..2^31-1");
    return negative ? -magnitude : magnitude;
}

std::string Age::str() const { return fmt::format("{:03d}{}", value, unit); }

Result<Age> parse_age(std::string_view s) {
    s = without_padding(s);
    if (s.size() != 4) return invalid("AS", s, "expected nnnD, nnnW, nnnM or nnnY");
    if (count_digits(s, 0) != 3)
        return invalid("AS", s, "the first three characters must be digits");
    const char unit = s[3];
    if (unit != 'D' && unit != 'W' && unit != 'M' && unit != 'Y')
        return invalid("AS", s, "the unit must be D, W, M or Y");
    return Age{(s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'), unit};
}

}  // namespace dicomkit
