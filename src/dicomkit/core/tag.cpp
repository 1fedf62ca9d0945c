// Tag text form.
#include <dicomkit/core/tag.hpp>

#include <cctype>

namespace dicomkit {

std::string Tag::str() const { return fmt::format("{}", *this); }

std::optional<Tag> Tag::parse(std::string_view s) {
    std::string hex;
    for (char c : s) {
        if (c == '(' || c == ')' || c == ',' || c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        hex.push_back(c);
    }
    if (hex.size() != 8) return std::nullopt;
    return Tag(static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16)));
}

}  // namespace dicomkit
