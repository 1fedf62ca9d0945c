// The index schema as numbered migrations (schema/NNN_name.sql), compiled into the binary.
#pragma once

#include <string_view>
#include <vector>

namespace dicomkit::server::index {

struct Migration {
    int version;             ///< NNN of the file name; applied in increasing order
    std::string_view name;   ///< file name without .sql
    std::string_view sql;    ///< the statements
};

/// Every migration, in order (generated from the .sql files at configure time).
[[nodiscard]] const std::vector<Migration>& migrations();

}  // namespace dicomkit::server::index
