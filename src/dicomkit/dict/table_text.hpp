// A string of the generated dictionary tables, held as its offset and size in one character array
// of its table (generated/). Tables of such values hold no pointers: the dynamic loader has nothing
// to relocate in them at start-up, so they stay in read-only pages that are read in on first use.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace dicomkit::dict {

/// The character array a TableText refers to.
enum class TextTable : std::uint8_t { Attribute, Uid, Private };

/// Reads as a std::string_view (implicit conversion, view(), comparisons with strings).
template <TextTable T>
struct TableText {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;

    [[nodiscard]] std::string_view view() const noexcept;
    operator std::string_view() const noexcept { return view(); }
    [[nodiscard]] bool empty() const noexcept { return length == 0; }
    [[nodiscard]] std::size_t size() const noexcept { return length; }
    [[nodiscard]] std::string str() const { return std::string(view()); }

    friend bool operator==(const TableText& a, std::string_view b) noexcept { return a.view() == b; }
    friend auto operator<=>(const TableText& a, std::string_view b) noexcept { return a.view() <=> b; }
    friend bool operator==(const TableText& a, const TableText& b) noexcept { return a.view() == b.view(); }
    friend auto operator<=>(const TableText& a, const TableText& b) noexcept { return a.view() <=> b.view(); }
    template <class Traits>
    friend std::basic_ostream<char, Traits>& operator<<(std::basic_ostream<char, Traits>& os, const TableText& t) {
        return os << t.view();
    }
};

template <>
std::string_view TableText<TextTable::Attribute>::view() const noexcept;
template <>
std::string_view TableText<TextTable::Uid>::view() const noexcept;
template <>
std::string_view TableText<TextTable::Private>::view() const noexcept;

using AttributeText = TableText<TextTable::Attribute>;
using UidText = TableText<TextTable::Uid>;
using PrivateText = TableText<TextTable::Private>;

}  // namespace dicomkit::dict

template <dicomkit::dict::TextTable T>
struct fmt::formatter<dicomkit::dict::TableText<T>> : fmt::formatter<std::string_view> {
    auto format(const dicomkit::dict::TableText<T>& t, fmt::format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(t.view(), ctx);
    }
};
