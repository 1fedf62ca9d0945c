// ServerApp's parts, shared by the files that build it (server_app.cpp: storage, index, DIMSE;
// server_app_web.cpp: the web front and its admin hooks). Not for other modules.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <dicomkit/base/log.hpp>
#include <dicomkit/hl7/listener.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/ul/server.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/server/app/audit_trail.hpp>
#include <dicomkit/server/app/config.hpp>
#include <dicomkit/server/app/data_folder.hpp>
#include <dicomkit/server/app/event_log.hpp>
#include <dicomkit/server/app/jobs.hpp>
#include <dicomkit/server/app/peer_deid.hpp>
#include <dicomkit/server/app/server_app.hpp>
#include <dicomkit/server/app/web_front.hpp>
#include <dicomkit/server/dimse/workflow_handlers.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/server/index/workflow_store.hpp>
#include <dicomkit/server/service/commitment.hpp>
#include <dicomkit/server/service/ingest.hpp>
#include <dicomkit/server/service/mpps.hpp>
#include <dicomkit/server/service/object_query.hpp>
#include <dicomkit/server/service/query.hpp>
#include <dicomkit/server/service/retrieve.hpp>
#include <dicomkit/server/service/worklist.hpp>
#include <dicomkit/server/storage/file_store.hpp>

namespace dicomkit::server::app {

struct ServerApp::Impl {
    Config config;
    ServerAppOptions options;
    std::optional<DataFolder> folder;
    std::unique_ptr<storage::FileStore> files;
    std::unique_ptr<index::Index> index;
    std::string index_description;
    std::unique_ptr<service::Ingest> ingest;
    std::unique_ptr<service::SettledIndex> settled;  ///< what queries and retrieves read
    std::unique_ptr<service::Query> query;
    std::unique_ptr<service::Retrieve> retrieve;
    std::unique_ptr<service::ObjectQuery> objects;  ///< non-patient objects: find and retrieve
    std::unique_ptr<service::Worklist> worklist;    ///< the Modality Worklist (the index's store)
    /// MPPS and Storage Commitment records (SQLite index only, for now) and their services.
    std::unique_ptr<index::WorkflowStore> workflow;
    std::unique_ptr<service::Mpps> mpps;
    std::unique_ptr<service::Commitment> commitment;
    std::unique_ptr<dimse::CommitmentReporter> reporter;  ///< reports on new associations, retries
    /// What callers may do: the config's access rules, asked by the association policy and every handler.
    std::shared_ptr<service::PolicyAuthorizer> authorizer;
    /// The pixel codecs: retrieve sub-operations and ingest transcode with them.
    std::shared_ptr<const pixel::CodecRegistry> codecs =
        std::make_shared<const pixel::CodecRegistry>(pixel::standard_codecs());
    /// The peers with `deidentify` set get copies de-identified by these (C-MOVE, C-GET, jobs).
    PeerAnonymizers anonymizers;
    net::dimse::Dispatcher dispatcher;
    std::unique_ptr<net::ul::Server> server;      ///< config.port
    std::unique_ptr<net::ul::Server> tls_server;  ///< config.tls_port, when set
    std::unique_ptr<WebFront> web;                ///< config.http, when enabled
    std::unique_ptr<hl7::Listener> hl7;           ///< config.hl7.port, when set
    std::unique_ptr<JobRunner> jobs;              ///< the web front's send and retrieve jobs
    std::unique_ptr<AuditTrail> audit;            ///< [audit], when it names a file or syslog
    std::mutex associations_mutex;
    std::deque<std::string> associations;  ///< the last associations, JSON objects, newest first
    void note_association(const std::string& json) {
        std::lock_guard lock(associations_mutex);
        associations.push_front(json);
        if (associations.size() > 200) associations.pop_back();
    }
    /// The index could not be written at the start (a full disk): queries and retrieves are
    /// served, stores refused, and nothing is written, the clean mark included, until
    /// watch_read_only() finds room.
    std::atomic<bool> read_only{false};
    index::sqlite::SqliteIndex* sqlite = nullptr;  ///< `index`, when it is SQLite
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::mutex watch_mutex;
    std::condition_variable watch_wake;
    bool watch_stop = false;
    std::thread watcher;  ///< watch_read_only()

    void log(const std::string& line, const log::Fields& fields = {}) const {
        if (options.log) options.log(line);
        else log_event(line, fields);
    }
    /// A store's line has no level prefix of its own: info when it succeeded, warn when not.
    void log_store(const std::string& line, const log::Fields& fields, bool success) const {
        if (options.log) options.log(line);
        else log::write(success ? log::Level::Info : log::Level::Warn, line, fields, log::Stream::Event);
    }
    /// Closes the index, then marks the data folder clean and lets it go. Nothing may run.
    void close();
    /// Several nodes of one PostgreSQL index use the data folder at once.
    [[nodiscard]] bool shared_folder() const { return config.index.backend == "postgres"; }
};

/// The HL7 listener on config.hl7.port: each message interpreted (hl7::interpret_all), each
/// event handed to options.on_hl7_event (else hl7_event), answered by the first ACK that is not
/// AA (or AA); one event line per message.
[[nodiscard]] Result<std::unique_ptr<hl7::Listener>> start_hl7(ServerApp::Impl& impl);
/// The HL7 event hook: orders (new, change) put into the worklist, cancelled or discontinued,
/// patients updated (A08) or merged (A40); logged; what the worklist refuses is answered AE.
[[nodiscard]] hl7::Ack hl7_event(const ServerApp::Impl& impl, const hl7::Event& event);

/// The web front over `impl`'s services, with the admin hooks (peers, C-ECHO, jobs, the
/// association list, the conformance of the running configuration).
[[nodiscard]] Result<std::unique_ptr<WebFront>> start_web(ServerApp::Impl& impl);

}  // namespace dicomkit::server::app
