// Query: the C-FIND use case (PS3.4 C.4.1) over the Index, whatever protocol asks.
#pragma once

#include <dicomkit/server/index/index.hpp>

namespace dicomkit::server::service {

class Query {
public:
    explicit Query(index::Index& index) : index_(index) {}
    /// Matches `identifier` in information model `root`, handing over each match; `relational`:
    /// the association negotiated relational queries (PS3.4 C.4.1.2.2).
    [[nodiscard]] Result<std::uint64_t> find(model::Root root, const DataSet& identifier, const index::MatchFn& on_match,
                                             bool relational = false) {
        return index_.find(root, identifier, on_match, model::ParseOptions{.relational = relational});
    }

private:
    index::Index& index_;
};

}  // namespace dicomkit::server::service
