// QIDO-RS (PS3.18 10.6): the search resources at every level and nesting, through the same
// service::Query the C-FIND handler uses; answers streamed as one DICOM JSON array.
#include <dicomkit/server/web/qido.hpp>
#include <dicomkit/server/web/wado_support.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::web {

namespace {

Response search(Request& req, WebContext& ctx, model::Level level, std::string study, std::string series) {
    if (auto ok = accepts_any(req.header("Accept"), {"application/dicom+json", "application/json"}); !ok)
        return ok.error();
    auto q = parse_qido(level, req.query, study, series);
    if (!q) return Response::error(400, q.error().message);
    // Matches are written as they come; the Warning header of a truncated answer (PS3.18
    // 8.3.4.4.2) must come first, so the search runs before the head is sent, into memory.
    std::string body = "[";
    bool first = true;
    auto outcome = run_qido(*ctx.query, *q, base_url(req, ctx) + "/dicom-web", [&](std::string_view json) {
        if (!first) body += ',';
        first = false;
        body.append(json);
        return true;
    });
    if (ctx.audit) {
        AuditedRequest a;
        a.kind = AuditedRequest::Kind::Query;
        a.user = req.user.value_or("");
        a.remote = req.remote;
        a.target = req.target;
        a.ok = outcome.has_value();
        if (!outcome) a.why = outcome.error().message;
        if (auto done = ctx.audit(a)) done(a);
    }
    if (!outcome) {
        const auto& e = outcome.error();
        return Response::error(e.kind == service::ErrorKind::BadIdentifier ? 400
                               : e.kind == service::ErrorKind::Unsupported ? 501
                                                                            : 503,
                               e.message);
    }
    body += ']';
    Response r = Response::json(200, std::move(body));
    r.set("Content-Type", "application/dicom+json");
    // PS3.18 8.3.4.4.2 and 8.3.4.5: one Warning header field per warning.
    std::vector<std::string> warnings;
    if (outcome->truncated)
        warnings.push_back("299 dicomkit: \"The number of results exceeded the limit; more match (use offset)\"");
    if (q->fuzzy)
        warnings.push_back("299 dicomkit: \"The fuzzymatching parameter is not supported. Only literal matching has "
                           "been performed.\"");
    for (std::string& w : warnings) r.headers.push_back({"Warning", std::move(w)});
    return r;
}

}  // namespace

void add_qido_routes(Router& router, WebContext& ctx) {
    WebContext* c = &ctx;
    using model::Level;
    auto p = [](const Request& r, std::size_t i) { return i < r.params.size() ? r.params[i] : std::string(); };
    router.add("GET", "/dicom-web/studies", Role::Read, [c](Request& r) { return search(r, *c, Level::Study, "", ""); });
    router.add("GET", "/dicom-web/series", Role::Read, [c](Request& r) { return search(r, *c, Level::Series, "", ""); });
    router.add("GET", "/dicom-web/instances", Role::Read, [c](Request& r) { return search(r, *c, Level::Image, "", ""); });
    router.add("GET", "/dicom-web/studies/{study}/series", Role::Read,
               [c, p](Request& r) { return search(r, *c, Level::Series, p(r, 0), ""); });
    router.add("GET", "/dicom-web/studies/{study}/instances", Role::Read,
               [c, p](Request& r) { return search(r, *c, Level::Image, p(r, 0), ""); });
    router.add("GET", "/dicom-web/studies/{study}/series/{series}/instances", Role::Read,
               [c, p](Request& r) { return search(r, *c, Level::Image, p(r, 0), p(r, 1)); });
}

}  // namespace dicomkit::server::web
