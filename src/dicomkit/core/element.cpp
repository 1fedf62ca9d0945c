// Element: construction helpers and typed views.
#include <dicomkit/core/element.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

#include <dicomkit/core/dataset.hpp>

namespace dicomkit {

Sequence::Sequence() = default;
Sequence::Sequence(std::vector<DataSet> i) : items(std::move(i)) {}
Sequence::Sequence(const Sequence&) = default;
Sequence::Sequence(Sequence&&) noexcept = default;
Sequence& Sequence::operator=(const Sequence&) = default;
Sequence& Sequence::operator=(Sequence&&) noexcept = default;
Sequence::~Sequence() = default;
bool Sequence::operator==(const Sequence& o) const { return items == o.items; }

bool Element::operator==(const Element& o) const {
    return tag_ == o.tag_ && vr_ == o.vr_ && value_ == o.value_;
}

std::string_view trim_padding(std::string_view s) noexcept {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
    return s;
}

std::string_view trim_spaces(std::string_view s) noexcept {
    s = trim_padding(s);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
}

Element Element::from_string(Tag tag, VR vr, std::string_view text) {
    Element e(tag, vr);
    ValueBytes& b = e.mutable_bytes();
    b.reserve(text.size() + 1);
    b.assign(text);
    if (b.size() % 2) b.push_back(static_cast<char>(padding_byte(vr)));
    return e;
}

Element Element::from_strings(Tag tag, VR vr, const std::vector<std::string>& values) {
    std::string joined;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) joined.push_back('\\');
        joined += values[i];
    }
    return from_string(tag, vr, joined);
}

std::span<const std::uint8_t> Element::bytes() const noexcept {
    if (const ValueBytes* b = std::get_if<ValueBytes>(&value_))
        return {reinterpret_cast<const std::uint8_t*>(b->data()), b->size()};
    return {};
}

std::uint64_t Element::length() const noexcept {
    if (const ValueBytes* b = std::get_if<ValueBytes>(&value_)) return b->size();
    if (const DeferredValue* d = std::get_if<DeferredValue>(&value_)) return d->length;
    return 0;
}

std::size_t Element::vm() const noexcept {
    if (is_sequence()) return 1;
    if (is_fragments()) return 1;
    if (is_deferred()) return deferred().length ? 1 : 0;
    auto b = bytes();
    if (b.empty()) return 0;
    if (is_string(vr_)) {
        if (!is_multi_valued_string(vr_)) return 1;
        std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
        if (trim_padding(s).empty()) return 0;  // only padding: an empty value (PS3.5 6.2)
        return 1 + static_cast<std::size_t>(std::count(s.begin(), s.end(), '\\'));
    }
    if (is_bulk(vr_)) return 1;
    std::size_t w = value_size(vr_);
    return w ? b.size() / w : 1;
}

Result<std::string_view> Element::string_value() const {
    if (!is_string(vr_) && vr_ != VR::UN)
        return make_error(ErrorCode::InvalidValue, fmt::format("{} is not a string VR", vr_));
    auto b = bytes();
    std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
    return trim_padding(s);
}

