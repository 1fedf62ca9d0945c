// Element: one data element (tag, VR, value). The value keeps its encoded bytes (little endian,
// as in Explicit VR Little Endian) so that what is read is written back unchanged; typed views
// decode on demand and never change the element.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <dicomkit/base/endian.hpp>
#include <dicomkit/base/error.hpp>
#include <dicomkit/core/tag.hpp>
#include <dicomkit/core/values.hpp>
#include <dicomkit/core/vr.hpp>

namespace dicomkit {

class DataSet;
using Bytes = std::vector<std::uint8_t>;

/// Storage of an element's encoded value. A std::string holds values of up to 15 bytes inline
/// (most DA, TM, CS, US, UL, IS values), so reading a data set does not allocate for each of them.
using ValueBytes = std::string;

/// The items of a sequence (VR SQ), each a data set.
/// Its special members are defined where DataSet is complete (element.cpp).
struct Sequence {
    std::vector<DataSet> items;

    Sequence();
    Sequence(std::vector<DataSet> items);  // NOLINT: implicit on purpose, Sequence{{item, ...}}
    Sequence(const Sequence&);
    Sequence(Sequence&&) noexcept;
    Sequence& operator=(const Sequence&);
    Sequence& operator=(Sequence&&) noexcept;
    ~Sequence();
    bool operator==(const Sequence&) const;
};

/// Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table (first item, may be empty) and the
/// fragments that follow it, each kept as it was encoded.
struct PixelFragments {
    Bytes basic_offset_table;
    std::vector<Bytes> fragments;
    bool operator==(const PixelFragments&) const = default;
};

/// A value left in the source: its position there. Loaded explicitly (io::load_deferred).
struct DeferredValue {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    bool operator==(const DeferredValue&) const = default;
};

class Element {
public:
    using Value = std::variant<ValueBytes, Sequence, PixelFragments, DeferredValue>;

    Element() = default;
    Element(Tag tag, VR vr) : tag_(tag), vr_(vr), value_(ValueBytes()) {}
    Element(Tag tag, VR vr, const Bytes& bytes)
        : tag_(tag), vr_(vr), value_(ValueBytes(reinterpret_cast<const char*>(bytes.data()), bytes.size())) {}
    /// A value from bytes already encoded little endian.
    [[nodiscard]] static Element from_bytes(Tag tag, VR vr, std::span<const std::uint8_t> bytes) {
        return Element(tag, vr, std::in_place_type<ValueBytes>, reinterpret_cast<const char*>(bytes.data()),
                       bytes.size());
    }
    Element(Tag tag, VR vr, Sequence seq) : tag_(tag), vr_(vr), value_(std::move(seq)) {
        undefined_length_ = true;
    }
    Element(Tag tag, VR vr, PixelFragments f) : tag_(tag), vr_(vr), value_(std::move(f)) {
        undefined_length_ = true;
    }
    Element(Tag tag, VR vr, DeferredValue d) : tag_(tag), vr_(vr), value_(d) {}

    /// A string element from text (already in the data set's character set); pads to even length.
    [[nodiscard]] static Element from_string(Tag tag, VR vr, std::string_view text);
    /// A string element from several values joined by '\'.
    [[nodiscard]] static Element from_strings(Tag tag, VR vr, const std::vector<std::string>& values);
    /// A binary element (US, UL, FD, ...) from numbers, stored little endian.
    template <typename T>
    [[nodiscard]] static Element from_numbers(Tag tag, VR vr, std::span<const T> values) {
        static_assert(std::is_arithmetic_v<T>);
        ValueBytes b(values.size() * sizeof(T), '\0');
        for (std::size_t i = 0; i < values.size(); ++i) {
            if constexpr (std::is_integral_v<T>) {
                store(reinterpret_cast<std::uint8_t*>(b.data()) + i * sizeof(T), values[i], Endian::Little);
            } else {
                std::memcpy(b.data() + i * sizeof(T), &values[i], sizeof(T));
            }
        }
        Element e(tag, vr);
        e.value_ = std::move(b);
        return e;
    }
    template <typename T>
    [[nodiscard]] static Element from_number(Tag tag, VR vr, T value) {
        return from_numbers<T>(tag, vr, std::span<const T>(&value, 1));
    }

    [[nodiscard]] Tag tag() const noexcept { return tag_; }
    [[nodiscard]] VR vr() const noexcept { return vr_; }
    void set_vr(VR vr) noexcept { vr_ = vr; }
    void set_tag(Tag tag) noexcept { tag_ = tag; }

    [[nodiscard]] bool is_bytes() const noexcept { return std::holds_alternative<ValueBytes>(value_); }
    [[nodiscard]] bool is_sequence() const noexcept { return std::holds_alternative<Sequence>(value_); }
    [[nodiscard]] bool is_fragments() const noexcept { return std::holds_alternative<PixelFragments>(value_); }
    [[nodiscard]] bool is_deferred() const noexcept { return std::holds_alternative<DeferredValue>(value_); }

