// The entry point of the PostgreSQL index module (see module.hpp).
#include <dicomkit/server/index/postgres/module.hpp>
#include <dicomkit/server/index/postgres/postgres_index.hpp>

extern "C" __attribute__((visibility("default"))) void dicomkit_postgres_open(
    const std::string* conninfo, dicomkit::Result<dicomkit::server::index::postgres::OpenedIndex>* out) {
    using namespace dicomkit::server::index::postgres;
    auto ix = PostgresIndex::open(*conninfo);
    if (!ix) {
        *out = tl::unexpected(ix.error());
        return;
    }
    OpenedIndex opened;
    opened.description = (*ix)->description();
    opened.index = std::move(*ix);
    *out = std::move(opened);
}
