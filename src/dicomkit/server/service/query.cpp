// Query: identifier -> model::Query -> Index::find, errors typed for the fronts.
#include <dicomkit/server/service/query.hpp>

namespace dicomkit::server::service {

ServiceResult<model::Query> Query::parse(model::Root root, const DataSet& identifier, bool relational) {
    auto q = model::parse_query(root, identifier, model::ParseOptions{.relational = relational});
    if (!q) return service_error(ErrorKind::BadIdentifier, q.error());
    return std::move(*q);
}

ServiceResult<std::uint64_t> Query::find(const model::Query& query, const index::MatchFn& on_match) {
    auto n = index_.find(query, on_match);
    if (!n) return service_error(index_error_kind(n.error()), n.error());
    return *n;
}

ServiceResult<std::uint64_t> Query::find(model::Root root, const DataSet& identifier, const index::MatchFn& on_match,
                                         bool relational) {
    auto q = parse(root, identifier, relational);
    if (!q) return tl::unexpected(q.error());
    return find(*q, on_match);
}

}  // namespace dicomkit::server::service
