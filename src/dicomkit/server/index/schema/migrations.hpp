// The index schema as numbered migrations (NNN_name.sql, one folder per SQL dialect), compiled
// into the binary.
#pragma once

#include <string_view>
#include <vector>

namespace dicomkit::server::index {

struct Migration {
    int version;             ///< NNN of the file name; applied in increasing order
    std::string_view name;   ///< file name without .sql
    std::string_view sql;    ///< the statements
};

/// Every migration of the SQLite schema (schema/NNN_*.sql), in order (generated from the .sql files
/// at configure time).
[[nodiscard]] const std::vector<Migration>& migrations();
/// The same for PostgreSQL (postgres/schema/NNN_*.sql).
[[nodiscard]] const std::vector<Migration>& postgres_migrations();

}  // namespace dicomkit::server::index
