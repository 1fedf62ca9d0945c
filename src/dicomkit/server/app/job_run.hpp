// What one job of serve does (the REST admin's POST /api/jobs): "send" C-STOREs stored instances
// to a configured peer, "retrieve" asks a configured peer to C-MOVE a study or series to serve
// itself, "import" stores the files of a medium (its DICOMDIR) or a folder on the server's own
// file system. JobRunner (jobs.hpp) queues them and runs each on its own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <dicomkit/deid/anonymizer.hpp>
#include <dicomkit/net/dimse/transcoder.hpp>
#include <dicomkit/server/app/config.hpp>
#include <dicomkit/server/service/ingest.hpp>
#include <dicomkit/server/service/retrieve.hpp>
#include <memory>
#include <string>

namespace dicomkit::server::app {

enum class JobType { Send, Retrieve, Import };

/// The body of POST /api/jobs.
struct JobRequest {
    JobType type = JobType::Send;
    std::string peer;      ///< a configured peer's AE title
    std::string study;     ///< Study Instance UID
    std::string series;    ///< empty: the whole study
    std::string instance;  ///< send only; empty: the whole series (or study)
    std::string path;      ///< import only: a DICOMDIR, or a folder (its DICOMDIR when it has one)
};

/// Progress a job publishes while it runs, and the request to stop it (checked between
/// instances, or between C-MOVE responses).
struct JobCounters {
    std::atomic<std::uint64_t> total{0};
    std::atomic<std::uint64_t> done{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<bool> cancel{false};
};

/// What a job runs with: serve's configuration (own AE title, peers, TLS) and its retrieve
/// service (the instances to send and their blobs).
struct JobContext {
    const Config* config = nullptr;
    service::Retrieve* retrieve = nullptr;
    /// Where imported files are stored, as a C-STORE's are.
    service::Ingest* ingest = nullptr;
    /// Told of each instance an import stored (from the committing thread).
    std::function<void(const service::Stored&)> on_imported{};
    /// Converts what the peer did not accept (null: between uncompressed syntaxes only).
    std::shared_ptr<const net::dimse::Transcoder> transcoder;
    /// The anonymizer of a peer that gets de-identified data (null: instances go as stored).
    std::function<std::shared_ptr<const deid::Anonymizer>(const std::string& ae)> deidentify{};
};

/// The end of a job: empty `error` when every instance arrived; `note`: what else to say.
struct JobOutcome {
    JobOutcome() = default;
    JobOutcome(std::string e) : error(std::move(e)) {}  // NOLINT: `return {"why"};`
    std::string error;
    std::string note;
};

/// PS3.4 B.2.2: C-STORE of the study, series or instance `rq` names (Study Root, as found by the
/// retrieve service) to `peer`, in the syntaxes stored or converted (see dimse::InstanceSender);
/// de-identified copies when the peer says `deidentify`.
[[nodiscard]] JobOutcome run_send(const JobContext& ctx, const JobRequest& rq, const Peer& peer,
                                  JobCounters& counters);

/// PS3.4 C.4.2: C-MOVE-RQ of the Study Root model at STUDY or SERIES level to `peer`, the Move
/// Destination being serve's own AE title; progress from the pending C-MOVE-RSPs (PS3.4
/// C.4.2.1.3); a cancel sends C-CANCEL-RQ (PS3.7 9.3.2.3) and waits for the final response.
[[nodiscard]] JobOutcome run_retrieve(const JobContext& ctx, const JobRequest& rq, const Peer& peer,
                                      JobCounters& counters);

/// The files an import of `path` reads: a DICOMDIR's referenced files (PS3.10 8.2: File IDs
/// relative to its folder), a folder's DICOMDIR when it has one at its top, else every regular
/// file under the folder (symbolic links not followed). `path` must be under one of `roots`
/// (after symbolic links are resolved): InvalidArgument otherwise, naming the roots.
struct ImportList {
    std::vector<std::string> files;
    bool from_dicomdir = false;  ///< the files a DICOMDIR references (else a folder's or one file)
};
[[nodiscard]] Result<ImportList> import_files(const std::string& path, const std::vector<std::string>& roots);

/// Stores each file import_files() lists through the ingest service (checked, de-duplicated
/// and indexed as a received C-STORE), counting what was stored and what was refused; files
/// that are not DICOM (a README, an autorun file) are skipped and counted as failed, named in
/// the outcome with the first few reasons.
[[nodiscard]] JobOutcome run_import(const JobContext& ctx, const JobRequest& rq, JobCounters& counters);

}  // namespace dicomkit::server::app
