// File IDs of a DICOM File-set (PS3.10 8.2, 8.5; PS3.11 General Purpose profiles): a path relative
// to the DICOMDIR's folder, each component 1 to 8 characters of A-Z, 0-9 and _, at most 8
// components. Paths that do not fit are refused with the reason; nothing is renamed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>

namespace dicomkit::media {

inline constexpr std::size_t kMaxComponentLength = 8;
inline constexpr std::size_t kMaxComponents = 8;

/// Why `component` is not a valid File ID component ("" when it is).
[[nodiscard]] std::string component_problem(std::string_view component);

/// The components of `relative_path` ('/' separated), each checked; the error names the path,
/// the component and the rule it breaks.
[[nodiscard]] Result<std::vector<std::string>> file_id_components(std::string_view relative_path);

/// The components joined with '\' as the value of Referenced File ID (0004,1500) is written.
[[nodiscard]] std::string join_file_id(const std::vector<std::string>& components);

}  // namespace dicomkit::media
