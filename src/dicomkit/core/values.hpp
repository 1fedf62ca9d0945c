// Typed values of the string VRs: DA, TM, DT (with partial values and ranges), PN (three
// component groups, five components each), DS, IS, AS. PS3.5 6.2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>

namespace dicomkit {

/// DA: YYYYMMDD (also the ACR-NEMA YYYY.MM.DD form when reading leniently). A partial value is
/// not allowed in DA except in queries; month/day are 0 when absent.
struct Date {
    int year = 0;
    int month = 0;  ///< 1-12, 0 when absent (query partial)
    int day = 0;    ///< 1-31, 0 when absent
    auto operator<=>(const Date&) const = default;
    [[nodiscard]] std::string str() const;  ///< YYYYMMDD (or shorter when partial)
};

/// TM: HH[MM[SS[.F{1,6}]]] (also HH:MM:SS when reading leniently).
struct Time {
    int hour = 0;
    std::optional<int> minute;
    std::optional<int> second;
    std::optional<int> microsecond;  ///< fraction scaled to microseconds
    int fraction_digits = 0;         ///< digits given, so values write back as read
    auto operator<=>(const Time&) const = default;
    [[nodiscard]] std::string str() const;
};

/// DT: YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX].
struct DateTime {
    Date date;
    std::optional<Time> time;
    std::optional<int> utc_offset_minutes;  ///< from &ZZXX
    auto operator<=>(const DateTime&) const = default;
    [[nodiscard]] std::string str() const;
};

/// A range query value "A-B", "-B", "A-" (PS3.4 C.2.2.2.5); a single value has from == to.
template <typename T>
struct Range {
    std::optional<T> from;
    std::optional<T> to;
};

[[nodiscard]] Result<Date> parse_date(std::string_view s, bool lenient = false);
[[nodiscard]] Result<Time> parse_time(std::string_view s, bool lenient = false);
[[nodiscard]] Result<DateTime> parse_datetime(std::string_view s);
[[nodiscard]] Result<Range<Date>> parse_date_range(std::string_view s);
[[nodiscard]] Result<Range<Time>> parse_time_range(std::string_view s);
[[nodiscard]] Result<Range<DateTime>> parse_datetime_range(std::string_view s);

/// PN: up to three component groups (alphabetic, ideographic, phonetic) separated by '=', each
/// with up to five components family^given^middle^prefix^suffix.
struct PersonName {
    struct Group {
        std::string family, given, middle, prefix, suffix;
        [[nodiscard]] bool empty() const noexcept;
        [[nodiscard]] std::string str() const;  ///< components joined with '^', trailing empty ones dropped
        bool operator==(const Group&) const = default;
    };
    Group alphabetic, ideographic, phonetic;
    [[nodiscard]] std::string str() const;  ///< groups joined with '=', trailing empty ones dropped
    bool operator==(const PersonName&) const = default;
};

/// Parses one PN value (already decoded to UTF-8). More than 3 groups or 5 components is an error.
[[nodiscard]] Result<PersonName> parse_person_name(std::string_view s);

/// DS: a decimal string (PS3.5 6.2: at most 16 bytes, [+-]digits[.digits][e[+-]digits]).
[[nodiscard]] Result<double> parse_decimal_string(std::string_view s);
/// Formats a double as a DS value of at most 16 characters, as precise as fits.
[[nodiscard]] std::string format_decimal_string(double v);
/// IS: an integer string, range -2^31..2^31-1, at most 12 bytes.
[[nodiscard]] Result<std::int64_t> parse_integer_string(std::string_view s);

/// AS: nnnD, nnnW, nnnM or nnnY.
struct Age {
    int value = 0;
    char unit = 'Y';  ///< D, W, M or Y
};
[[nodiscard]] Result<Age> parse_age(std::string_view s);

}  // namespace dicomkit
