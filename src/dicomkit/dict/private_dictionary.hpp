// The private data dictionary: what vendors' private elements are, by private creator, group and
// element byte, generated from DCMTK's and pydicom's private dictionaries into dict/generated/.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/core/tag.hpp>
#include <dicomkit/core/vr.hpp>
#include <dicomkit/dict/table_text.hpp>

namespace dicomkit::dict {

/// One private attribute. PS3.5 7.8.1: a private creator element (gggg,00xx) reserves the block
/// (gggg,xx00-xxFF), so an element is named by its creator, its group and the low byte of its
/// element number, whatever block the creator got in a given data set. Most entries are for one
/// group (`group == group_last`); a few hold for every odd group of a range (60xx overlays).
struct PrivateAttributeInfo {
    PrivateText creator;        ///< as written by the vendor, without padding
    std::uint16_t group = 0;
    std::uint16_t group_last = 0;
    std::uint8_t element = 0;   ///< the element byte (low 8 bits of the element number)
    VR vr = VR::UN;
    PrivateText vm;
    PrivateText name;
};

/// The entry for `creator`'s element `element` in private `group`. Only the low 8 bits of
/// `element` count, so a full element number (0x1001) or its byte (0x01) may be given. The
/// creator is compared without leading and trailing spaces (PS3.5 6.2, LO). nullptr when unknown.
[[nodiscard]] const PrivateAttributeInfo* find_private(std::string_view creator, std::uint16_t group,
                                                       std::uint16_t element) noexcept;

/// A private element of a data set with its creator resolved.
struct ResolvedPrivate {
    std::string creator;                         ///< "" when no creator reserved the block
    const PrivateAttributeInfo* info = nullptr;  ///< nullptr when the creator or element is unknown
};

/// Resolves private data element `tag` of `ds` (PS3.5 7.8.1): its block number xx (bits 8-15 of the
/// element number, 0x10-0xFF) names the creator element (gggg,00xx) of `ds`, whose value is looked
/// up with the element byte. Creator elements themselves and elements (gggg,0100-0FFF), which no
/// creator can reserve, resolve to nothing, as do public tags.
[[nodiscard]] ResolvedPrivate resolve_private(const DataSet& ds, Tag tag);

/// All single-group entries, sorted by (creator, group, element).
[[nodiscard]] std::span<const PrivateAttributeInfo> all_private_attributes() noexcept;

}  // namespace dicomkit::dict
