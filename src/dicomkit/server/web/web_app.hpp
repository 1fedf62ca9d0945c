// WebApp: the HTTP front of the archive (DESIGN 3: server/web). It routes requests to DICOMweb
// (PS3.18: QIDO-RS, WADO-RS, STOW-RS, WADO-URI), the REST admin API and the page, after
// authentication, through the same services the DIMSE front uses: one query, one ingest, one
// retrieve. docs/web-api.md lists the routes.
#pragma once

#include <cstdint>
#include <dicomkit/base/error.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/service/commitment.hpp>
#include <dicomkit/server/service/ingest.hpp>
#include <dicomkit/server/service/mpps.hpp>
#include <dicomkit/server/service/query.hpp>
#include <dicomkit/server/service/retrieve.hpp>
#include <dicomkit/server/service/worklist.hpp>
#include <dicomkit/server/storage/blob_store.hpp>
#include <dicomkit/server/web/auth.hpp>
#include <dicomkit/server/web/http.hpp>
#include <dicomkit/server/web/metadata_cache.hpp>
#include <dicomkit/server/web/router.hpp>

namespace dicomkit::server::web {

/// What the admin API asks of the rest of serve (peers, C-ECHO, jobs, logs): the composition
/// root fills these in; a missing one answers 501.
struct AdminHooks {
    std::function<std::string()> peers_json;                        ///< GET /api/peers
    std::function<std::string(const std::string& ae)> echo_json;    ///< POST /api/peers/{ae}/echo; empty: unknown peer
    std::function<Result<std::string>(const std::string& body)> start_job;  ///< POST /api/jobs -> {"id":n}
    std::function<std::string()> jobs_json;                         ///< GET /api/jobs
    std::function<std::string(std::uint64_t id)> job_json;          ///< GET /api/jobs/{id}; empty: unknown
    /// POST /api/jobs/{id}/cancel -> the job; NotFound, or InvalidArgument once it has ended
    std::function<Result<std::string>(std::uint64_t id)> cancel_job;
    std::function<std::string()> associations_json;                 ///< GET /api/log/associations
    std::function<std::string()> quarantine_json;                   ///< GET /api/quarantine
    /// DELETE /api/quarantine/{name}: NotFound, InvalidValue for a name that is none
    std::function<Result<void>(const std::string& name)> remove_quarantined;
    std::function<std::string()> conformance_json;                  ///< GET /api/conformance
    /// GET /api/conformance?format=md|html: the conformance statement (true: HTML)
    std::function<std::string(bool html)> conformance_document;
    std::function<std::string()> audit_json;  ///< the audit trail's counts for GET /api/stats ("audit")
};

/// An HTTP request the audit trail records (docs/audit.md): QIDO-RS searches, STOW-RS stores,
/// REST removals and logins, with who asked and what they named or touched.
struct AuditedRequest {
    /// Login: POST /api/login, `user` the name given; Retrieve: WADO-RS/WADO-URI reads of instances
    /// (DICOM, metadata, frames, bulk data, rendered; not thumbnails).
    enum class Kind { Query, Store, Delete, Login, Retrieve };
    Kind kind = Kind::Query;
    std::string user;    ///< the authenticated user; empty without authentication
    std::string remote;  ///< "127.0.0.1:51234"
    std::string target;  ///< the request target as sent ("/dicom-web/studies?PatientID=1")
    bool ok = true;
    std::string why;     ///< what failed, when !ok
    struct Instance {
        std::string study, sop_class, sop_instance;
    };
    std::vector<Instance> instances;  ///< Store: the stored ones; Delete: the ones to remove; Retrieve: the ones read
};
/// Called before an audited operation; the function it returns (when set) after it, with the
/// outcome filled in. Unset: nothing is recorded.
using AuditHook = std::function<std::function<void(const AuditedRequest&)>(const AuditedRequest&)>;

struct WebContext {
    index::Index* index = nullptr;
    service::Query* query = nullptr;
    service::Retrieve* retrieve = nullptr;
    service::Ingest* ingest = nullptr;
    service::Worklist* worklist = nullptr;  ///< the REST admin's /api/worklist; null: 501
    storage::BlobStore* blobs = nullptr;
    service::Mpps* mpps = nullptr;              ///< null: the workflow routes answer 501
    service::Commitment* commitment = nullptr;
    std::shared_ptr<const pixel::CodecRegistry> codecs;
    /// Decides what an authenticated user may do (the one the DIMSE front asks too); unset: the
    /// roles alone (service::AllowAll's rule for web users is the same role order).
    std::shared_ptr<const service::Authorizer> authorizer;
    /// The URL the archive is reached at from outside ("https://pacs.example.org"); empty: from
    /// the request (X-Forwarded-Proto / X-Forwarded-Host, else Host).
    std::string public_root;
    /// Origins allowed cross-origin requests (CORS); empty: none ("*" for any).
    std::vector<std::string> cors_origins;
    std::uint64_t max_request_bytes = 1u << 20;          ///< bodies other than uploads
    std::uint64_t max_upload_bytes = 4ull << 30;         ///< STOW-RS
    /// The OHIF viewer's built dist/ folder; empty or missing: the built-in viewer.
    std::string viewer_dir;
    AdminHooks admin;
    AuditHook audit;
    std::function<void(const std::string&)> log;
    /// The DICOM JSON of instances already converted (WADO-RS metadata); null: none kept.
    std::shared_ptr<MetadataCache> metadata_cache = std::make_shared<MetadataCache>(std::size_t{64} << 20);
};

class WebApp {
public:
    WebApp(WebContext context, std::shared_ptr<Auth> auth);
    /// Answers one request (never throws; errors become statuses with a JSON body).
    Response handle(Request& request);
    /// The last requests (newest first), for GET /api/log/http.
    void note_request(const std::string& json_line);
    [[nodiscard]] const WebContext& context() const noexcept { return ctx_; }

    struct State;

private:
    /// Asks the authorizer whether the request's user may do what a route of role `needed` does.
    [[nodiscard]] service::ServiceResult<void> authorize(const Request& req, Role needed) const;

    WebContext ctx_;
    std::shared_ptr<Auth> auth_;
    Router router_;
    std::shared_ptr<State> state_;
};

/// Route registration, one file each (web_app.cpp calls them).
void add_session_routes(Router& router, WebContext& ctx, Auth& auth);
void add_wado_routes(Router& router, WebContext& ctx);
void add_stow_routes(Router& router, WebContext& ctx);
void add_qido_routes(Router& router, WebContext& ctx);
void add_admin_routes(Router& router, WebContext& ctx, WebApp::State& state);
void add_worklist_routes(Router& router, WebContext& ctx);
/// GET /api/mpps[/{uid}], /api/commitments[/{uid}] (admin_workflow.cpp).
void add_workflow_routes(Router& router, WebContext& ctx);

/// "http(s)://host[:port]" the request reached, or the configured public root.
[[nodiscard]] std::string base_url(const Request& request, const WebContext& ctx);

}  // namespace dicomkit::server::web
