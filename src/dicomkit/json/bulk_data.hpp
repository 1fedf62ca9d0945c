// Bulk data references shared by the JSON and XML models (PS3.18 F.2.6 BulkDataURI, PS3.19
// A.1.5 BulkData): the callback that decides which values leave the document, and the one that
// fetches them back when a document is read.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::json {

/// Asked, while writing, for each element whose value may go by reference: the VRs PS3.18 F.2.2
/// allows (DS, FD, FL, IS, LT, OB, OD, OF, OL, OV, OW, SL, SS, ST, SV, UC, UL, UN, US, UT, UV),
/// encapsulated pixel data and deferred values. `tag_path` is "(0008,1140)[0].(0008,1155)"
/// style. Returns the URI to write instead of the value, or nullopt to write the value inline.
using BulkDataWriter =
    std::function<std::optional<std::string>(const Element& element, std::string_view tag_path)>;

/// Asked, while reading, for the value a BulkDataURI names (for XML BulkData: its uri, or
/// "urn:uuid:" followed by its uuid). Returns the Value Field: little-endian bytes for binary
/// VRs (for encapsulated pixel data: the items and the sequence delimiter, PS3.5 A.4), UTF-8
/// text for string VRs (PS3.18 F.2.2 note 4).
using BulkDataReader =
    std::function<Result<Bytes>(std::string_view uri, Tag tag, VR vr, std::string_view tag_path)>;

/// A BulkDataWriter that refers deferred values, encapsulated pixel data and every value longer
/// than `threshold` bytes to `base_uri` followed by the tag path with its characters
/// percent-encoded, e.g. "https://host/bulk/" + "%287FE0%2C0010%29".
[[nodiscard]] BulkDataWriter refer_values_over(std::size_t threshold, std::string base_uri);

}  // namespace dicomkit::json
