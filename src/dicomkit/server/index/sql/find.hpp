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

/// A SELECT whose columns are the query's return keys that the index holds in columns, and the
/// attributes blobs of the levels that hold the other return keys.
struct FindSql {
    /// Where a return key's value comes from: a text column, a level's blob column (the key is
    /// returned when the blob has it), or nowhere (zero length).
    struct Source {
        enum Kind { None, Column, Blob } kind = None;
        int column = 0;
    };
    std::string sql;
    std::vector<std::string> params;  ///< text, bound in order, 1-based
    std::vector<Source> sources;      ///< per return key
    std::vector<int> sequence_columns;  ///< per query sequence condition: the blob column holding it
};

[[nodiscard]] FindSql build_find_sql(const model::Query& q, Dialect dialect);

/// PS3.4 C.4.1.3.1: the identifier of one match: Query/Retrieve Level, every return key (the
/// column's text or the element from the blob, zero length when the index has none; a sequence
/// key with item keys as model::match_sequence gives it) and Specific Character Set "ISO_IR 192"
/// when a value is not ASCII. nullopt when the row fails one of the query's sequence conditions
/// (PS3.4 C.2.2.2.6, matched here rather than in SQL): the row is not a match. `column_text(i)`
/// and `column_blob(i)` read column i of the row.
[[nodiscard]] std::optional<DataSet> match_identifier(const model::Query& q, const FindSql& f,
                                       const std::function<std::string(int column)>& column_text,
                                       const std::function<std::string(int column)>& column_blob);

}  // namespace dicomkit::server::index::sql
