// DataSet: sorted storage and private block handling.
#include <dicomkit/core/dataset.hpp>

#include <algorithm>

namespace dicomkit {

namespace {
auto lower(std::vector<Element>& v, Tag t) {
    return std::lower_bound(v.begin(), v.end(), t, [](const Element& e, Tag x) { return e.tag() < x; });
}
auto lower(const std::vector<Element>& v, Tag t) {
    return std::lower_bound(v.begin(), v.end(), t, [](const Element& e, Tag x) { return e.tag() < x; });
}
}  // namespace

const Element* DataSet::find(Tag tag) const noexcept {
    auto it = lower(elements_, tag);
    return it != elements_.end() && it->tag() == tag ? &*it : nullptr;
}

Element* DataSet::find(Tag tag) noexcept {
    auto it = lower(elements_, tag);
    return it != elements_.end() && it->tag() == tag ? &*it : nullptr;
}

Element& DataSet::set(Element e) {
    if (elements_.empty() || elements_.back().tag() < e.tag()) {
        elements_.push_back(std::move(e));
        return elements_.back();
    }
    auto it = lower(elements_, e.tag());
    if (it != elements_.end() && it->tag() == e.tag()) {
        *it = std::move(e);
        return *it;
    }
    return *elements_.insert(it, std::move(e));
}

bool DataSet::insert(Element e) {
    auto it = lower(elements_, e.tag());
    if (it != elements_.end() && it->tag() == e.tag()) return false;
    elements_.insert(it, std::move(e));
    return true;
}

bool DataSet::append(Element&& e) {
    if (elements_.empty() || elements_.back().tag() < e.tag()) {
        elements_.push_back(std::move(e));
        return true;
    }
    return insert(std::move(e));
}

bool DataSet::remove(Tag tag) {
    auto it = lower(elements_, tag);
    if (it == elements_.end() || it->tag() != tag) return false;
    elements_.erase(it);
    return true;
}

void DataSet::remove_range(Tag first, Tag last) {
    auto a = lower(elements_, first);
    auto b = std::upper_bound(a, elements_.end(), last,
                              [](Tag x, const Element& e) { return x < e.tag(); });
    elements_.erase(a, b);
}

Result<std::string> DataSet::get_string(Tag tag) const {
    const Element* e = find(tag);
    if (!e) return Unexpected(std::move(Error(ErrorCode::NotFound, "no such element")).at_tag(tag.str()));
    auto parts = e->strings();
    if (!parts) return Unexpected(std::move(parts.error()).at_tag(tag.str()));
    if (parts->empty()) return std::string();
    return std::string((*parts)[0]);
}

std::string DataSet::string_or(Tag tag, std::string_view fallback) const {
    auto s = get_string(tag);
    return s ? *s : std::string(fallback);
}

std::optional<Tag> DataSet::private_tag(std::uint16_t group, std::string_view creator,
                                        std::uint8_t offset) const {
    for (std::uint16_t block = 0x10; block <= 0xFF; ++block) {
        const Element* e = find(Tag(group, block));
        if (!e) continue;
        auto s = e->string_value();
        if (s && trim_spaces(*s) == trim_spaces(creator))
            return Tag(group, static_cast<std::uint16_t>((block << 8) | offset));
    }
    return std::nullopt;
}

std::string DataSet::private_creator_of(Tag tag) const {
    if (!tag.is_private() || tag.element < 0x1000) return {};
    const Element* e = find(Tag(tag.group, static_cast<std::uint16_t>(tag.element >> 8)));
    if (!e) return {};
    auto s = e->string_value();
    return s ? std::string(trim_spaces(*s)) : std::string();
}

Result<std::uint8_t> DataSet::reserve_private_block(std::uint16_t group, std::string_view creator) {
    if (!Tag(group, 0x10).is_private())
        return make_error(ErrorCode::InvalidArgument, fmt::format("group {:04X} is not private", group));
    std::optional<std::uint16_t> free_block;
    for (std::uint16_t block = 0x10; block <= 0xFF; ++block) {
        const Element* e = find(Tag(group, block));
        if (!e) {
            if (!free_block) free_block = block;
            continue;
        }
        auto s = e->string_value();
        if (s && trim_spaces(*s) == trim_spaces(creator)) return static_cast<std::uint8_t>(block);
    }
    if (!free_block)
        return make_error(ErrorCode::LimitExceeded, fmt::format("no free private block in group {:04X}", group));
    set(Element::from_string(Tag(group, *free_block), VR::LO, creator));
    return static_cast<std::uint8_t>(*free_block);
}

}  // namespace dicomkit
