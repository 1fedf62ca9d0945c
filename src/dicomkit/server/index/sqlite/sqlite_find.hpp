// The SQL for a C-FIND query over the schema of schema/*.sql (PS3.4 C.2.2.2 matching).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <dicomkit/server/model/query.hpp>

namespace dicomkit::server::index::sqlite {

/// A SELECT whose columns are the query's return keys that the index holds.
struct FindSql {
    std::string sql;
    std::vector<std::string> params;          ///< bound in order, 1-based
    std::vector<std::optional<int>> columns;  ///< per return key: its column, or none (zero length)
};

[[nodiscard]] FindSql build_find_sql(const model::Query& q);

}  // namespace dicomkit::server::index::sqlite
