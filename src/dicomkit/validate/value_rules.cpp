// Value rules per VR: lengths, repertoires and the syntax of dates, times, UIDs and numbers.
#include <dicomkit/validate/value_rules.hpp>

#include <charconv>

namespace dicomkit::validate {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) {
    for (char c : s)
        if (!is_digit(c)) return false;
    return !s.empty();
}

int number(std::string_view s) {
    int v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/// YYYYMMDD, a real calendar date.
std::optional<std::string> check_date(std::string_view v) {
    if (v.size() != 8 || !all_digits(v)) return "date not of the form YYYYMMDD";
    int y = number(v.substr(0, 4)), m = number(v.substr(4, 2)), d = number(v.substr(6, 2));
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return "month out of range in date";
    int dm = days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
    if (d < 1 || d > dm) return "day out of range in date";
    return std::nullopt;
}

/// HH[MM[SS[.F{1,6}]]] (PS3.5 6.2 TM); 60 seconds allowed for leap seconds.
std::optional<std::string> check_time(std::string_view v) {
    std::string_view frac;
    if (auto dot = v.find('.'); dot != std::string_view::npos) {
        frac = v.substr(dot + 1);
        v = v.substr(0, dot);
        if (v.size() != 6 || frac.empty() || frac.size() > 6 || !all_digits(frac))
            return "bad fraction of a second in time";
    }
    if (v.empty() || v.size() % 2 != 0 || v.size() > 6 || !all_digits(v)) return "time not of the form HHMMSS.FFFFFF";
    if (number(v.substr(0, 2)) > 23) return "hour out of range in time";
    if (v.size() >= 4 && number(v.substr(2, 2)) > 59) return "minute out of range in time";
    if (v.size() >= 6 && number(v.substr(4, 2)) > 60) return "second out of range in time";
    return std::nullopt;
}

/// YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]
std::optional<std::string> check_datetime(std::string_view v) {
    if (auto sign = v.find_first_of("+-"); sign != std::string_view::npos) {
        std::string_view off = v.substr(sign + 1);
        v = v.substr(0, sign);
        if (off.size() != 4 || !all_digits(off) || number(off.substr(0, 2)) > 14 || number(off.substr(2, 2)) > 59)
            return "bad UTC offset in date time";
    }
    std::string_view frac;
    if (auto dot = v.find('.'); dot != std::string_view::npos) {
        frac = v.substr(dot + 1);
        v = v.substr(0, dot);
        if (v.size() != 14 || frac.empty() || frac.size() > 6 || !all_digits(frac))
            return "bad fraction of a second in date time";
    }
    if (v.size() < 4 || v.size() > 14 || v.size() % 2 != 0 || !all_digits(v)) return "date time not of the form YYYYMMDDHHMMSS";
    if (v.size() >= 6) {
        int m = number(v.substr(4, 2));
        if (m < 1 || m > 12) return "month out of range in date time";
    }
    if (v.size() >= 8) {
        if (auto bad = check_date(v.substr(0, 8))) return *bad + " time";
    }
    if (v.size() > 8) {
        if (auto bad = check_time(v.substr(8))) return *bad;
    }
    return std::nullopt;
}

std::optional<std::string> check_is(std::string_view v) {
    std::string_view d = v;
    if (!d.empty() && (d[0] == '+' || d[0] == '-')) d.remove_prefix(1);
    if (!all_digits(d)) return "not an integer string";
    long long x = 0;
    std::from_chars(v.data() + (v[0] == '+' ? 1 : 0), v.data() + v.size(), x);
    if (x < -2147483648LL || x > 2147483647LL) return "integer string out of range";
    return std::nullopt;
}

std::optional<std::string> check_ds(std::string_view v) {
    std::size_t i = 0;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    std::size_t digits = 0;
    while (i < v.size() && is_digit(v[i])) ++i, ++digits;
    if (i < v.size() && v[i] == '.') {
        ++i;
        while (i < v.size() && is_digit(v[i])) ++i, ++digits;
    }
    if (digits == 0) return "not a decimal string";
    if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
        ++i;
        if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
        std::size_t exp = 0;
        while (i < v.size() && is_digit(v[i])) ++i, ++exp;
        if (exp == 0) return "not a decimal string";
    }
    if (i != v.size()) return "not a decimal string";
    return std::nullopt;
}

bool control_free(std::string_view v, bool allow_text_controls) {
    for (unsigned char c : v) {
        if (c >= 0x20 || c == 0x1B) continue;  // ESC: ISO 2022 code extensions
        if (allow_text_controls && (c == '\r' || c == '\n' || c == '\f' || c == '\t')) continue;
        return false;
    }
    return true;
}

}  // namespace

