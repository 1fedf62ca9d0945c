// Each level's attributes as a compact blob kept with its row, so that any key of the level that
// the instance had can be returned (PS3.4 C.6: "all other attributes" of each level are optional
// keys), not only the columns.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::server::index::sql {

/// The attributes of `ds` at each level (model::entity_level; indexed by model::Level), text
/// decoded from `charset` to UTF-8, encoded as blobs. Left out: what the columns hold (the known
/// keys), Specific Character Set, group lengths, private and meta elements, pixel, overlay and
/// waveform data, icon images, values not loaded, values over 4 KiB and sequences over 16 KiB.
[[nodiscard]] std::array<std::string, 4> level_blobs(const DataSet& ds, const SpecificCharacterSet& charset);

/// All the attributes of `ds` (but what level_blobs leaves out for other reasons than being a
/// column) in one blob: a non-patient object's, whose keys are not columns.
[[nodiscard]] std::string object_blob(const DataSet& ds, const SpecificCharacterSet& charset);

/// The attributes of a blob; empty for an empty blob, an error for a damaged one.
[[nodiscard]] Result<DataSet> decode_blob(std::string_view blob);

}  // namespace dicomkit::server::index::sql
