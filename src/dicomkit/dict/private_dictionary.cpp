// Lookups in the generated private dictionary: a binary search over the sorted table, then the
// few group-range entries.
#include <dicomkit/dict/private_dictionary.hpp>

#include <algorithm>
#include <tuple>

#include <dicomkit/dict/generated/private_tables.hpp>

namespace dicomkit::dict {

namespace {

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
    return s;
}

}  // namespace

const PrivateAttributeInfo* find_private(std::string_view creator, std::uint16_t group,
                                         std::uint16_t element) noexcept {
    creator = trim(creator);
    if (creator.empty()) return nullptr;
    const auto byte = static_cast<std::uint8_t>(element & 0xFF);
    const auto key = std::make_tuple(creator, group, byte);
    const auto& table = detail::kPrivateAttributes;
    auto it = std::lower_bound(table.begin(), table.end(), key, [](const PrivateAttributeInfo& a, const auto& k) {
        return std::make_tuple(a.creator.view(), a.group, a.element) < k;
    });
    if (it != table.end() && it->creator == creator && it->group == group && it->element == byte) return &*it;
    for (const PrivateAttributeInfo& r : detail::kPrivateRanges)
        if (r.creator == creator && r.element == byte && group >= r.group && group <= r.group_last && group % 2)
            return &r;
    return nullptr;
}

ResolvedPrivate resolve_private(const DataSet& ds, Tag tag) {
    ResolvedPrivate out;
    if (!tag.is_private() || tag.element < 0x1000) return out;
    out.creator = ds.private_creator_of(tag);
    if (!out.creator.empty()) out.info = find_private(out.creator, tag.group, tag.element);
    return out;
}

std::span<const PrivateAttributeInfo> all_private_attributes() noexcept { return detail::kPrivateAttributes; }

}  // namespace dicomkit::dict
