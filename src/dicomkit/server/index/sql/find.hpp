// The SQL for a C-FIND query over the index schema (PS3.4 C.2.2.2 matching), shared by the SQL
// backends, and the response identifier made from one result row.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/server/index/sql/dialect.hpp>
#include <dicomkit/server/model/query.hpp>

namespace dicomkit::server::index::sql {

/// A SELECT whose columns are the query's return keys that the index holds.
struct FindSql {
    std::string sql;
    std::vector<std::string> params;          ///< text, bound in order, 1-based
    std::vector<std::optional<int>> columns;  ///< per return key: its column, or none (zero length)
};

[[nodiscard]] FindSql build_find_sql(const model::Query& q, Dialect dialect);

/// PS3.4 C.4.1.3.1: the identifier of one match: Query/Retrieve Level, every return key (the
/// column's text, zero length when the index has none) and Specific Character Set "ISO_IR 192"
/// when a value is not ASCII. `column_text(i)` reads column i of the row.
[[nodiscard]] DataSet match_identifier(const model::Query& q, const FindSql& f,
                                       const std::function<std::string(int column)>& column_text);

}  // namespace dicomkit::server::index::sql
