// Typed values of the string VRs: DA, TM, DT (with partial values and ranges), PN (three
// component groups, five components each), DS, IS, AS. PS3.5 6.2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>

// Every parser here returns ErrorCode::InvalidValue for input that is not a value of its VR
// (wrong characters, wrong length, out-of-range fields); the message says which rule failed.
// Trailing padding (spaces, NULs) is removed before parsing. An empty value is an error, since
// "no value" is for the caller to handle; PN aside, where it is the empty name.

namespace dicomkit {

/// Gregorian leap year rule (PS3.5 6.2: DA and DT dates are Gregorian calendar dates).
[[nodiscard]] constexpr bool is_leap_year(int year) noexcept {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}
/// Days in `month` (1-12) of `year`; 0 for a month out of range.
[[nodiscard]] constexpr int days_in_month(int year, int month) noexcept {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

/// DA: YYYYMMDD (also the ACR-NEMA YYYY.MM.DD form when reading leniently). A partial value is
/// not allowed in DA except in queries; month/day are 0 when absent.
struct Date {
    int year = 0;
    int month = 0;  ///< 1-12, 0 when absent (query partial)
    int day = 0;    ///< 1-31, 0 when absent
    auto operator<=>(const Date&) const = default;
    /// YYYYMMDD; YYYYMM when day is 0, YYYY when month is 0.
    [[nodiscard]] std::string str() const;
};

/// TM: HH[MM[SS[.F{1,6}]]] (also HH:MM:SS when reading leniently). Comparison includes
/// fraction_digits, so == means "writes the same text".
struct Time {
    int hour = 0;
    std::optional<int> minute;
    std::optional<int> second;
    std::optional<int> microsecond;  ///< fraction scaled to microseconds
    int fraction_digits = 0;         ///< digits given, so values write back as read
    auto operator<=>(const Time&) const = default;
    /// HH[MM[SS[.F]]], stopping at the first absent component. The fraction is written with
    /// fraction_digits digits (6 when fraction_digits is not in 1..6), truncating the rest.
    [[nodiscard]] std::string str() const;
};

/// DT: YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX].
struct DateTime {
    Date date;
    std::optional<Time> time;
    std::optional<int> utc_offset_minutes;  ///< from &ZZXX
    auto operator<=>(const DateTime&) const = default;
    /// The date (partial if so), the time when present, then &ZZXX (UTC as +0000).
    [[nodiscard]] std::string str() const;
};

/// A range query value "A-B", "-B", "A-" (PS3.4 C.2.2.2.5); a single value has from == to.
template <typename T>
struct Range {
    std::optional<T> from;
    std::optional<T> to;
    bool operator==(const Range&) const = default;
};

/// PS3.5 6.2 DA: exactly YYYYMMDD with a real calendar day. Lenient also takes YYYY.MM.DD
/// (ACR-NEMA 300) and leading spaces.
[[nodiscard]] Result<Date> parse_date(std::string_view s, bool lenient = false);
/// PS3.5 6.2 TM: HH, HHMM, HHMMSS or HHMMSS.F{1,6}; hour 0-23, minute 0-59, second 0-60
/// (leap second). Lenient also takes HH:MM[:SS[.F]] (ACR-NEMA 300) and leading spaces.
[[nodiscard]] Result<Time> parse_time(std::string_view s, bool lenient = false);
/// PS3.5 6.2 DT: YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]; trailing components may be null,
/// the offset is -1200..+1400 with minutes 00-59, and -0000 is refused (UTC is +0000).
[[nodiscard]] Result<DateTime> parse_datetime(std::string_view s);
/// PS3.4 C.2.2.2.5.1: "A-B", "-B", "A-" or a single date. Each side may be a query partial
/// (YYYY or YYYYMM) and may carry spaces around it. A range whose start is after its end
/// (compared on the components both sides have) is refused.
[[nodiscard]] Result<Range<Date>> parse_date_range(std::string_view s);
/// PS3.4 C.2.2.2.5.2: "A-B", "-B", "A-" or a single time; ranges crossing midnight
/// (start after end) are refused.
[[nodiscard]] Result<Range<Time>> parse_time_range(std::string_view s);
/// PS3.4 C.2.2.2.5.3: "A-B", "-B", "A-" or a single DT value. A '-' may also start a UTC
/// offset: the whole text as one value wins, otherwise exactly one split must leave two valid
/// sides. Only parsed: no order check, since offsets make the order a matching question.
[[nodiscard]] Result<Range<DateTime>> parse_datetime_range(std::string_view s);

/// PN: up to three component groups (alphabetic, ideographic, phonetic) separated by '=', each
/// with up to five components family^given^middle^prefix^suffix.
struct PersonName {
    struct Group {
        std::string family, given, middle, prefix, suffix;
        [[nodiscard]] bool empty() const noexcept;
        [[nodiscard]] std::string str()
            const;  ///< components joined with '^', trailing empty ones dropped
        bool operator==(const Group&) const = default;
    };
    Group alphabetic, ideographic, phonetic;
    [[nodiscard]] bool empty() const noexcept;
    [[nodiscard]] std::string str() const;  ///< groups joined with '=', trailing empty ones dropped
    bool operator==(const PersonName&) const = default;
};

/// Parses one PN value (already decoded to UTF-8). PS3.5 6.2 and 6.2.1: more than 3 groups,
/// more than 5 components in a group, or a backslash (the value delimiter) is an error.
/// Spaces inside components are kept; the 64-character group limit is left to validation.
[[nodiscard]] Result<PersonName> parse_person_name(std::string_view s);

/// DS: a decimal string (PS3.5 6.2: at most 16 bytes, [+-]digits[.digits][e[+-]digits], with
/// either the integer or the fraction digits possibly absent, as in ANSI X3.9 real constants).
/// Leading and trailing spaces are allowed and count towards the 16 bytes, trailing padding
/// aside; `lenient` drops the length limit. NaN, infinity and hexadecimal forms are refused, as
/// is a value beyond the range of a double; a value too small for a double reads as zero.
[[nodiscard]] Result<double> parse_decimal_string(std::string_view s, bool lenient = false);
/// Formats a double as a DS value of at most 16 characters: the shortest text that reads back
/// as exactly `v` when it fits, otherwise the fixed or exponent form (exponent written without
/// '+' or leading zeros) that comes closest to `v` in 16 characters. -0.0 gives "-0". NaN and
/// infinities have no DS form: InvalidArgument.
[[nodiscard]] Result<std::string> format_decimal_string(double v);
/// IS: an integer string, [+-]digits with optional leading/trailing spaces, range
/// -2^31..2^31-1, at most 12 bytes (PS3.5 6.2); `lenient` drops the length limit only.
[[nodiscard]] Result<std::int64_t> parse_integer_string(std::string_view s, bool lenient = false);

/// AS: nnnD, nnnW, nnnM or nnnY (PS3.5 6.2), exactly 4 characters.
struct Age {
    int value = 0;
    char unit = 'Y';  ///< D, W, M or Y
    bool operator==(const Age&) const = default;
    [[nodiscard]] std::string str() const;  ///< nnnU, zero padded
};
[[nodiscard]] Result<Age> parse_age(std::string_view s);

}  // namespace dicomkit
