// ServerApp: builds the archive from its Config (the one place that picks the index backend).
#include <dicomkit/server/app/server_app.hpp>
#include <dicomkit/server/app/server_app_impl.hpp>


#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include <dicomkit/base/log.hpp>
#include <dicomkit/base/module_loader.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <fmt/format.h>
#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/net/dimse/transcoder.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/transcode.hpp>
#include <dicomkit/base/log.hpp>
#include <dicomkit/server/app/ingest_validation.hpp>
#include <dicomkit/server/app/data_folder.hpp>
#include <dicomkit/server/app/event_log.hpp>
#include <dicomkit/server/app/jobs.hpp>
#include <dicomkit/server/app/web_front.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <deque>
#include <dicomkit/server/dimse/codec_transcoder.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/dimse/worklist_handler.hpp>
#include <dicomkit/server/index/sqlite/sqlite_workflow_store.hpp>
#include <dicomkit/server/app/conformance.hpp>
#include <dicomkit/server/dimse/non_patient_handlers.hpp>
#include <dicomkit/server/dimse/retrieve_handler.hpp>
#include <dicomkit/server/index/postgres/module.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/server/service/reconcile.hpp>
#include <dicomkit/server/storage/file_store.hpp>

namespace dicomkit::server::app {

namespace fs = std::filesystem;


void ServerApp::Impl::close() {
    if (watcher.joinable()) {
        {
            std::lock_guard lock(watch_mutex);
            watch_stop = true;
        }
        watch_wake.notify_all();
        watcher.join();
    }
    if (!folder) return;
    reporter.reset();  // a report under way ends first
    commitment.reset();
    mpps.reset();
    workflow.reset();
    retrieve.reset();
    objects.reset();
    worklist.reset();
    query.reset();
    settled.reset();
    std::uint64_t unindexed = 0;
    if (ingest) {
        ingest->wait_indexed();  // every association has ended: everything is answered
        unindexed = ingest->unindexed();
    }
    ingest.reset();
    index.reset();  // SQLite checkpoints its WAL into the database file on close
    // With a shared folder the mark says nothing of the other nodes: they reconcile at each start.
    // Read-only, the mark stays as it was found: nothing was written.
    if (read_only)
        log("W: stopped read-only: the next start " +
            std::string(folder->was_clean() ? "finds the data folder as this one did"
                                            : "reconciles index and storage, if it can write the index"));
    else if (unindexed > 0)
        log("W: " + std::to_string(unindexed) + " stored instances could not be indexed: the next start reconciles");
    else if (!shared_folder())
        if (auto r = folder->mark_clean(); !r) log("W: " + r.error().to_string());
    folder.reset();
}

namespace {

/// One listening port: `port`, with TLS when `tls`. The authorizer admits each association (on a
/// plain port beside the TLS port, the peers with tls = true are refused); refusals are logged.
net::ul::ServerOptions server_options(const ServerApp::Impl& impl, std::uint16_t port, bool tls) {
    const Config& c = impl.config;
    net::ul::ServerOptions so;
    so.bind_address = impl.options.bind;
    so.port = port;
    if (tls) so.association.tls = acceptor_tls(c);
    so.refused = [&impl, tls](const std::string& peer, const std::string& why) {
        impl.log("W: association from " + peer + (tls ? " (TLS port)" : "") + " refused: " + why);
        // A failed TLS handshake is a node that did not authenticate (the AE refusals are below).
        if (impl.audit && tls && why.find("TLS") != std::string::npos) impl.audit->refused("", peer, why);
    };
    so.noted = [&impl, tls](const std::string& peer, const std::string& what) {
        impl.log("W: association from " + peer + (tls ? " (TLS port)" : "") + ": " + what);
    };
    auto& p = so.policy;
    p.ae_title = c.ae_title;
    // PS3.8 9.3.4: a request for another Called AE Title is rejected (reason 7) unless configured.
    p.other_ae_titles = c.called_ae_titles;
    p.accept_any_called_ae = c.accept_any_called_ae;
    // PS3.7 D.3.3.3: requests are handled in order; a requestor may send C-STOREs ahead (other
    // requests that arrive during a C-FIND/C-MOVE/C-GET wait until it is answered).
    p.max_operations_invoked = 64;
    // Who may associate is the authorizer's (peers, addresses, the tls = true peers on the plain port).
    p.calling_allowed = [&impl, tls](const std::string& ae, const std::string& address) {
        auto ok = impl.authorizer->admit(service::Caller{ae, address, tls, std::nullopt});
        if (!ok) {
            impl.log("W: " + log::printable(ae) + "@" + address + " " + ok.error().message);
            if (impl.audit) impl.audit->refused(ae, address, ok.error().message);
        }
        return ok.has_value();
    };
    offer_contexts(p, c, impl.workflow != nullptr);
    return so;
}

/// The index the config names: SQLite in DATA/index.db, or a PostgreSQL database.
/// The PostgreSQL index module's entry point: dicomkit-postgres.so, found by load_module (beside
/// the running binary, or in $DICOMKIT_MODULE_DIR). Loaded once and never unloaded.
Result<index::postgres::ModuleEntry> postgres_module() {
    static std::mutex m;
    static index::postgres::ModuleEntry entry = nullptr;
    std::lock_guard lock(m);
    if (entry) return entry;
    auto fn = load_module(index::postgres::kModuleFile, index::postgres::kModuleEntry);
    if (!fn) {
        fn.error().message = "the PostgreSQL index: " + fn.error().message;
        return tl::unexpected(std::move(fn.error()));
    }
    entry = reinterpret_cast<index::postgres::ModuleEntry>(*fn);
    return entry;
}

/// How often a read-only server looks for room to write again.
constexpr auto kReadOnlyCheck = std::chrono::seconds(5);

/// Whether `e` (or the free space left) says the disk is full.
bool disk_full(const std::string& m, std::uint64_t free_bytes, std::uint64_t reserve) {
    return free_bytes < reserve || free_bytes < (1u << 20) || m.find("full") != std::string::npos ||
           m.find("No space") != std::string::npos;
}

/// From here on nothing is written: stores are refused, saying why (the Error Comment of the
/// 0xA700), and the start log says it once.
void serve_read_only(ServerApp::Impl& impl, const std::string& why) {
    if (!impl.read_only) impl.index_description += " (read-only)";
    impl.read_only = true;
    const std::uint64_t reserve = impl.config.min_free_mb << 20;
    auto free = impl.files->free_bytes();
    const std::uint64_t mib = free ? *free >> 20 : 0;
    const bool full = disk_full(why, free ? *free : 0, reserve);
    impl.log("W: " + impl.config.data + (full ? " is full (" + std::to_string(mib) + " MiB free)" : std::string()) +
             (full ? ": " : ": the index cannot be written: ") +
             "serving read-only (queries and retrieves work); stores are refused until space is freed "
             "(looked at every " + std::to_string(std::chrono::seconds(kReadOnlyCheck).count()) + " s) (" + why +
             ")");
    if (impl.ingest)
        impl.ingest->refuse_stores(full ? "read-only: the disk of the archive is full"
                                        : "read-only: the index cannot be written");
}

/// SQLite: the index read-write, or, when that cannot be (a full disk: the WAL, a migration or
/// the recovery of a crashed writer cannot be written), read-only; the error is `why_read_only`.
Result<void> open_sqlite(ServerApp::Impl& impl, std::optional<Error>& why_read_only) {
    const std::string path = (fs::path(impl.config.data) / "index.db").string();
    auto ix = index::sqlite::SqliteIndex::open(path);
    if (!ix && ix.error().code == ErrorCode::IoError && fs::exists(path)) {
        auto ro = index::sqlite::SqliteIndex::open_read_only(path);
        if (!ro) return tl::unexpected(ix.error());
        why_read_only = ix.error();
        ix = std::move(ro);
    }
    if (!ix) return tl::unexpected(ix.error());
    impl.index_description = describe_index(impl.config);
    impl.sqlite = ix->get();
    impl.index = std::move(*ix);
    return {};
}

Result<void> open_index(ServerApp::Impl& impl, std::optional<Error>& why_read_only) {
    const Config& c = impl.config;
    if (c.index.backend == "postgres") {
        auto entry = postgres_module();
        if (!entry) return tl::unexpected(entry.error());
        Result<index::postgres::OpenedIndex> ix = make_error(ErrorCode::IoError, "the module gave no answer");
        (*entry)(&c.index.url, &ix);
        if (!ix) return tl::unexpected(ix.error());
        impl.index_description = ix->description;
        impl.index = std::move(ix->index);
        impl.workflow = std::move(ix->workflow);  // add_workflow offers MPPS and Storage Commitment on it
        return {};
    }
    return open_sqlite(impl, why_read_only);
}

/// [storage] ingest_transfer_syntax: received instances transcoded before they are stored. What
/// would be lossy (unless allowed) or cannot be transcoded is stored as received, with a line
/// saying why: a store is never refused for it.
service::Transform ingest_transcoder(ServerApp::Impl& impl) {
    const io::TransferSyntax* target = pixel::find_syntax(impl.config.ingest_transfer_syntax);
    pixel::TranscodeOptions options;
    options.allow_lossy = impl.config.ingest_allow_lossy;
    std::shared_ptr<const pixel::CodecRegistry> codecs = impl.codecs;
    ServerApp::Impl* raw = &impl;
    return [target, options, codecs, raw](io::DicomFile& file) {
        if (!target || file.transfer_syntax == *target) return service::TransformResult::unchanged();
        const std::string uid = log::printable(file.dataset.string_or(Tag{0x0008, 0x0018}));
        if (!pixel::can_transcode(file.transfer_syntax, *target, *codecs)) {
            raw->log("W: ingest: " + uid + " kept in " + std::string(file.transfer_syntax.keyword) + ": no codec to " +
                     "transcode it to " + std::string(target->keyword));
            return service::TransformResult::unchanged();
        }
        if (!options.allow_lossy && pixel::transcode_is_lossy(*target, *codecs, options.encode)) {
            raw->log("W: ingest: " + uid + " kept in " + std::string(file.transfer_syntax.keyword) + ": " +
                     std::string(target->keyword) + " is lossy and ingest_allow_lossy is false");
            return service::TransformResult::unchanged();
        }
        pixel::TranscodeOptions o = options;
        o.source = uid;
        // transcode() leaves the data set as it was when it fails.
        if (auto ok = pixel::transcode(file.dataset, file.transfer_syntax, *target, *codecs, o); !ok) {
            raw->log("W: ingest: " + uid + " kept in " + std::string(file.transfer_syntax.keyword) + ": " +
                     ok.error().message);
            return service::TransformResult::unchanged();
        }
        file.transfer_syntax = *target;
        return service::TransformResult::changed();
    };
}

/// C-MOVE and C-GET over the index; move destinations are the peers allowed "move-destination".
void add_retrieve(ServerApp::Impl& impl) {
    impl.retrieve = std::make_unique<service::Retrieve>(*impl.settled, *impl.files);
    const Config c = impl.config;
    ServerApp::Impl* raw = &impl;
    // Whether instances may go to a destination is the authorizer's; this says where it listens
    // and whether it gets de-identified copies.
    dimse::FindDestination dest = [c, raw](const std::string& ae) -> std::optional<dimse::Destination> {
        const auto name = trim_padding(ae);
        for (const Peer& p : c.peers)
            if (p.ae_title == name) {
                dimse::Destination d{p.ae_title, p.host, p.port, std::nullopt, nullptr};
                if (p.tls) d.tls = peer_tls(c);
                d.deidentify = raw->anonymizers.find(p.ae_title);
                return d;
            }
        return std::nullopt;
    };
    auto log_failure = [raw](const dimse::SubOperationFailure& f) { raw->log(describe_sub_operation(f), sub_operation_fields(f)); };
    auto h = std::make_shared<dimse::RetrieveHandler>(*impl.retrieve, impl.authorizer, dest, c.ae_title, log_failure);
    // The non-patient models (Color Palette, Hanging Protocol, ...) retrieve by SOP Instance UID.
    auto objects = std::make_shared<dimse::RetrieveHandler>(*impl.retrieve, impl.authorizer, dest, c.ae_title, log_failure,
                                                            dimse::non_patient_resolver(*impl.objects));
    // The codec seam: sub-operations convert what a destination did not accept with this.
    auto transcoder = std::make_shared<const dimse::CodecTranscoder>(impl.codecs);
    h->use_transcoder(transcoder);
    objects->use_transcoder(transcoder);
    // A C-GET by a peer that gets de-identified data stores de-identified copies.
    dimse::FindAnonymizer anonymizer = [raw](const std::string& ae) { return raw->anonymizers.find(ae); };
    h->use_deidentify(anonymizer);
    objects->use_deidentify(anonymizer);
    // One handler per (command, information model): the dispatcher routes by SOP class.
    impl.dispatcher.on_move(h, {std::string(dimse::kPatientRootMove), std::string(dimse::kStudyRootMove)});
    impl.dispatcher.on_get(h, {std::string(dimse::kPatientRootGet), std::string(dimse::kStudyRootGet)});
    impl.dispatcher.on_move(objects, dimse::non_patient_move_classes());
    impl.dispatcher.on_get(objects, dimse::non_patient_get_classes());
}

/// MPPS N-CREATE/N-SET and Storage Commitment N-ACTION, over the workflow records kept beside the
/// index: in index.db with SQLite, in the index's database with PostgreSQL (the module opened
/// that store with the index).
void add_workflow(ServerApp::Impl& impl) {
    if (impl.read_only) {
        impl.workflow.reset();
        impl.log("W: MPPS and Storage Commitment are not offered: the index is read-only");
        return;
    }
    if (!impl.workflow) {
        if (!impl.sqlite) {
            impl.log("W: MPPS and Storage Commitment are not offered: the index gave no workflow store");
            return;
        }
        auto store = index::sqlite::SqliteWorkflowStore::open((fs::path(impl.config.data) / "index.db").string());
        if (!store) {
            impl.log("W: MPPS and Storage Commitment are not offered: " + store.error().to_string());
            return;
        }
        impl.workflow = std::move(*store);
    }
    ServerApp::Impl* raw = &impl;
    impl.mpps = std::make_unique<service::Mpps>(*impl.workflow, impl.settled.get());
    // The worklist follows the performed step (IHE RAD-6/7): each scheduled step the MPPS names
    // in its Scheduled Step Attributes Sequence becomes STARTED, COMPLETED or DISCONTINUED.
    impl.mpps->on_state_change([raw](const DataSet& mpps) {
        if (!raw->worklist) return;
        const std::string pps = mpps.string_or(tags::PerformedProcedureStepStatus);
        const std::string status = pps == "IN PROGRESS" ? "STARTED" : pps;
        if (status != "STARTED" && status != "COMPLETED" && status != "DISCONTINUED") return;
        const Element* steps = mpps.find(tags::ScheduledStepAttributesSequence);
        if (!steps || !steps->is_sequence()) return;
        for (const DataSet& step : steps->sequence().items) {
            const std::string study = step.string_or(tags::StudyInstanceUID);
            if (study.empty()) continue;
            const std::string sps = step.string_or(tags::ScheduledProcedureStepID);
            auto n = raw->worklist->set_step_status(study, sps, status);
            if (!n)
                raw->log("W: worklist: step " + log::printable(sps, 64) + " of study " + log::printable(study, 64) +
                         " not set " + status + ": " + n.error().message);
            else if (*n > 0)
                raw->log(fmt::format("I: worklist: step {} of study {} {} (MPPS)", log::printable(sps, 64),
                                     log::printable(study, 64), status));
        }
    });
    impl.commitment = std::make_unique<service::Commitment>(*impl.workflow, *impl.settled);
    const Config c = impl.config;
    dimse::ReporterOptions ro;
    ro.our_ae = c.ae_title;
    ro.find_peer = [c](const std::string& ae) -> std::optional<dimse::Destination> {
        const auto name = trim_padding(ae);
        for (const Peer& p : c.peers)
            if (p.ae_title == name) {
                dimse::Destination d{p.ae_title, p.host, p.port, std::nullopt, nullptr};
                if (p.tls) d.tls = peer_tls(c);
                return d;
            }
        return std::nullopt;
    };
    ro.retries = c.commitment.retries;
    ro.retry_interval = std::chrono::milliseconds(static_cast<std::int64_t>(c.commitment.retry_interval_s * 1000));
    ro.log = [raw](const std::string& line) { raw->log(line); };
    impl.reporter = std::make_unique<dimse::CommitmentReporter>(*impl.commitment, std::move(ro));
    if (const std::size_t n = impl.reporter->resume(); n > 0)
        impl.log("storage commitment: " + std::to_string(n) + " report(s) owed from before are sent again");
    const auto on = dimse::parse_report_on(c.commitment.report_on).value_or(dimse::ReportOn::Auto);
    auto mpps = std::make_shared<dimse::MppsHandler>(*impl.mpps, impl.authorizer);
    impl.dispatcher.on_n(net::dimse::CommandField::N_CREATE_RQ, mpps, {std::string(service::kMppsSopClass)});
    impl.dispatcher.on_n(net::dimse::CommandField::N_SET_RQ, mpps, {std::string(service::kMppsSopClass)});
    auto commit = std::make_shared<dimse::CommitmentHandler>(*impl.commitment, *impl.reporter, on, impl.authorizer,
                                                             [raw](const std::string& line) { raw->log(line); });
    impl.dispatcher.on_n(net::dimse::CommandField::N_ACTION_RQ, commit, {std::string(service::kCommitmentSopClass)});
}

/// The JSON log's fields of a store (see event_log.hpp).
log::Fields store_fields(const dimse::StoreEvent& e) {
    log::Fields out{{"event", "store"},
                    {"calling_ae", e.rc.calling_ae},
                    {"peer", e.rc.peer_address},
                    {"command", "C-STORE"},
                    {"sop_class", e.rq.affected_sop_class_uid},
                    {"sop_instance_uid", e.stored ? e.stored->sop_instance_uid : e.rq.affected_sop_instance_uid},
                    {"bytes", std::to_string(e.bytes)},
                    {"status", fmt::format("0x{:04X}", e.outcome.status)}};
    if (!e.outcome.error_comment.empty()) out.emplace_back("error_comment", e.outcome.error_comment);
    return out;
}

/// One line per store; whatever the peer sent (AE title, UIDs, what a reason quotes) is escaped.
std::string describe(const dimse::StoreEvent& e) {
    const std::string uid = e.stored ? e.stored->sop_instance_uid : e.rq.affected_sop_instance_uid;
    std::string line = log::printable(e.rc.calling_ae) + "@" + e.rc.peer_address + " C-STORE " +
                       log::printable(uid) + " " + std::to_string(e.bytes) +
                       " bytes: " + net::dimse::describe_status(e.outcome.status);
    if (!e.stored)
        return line + (e.outcome.error_comment.empty() ? "" : " (" + log::printable(e.outcome.error_comment) + ")");
    switch (e.stored->action) {
        case service::StoreAction::Added: return line;
        case service::StoreAction::Replaced: return line + " (duplicate: replaced the stored copy; duplicates = replace)";
        case service::StoreAction::Kept: return line + " (duplicate: dropped, the stored copy stays; duplicates = keep)";
        case service::StoreAction::Rejected:
            return line + " (duplicate: refused, the stored copy stays; duplicates = reject)";
        case service::StoreAction::Quarantined: return line + " (kept in quarantine: " + e.stored->path + ")";
    }
    return line;
}

/// Start-up reconciliation (DESIGN 4). Only after a stop that was not clean (or when asked): a
/// clean stop leaves DATA/clean after the index is closed, so a start that finds it knows that
/// index and storage agree, and starts at once however large the archive. Any crash (kill -9,
/// power loss) leaves no mark, and reconciliation then costs one listing of storage and one pass
/// over the index, opening only the files the index does not name.
Result<service::ReconcileReport> run_reconcile(ServerApp::Impl& impl, const service::ReconcileOptions& ro,
                                               const std::string& why);

Result<void> reconcile_if_needed(ServerApp::Impl& impl, bool was_clean, bool is_new) {
    const bool shared = impl.shared_folder();
    if (impl.read_only) {
        impl.log(std::string("I: reconcile: postponed while read-only") +
                 (was_clean ? "" : " (the last stop was not clean: a start that can write the index reconciles)"));
        return {};
    }
    if (was_clean && !impl.options.reconcile && !shared) {
        impl.log("I: reconcile: skipped, the last stop was clean");
        return {};
    }
    service::ReconcileOptions ro;
    ro.shared = shared;
    auto r = run_reconcile(impl, ro,
                           shared ? "the folder is shared by the nodes of one index, so every start checks it"
                           : was_clean ? "asked for"
                           : is_new    ? "a new data folder"
                                       : "the last stop was not clean");
    if (!r) return tl::unexpected(r.error());
    // The files it could not index stay in storage for the next start.
    if (!r->index_error.empty()) serve_read_only(impl, r->index_error);
    return {};
}

/// Reconciles, and logs what it did (`why` it ran) and each file moved or left.
Result<service::ReconcileReport> run_reconcile(ServerApp::Impl& impl, const service::ReconcileOptions& ro,
                                               const std::string& why) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = service::reconcile(*impl.index, *impl.ingest, *impl.files, ro);
    if (!r) return r;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", s);
    impl.log("I: reconcile: " + std::to_string(r->temp_removed) + " temp files removed, " + std::to_string(r->indexed) +
             " files indexed, " + std::to_string(r->dropped) + " missing entries dropped, " +
             std::to_string(r->copies_removed) + " older copies removed, " + std::to_string(r->quarantined) +
             " moved to quarantine, " + std::to_string(r->unreadable) + " left that should have been (" +
             std::to_string(r->files) + " files, " + std::to_string(r->entries) +
             " entries, " + secs + " s; " + why +
             (ro.shared ? ", leaving " + std::to_string(r->recent) + " recent files to the nodes writing them" : "") +
             ")");
    auto lines = [&impl](std::string_view text, const char* level) {
        while (!text.empty()) {
            const auto nl = text.find('\n');
            impl.log(level + std::string("reconcile: ") + std::string(text.substr(0, nl)));
            text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        }
    };
    lines(r->notes, "I: ");
    lines(r->warnings, "W: ");
    if (r->quarantined > 0)
        impl.log("W: reconcile: " + std::to_string(r->quarantined) + " moved to " + impl.files->quarantine_folder() +
                 " (each with a .reason file): nothing there is served; send back what belongs in the archive");
    return r;
}

/// Read-only: once the data folder has room (the reserve, at least 1 MiB), the index is made
/// writable, the clean mark removed and index and storage reconciled (stores are refused
/// meanwhile, so only the temporary files of stores under way are in storage/.incoming: those
/// this process made are left alone); then stores are taken again. True once done.
bool try_writable(ServerApp::Impl& impl) {
    const std::uint64_t need = std::max<std::uint64_t>(impl.config.min_free_mb << 20, 1u << 20);
    auto free = impl.files->free_bytes();
    if (!free || *free < need || !impl.sqlite) return false;
    if (auto r = impl.sqlite->make_writable(); !r) return false;  // still cannot: next time
    if (auto r = impl.folder->mark_running(); !r) return false;
    service::ReconcileOptions ro;
    ro.keep_recent_temps = true;
    ro.temp_age_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - impl.started).count() + 60;
    auto r = run_reconcile(impl, ro, "the data folder has room again");
    if (!r) {
        impl.log("W: reconcile: " + r.error().to_string() + ": still read-only");
        return false;
    }
    if (!r->index_error.empty()) return false;
    impl.read_only = false;
    impl.ingest->refuse_stores("");
    impl.log("I: " + impl.config.data + " has room again (" + std::to_string(*free >> 20) +
             " MiB free): the index is writable and reconciled; stores are taken again");
    return true;
}

