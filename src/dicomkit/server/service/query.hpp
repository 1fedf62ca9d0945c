// Query: the C-FIND use case (PS3.4 C.4.1) over the Index, whatever protocol asks: the identifier
// is parsed here into a model::Query, which is all the index sees.
#pragma once

#include <cstdint>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/model/query.hpp>
#include <dicomkit/server/service/errors.hpp>

namespace dicomkit::server::service {

class Query {
public:
    explicit Query(index::Index& index) : index_(index) {}

    /// PS3.4 C.4.1.2: reads `identifier` for information model `root`; `relational`: the
    /// association negotiated relational queries (PS3.4 C.4.1.2.2). BadIdentifier with the
    /// reason when it cannot be parsed (a level missing or unknown, keys above the level that
    /// are not unique keys, values that do not decode ...).
    [[nodiscard]] static ServiceResult<model::Query> parse(model::Root root, const DataSet& identifier,
                                                           bool relational = false);

    /// Matches a parsed query, handing over each match (returning false stops, PS3.4 C.4.1.3.2).
    /// OutOfResources when the index fails (Unsupported for what it does not implement).
    [[nodiscard]] ServiceResult<std::uint64_t> find(const model::Query& query, const index::MatchFn& on_match);

    /// parse() then find().
    [[nodiscard]] ServiceResult<std::uint64_t> find(model::Root root, const DataSet& identifier,
                                                    const index::MatchFn& on_match, bool relational = false);

private:
    index::Index& index_;
};

}  // namespace dicomkit::server::service
