// The entry point of the PostgreSQL index module (see module.hpp).
#include <dicomkit/server/index/postgres/module.hpp>
#include <dicomkit/server/index/postgres/postgres_index.hpp>
#include <dicomkit/server/index/postgres/postgres_workflow_store.hpp>

extern "C" __attribute__((visibility("default"))) void dicomkit_postgres_open(
    const std::string* conninfo, dicomkit::Result<dicomkit::server::index::postgres::OpenedIndex>* out) {
    using namespace dicomkit::server::index::postgres;
    auto ix = PostgresIndex::open(*conninfo);
    if (!ix) {
        *out = tl::unexpected(ix.error());
        return;
    }
    // After the index: PostgresIndex::open applies the migrations the workflow tables come from.
    auto workflow = PostgresWorkflowStore::open(*conninfo);
    if (!workflow) {
        *out = tl::unexpected(workflow.error());
        return;
    }
    OpenedIndex opened;
    opened.description = (*ix)->description();
    opened.index = std::move(*ix);
    opened.workflow = std::move(*workflow);
    *out = std::move(opened);
}