void watch_read_only(ServerApp::Impl& impl) {
    std::unique_lock lock(impl.watch_mutex);
    for (;;) {
        impl.watch_wake.wait_for(lock, kReadOnlyCheck, [&] { return impl.watch_stop; });
        if (impl.watch_stop) return;
        lock.unlock();
        const bool done = try_writable(impl);
        lock.lock();
        if (done) return;
    }
}

}  // namespace

Result<std::unique_ptr<ServerApp>> ServerApp::start(const Config& config, ServerAppOptions options) {
    if (auto v = validate(config); !v) return tl::unexpected(v.error());
    if (auto t = check_tls(config); !t) return tl::unexpected(t.error());
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->options = std::move(options);
    auto folder = DataFolder::open(config.data, impl->shared_folder());
    if (!folder) return tl::unexpected(folder.error());
    const bool was_clean = folder->was_clean();
    impl->folder.emplace(std::move(*folder));
    impl->files = std::make_unique<storage::FileStore>(config.data, impl->options.durable);
    if (auto r = impl->files->make_folders(); !r) return tl::unexpected(r.error());
    // Recipes and keys of the peers that get de-identified data (DATA/deid.key made once).
    auto anonymizers = PeerAnonymizers::load(config, impl->codecs.get());
    if (!anonymizers) return tl::unexpected(anonymizers.error());
    impl->anonymizers = std::move(*anonymizers);
    const bool is_new = config.index.backend != "postgres" && !fs::exists(fs::path(config.data) / "index.db");
    std::optional<Error> why_read_only;
    if (auto ix = open_index(*impl, why_read_only); !ix) return tl::unexpected(ix.error());
    Impl* raw = impl.get();
    // Stores are answered once their file is in place and indexed right after (Ingest), unless
    // other nodes share the index: they must find what this one answered.
    service::IngestOptions io;
    io.answer_when_placed = !impl->shared_folder();
    io.log = [raw](const std::string& line) { raw->log(line); };
    io.lenient_uids = config.lenient_uids;
    io.min_free_bytes = config.min_free_mb << 20;
    if (!config.ingest_transfer_syntax.empty()) io.transform = ingest_transcoder(*impl);
    io.transform = validation_transform(config.validation_on_ingest, ingest_quarantine_folder(config.data),
                                        [raw](const std::string& line) { raw->log(line); }, std::move(io.transform));
    impl->ingest = std::make_unique<service::Ingest>(*impl->index, *impl->files, config.duplicates, std::move(io));
    impl->settled = std::make_unique<service::SettledIndex>(*impl->index, *impl->ingest);
    if (why_read_only) serve_read_only(*impl, why_read_only->to_string());
    // Before anything changes: from here on a crash leaves no clean mark. Where the mark cannot
    // be removed, nothing may change.
    if (!impl->shared_folder() && !impl->read_only)
        if (auto r = impl->folder->mark_running(); !r) serve_read_only(*impl, r.error().to_string());
    if (auto r = reconcile_if_needed(*impl, was_clean, is_new); !r) return tl::unexpected(r.error());
    if (!impl->read_only)
        if (auto why = impl->ingest->refusal(); !why.empty())
            impl->log("W: stores are refused for now: " + why + " (free space is looked at again at each store)");
    impl->query = std::make_unique<service::Query>(*impl->settled);
    impl->authorizer = std::make_shared<service::PolicyAuthorizer>(access_policy(config));

    // The audit trail first: the DIMSE and web fronts report to it from their first request.
    if (config.audit.enabled()) {
        auto trail = AuditTrail::start(config, *impl->settled, [raw](const std::string& line) { raw->log(line); });
        if (!trail) {
            impl->close();
            return tl::unexpected(trail.error());
        }
        impl->audit = std::move(*trail);
    }
    auto store_log = [raw](const dimse::StoreEvent& e) {
        if (raw->audit) raw->audit->store(e);
        raw->log_store(describe(e), store_fields(e),
                       net::dimse::status_kind(e.outcome.status) == net::dimse::StatusKind::Success);
    };
    impl->dispatcher.on_echo(std::make_shared<dimse::AuthorizedEchoHandler>(impl->authorizer));
    // Every C-STORE reaches the handler, which refuses what it does not store with a reason
    // (dimse::store_sop_classes: the storage SOP classes, retired ones too).
    auto store = std::make_shared<dimse::IndexingStoreHandler>(*impl->ingest, impl->authorizer, store_log);
    store->accept_unknown_sop_classes(config.accept_unknown_sop_classes);
    impl->dispatcher.on_store(std::move(store), {});
    auto stored_syntax = [raw](const std::string& uid) -> std::string {
        auto f = raw->settled->instance(uid);
        return f && *f ? (*f)->transfer_syntax : std::string();
    };
    impl->objects = std::make_unique<service::ObjectQuery>(*impl->settled);
    // C-FIND per information model: Patient and Study Root to the index's query, the non-patient
    // models to the object query and the Modality Worklist to the worklist.
    impl->dispatcher.on_find(std::make_shared<dimse::QueryFindHandler>(*impl->query, impl->authorizer, stored_syntax),
                             {std::string(dimse::kPatientRootFind), std::string(dimse::kStudyRootFind)});
    impl->dispatcher.on_find(std::make_shared<dimse::NonPatientFindHandler>(*impl->objects, impl->authorizer),
                             dimse::non_patient_find_classes());
    impl->worklist = std::make_unique<service::Worklist>(*impl->index);
    impl->dispatcher.on_find(std::make_shared<dimse::WorklistFindHandler>(*impl->worklist, impl->authorizer),
                             {std::string(service::kModalityWorklistFind)});
    add_retrieve(*impl);
    add_workflow(*impl);
    // One line per request other than the C-STOREs the store handler logs, one per association.
    net::dimse::ServeOptions serve_options;
    serve_options.on_request = [raw](const net::dimse::RequestEvent& e) {
        if (!e.by_store_handler) raw->log(describe_request(e), request_fields(e));
    };
    auto serve = [raw, serve_options](net::ul::Association& a) {
        net::dimse::ServeOptions options = serve_options;
        if (raw->audit) {
            const std::string called = a.called_ae();
            options.on_request = [raw, called](const net::dimse::RequestEvent& e) {
                if (!e.by_store_handler) raw->log(describe_request(e), request_fields(e));
                raw->audit->request(e, called);
            };
        }
        auto r = net::dimse::serve(a, raw->dispatcher, options);
        if (raw->audit) raw->audit->association_end(a.calling_ae(), a.called_ae(), a.peer_address());
        if (!r) raw->log("W: " + log::printable(a.calling_ae(), 64) + "@" + a.peer_address() + ": " +
                         r.error().to_string());
        else raw->log(describe_association(a.calling_ae(), a.peer_address(), *r),
                      association_fields(a.calling_ae(), a.peer_address(), *r));
        std::string json = "{\"time\":" + std::to_string(std::time(nullptr)) + ",\"calling_ae\":" +
                           web::json_quote(log::printable(a.calling_ae(), 64)) + ",\"called_ae\":" +
                           web::json_quote(log::printable(a.called_ae(), 64)) + ",\"peer\":" +
                           web::json_quote(a.peer_address()) + ",\"what\":" +
                           web::json_quote(r ? describe_association(a.calling_ae(), a.peer_address(), *r)
                                             : r.error().to_string()) +
                           ",\"result\":\"" + (r ? "ok" : "failed") + "\"}";
        raw->note_association(json);
    };
    // The TLS port first: the plain one refuses the peers with tls = true, naming it.
    if (config.tls_port) {
        auto tls_server = net::ul::Server::start(server_options(*impl, *config.tls_port, true), serve);
        if (!tls_server) {
            impl->close();  // nothing was stored
            return make_error(tls_server.error().code, "TLS port: " + tls_server.error().message);
        }
        impl->tls_server = std::move(*tls_server);
    }
    const std::uint16_t tls_port = impl->tls_server ? impl->tls_server->port() : 0;
    impl->authorizer->set_tls_port(tls_port);  // the plain port refuses the peers with tls = true
    auto server = net::ul::Server::start(server_options(*impl, config.port, config.port_tls), serve);
    if (!server) {
        if (impl->tls_server) impl->tls_server->stop();
        impl->close();  // nothing was stored
        return tl::unexpected(server.error());
    }
    impl->server = std::move(*server);
    if (config.http.enabled) {
        auto web = start_web(*impl);
        if (!web) {
            impl->server->stop();
            if (impl->tls_server) impl->tls_server->stop();
            impl->close();
            return make_error(web.error().code, "HTTP port: " + web.error().message);
        }
        impl->web = std::move(*web);
    }
    if (config.hl7.port) {
        auto listener = start_hl7(*impl);
        if (!listener) {
            if (impl->web) impl->web->stop();
            impl->server->stop();
            if (impl->tls_server) impl->tls_server->stop();
            impl->close();
            return make_error(listener.error().code, "HL7 port: " + listener.error().message);
        }
        impl->hl7 = std::move(*listener);
    }
    if (impl->read_only && impl->sqlite) impl->watcher = std::thread([raw] { watch_read_only(*raw); });
    if (impl->audit) impl->audit->application(true);
    return std::unique_ptr<ServerApp>(new ServerApp(std::move(impl)));
}

