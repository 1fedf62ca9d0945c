// UID syntax (PS3.5 9.1): what a received UID must look like before the archive keeps it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dicomkit::server::model {

/// PS3.5 9.1: components of digits separated by dots, no component empty or with a leading zero
/// (but "0" itself), at most 64 bytes in all. nullopt when `uid` is valid, else why not (in words
/// that quote nothing of `uid`, so that the reason is safe in a log line or an Error Comment).
[[nodiscard]] std::optional<std::string> uid_problem(std::string_view uid);

}  // namespace dicomkit::server::model
