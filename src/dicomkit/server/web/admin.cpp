// The REST admin API (JSON): statistics, removal of studies, series and instances, and what the
// composition root provides through AdminHooks (peers and C-ECHO, send/retrieve jobs, the
// association log, the conformance of the running configuration).
#include <dicomkit/rt/reference_check.hpp>
#include <dicomkit/server/service/remove.hpp>
#include <dicomkit/server/web/wado_support.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::web {

namespace {

Response not_configured() { return Response::error(501, "not available in this configuration"); }

Response statistics(WebContext& ctx) {
    auto c = ctx.index->counts();
    if (!c) return Response::error(503, "the index cannot count: " + c.error().message);
    auto free = ctx.blobs->free_bytes();
    const std::string audit = ctx.admin.audit_json ? ",\"audit\":" + ctx.admin.audit_json() : std::string();
    return Response::json(200, "{\"patients\":" + std::to_string(c->patients) + ",\"studies\":" +
                                   std::to_string(c->studies) + ",\"series\":" + std::to_string(c->series) +
                                   ",\"instances\":" + std::to_string(c->instances) + ",\"disk_bytes\":" +
                                   std::to_string(c->bytes) + ",\"free_bytes\":" + std::to_string(free ? *free : 0) +
                                   audit + "}");
}

Response remove(Request& req, WebContext& ctx) {
    InstanceKey key;
    if (req.params.size() > 0) key.study = req.params[0];
    if (req.params.size() > 1) key.series = req.params[1];
    if (req.params.size() > 2) key.instance = req.params[2];
    auto items = locate(ctx, key);
    if (!items) return items.error();
    // The audit trail looks at what is to go before it goes (the patient of each study).
    std::function<void(const AuditedRequest&)> audited;
    AuditedRequest a;
    if (ctx.audit) {
        a.kind = AuditedRequest::Kind::Delete;
        a.user = req.user.value_or("");
        a.remote = req.remote;
        a.target = req.target;
        for (const service::RetrieveItem& item : *items)
            a.instances.push_back({key.study, item.sop_class_uid, item.sop_instance_uid});
        audited = ctx.audit(a);
    }
    auto removed = service::remove_instances(*ctx.index, *ctx.blobs, *items);
    if (audited) {
        a.ok = removed.has_value();
        if (!removed) a.why = removed.error().message;
        audited(a);
    }
    if (!removed) return Response::error(503, removed.error().message);
    if (ctx.log)
        ctx.log("I: HTTP " + req.user.value_or("") + "@" + req.remote + " removed " +
                std::to_string(removed->instances) + " instances (" + req.path + ")");
    return Response::json(200, "{\"deleted\":" + std::to_string(removed->instances) + ",\"bytes\":" +
                                   std::to_string(removed->bytes) + "}");
}

/// GET /api/studies/{study}/rt-check: the DICOM-RT references among the study's instances
/// (rt::Checker over each stored instance's header), as `dicomkit rt check --format json` gives
/// them; references to instances outside the study are reported unresolved.
Response rt_check(Request& req, WebContext& ctx) {
    auto items = locate(ctx, InstanceKey{req.params.at(0), {}, {}});
    if (!items) return items.error();
    rt::Checker checker;
    for (const service::RetrieveItem& item : *items) {
        auto opened = open_instance(ctx, item, true);
        if (!opened) return opened.error();
        checker.add(item.sop_instance_uid, opened->file.dataset);
    }
    return Response::json(200, rt::to_json(checker.check()));
}

std::optional<std::uint64_t> id_of(std::string_view text) {
    std::uint64_t v = 0;
    if (text.empty() || text.size() > 18) return std::nullopt;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

}  // namespace

void add_admin_routes(Router& router, WebContext& ctx, WebApp::State& state) {
    (void)state;
    WebContext* c = &ctx;
    router.add("GET", "/api/stats", Role::Read, [c](Request&) { return statistics(*c); });
    for (const char* path : {"/api/studies/{study}", "/api/studies/{study}/series/{series}",
                             "/api/studies/{study}/series/{series}/instances/{instance}"})
        router.add("DELETE", path, Role::Admin, [c](Request& r) { return remove(r, *c); });
    router.add("GET", "/api/studies/{study}/rt-check", Role::Read, [c](Request& r) { return rt_check(r, *c); });
    router.add("GET", "/api/peers", Role::Admin, [c](Request&) {
        return c->admin.peers_json ? Response::json(200, c->admin.peers_json()) : not_configured();
    });
    router.add("POST", "/api/peers/{ae}/echo", Role::Admin, [c](Request& r) {
        if (!c->admin.echo_json) return not_configured();
        std::string out = c->admin.echo_json(r.params[0]);
        return out.empty() ? Response::error(404, "no peer " + r.params[0]) : Response::json(200, std::move(out));
    });
    router.add("POST", "/api/jobs", Role::Admin, [c](Request& r) {
        if (!c->admin.start_job) return not_configured();
        auto body = r.read_body(c->max_request_bytes);
        if (!body) return Response::error(413, body.error().message);
        auto started = c->admin.start_job(*body);
        if (!started) {
            const ErrorCode code = started.error().code;
            return Response::error(code == ErrorCode::NotFound ? 404 : code == ErrorCode::LimitExceeded ? 503 : 400,
                                   started.error().message);
        }
        return Response::json(202, std::move(*started));
    });
    router.add("GET", "/api/jobs", Role::Admin, [c](Request&) {
        return c->admin.jobs_json ? Response::json(200, c->admin.jobs_json()) : not_configured();
    });
    router.add("GET", "/api/jobs/{id}", Role::Admin, [c](Request& r) {
        if (!c->admin.job_json) return not_configured();
        const auto id = id_of(r.params[0]);
        std::string out = id ? c->admin.job_json(*id) : std::string();
        return out.empty() ? Response::error(404, "no job " + r.params[0]) : Response::json(200, std::move(out));
    });
    router.add("POST", "/api/jobs/{id}/cancel", Role::Admin, [c](Request& r) {
        if (!c->admin.cancel_job) return not_configured();
        const auto id = id_of(r.params[0]);
        if (!id) return Response::error(404, "no job " + r.params[0]);
        auto out = c->admin.cancel_job(*id);
        if (!out) return Response::error(out.error().code == ErrorCode::NotFound ? 404 : 409, out.error().message);
        return Response::json(202, std::move(*out));
    });
    router.add("GET", "/api/quarantine", Role::Admin, [c](Request&) {
        return c->admin.quarantine_json ? Response::json(200, c->admin.quarantine_json()) : not_configured();
    });
    router.add("DELETE", "/api/quarantine/{name}", Role::Admin, [c](Request& r) {
        if (!c->admin.remove_quarantined) return not_configured();
        auto out = c->admin.remove_quarantined(r.params[0]);
        if (!out)
            return Response::error(out.error().code == ErrorCode::NotFound    ? 404
                                   : out.error().code == ErrorCode::IoError ? 500
                                                                            : 400,
                                   out.error().message);
        return Response::json(200, "{\"deleted\":1}");
    });
    router.add("GET", "/api/log/associations", Role::Admin, [c](Request&) {
        return c->admin.associations_json ? Response::json(200, c->admin.associations_json()) : not_configured();
    });
    router.add("GET", "/api/conformance", Role::Read, [c](Request& r) {
        auto q = parse_query(r.query);
        if (!q) return Response::error(400, q.error().message);
        std::string format;
        for (const auto& [k, v] : *q)
            if (k == "format") format = v;
        if (format.empty() || format == "json")
            return c->admin.conformance_json ? Response::json(200, c->admin.conformance_json()) : not_configured();
        if (format != "md" && format != "html") return Response::error(400, "format is json, md or html");
        if (!c->admin.conformance_document) return not_configured();
        const bool html = format == "html";
        return Response::text(200, c->admin.conformance_document(html),
                              html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8");
    });
}

}  // namespace dicomkit::server::web
