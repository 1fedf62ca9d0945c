// Tag: a (group,element) pair, ordered as on the wire.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace dicomkit {

struct Tag {
    std::uint16_t group = 0;
    std::uint16_t element = 0;

    constexpr Tag() = default;
    constexpr Tag(std::uint16_t g, std::uint16_t e) : group(g), element(e) {}
    constexpr explicit Tag(std::uint32_t v)
        : group(static_cast<std::uint16_t>(v >> 16)), element(static_cast<std::uint16_t>(v)) {}

    [[nodiscard]] constexpr std::uint32_t value() const noexcept {
        return (std::uint32_t{group} << 16) | element;
    }
    constexpr auto operator<=>(const Tag&) const = default;

    /// PS3.5 7.8: odd groups other than 1, 3, 5, 7 and FFFF are private.
    [[nodiscard]] constexpr bool is_private() const noexcept {
        return (group & 1) != 0 && group > 0x0007 && group != 0xFFFF;
    }
    /// (gggg,0010-00FF) in a private group reserves a block for a private creator.
    [[nodiscard]] constexpr bool is_private_creator() const noexcept {
        return is_private() && element >= 0x0010 && element <= 0x00FF;
    }
    [[nodiscard]] constexpr bool is_group_length() const noexcept { return element == 0x0000; }
    [[nodiscard]] constexpr bool is_meta() const noexcept { return group == 0x0002; }
    /// The item, item delimitation and sequence delimitation tags of group FFFE.
    [[nodiscard]] constexpr bool is_delimiter() const noexcept { return group == 0xFFFE; }

    /// "(gggg,eeee)" with upper-case hex digits.
    [[nodiscard]] std::string str() const;
    /// Parses "(gggg,eeee)", "gggg,eeee" or "ggggeeee".
    [[nodiscard]] static std::optional<Tag> parse(std::string_view text);
};

namespace tags {
inline constexpr Tag Item{0xFFFE, 0xE000};
inline constexpr Tag ItemDelimitationItem{0xFFFE, 0xE00D};
inline constexpr Tag SequenceDelimitationItem{0xFFFE, 0xE0DD};
}  // namespace tags

}  // namespace dicomkit

template <>
struct fmt::formatter<dicomkit::Tag> : fmt::formatter<std::string_view> {
    auto format(const dicomkit::Tag& t, format_context& ctx) const {
        return fmt::format_to(ctx.out(), "({:04X},{:04X})", t.group, t.element);
    }
};
