// Tag keys ("GGGGEEEE", PS3.18 F.2.2 and PS3.19 A.1.5) and tag paths for errors and callbacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/core/tag.hpp>

namespace dicomkit::json::detail {

/// Writes four upper-case hex digits at `p`.
inline void put_hex16(char* p, std::uint16_t v) noexcept {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    p[0] = kDigits[(v >> 12) & 0xF];
    p[1] = kDigits[(v >> 8) & 0xF];
    p[2] = kDigits[(v >> 4) & 0xF];
    p[3] = kDigits[v & 0xF];
}

/// Appends the eight-digit upper-case key of `tag`, e.g. "00100010".
inline void append_tag_key(std::string& out, Tag tag) {
    char key[8];
    put_hex16(key, tag.group);
    put_hex16(key + 4, tag.element);
    out.append(key, sizeof key);
}

/// Parses exactly eight hex digits (upper or lower case); nothing else is a tag key.
[[nodiscard]] inline std::optional<Tag> parse_tag_key(std::string_view s) noexcept {
    if (s.size() != 8) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : s) {
        std::uint32_t d;
        if (c >= '0' && c <= '9') {
            d = static_cast<std::uint32_t>(c - '0');
        } else if (c >= 'A' && c <= 'F') {
            d = static_cast<std::uint32_t>(c - 'A' + 10);
        } else if (c >= 'a' && c <= 'f') {
            d = static_cast<std::uint32_t>(c - 'a' + 10);
        } else {
            return std::nullopt;
        }
        v = (v << 4) | d;
    }
    return Tag(v);
}

/// The path to the element being converted, in the form errors carry:
/// "(0008,1140)[0].(0008,1155)". Segments are pushed and popped as the walk descends.
class TagPath {
  public:
    void push(Tag tag) {
        marks_.push_back(text_.size());
        char segment[12] = {'.', '('};
        put_hex16(segment + 2, tag.group);
        segment[6] = ',';
        put_hex16(segment + 7, tag.element);
        segment[11] = ')';
        if (text_.empty()) {
            text_.append(segment + 1, 11);
        } else {
            text_.append(segment, 12);
        }
    }
    void push_item(std::size_t index) {
        marks_.push_back(text_.size());
        text_.push_back('[');
        text_ += std::to_string(index);
        text_.push_back(']');
    }
    void pop() {
        text_.resize(marks_.back());
        marks_.pop_back();
    }
    [[nodiscard]] const std::string& str() const noexcept { return text_; }

  private:
    std::string text_;
    std::vector<std::size_t> marks_;
};

/// Pushes a segment for the lifetime of the scope.
class PathScope {
  public:
    PathScope(TagPath& path, Tag tag) : path_(path) { path_.push(tag); }
    PathScope(TagPath& path, std::size_t item) : path_(path) { path_.push_item(item); }
    PathScope(const PathScope&) = delete;
    PathScope& operator=(const PathScope&) = delete;
    ~PathScope() { path_.pop(); }

  private:
    TagPath& path_;
};

}  // namespace dicomkit::json::detail
