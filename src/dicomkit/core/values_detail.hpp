// Small text helpers shared by the DA/TM/DT, PN and DS/IS/AS parsers (internal to core).
#pragma once

#include <cstddef>
#include <string_view>

#include <fmt/format.h>

#include <dicomkit/base/error.hpp>

namespace dicomkit::detail {

/// An InvalidValue error naming the VR, the value and the rule it breaks.
[[nodiscard]] inline Unexpected invalid_value(std::string_view vr, std::string_view value,
                                              std::string_view why) {
    return make_error(ErrorCode::InvalidValue, fmt::format("{} '{}': {}", vr, value, why));
}

/// PS3.5 6.2: string values are padded with trailing spaces; some writers pad with NULs.
[[nodiscard]] constexpr std::string_view without_padding(std::string_view s) noexcept {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
    return s;
}

/// without_padding, and leading spaces removed too.
[[nodiscard]] constexpr std::string_view without_spaces(std::string_view s) noexcept {
    s = without_padding(s);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
}

/// How many of the characters of `s` from `pos` on are decimal digits.
[[nodiscard]] constexpr std::size_t count_digits(std::string_view s, std::size_t pos) noexcept {
    std::size_t n = 0;
    while (pos + n < s.size() && s[pos + n] >= '0' && s[pos + n] <= '9') ++n;
    return n;
}

[[nodiscard]] constexpr bool all_digits(std::string_view s) noexcept {
    return !s.empty() && count_digits(s, 0) == s.size();
}

}  // namespace dicomkit::detail
