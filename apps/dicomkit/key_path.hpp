// The "-k Key=Value" keys of find and mpps: a tag or keyword, or a path into the one item of
// sequences ("ScheduledStepAttributesSequence[0].StudyInstanceUID").
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::cli {

using KeyPath = std::vector<Tag>;

/// "A[0].B" -> {A, B}: keywords or tags, the item index optional and only [0] (the one item of a
/// sequence key, PS3.4 C.2.2.2.6).
[[nodiscard]] Result<KeyPath> parse_key_path(std::string_view name);
/// The dictionary's VR of `t` (LO when unknown).
[[nodiscard]] VR dictionary_vr(Tag t);
/// Sets `value` at `path` in `ds`, making each sequence on the way with one item; a sequence as
/// the last step is set empty (a universal sequence key) unless present.
void set_key_path(DataSet& ds, std::span<const Tag> path, const std::string& value);

}  // namespace dicomkit::cli