    /// The encoded value (little endian); empty for sequences, fragments and deferred values.
    [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept;
    /// The value's storage, for in-place edits (keep the length even).
    [[nodiscard]] ValueBytes& mutable_bytes() { return std::get<ValueBytes>(value_); }
    [[nodiscard]] const Sequence& sequence() const { return std::get<Sequence>(value_); }
    [[nodiscard]] Sequence& sequence() { return std::get<Sequence>(value_); }
    [[nodiscard]] const PixelFragments& fragments() const { return std::get<PixelFragments>(value_); }
    [[nodiscard]] PixelFragments& fragments() { return std::get<PixelFragments>(value_); }
    [[nodiscard]] const DeferredValue& deferred() const { return std::get<DeferredValue>(value_); }
    [[nodiscard]] const Value& value() const noexcept { return value_; }
    void set_value(Value v) { value_ = std::move(v); }

    /// Length of the value in bytes as it would be encoded with explicit lengths (bytes/deferred).
    [[nodiscard]] std::uint64_t length() const noexcept;
    /// Whether the element was (or is to be) encoded with undefined length (SQ, encapsulated).
    [[nodiscard]] bool undefined_length() const noexcept { return undefined_length_; }
    void set_undefined_length(bool u) noexcept { undefined_length_ = u; }

    /// Value multiplicity as PS3.5 6.4 counts it: backslash-separated strings, binary values by
    /// size, 1 for SQ/OB/OW/UN/LT/ST/UT/UR and bulk data, 0 for an empty value.
    [[nodiscard]] std::size_t vm() const noexcept;

    /// The whole string value with trailing padding (space, NUL) removed; for string VRs.
    [[nodiscard]] Result<std::string_view> string_value() const;
    /// The values of a string element split at '\' (not for LT/ST/UT/UR), each with padding
    /// removed (leading spaces too, except for the text VRs). Splits the raw bytes: right for
    /// ASCII, the single-byte sets and UTF-8; for values in ISO 2022 IR 87/159, GBK or GB18030
    /// use SpecificCharacterSet::decode_values, since 5CH can be half of a two-byte character.
    [[nodiscard]] Result<std::vector<std::string_view>> strings() const;
    /// One value as a number: binary VRs by their type, IS/DS parsed from text.
    template <typename T>
    [[nodiscard]] Result<T> as(std::size_t index = 0) const;
    /// All values as numbers.
    template <typename T>
    [[nodiscard]] Result<std::vector<T>> numbers() const;
    /// One AT value.
    [[nodiscard]] Result<Tag> tag_value(std::size_t index = 0) const;
    /// One DA value (PS3.5 6.2); `lenient` accepts the ACR-NEMA form YYYY.MM.DD.
    [[nodiscard]] Result<Date> date(std::size_t index = 0, bool lenient = true) const;
    /// One TM value.
    [[nodiscard]] Result<Time> time(std::size_t index = 0, bool lenient = true) const;
    /// One DT value.
    [[nodiscard]] Result<DateTime> datetime(std::size_t index = 0) const;
    /// One PN value, from bytes as stored: decode the character set first for non-ASCII names
    /// (SpecificCharacterSet::decode) and use parse_person_name on the text.
    [[nodiscard]] Result<PersonName> person_name(std::size_t index = 0) const;

    bool operator==(const Element& other) const;

private:
    /// Constructs the value in place (the reader's path: no temporary, no assignment).
    template <typename T, typename... Args>
    Element(Tag tag, VR vr, std::in_place_type_t<T> type, Args&&... args)
        : tag_(tag), vr_(vr), value_(type, std::forward<Args>(args)...) {}

    Tag tag_;
    VR vr_ = VR::UN;
    bool undefined_length_ = false;
    Value value_;
};

/// Removes trailing spaces and NULs (PS3.5 6.2 padding).
[[nodiscard]] std::string_view trim_padding(std::string_view s) noexcept;
/// Removes leading and trailing spaces and trailing NULs.
[[nodiscard]] std::string_view trim_spaces(std::string_view s) noexcept;

extern template Result<std::uint16_t> Element::as<std::uint16_t>(std::size_t) const;
extern template Result<std::int16_t> Element::as<std::int16_t>(std::size_t) const;
extern template Result<std::uint32_t> Element::as<std::uint32_t>(std::size_t) const;
extern template Result<std::int32_t> Element::as<std::int32_t>(std::size_t) const;
extern template Result<std::uint64_t> Element::as<std::uint64_t>(std::size_t) const;
extern template Result<std::int64_t> Element::as<std::int64_t>(std::size_t) const;
extern template Result<float> Element::as<float>(std::size_t) const;
extern template Result<double> Element::as<double>(std::size_t) const;
extern template Result<std::vector<std::uint16_t>> Element::numbers<std::uint16_t>() const;
extern template Result<std::vector<std::int32_t>> Element::numbers<std::int32_t>() const;
extern template Result<std::vector<std::uint32_t>> Element::numbers<std::uint32_t>() const;
extern template Result<std::vector<std::int64_t>> Element::numbers<std::int64_t>() const;
extern template Result<std::vector<double>> Element::numbers<double>() const;

}  // namespace dicomkit
