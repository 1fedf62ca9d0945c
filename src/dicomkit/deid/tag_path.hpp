// TagPath: the address of an attribute inside a data set, through sequences and their items,
// as the command line and modify rules write it:
//
//   (0008,1140)[0].(0008,1155)        tag numbers, item 0 of the sequence
//   ReferencedImageSequence[*].ReferencedSOPInstanceUID   keywords (PS3.6), every item
//   00081140[0].00081155               eight hex digits
//   (0029,"ACME RT 1.0",10)            a private element by creator, group and element byte
//                                      (PS3.5 7.8.1), whatever block the creator holds
//
// Every step but the last names a sequence and selects items ([n] or [*]); the last step may
// select items too (the path then addresses items, not an element).
#pragma once

#include <cstdint>
#include <dicomkit/base/error.hpp>
#include <dicomkit/core/tag.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace dicomkit::deid {

struct TagPathStep {
    enum class Items : std::uint8_t {
        None,   ///< the element itself
        Index,  ///< item `index` of the sequence
        All,    ///< every item ([*])
    };
    /// The tag; for a private element named by its creator, the group and in `element` the
    /// element byte (0x00-0xFF).
    Tag tag;
    std::string creator;  ///< non-empty: a private element of this creator's block
    Items items = Items::None;
    std::size_t index = 0;

    [[nodiscard]] bool by_creator() const noexcept { return !creator.empty(); }
    bool operator==(const TagPathStep&) const = default;
};

class TagPath {
  public:
    TagPath() = default;
    explicit TagPath(std::vector<TagPathStep> steps) : steps_(std::move(steps)) {}

    /// Parses the forms above. Blanks around steps are allowed. Errors are ParseError with the
    /// 1-based column in the message and the 0-based position in Error::offset.
    [[nodiscard]] static Result<TagPath> parse(std::string_view text);

    /// The canonical form: tag numbers "(gggg,eeee)" in upper-case hex, private steps by creator
    /// as (gggg,"creator",ee), items [n] or [*]; parse(str()) gives the same path.
    [[nodiscard]] std::string str() const;

    [[nodiscard]] const std::vector<TagPathStep>& steps() const noexcept { return steps_; }
    [[nodiscard]] bool empty() const noexcept { return steps_.empty(); }
    [[nodiscard]] const TagPathStep& last() const { return steps_.back(); }
    /// Whether any step selects every item ([*]).
    [[nodiscard]] bool has_wildcard() const noexcept;
    /// Whether the path addresses items (its last step selects items) rather than an element.
    [[nodiscard]] bool ends_in_item() const noexcept {
        return !steps_.empty() && steps_.back().items != TagPathStep::Items::None;
    }

    bool operator==(const TagPath&) const = default;

  private:
    std::vector<TagPathStep> steps_;
};

/// One step in canonical form, e.g. "(0008,1140)[0]" (used to name concrete paths in messages).
[[nodiscard]] std::string step_str(const TagPathStep& step);

}  // namespace dicomkit::deid
