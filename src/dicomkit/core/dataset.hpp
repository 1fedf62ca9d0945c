// DataSet: the elements of one data set, sorted by tag, with value semantics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/element.hpp>

namespace dicomkit {

class DataSet {
public:
    using const_iterator = std::vector<Element>::const_iterator;
    using iterator = std::vector<Element>::iterator;

    DataSet() = default;

    [[nodiscard]] const Element* find(Tag tag) const noexcept;
    [[nodiscard]] Element* find(Tag tag) noexcept;
    [[nodiscard]] bool contains(Tag tag) const noexcept { return find(tag) != nullptr; }

    /// Inserts `e`, replacing an element with the same tag; returns the stored element.
    Element& set(Element e);
    /// Adds `e` when no element has its tag yet; returns false (and keeps the old one) otherwise.
    bool insert(Element e);
    bool remove(Tag tag);
    /// Removes every element with a tag in [first, last].
    void remove_range(Tag first, Tag last);
    void clear() noexcept { elements_.clear(); }
    void reserve(std::size_t n) { elements_.reserve(n); }

    [[nodiscard]] std::size_t size() const noexcept { return elements_.size(); }
    [[nodiscard]] bool empty() const noexcept { return elements_.empty(); }
    [[nodiscard]] const_iterator begin() const noexcept { return elements_.begin(); }
    [[nodiscard]] const_iterator end() const noexcept { return elements_.end(); }
    [[nodiscard]] iterator begin() noexcept { return elements_.begin(); }
    [[nodiscard]] iterator end() noexcept { return elements_.end(); }
    [[nodiscard]] const std::vector<Element>& elements() const noexcept { return elements_; }

    /// The first value of a string element, padding removed; NotFound when absent.
    [[nodiscard]] Result<std::string> get_string(Tag tag) const;
    /// A string, or `fallback` when absent or not a string.
    [[nodiscard]] std::string string_or(Tag tag, std::string_view fallback = {}) const;
    template <typename T>
    [[nodiscard]] Result<T> get_number(Tag tag, std::size_t index = 0) const {
        const Element* e = find(tag);
        if (!e) return Unexpected(std::move(Error(ErrorCode::NotFound, "no such element")).at_tag(tag.str()));
        return e->as<T>(index);
    }
    Element& set_string(Tag tag, VR vr, std::string_view value) {
        return set(Element::from_string(tag, vr, value));
    }

    /// PS3.5 7.8.1: the tag of element `offset` (0x00-0xFF) in the block that `creator` reserved in
    /// private `group`; nullopt when that creator has no block there.
    [[nodiscard]] std::optional<Tag> private_tag(std::uint16_t group, std::string_view creator,
                                                 std::uint8_t offset) const;
    /// The creator of the block a private tag falls in ("" when none is reserved).
    [[nodiscard]] std::string private_creator_of(Tag tag) const;
    /// Reserves (or finds) a block for `creator` in private `group`; returns the block number
    /// (0x10-0xFF), so the elements are (group, block<<8 | offset).
    [[nodiscard]] Result<std::uint8_t> reserve_private_block(std::uint16_t group, std::string_view creator);

    /// Encoding hint when this data set is a sequence item: undefined length (default) or not.
    [[nodiscard]] bool undefined_length() const noexcept { return undefined_length_; }
    void set_undefined_length(bool u) noexcept { undefined_length_ = u; }

    /// For readers: appends in file order, keeping the order sorted; a duplicate tag is refused.
    /// Takes `e` by rvalue reference: readers move each element once.
    bool append(Element&& e);

    bool operator==(const DataSet& other) const { return elements_ == other.elements_; }

private:
    std::vector<Element> elements_;
    bool undefined_length_ = true;
};

}  // namespace dicomkit
