// Naming of stored instances: the one rule that turns a SOP Instance UID into a file name, for the
// archive's storage and for the folders `receive` and `get` write, so that nothing a peer sends
// becomes a path as such.
#pragma once

#include <string>
#include <string_view>

namespace dicomkit::server::storage {

/// PS3.5 9.1: digits and dots, at most 64 characters, no empty component, no component with a
/// leading zero (but "0" itself).
[[nodiscard]] bool is_valid_uid(std::string_view uid) noexcept;

/// Whether `uid` may be a file name as it is: digits and dots, at most 64 characters, no empty
/// component (leading zeros allowed: names given before they were refused stay the names).
[[nodiscard]] bool is_nameable_uid(std::string_view uid) noexcept;

/// The base of an instance's file name: the UID itself when is_nameable_uid(), otherwise "x"
/// and 16 hexadecimal digits of its FNV-1a hash (never '/', '.' first, or anything but
/// [0-9a-fx.]).
[[nodiscard]] std::string name_base(std::string_view sop_instance_uid);

/// The file for an instance in a folder of received files (`receive`, `get`): "<uid>.dcm" when
/// the UID is valid (is_valid_uid), else "x<hash>.dcm". Stricter than name_base, which keeps
/// the names the archive has always given (its stored files and their ids must not change).
[[nodiscard]] std::string instance_file_name(std::string_view sop_instance_uid);

}  // namespace dicomkit::server::storage
