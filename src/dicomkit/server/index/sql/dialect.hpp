// The few things the SQL of the index spells differently in SQLite and PostgreSQL.
#pragma once

#include <string>

namespace dicomkit::server::index::sql {

enum class Dialect { Sqlite, Postgres };

/// The `n`-th (1-based) statement parameter: "?n" (SQLite) or "$n" (PostgreSQL).
[[nodiscard]] inline std::string placeholder(Dialect d, std::size_t n) {
    return (d == Dialect::Sqlite ? "?" : "$") + std::to_string(n);
}

}  // namespace dicomkit::server::index::sql
