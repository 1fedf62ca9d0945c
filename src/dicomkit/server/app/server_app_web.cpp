// The web front of serve, wired to the archive: the admin hooks over the Config, the job
// runner and the association list.
#include <chrono>
#include <cstdio>
#include <ctime>

#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/server/app/ingest_validation.hpp>
#include <dicomkit/server/app/conformance.hpp>
#include <dicomkit/server/app/server_app_impl.hpp>
#include <dicomkit/server/dimse/codec_transcoder.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/web/http.hpp>

namespace dicomkit::server::app {

namespace {

/// The peers as the admin API lists them.
std::string peers_json(const Config& c) {
    std::string out = "[";
    for (std::size_t i = 0; i < c.peers.size(); ++i) {
        const Peer& p = c.peers[i];
        std::string allow;
        for (const auto& a : p.allow) allow += (allow.empty() ? "" : ",") + web::json_quote(a);
        out += (i ? "," : "") + std::string("{\"ae\":") + web::json_quote(p.ae_title) + ",\"host\":" +
               web::json_quote(p.host) + ",\"port\":" + std::to_string(p.port) + ",\"tls\":" +
               (p.tls ? "true" : "false") + ",\"deidentify\":" + (p.deidentify.empty() ? "false" : "true") +
               ",\"allow\":[" + allow + "]}";
    }
    return out + "]";
}

/// C-ECHO to a configured peer, as the admin API answers it; empty when there is no such peer.
std::string echo_json(const Config& c, const std::string& ae) {
    const Peer* peer = nullptr;
    for (const Peer& p : c.peers)
        if (p.ae_title == ae) peer = &p;
    if (!peer) return {};
    const auto t0 = std::chrono::steady_clock::now();
    net::ul::AssociationRequest arq;
    arq.calling_ae = c.ae_title;
    arq.called_ae = peer->ae_title;
    arq.contexts.push_back({1, std::string(net::dimse::kVerificationSopClass), {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}});
    net::ul::AssociationOptions ao;
    if (peer->tls) ao.tls = peer_tls(c);
    std::string error;
    auto a = net::ul::Association::request({peer->host, peer->port}, arq, ao);
    if (!a) {
        error = a.error().to_string();
    } else {
        auto e = net::dimse::echo(*a);
        if (!e) error = e.error().to_string();
        (void)a->release();
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", ms);
    return std::string("{\"ok\":") + (error.empty() ? "true" : "false") + ",\"ms\":" + buf +
           (error.empty() ? "" : ",\"error\":" + web::json_quote(error)) + "}";
}

/// What the running archive offers (GET /api/conformance; the page shows it).
std::string conformance_json(const ServerApp::Impl& impl, std::uint16_t dicom_port, std::uint16_t tls_port,
                             std::uint16_t http_port) {
    const Config& c = impl.config;
    auto list = [](const std::vector<std::string>& items) {
        std::string out = "[";
        for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + web::json_quote(items[i]);
        return out + "]";
    };
    std::vector<std::string> decode, encode;
    for (const io::TransferSyntax& ts : io::all_transfer_syntaxes()) {
        if (!ts.encapsulated) continue;
        if (impl.codecs->decoder(ts.uid)) decode.push_back(std::string(ts.uid) + " " + std::string(ts.name));
        if (impl.codecs->encoder(ts.uid)) encode.push_back(std::string(ts.uid) + " " + std::string(ts.name));
    }
    std::vector<std::string> dimse{"C-ECHO SCP", "C-STORE SCP", "C-FIND SCP (Patient Root, Study Root, relational)",
                                   "C-MOVE SCP", "C-GET SCP", "C-FIND/C-MOVE/C-GET of the non-patient models",
                                   "Modality Worklist C-FIND SCP"};
    if (impl.workflow) {
        dimse.push_back("MPPS N-CREATE/N-SET SCP");
        dimse.push_back("Storage Commitment Push Model N-ACTION SCP, N-EVENT-REPORT SCU");
    }
    const std::vector<std::string> web{
        "QIDO-RS: /dicom-web/studies, /series, /instances at every level and nesting",
        "WADO-RS: studies, series, instances (application/dicom), metadata, frames, bulkdata, rendered, thumbnail",
        "STOW-RS: POST /dicom-web/studies[/{study}] (multipart/related; type=application/dicom)",
        "WADO-URI: /wado?requestType=WADO (application/dicom, image/jpeg, image/png)",
        "REST: /api/stats, /api/studies (DELETE), /api/peers, /api/jobs, /api/log"};
    return "{\"ae_title\":" + web::json_quote(c.ae_title) + ",\"dicom_port\":" + std::to_string(dicom_port) +
           ",\"dicom_tls\":" + (c.port_tls ? "true" : "false") + ",\"tls_port\":" + std::to_string(tls_port) +
           ",\"http_port\":" + std::to_string(http_port) + ",\"https\":" + (c.http.tls ? "true" : "false") +
           ",\"authentication\":" + (c.http.auth ? "true" : "false") + ",\"index\":" +
           web::json_quote(impl.index_description) + ",\"storage_sop_classes\":" +
           std::to_string(dimse::store_sop_classes().size()) + ",\"accept_unknown_sop_classes\":" +
           (c.accept_unknown_sop_classes ? "true" : "false") + ",\"accept_unknown_ae\":" +
           (c.accept_unknown ? "true" : "false") + ",\"peers\":" + std::to_string(c.peers.size()) +
           ",\"dimse\":" + list(dimse) + ",\"dicomweb\":" + list(web) + ",\"decode\":" + list(decode) +
           ",\"encode\":" + list(encode) + ",\"ingest_transfer_syntax\":" + web::json_quote(c.ingest_transfer_syntax) +
           "}";
}

}  // namespace

Result<std::unique_ptr<WebFront>> start_web(ServerApp::Impl& impl) {
    WebFrontDeps d;
    d.config = &impl.config;
    d.bind = impl.options.bind;
    d.index = impl.settled.get();
    d.query = impl.query.get();
    d.retrieve = impl.retrieve.get();
    d.ingest = impl.ingest.get();
    d.worklist = impl.worklist.get();
    d.blobs = impl.files.get();
    d.mpps = impl.mpps.get();
    d.commitment = impl.commitment.get();
    d.codecs = impl.codecs;
    d.authorizer = impl.authorizer;
    ServerApp::Impl* raw = &impl;
    d.log = [raw](const std::string& line) { raw->log(line); };
    const Config* c = &impl.config;
    d.admin.peers_json = [c] { return peers_json(*c); };
    d.admin.echo_json = [c](const std::string& ae) { return echo_json(*c, ae); };
    d.admin.conformance_json = [raw] {
        const std::uint16_t http = raw->web ? raw->web->port() : 0;
        return conformance_json(*raw, raw->server ? raw->server->port() : 0,
                                raw->tls_server ? raw->tls_server->port() : 0, http);
    };
    d.admin.conformance_document = [raw](bool html) {
        ConformanceFacts f;
        f.config = &raw->config;
        f.codecs = raw->codecs.get();
        f.workflow = raw->workflow != nullptr;
        f.dicom_port = raw->server ? raw->server->port() : 0;
        f.tls_port = raw->tls_server ? raw->tls_server->port() : 0;
        f.http_port = raw->web ? raw->web->port() : 0;
        f.index_description = raw->index_description;
        return conformance_statement(f, html ? DocumentFormat::Html : DocumentFormat::Markdown);
    };
    const std::string quarantine = ingest_quarantine_folder(raw->config.data);
    d.admin.quarantine_json = [quarantine] { return quarantine_json(quarantine); };
    d.admin.remove_quarantined = [quarantine](const std::string& name) { return remove_quarantined(quarantine, name); };
    d.admin.associations_json = [raw] {
        std::lock_guard lock(raw->associations_mutex);
        std::string out = "[";
        for (std::size_t i = 0; i < raw->associations.size(); ++i) out += (i ? "," : "") + raw->associations[i];
        return out + "]";
    };
    JobContext job_context;
    job_context.config = c;
    job_context.retrieve = raw->retrieve.get();
    job_context.ingest = raw->ingest.get();
    job_context.transcoder = std::make_shared<const dimse::CodecTranscoder>(impl.codecs);
    job_context.deidentify = [raw](const std::string& ae) { return raw->anonymizers.find(ae); };
    JobRunnerOptions job_options;
    if (raw->audit) {
        d.audit = raw->audit->web_hook();
        d.admin.audit_json = [raw] { return raw->audit->stats_json(); };
        // Send jobs are audited around their run (retrieve jobs bring instances in: their
        // C-STOREs are audited as any other; import jobs per study they stored).
        job_options.run = [raw](const JobContext& ctx, const JobRequest& rq, const Peer& peer, JobCounters& counters) {
            if (rq.type == JobType::Retrieve) return run_retrieve(ctx, rq, peer, counters);
            if (rq.type == JobType::Import) {
                auto studies = std::make_shared<std::map<std::string, audit::StudyRecord>>();
                auto mutex = std::make_shared<std::mutex>();
                JobContext c = ctx;
                c.on_imported = [studies, mutex](const service::Stored& s) {
                    std::lock_guard lock(*mutex);
                    audit::StudyRecord& r = (*studies)[s.study_instance_uid];
                    r.study_uid = s.study_instance_uid;
                    r.add(s.sop_class_uid, s.sop_instance_uid, false);
                };
                JobOutcome out = run_import(c, rq, counters);
                std::lock_guard lock(*mutex);
                raw->audit->import_job(rq, std::move(*studies), counters.failed.load(), out.error);
                return out;
            }
            const bool deid = !peer.deidentify.empty();
            raw->audit->send_job(rq, peer, deid, 0, 0, {}, true);
            JobOutcome out = run_send(ctx, rq, peer, counters);
            raw->audit->send_job(rq, peer, deid, counters.done.load(), counters.failed.load(), out.error, false);
            return out;
        };
    }
    raw->jobs = std::make_unique<JobRunner>(std::move(job_context), d.log, std::move(job_options));
    JobRunner* jobs = raw->jobs.get();
    d.admin.start_job = [jobs](const std::string& body) { return jobs->start_json(body); };
    d.admin.jobs_json = [jobs] { return jobs->list_json(); };
    d.admin.job_json = [jobs](std::uint64_t id) { return jobs->job_json(id); };
    d.admin.cancel_job = [jobs](std::uint64_t id) { return jobs->cancel_json(id); };
    return WebFront::start(std::move(d));
}


}  // namespace dicomkit::server::app
