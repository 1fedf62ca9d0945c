// Directory Record types of the Basic Directory IOD (PS3.3 F.4, F.5): which record an instance
// gets from its SOP Class, and the keys each record type carries with their types.
#pragma once

#include <span>
#include <string_view>

#include <dicomkit/core/tag.hpp>

namespace dicomkit::media {

struct RecordKey {
    Tag tag;
    char type;  ///< '1': present with a value; '2': present, may be empty; '3': copied when present
};

/// The keys of `record_type` (PATIENT, STUDY, SERIES, IMAGE, RT DOSE, ...), Specific Character
/// Set aside (1C: the writer adds it where the source file has one). Empty for unknown types.
[[nodiscard]] std::span<const RecordKey> record_keys(std::string_view record_type) noexcept;

/// The instance-level record type for a storage SOP Class (PS3.3 Table F.4-1), or "" when the
/// class has no record type under a SERIES here. `has_pixels`: the instance carries an image
/// (Rows), so a class not listed becomes an IMAGE.
[[nodiscard]] std::string_view record_type_for(std::string_view sop_class_uid, bool has_pixels) noexcept;

}  // namespace dicomkit::media
