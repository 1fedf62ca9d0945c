// DA, TM and DT values and their query ranges (PS3.5 6.2, PS3.4 C.2.2.2.5).
#include <dicomkit/core/values.hpp>

#include <array>
#include <span>
#include <utility>

#include <fmt/format.h>

#include <dicomkit/core/values_detail.hpp>

namespace dicomkit {

namespace {

using detail::all_digits;
using detail::without_padding;
using detail::without_spaces;
constexpr auto invalid = detail::invalid_value;

/// The value of a run of at most 9 digits already checked by all_digits.
int digits_value(std::string_view s) noexcept {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

/// YYYY, YYYYMM or YYYYMMDD (the shorter forms only when `partial`), checked against the
/// calendar. Used for DA and for the date part of DT.
Result<Date> date_from_digits(std::string_view s, bool partial, std::string_view vr) {
    const bool length_ok = s.size() == 8 || (partial && (s.size() == 4 || s.size() == 6));
    if (!length_ok) return invalid(vr, s, partial ? "expected YYYY[MM[DD]]" : "expected YYYYMMDD");
    if (!all_digits(s)) return invalid(vr, s, "only digits are allowed");
    Date d;
    d.year = digits_value(s.substr(0, 4));
    if (s.size() >= 6) {
        d.month = digits_value(s.substr(4, 2));
        if (d.month < 1 || d.month > 12) return invalid(vr, s, "month out of range 01-12");
    }
    if (s.size() == 8) {
        d.day = digits_value(s.substr(6, 2));
        if (d.day < 1 || d.day > days_in_month(d.year, d.month))
            return invalid(vr, s, "no such day in that month");
    }
    return d;
}

/// HH, HHMM, HHMMSS or HHMMSS.F{1,6} with nothing around it. Used for TM and the time of DT.
Result<Time> time_from_text(std::string_view s, std::string_view vr) {
    std::string_view main = s, frac;
    const bool has_point = s.find('.') != std::string_view::npos;
    if (has_point) {
        main = s.substr(0, s.find('.'));
        frac = s.substr(s.find('.') + 1);
    }
    if (main.size() != 2 && main.size() != 4 && main.size() != 6)
        return invalid(vr, s, "expected HH[MM[SS[.F]]]");
    if (!all_digits(main)) return invalid(vr, s, "only digits are allowed before the fraction");
    if (has_point && main.size() != 6) return invalid(vr, s, "a fraction needs HHMMSS before it");
    if (has_point && (frac.empty() || frac.size() > 6 || !all_digits(frac)))
        return invalid(vr, s, "the fraction must be 1 to 6 digits");
    Time t;
    t.hour = digits_value(main.substr(0, 2));
    if (t.hour > 23) return invalid(vr, s, "hour out of range 00-23");
    if (main.size() >= 4) {
        t.minute = digits_value(main.substr(2, 2));
        if (*t.minute > 59) return invalid(vr, s, "minute out of range 00-59");
    }
    if (main.size() == 6) {
        t.second = digits_value(main.substr(4, 2));
        if (*t.second > 60) return invalid(vr, s, "second out of range 00-60");
    }
    if (has_point) {
        int scale = 1;
        for (std::size_t i = frac.size(); i < 6; ++i) scale *= 10;
        t.microsecond = digits_value(frac) * scale;
        t.fraction_digits = static_cast<int>(frac.size());
    }
    return t;
}

/// ACR-NEMA HH:MM[:SS[.F]] rewritten as HHMM[SS[.F]]; empty when `s` is not of that form.
std::string without_colons(std::string_view s) {
    std::string out;
    std::size_t pos = 0;
    for (int part = 0; pos < s.size(); ++part) {
        if (part > 0) {
            if (part > 2 || s[pos] != ':') return {};
            ++pos;
        }
        if (pos + 2 > s.size()) return {};
        out.append(s.substr(pos, 2));
        pos += 2;
        if (pos < s.size() && s[pos] == '.' && part == 2) {
            out.append(s.substr(pos));
            break;
        }
    }
    return out.size() >= 4 ? out : std::string{};
}

/// &ZZXX as signed minutes: minutes 00-59, -1200..+1400, and not -0000 (PS3.5 6.2 DT).
Result<int> utc_offset_from_text(std::string_view s, std::string_view whole) {
    if (s.size() != 5 || !all_digits(s.substr(1)))
        return invalid("DT", whole, "the UTC offset must be &ZZXX");
    const int hours = digits_value(s.substr(1, 2));
    const int minutes = digits_value(s.substr(3, 2));
    if (minutes > 59) return invalid("DT", whole, "offset minutes out of range 00-59");
    const int total = (s[0] == '-' ? -1 : 1) * (hours * 60 + minutes);
    if (total < -12 * 60 || total > 14 * 60)
        return invalid("DT", whole, "offset out of range -1200..+1400");
    if (s[0] == '-' && total == 0) return invalid("DT", whole, "UTC is +0000, not -0000");
    return total;
}

/// "A-B", "-B", "A-" or "A" split at its one '-', each side with spaces trimmed.
Result<std::pair<std::string_view, std::string_view>> split_range(std::string_view s,
                                                                  std::string_view vr) {
    s = without_spaces(s);
    if (s.empty()) return invalid(vr, s, "empty range");
    const auto dash = s.find('-');
    if (dash == std::string_view::npos) return std::pair{s, s};
    if (s.find('-', dash + 1) != std::string_view::npos) return invalid(vr, s, "more than one '-'");
    auto from = without_spaces(s.substr(0, dash));
    auto to = without_spaces(s.substr(dash + 1));
    if (from.empty() && to.empty()) return invalid(vr, s, "a range needs at least one end");
    return std::pair{from, to};
}

/// -1, 0 or 1 comparing `a` and `b` on the leading fields both have (a field is absent when
/// its value is negative), so "2020" and "20200315" compare equal.
int compare_common(std::span<const int> a, std::span<const int> b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (a[i] < 0 || b[i] < 0) break;
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

std::array<int, 3> fields(const Date& d) {
    return {d.year, d.month ? d.month : -1, d.month && d.day ? d.day : -1};
}

std::array<int, 4> fields(const Time& t) {
    return {t.hour, t.minute.value_or(-1), t.minute ? t.second.value_or(-1) : -1,
            t.minute && t.second ? t.microsecond.value_or(-1) : -1};
}

template <typename T, typename Parse>
Result<Range<T>> parse_range(std::string_view s, std::string_view vr, Parse parse) {
    auto sides = split_range(s, vr);
    if (!sides) return Unexpected(std::move(sides.error()));
    Range<T> r;
    if (!sides->first.empty()) {
        auto v = parse(sides->first);
        if (!v) return Unexpected(std::move(v.error()));
        r.from = *v;
    }
    if (!sides->second.empty()) {
        auto v = parse(sides->second);
        if (!v) return Unexpected(std::move(v.error()));
        r.to = *v;
    }
    if (r.from && r.to && compare_common(fields(*r.from), fields(*r.to)) > 0)
        return invalid(vr, s, "the range ends before it starts");
    return r;
}

}  // namespace

std::string Date::str() const {
    if (month == 0) return fmt::format("{:04d}", year);
    if (day == 0) return fmt::format("{:04d}{:02d}", year, month);
    return fmt::format("{:04d}{:02d}{:02d}", year, month, day);
}

std::string Time::str() const {
    std::string out = fmt::format("{:02d}", hour);
    if (!minute) return out;
    out += fmt::format("{:02d}", *minute);
    if (!second) return out;
    out += fmt::format("{:02d}", *second);
    if (!microsecond) return out;
    const int digits = fraction_digits >= 1 && fraction_digits <= 6 ? fraction_digits : 6;
    int scale = 1;
    for (int i = digits; i < 6; ++i) scale *= 10;
    out += fmt::format(".{:0{}d}", *microsecond / scale, digits);
    return out;
}

std::string DateTime::str() const {
    std::string out = date.str();
    if (time) out += time->str();
    if (utc_offset_minutes) {
        const int m = *utc_offset_minutes;
        const int a = m < 0 ? -m : m;
        out += fmt::format("{}{:02d}{:02d}", m < 0 ? '-' : '+', a / 60, a % 60);
    }
    return out;
}

Result<Date> parse_date(std::string_view s, bool lenient) {
    s = lenient ? without_spaces(s) : without_padding(s);
    if (s.empty()) return invalid("DA", s, "empty value");
    if (lenient && s.size() == 10 && s[4] == '.' && s[7] == '.') {
        std::string digits;
        digits.append(s.substr(0, 4)).append(s.substr(5, 2)).append(s.substr(8, 2));
        return date_from_digits(digits, false, "DA");
    }
    return date_from_digits(s, false, "DA");
}

Result<Time> parse_time(std::string_view s, bool lenient) {
    s = lenient ? without_spaces(s) : without_padding(s);
    if (s.empty()) return invalid("TM", s, "empty value");
    if (lenient && s.find(':') != std::string_view::npos) {
        std::string plain = without_colons(s);
        if (plain.empty()) return invalid("TM", s, "expected HH:MM[:SS[.F]]");
        return time_from_text(plain, "TM");
    }
    return time_from_text(s, "TM");
}

Result<DateTime> parse_datetime(std::string_view s) {
    s = without_padding(s);
    if (s.empty()) return invalid("DT", s, "empty value");
    if (s.size() > 26) return invalid("DT", s, "longer than 26 characters");
    DateTime dt;
    std::string_view body = s;
    if (const auto sign = s.find_first_of("+-"); sign != std::string_view::npos) {
        auto offset = utc_offset_from_text(s.substr(sign), s);
        if (!offset) return Unexpected(std::move(offset.error()));
        dt.utc_offset_minutes = *offset;
        body = s.substr(0, sign);
    }
    const std::string_view main = body.substr(0, body.find('.'));
    if (main.size() < 4 || main.size() > 14 || main.size() % 2 != 0)
        return invalid("DT", s, "expected YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]");
    if (main.size() < body.size() && main.size() != 14)
        return invalid("DT", s, "a fraction needs the full date and time before it");
    auto date = date_from_digits(main.substr(0, main.size() < 8 ? main.size() : 8), true, "DT");
    if (!date) return Unexpected(std::move(date.error()));
    dt.date = *date;
    if (main.size() > 8) {
        auto time = time_from_text(body.substr(8), "DT");
        if (!time) return Unexpected(std::move(time.error()));
        dt.time = *time;
    }
    return dt;
}

Result<Range<Date>> parse_date_range(std::string_view s) {
    return parse_range<Date>(s, "DA",
                             [](std::string_view v) { return date_from_digits(v, true, "DA"); });
}

Result<Range<Time>> parse_time_range(std::string_view s) {
    return parse_range<Time>(s, "TM", [](std::string_view v) { return time_from_text(v, "TM"); });
}

Result<Range<DateTime>> parse_datetime_range(std::string_view s) {
    s = without_spaces(s);
    if (s.empty()) return invalid("DT", s, "empty range");
    if (auto single = parse_datetime(s)) return Range<DateTime>{*single, *single};
    // Every '-' could be the range separator or the sign of an offset: try each as the
    // separator and keep the splits that leave two valid sides.
    std::optional<Range<DateTime>> found;
    int splits = 0;
    for (auto dash = s.find('-'); dash != std::string_view::npos; dash = s.find('-', dash + 1)) {
        auto from = without_spaces(s.substr(0, dash));
        auto to = without_spaces(s.substr(dash + 1));
        if (from.empty() && to.empty()) continue;
        Range<DateTime> r;
        if (!from.empty()) {
            auto v = parse_datetime(from);
            if (!v) continue;
            r.from = *v;
        }
        if (!to.empty()) {
            auto v = parse_datetime(to);
            if (!v) continue;
            r.to = *v;
        }
        ++splits;
        found = r;
    }
    if (splits == 0) return invalid("DT", s, "neither a DT value nor a range of them");
    if (splits > 1) return invalid("DT", s, "ambiguous: more than one way to split the range");
    return *found;
}

}  // namespace dicomkit