Result<std::vector<std::string_view>> Element::strings() const {
    auto whole = string_value();
    if (!whole) return Unexpected(whole.error());
    std::vector<std::string_view> out;
    std::string_view s = *whole;
    bool text = vr_ == VR::LT || vr_ == VR::ST || vr_ == VR::UT || vr_ == VR::UR;
    if (text) {
        if (!s.empty()) out.push_back(s);
        return out;
    }
    if (s.empty()) return out;
    std::size_t start = 0;
    for (;;) {
        std::size_t pos = s.find('\\', start);
        std::string_view part = s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
        out.push_back(trim_spaces(part));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

namespace {

template <typename T>
Result<T> parse_text_number(std::string_view s) {
    s = trim_spaces(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) {
        // IS values may carry a decimal point in broken files; DS may be read as an integer.
        if constexpr (std::is_integral_v<T>) {
            double d{};
            auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
            if (ec2 == std::errc() && p2 == s.data() + s.size()) return static_cast<T>(d);
        }
        return make_error(ErrorCode::InvalidValue, fmt::format("'{}' is not a number", s));
    }
    return v;
}

template <typename Out, typename In>
Out read_as(const std::uint8_t* p) {
    In v;
    if constexpr (std::is_integral_v<In>) {
        v = load_le<In>(p);
    } else {
        std::memcpy(&v, p, sizeof(In));
    }
    return static_cast<Out>(v);
}

}  // namespace

template <typename T>
Result<T> Element::as(std::size_t index) const {
    if (vr_ == VR::IS || vr_ == VR::DS) {
        auto parts = strings();
        if (!parts) return Unexpected(parts.error());
        if (index >= parts->size())
            return make_error(ErrorCode::NotFound, fmt::format("no value {} in {}", index, tag_));
        return parse_text_number<T>((*parts)[index]);
    }
    std::size_t w = value_size(vr_);
    auto b = bytes();
    if (w == 0 || vr_ == VR::AT)
        return make_error(ErrorCode::InvalidValue, fmt::format("{} {} is not numeric", tag_, vr_));
    if ((index + 1) * w > b.size())
        return make_error(ErrorCode::NotFound, fmt::format("no value {} in {}", index, tag_));
    const std::uint8_t* p = b.data() + index * w;
    switch (vr_) {
        case VR::US: case VR::OW: return read_as<T, std::uint16_t>(p);
        case VR::SS: return read_as<T, std::int16_t>(p);
        case VR::UL: case VR::OL: return read_as<T, std::uint32_t>(p);
        case VR::SL: return read_as<T, std::int32_t>(p);
        case VR::FL: case VR::OF: return read_as<T, float>(p);
        case VR::FD: case VR::OD: return read_as<T, double>(p);
        case VR::UV: case VR::OV: return read_as<T, std::uint64_t>(p);
        case VR::SV: return read_as<T, std::int64_t>(p);
        default: break;
    }
    return make_error(ErrorCode::InvalidValue, fmt::format("{} {} is not numeric", tag_, vr_));
}

template <typename T>
Result<std::vector<T>> Element::numbers() const {
    std::vector<T> out;
    std::size_t n = vr() == VR::IS || vr() == VR::DS ? vm() : (value_size(vr_) ? bytes().size() / value_size(vr_) : 0);
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto v = as<T>(i);
        if (!v) return Unexpected(v.error());
        out.push_back(*v);
    }
    return out;
}

Result<Tag> Element::tag_value(std::size_t index) const {
    auto b = bytes();
    if (vr_ != VR::AT) return make_error(ErrorCode::InvalidValue, "not an AT element");
    if ((index + 1) * 4 > b.size()) return make_error(ErrorCode::NotFound, "no such AT value");
    const std::uint8_t* p = b.data() + index * 4;
    return Tag(load_le<std::uint16_t>(p), load_le<std::uint16_t>(p + 2));
}

namespace {
Result<std::string_view> nth_string(const Element& e, std::size_t index, VR expected) {
    if (e.vr() != expected)
        return make_error(ErrorCode::InvalidValue, fmt::format("{} is {}, not {}", e.tag(), e.vr(), expected));
    auto parts = e.strings();
    if (!parts) return Unexpected(parts.error());
    if (index >= parts->size()) return make_error(ErrorCode::NotFound, fmt::format("no value {} in {}", index, e.tag()));
    return (*parts)[index];
}
}  // namespace

Result<Date> Element::date(std::size_t index, bool lenient) const {
    auto s = nth_string(*this, index, VR::DA);
    if (!s) return Unexpected(s.error());
    return parse_date(*s, lenient);
}

Result<Time> Element::time(std::size_t index, bool lenient) const {
    auto s = nth_string(*this, index, VR::TM);
    if (!s) return Unexpected(s.error());
    return parse_time(*s, lenient);
}

Result<DateTime> Element::datetime(std::size_t index) const {
    auto s = nth_string(*this, index, VR::DT);
    if (!s) return Unexpected(s.error());
    return parse_datetime(*s);
}

Result<PersonName> Element::person_name(std::size_t index) const {
    auto s = nth_string(*this, index, VR::PN);
    if (!s) return Unexpected(s.error());
    return parse_person_name(*s);
}

template Result<std::uint16_t> Element::as<std::uint16_t>(std::size_t) const;
template Result<std::int16_t> Element::as<std::int16_t>(std::size_t) const;
template Result<std::uint32_t> Element::as<std::uint32_t>(std::size_t) const;
template Result<std::int32_t> Element::as<std::int32_t>(std::size_t) const;
template Result<std::uint64_t> Element::as<std::uint64_t>(std::size_t) const;
template Result<std::int64_t> Element::as<std::int64_t>(std::size_t) const;
template Result<float> Element::as<float>(std::size_t) const;
template Result<double> Element::as<double>(std::size_t) const;
template Result<std::vector<std::uint16_t>> Element::numbers<std::uint16_t>() const;
template Result<std::vector<std::int32_t>> Element::numbers<std::int32_t>() const;
template Result<std::vector<std::uint32_t>> Element::numbers<std::uint32_t>() const;
template Result<std::vector<std::int64_t>> Element::numbers<std::int64_t>() const;
template Result<std::vector<double>> Element::numbers<double>() const;

}  // namespace dicomkit
