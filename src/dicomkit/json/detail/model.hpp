// What the JSON and XML writers and readers share: which elements are written, the character
// set scope of a data set, and the Value Field bytes of binary values.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/json/detail/text_codec.hpp>

namespace dicomkit::json::detail {

inline constexpr Tag kSpecificCharacterSet{0x0008, 0x0005};
inline constexpr Tag kPixelData{0x7FE0, 0x0010};

/// Group lengths are never written (PS3.18 F.2.2, PS3.19 A.1); File Meta Information only
/// when asked for.
[[nodiscard]] inline bool is_skipped(const Element& e, bool include_meta) noexcept {
    return e.tag().is_group_length() || e.tag().is_delimiter() ||
           (!include_meta && e.tag().is_meta());
}

/// PS3.18 F.2.2: the VRs whose value may be sent as a BulkDataURI.
[[nodiscard]] bool may_be_bulk_data(VR vr) noexcept;

/// The codec of a data set that has its own (0008,0005); nullopt when it inherits its parent's.
[[nodiscard]] Result<std::optional<TextCodec>> own_codec(const DataSet& ds, bool lenient);

/// The Value Field bytes written as InlineBinary: the bytes, or for encapsulated pixel data its
/// items and delimiter. `scratch` holds them when they had to be assembled.
[[nodiscard]] std::span<const std::uint8_t> inline_binary_bytes(const Element& e, Bytes& scratch);

/// Turns a Value Field read from InlineBinary or bulk data into an element: encapsulated pixel
/// data (PS3.5 A.4) becomes fragments, anything else stays bytes.
[[nodiscard]] Element binary_element(Tag tag, VR vr, Bytes bytes);

/// Builds the UTF-8 text of bulk data of a string VR into an element (PS3.18 F.2.2 note 4).
[[nodiscard]] Result<Element> string_bulk_element(Tag tag, VR vr, const Bytes& utf8);

/// Readers build string elements in UTF-8 and call this once a data set that owns a character
/// set (it has (0008,0005), or it is the top level) is complete: its strings, and those of its
/// items that have no (0008,0005) of their own, are encoded into `codec`'s set. When that set
/// cannot represent them all, they stay UTF-8 and (0008,0005) becomes "ISO_IR 192", the
/// repertoire of the JSON and XML models (PS3.18 F.2).
void encode_scope(DataSet& ds, const TextCodec& codec);

/// Calls encode_scope when `ds` owns a character set: it has (0008,0005) (whose unknown terms
/// are a CharsetError) or it is the top level (default repertoire when it has none).
[[nodiscard]] Result<void> settle_charset(DataSet& ds, bool top_level);

/// Reserves the private block of `creator` in `group` of `ds` (PS3.5 7.8.1) and returns the
/// tag of element `offset` in it: the form PS3.19 A.1.5 uses for private tags, gggg00ee.
[[nodiscard]] Result<Tag> private_tag_for(DataSet& ds, std::uint16_t group,
                                          std::string_view creator, std::uint8_t offset);

}  // namespace dicomkit::json::detail
