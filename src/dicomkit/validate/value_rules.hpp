// Value rules per VR (PS3.5 6.2): maximum lengths, character repertoires, DA/TM/DT/UI/AS/IS/DS
// syntax, and the VM of the data dictionary (PS3.6) compared with a value's multiplicity.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <dicomkit/core/vr.hpp>

namespace dicomkit::validate {

/// PS3.5 Table 6.2-1: the most bytes (characters for the single-byte sets) one value of `vr` may
/// have; 0 when the VR sets no limit here (UT, UR, UC, binary VRs).
[[nodiscard]] std::size_t max_value_length(VR vr) noexcept;

/// What is wrong with one value (already split at '\' and with its padding removed) of a string
/// VR; nullopt when it is well formed. PN components are counted per component group.
[[nodiscard]] std::optional<std::string> check_string_value(VR vr, std::string_view value);

/// PS3.6 VM strings ("1", "1-n", "2-2n", "1-3", "3-3n", ...): does `vm` values fit?
[[nodiscard]] bool vm_allows(std::string_view dictionary_vm, std::size_t vm) noexcept;

/// PS3.5 9.1: digits and dots, components without leading zeros, at most 64 characters.
[[nodiscard]] std::optional<std::string> check_uid(std::string_view uid);

}  // namespace dicomkit::validate