std::size_t max_value_length(VR vr) noexcept {
    switch (vr) {
    case VR::AE: return 16;
    case VR::AS: return 4;
    case VR::CS: return 16;
    case VR::DA: return 8;
    case VR::DS: return 16;
    case VR::DT: return 26;
    case VR::IS: return 12;
    case VR::LO: return 64;
    case VR::LT: return 10240;
    case VR::PN: return 64;  // per component group
    case VR::SH: return 16;
    case VR::ST: return 1024;
    case VR::TM: return 14;
    case VR::UI: return 64;
    default: return 0;
    }
}

std::optional<std::string> check_uid(std::string_view uid) {
    if (uid.size() > 64) return "UID longer than 64 characters";
    if (uid.empty()) return "empty UID";
    std::size_t start = 0;
    while (true) {
        std::size_t dot = uid.find('.', start);
        std::string_view comp = uid.substr(start, dot == std::string_view::npos ? uid.npos : dot - start);
        if (comp.empty()) return "empty component in UID";
        if (!all_digits(comp)) return "UID has characters other than digits and dots";
        if (comp.size() > 1 && comp[0] == '0') return "UID component with a leading zero";
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return std::nullopt;
}

std::optional<std::string> check_string_value(VR vr, std::string_view v) {
    std::size_t max = max_value_length(vr);
    if (vr == VR::PN) {
        std::size_t start = 0;
        while (true) {
            std::size_t eq = v.find('=', start);
            std::size_t len = (eq == std::string_view::npos ? v.size() : eq) - start;
            if (len > max) return "person name component group longer than 64 characters";
            if (eq == std::string_view::npos) break;
            start = eq + 1;
        }
    } else if (max != 0 && v.size() > max) {
        return "value longer than " + std::to_string(max) + " (the most for " + std::string(to_string(vr)) + ")";
    }
    if (v.empty()) return std::nullopt;
    switch (vr) {
    case VR::CS:
        for (char c : v)
            if (!((c >= 'A' && c <= 'Z') || is_digit(c) || c == ' ' || c == '_'))
                return "character not allowed in CS (upper case letters, digits, space, underscore)";
        return std::nullopt;
    case VR::AE:
        for (unsigned char c : v)
            if (c < 0x20 || c == '\\' || c > 0x7E) return "character not allowed in AE";
        return std::nullopt;
    case VR::AS:
        if (v.size() != 4 || !all_digits(v.substr(0, 3)) || std::string_view("DWMY").find(v[3]) == std::string_view::npos)
            return "age string not of the form nnnD, nnnW, nnnM or nnnY";
        return std::nullopt;
    case VR::DA: return check_date(v);
    case VR::TM: return check_time(v);
    case VR::DT: return check_datetime(v);
    case VR::UI: return check_uid(v);
    case VR::IS: return check_is(v);
    case VR::DS: return check_ds(v);
    case VR::LO:
    case VR::SH:
    case VR::PN:
    case VR::UC:
        if (!control_free(v, false)) return "control character in value";
        return std::nullopt;
    case VR::LT:
    case VR::ST:
    case VR::UT:
        if (!control_free(v, true)) return "control character in text";
        return std::nullopt;
    default: return std::nullopt;
    }
}

bool vm_allows(std::string_view vm, std::size_t n) noexcept {
    if (vm.empty()) return true;
    // "1-n or 1" (PS3.6 lists alternatives for a few attributes such as LUT Data)
    if (auto alt = vm.find(" or "); alt != std::string_view::npos)
        return vm_allows(vm.substr(0, alt), n) || vm_allows(vm.substr(alt + 4), n);
    auto dash = vm.find('-');
    std::string_view lo_s = vm.substr(0, dash);
    std::size_t lo = 0;
    std::from_chars(lo_s.data(), lo_s.data() + lo_s.size(), lo);
    if (dash == std::string_view::npos) return n == lo;
    std::string_view hi_s = vm.substr(dash + 1);
    if (n < lo) return false;
    if (!hi_s.empty() && hi_s.back() == 'n') {
        std::string_view k_s = hi_s.substr(0, hi_s.size() - 1);
        std::size_t k = 1;
        if (!k_s.empty()) std::from_chars(k_s.data(), k_s.data() + k_s.size(), k);
        return k <= 1 || n % k == 0;
    }
    std::size_t hi = 0;
    std::from_chars(hi_s.data(), hi_s.data() + hi_s.size(), hi);
    return n <= hi;
}

}  // namespace dicomkit::validate
