// The data dictionary: attributes (PS3.6 Table 6-1, 7-1, 8-1), DIMSE command elements (PS3.7 E)
// and registered UIDs (PS3.6 Table A-1), generated from the standard's tables into
// dict/generated/. Lookups are constexpr-table binary searches; there is no global state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <dicomkit/core/tag.hpp>
#include <dicomkit/core/vr.hpp>
#include <dicomkit/dict/table_text.hpp>

namespace dicomkit::dict {

/// One attribute. For repeating groups and ranges ((50xx,eeee), (60xx,eeee), (7Fxx,0010),
/// (0020,31xx), (0028,04x0) ...) `tag` holds the pattern with the x digits set to 0 and `mask`
/// has 0 bits where x stands: a tag t matches when (t.value() & mask) == tag.value().
struct AttributeInfo {
    Tag tag;
    std::uint32_t mask = 0xFFFFFFFF;
    std::array<VR, 3> vrs{};    ///< e.g. "US or SS" -> {US, SS}; first is the default
    std::uint8_t vr_count = 0;  ///< 0 for the item/delimiter tags (no VR)
    AttributeText keyword;
    AttributeText name;
    AttributeText vm;           ///< "1", "1-n", "2-2n", ...
    bool retired = false;

    [[nodiscard]] VR vr() const noexcept { return vr_count ? vrs[0] : VR::UN; }
    [[nodiscard]] bool allows(VR v) const noexcept {
        for (std::uint8_t i = 0; i < vr_count; ++i)
            if (vrs[i] == v) return true;
        return false;
    }
};

/// The entry for `tag`: exact tags first, then repeating-group patterns, then the generic rules
/// (gggg,0000) group length UL and private creator (gggg,0010-00FF) LO. nullptr when unknown.
[[nodiscard]] const AttributeInfo* find(Tag tag) noexcept;
/// The entry whose keyword is `keyword` (exact, case-sensitive, as in PS3.6).
[[nodiscard]] const AttributeInfo* find_keyword(std::string_view keyword) noexcept;
/// All entries (attributes and command elements), sorted by tag.
[[nodiscard]] std::span<const AttributeInfo> all_attributes() noexcept;

/// The VR to use for `tag` when the encoding does not say (implicit VR): the dictionary's first
/// VR, UL for group lengths, LO for private creators, UN otherwise.
[[nodiscard]] VR implicit_vr(Tag tag) noexcept;

/// The keyword, or "" when the tag is unknown.
[[nodiscard]] std::string_view keyword_of(Tag tag) noexcept;

/// A tag from a keyword or a number in any of the forms Tag::parse accepts.
[[nodiscard]] std::optional<Tag> parse_tag_or_keyword(std::string_view text) noexcept;

enum class UidKind {
    TransferSyntax,
    SopClass,
    MetaSopClass,
    WellKnownSopInstance,
    WellKnownFrameOfReference,
    CodingScheme,
    ApplicationContextName,
    ServiceClass,
    ApplicationHostingModel,
    MappingResource,
    LdapOid,
    SynchronizationFrameOfReference,
    Other,
};

/// The PS3.6 Table A-1 "UID Type" wording of `kind` ("Transfer Syntax", "SOP Class", ...).
[[nodiscard]] std::string_view to_string(UidKind kind) noexcept;

struct UidInfo {
    UidText uid;
    UidText name;
    UidText keyword;
    UidKind kind = UidKind::Other;
    bool retired = false;
};

[[nodiscard]] const UidInfo* find_uid(std::string_view uid) noexcept;
[[nodiscard]] const UidInfo* find_uid_keyword(std::string_view keyword) noexcept;
[[nodiscard]] std::span<const UidInfo> all_uids() noexcept;

/// Storage SOP classes (PS3.4 B.5) with the IOD each one uses.
struct StorageSopClass {
    UidText uid;
    UidText name;
    UidText iod;
};
[[nodiscard]] std::span<const StorageSopClass> storage_sop_classes() noexcept;
[[nodiscard]] bool is_storage_sop_class(std::string_view uid) noexcept;

}  // namespace dicomkit::dict
