// Lookups over the generated dictionary tables: binary searches, no start-up cost, no global state.
#include <dicomkit/dict/dictionary.hpp>

#include <algorithm>

#include <dicomkit/dict/generated/tables.hpp>

namespace dicomkit::dict {
namespace {

using detail::KeywordIndexEntry;

/// PS3.5 7.2: every group may have a group length element (gggg,0000), UL.
constexpr AttributeInfo kGroupLength{
    Tag{0x0000, 0x0000}, 0x0000FFFF, {VR::UL, VR::UN, VR::UN}, 1,
    detail::kGenericText[0], detail::kGenericText[1], detail::kGenericText[2], false};

/// PS3.5 7.8.1: (gggg,0010-00FF) in a private group holds a Private Creator, LO. The mask only
/// says "odd group, element below 0x0100"; find() applies the exact range.
constexpr AttributeInfo kPrivateCreator{
    Tag{0x0001, 0x0000}, 0x0001FF00, {VR::LO, VR::UN, VR::UN}, 1,
    detail::kGenericText[3], detail::kGenericText[4], detail::kGenericText[2], false};

constexpr bool is_pattern(const AttributeInfo& info) noexcept { return info.mask != 0xFFFFFFFF; }

/// Whether a pattern with x digits in the group applies to `tag`'s group. PS3.5 7.6: repeating
/// groups are the even groups 6000-601E (overlays) and, retired, 5000-501E (curves); the retired
/// 7Fxx variable pixel data groups are taken to be any even group.
constexpr bool group_in_range(const AttributeInfo& pattern, Tag tag) noexcept {
    if ((pattern.mask >> 16) == 0xFFFF) return true;
    if ((tag.group & 1) != 0) return false;
    const std::uint16_t base = pattern.tag.group;
    if (base == 0x5000 || base == 0x6000) return (tag.group & 0x00FF) <= 0x001E;
    return true;
}

const AttributeInfo* find_exact(Tag tag) noexcept {
    const auto& table = detail::kAttributes;
    // Exact entries sort before a pattern with the same x = 0 tag, so the first hit is the exact one.
    auto it = std::lower_bound(table.begin(), table.end(), tag,
                               [](const AttributeInfo& a, Tag t) { return a.tag < t; });
    if (it == table.end() || it->tag != tag || is_pattern(*it)) return nullptr;
    return &*it;
}

const AttributeInfo* find_pattern(Tag tag) noexcept {
    // PS3.5 7.6 / 7.8: private groups never take the meaning of a standard repeating group.
    if (tag.is_private()) return nullptr;
    const std::uint32_t value = tag.value();
    for (std::uint16_t index : detail::kPatterns) {
        const AttributeInfo& p = detail::kAttributes[index];
        if ((value & p.mask) == p.tag.value() && group_in_range(p, tag)) return &p;
    }
    return nullptr;
}

template <class Entry, std::size_t N>
const Entry* find_in_index(const std::array<Entry, N>& index, std::string_view keyword) noexcept {
    auto it = std::lower_bound(
        index.begin(), index.end(), keyword,
        [](const Entry& e, std::string_view k) { return e.keyword.view() < k; });
    if (it == index.end() || it->keyword.view() != keyword) return nullptr;
    return &*it;
}

}  // namespace

const AttributeInfo* find(Tag tag) noexcept {
    if (const AttributeInfo* exact = find_exact(tag)) return exact;
    if (tag.is_group_length()) return &kGroupLength;
    if (tag.is_private_creator()) return &kPrivateCreator;
    return find_pattern(tag);
}

const AttributeInfo* find_keyword(std::string_view keyword) noexcept {
    const KeywordIndexEntry* e = find_in_index(detail::kAttributeKeywords, keyword);
    return e ? &detail::kAttributes[e->index] : nullptr;
}

std::span<const AttributeInfo> all_attributes() noexcept { return detail::kAttributes; }

VR implicit_vr(Tag tag) noexcept {
    const AttributeInfo* info = find(tag);
    return info ? info->vr() : VR::UN;
}

std::string_view keyword_of(Tag tag) noexcept {
    const AttributeInfo* info = find(tag);
    return info ? info->keyword : std::string_view{};
}

std::optional<Tag> parse_tag_or_keyword(std::string_view text) noexcept {
    if (const AttributeInfo* info = find_keyword(text)) return info->tag;
    return Tag::parse(text);
}

std::string_view to_string(UidKind kind) noexcept {
    switch (kind) {
        case UidKind::TransferSyntax: return "Transfer Syntax";
        case UidKind::SopClass: return "SOP Class";
        case UidKind::MetaSopClass: return "Meta SOP Class";
        case UidKind::WellKnownSopInstance: return "Well-known SOP Instance";
        case UidKind::WellKnownFrameOfReference: return "Well-known Frame of Reference";
        case UidKind::CodingScheme: return "Coding Scheme";
        case UidKind::ApplicationContextName: return "Application Context Name";
        case UidKind::ServiceClass: return "Service Class";
        case UidKind::ApplicationHostingModel: return "Application Hosting Model";
        case UidKind::MappingResource: return "Mapping Resource";
        case UidKind::LdapOid: return "LDAP OID";
        case UidKind::SynchronizationFrameOfReference: return "Synchronization Frame of Reference";
        case UidKind::Other: break;
    }
    return "Other";
}

const UidInfo* find_uid(std::string_view uid) noexcept {
    const auto& table = detail::kUids;
    auto it = std::lower_bound(table.begin(), table.end(), uid,
                               [](const UidInfo& u, std::string_view s) { return u.uid.view() < s; });
    if (it == table.end() || it->uid.view() != uid) return nullptr;
    return &*it;
}

const UidInfo* find_uid_keyword(std::string_view keyword) noexcept {
    const detail::UidKeywordIndexEntry* e = find_in_index(detail::kUidKeywords, keyword);
    return e ? &detail::kUids[e->index] : nullptr;
}

std::span<const UidInfo> all_uids() noexcept { return detail::kUids; }

std::span<const StorageSopClass> storage_sop_classes() noexcept {
    return detail::kStorageSopClasses;
}

bool is_storage_sop_class(std::string_view uid) noexcept {
    const auto& table = detail::kStorageSopClasses;
    auto it = std::lower_bound(
        table.begin(), table.end(), uid,
        [](const StorageSopClass& s, std::string_view u) { return s.uid < u; });
    return it != table.end() && it->uid == uid;
}

}  // namespace dicomkit::dict