ServerApp::ServerApp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServerApp::~ServerApp() { stop(); }
std::uint16_t ServerApp::port() const noexcept { return impl_->server ? impl_->server->port() : 0; }
std::uint16_t ServerApp::http_port() const noexcept { return impl_->web ? impl_->web->port() : 0; }
std::uint16_t ServerApp::hl7_port() const noexcept { return impl_->hl7 ? impl_->hl7->port() : 0; }
std::uint16_t ServerApp::tls_port() const noexcept { return impl_->tls_server ? impl_->tls_server->port() : 0; }
const std::string& ServerApp::index_description() const noexcept { return impl_->index_description; }
void ServerApp::stop() {
    if (!impl_ || !impl_->folder) return;
    // Each stop joins its associations and requests: nothing runs after these.
    if (impl_->hl7) impl_->hl7->stop();
    if (impl_->web) impl_->web->stop();
    if (impl_->jobs) impl_->jobs->stop();  // cancelled between instances; before the retrieve service goes
    if (impl_->tls_server) impl_->tls_server->stop();
    if (impl_->server) impl_->server->stop();
    if (impl_->audit) {
        impl_->audit->application(false);
        impl_->audit->stop();  // delivers what is queued, for a bounded time
    }
    impl_->close();
}

}  // namespace dicomkit::server::app
