// The PostgreSQL index as a loadable module (dicomkit-postgres.so beside the dicomkit binary):
// `serve` loads it when [index] backend = "postgres", so that no other command maps libpq and
// the libraries it pulls in (TLS, Kerberos, LDAP: several MiB of every process's memory).
#pragma once

#include <memory>
#include <string>

#include <dicomkit/base/error.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/index/workflow_store.hpp>

namespace dicomkit::server::index::postgres {

/// What the module's entry point gives: the index, the MPPS and Storage Commitment records in the
/// same database, and how to name it in the log.
struct OpenedIndex {
    std::unique_ptr<Index> index;
    std::unique_ptr<WorkflowStore> workflow;
    std::string description;  ///< "postgres user@host:port/database"
};

/// The module's file name and entry point: void dicomkit_postgres_open(const std::string*
/// conninfo, Result<OpenedIndex>* out). The module's code calls into the binary that loads it
/// (which exports its symbols), so both must come from the same build.
inline constexpr const char* kModuleFile = "dicomkit-postgres.so";
inline constexpr const char* kModuleEntry = "dicomkit_postgres_open";
using ModuleEntry = void (*)(const std::string* conninfo, Result<OpenedIndex>* out);

}  // namespace dicomkit::server::index::postgres
