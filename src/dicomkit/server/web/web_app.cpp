#include <dicomkit/server/web/web_app.hpp>

#include <deque>
#include <exception>
#include <mutex>

#include <nlohmann/json.hpp>

#include <dicomkit/server/web/static_routes.hpp>

namespace dicomkit::server::web {

struct WebApp::State {
    std::mutex mutex;
    std::deque<std::string> http_log;  ///< JSON objects, newest first
};

namespace {

bool origin_allowed(const WebContext& ctx, std::string_view origin) {
    if (origin.empty()) return false;
    for (const std::string& o : ctx.cors_origins)
        if (o == "*" || o == origin) return true;
    return false;
}

void add_cors(const WebContext& ctx, const Request& req, Response& res) {
    const std::string_view origin = req.header("Origin");
    if (!origin_allowed(ctx, origin)) return;
    res.set("Access-Control-Allow-Origin", std::string(origin));
    res.set("Vary", "Origin");
    res.set("Access-Control-Allow-Credentials", "true");
    res.set("Access-Control-Expose-Headers", "Warning, Content-Location, Location");
}

}  // namespace

service::ServiceResult<void> WebApp::authorize(const Request& req, Role needed) const {
    const service::Action action = needed == Role::Admin   ? service::Action::Administer
                                   : needed == Role::Write ? service::Action::Store
                                                           : service::Action::Retrieve;
    service::Caller caller{"", req.remote, req.tls, req.user, req.role};
    if (ctx_.authorizer) return ctx_.authorizer->check(caller, action);
    if (static_cast<int>(req.role) >= static_cast<int>(needed)) return {};
    return service::service_error(service::ErrorKind::NotAuthorized,
                                  "user " + req.user.value_or("") + " (role " + std::string(to_string(req.role)) +
                                      ") may not do this: it needs role " + std::string(to_string(needed)));
}

std::string base_url(const Request& request, const WebContext& ctx) {
    if (!ctx.public_root.empty()) {
        std::string root = ctx.public_root;
        while (!root.empty() && root.back() == '/') root.pop_back();
        return root;
    }
    std::string_view proto = request.header("X-Forwarded-Proto");
    std::string_view host = request.header("X-Forwarded-Host");
    if (host.empty()) host = request.header("Host");
    if (proto.empty()) proto = request.tls ? "https" : "http";
    // Only what a host name (and port) may hold: the value goes into every URL written back.
    std::string clean;
    for (const char c : host.substr(0, host.find(',')))
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')
            clean += c;
    if (clean.empty()) clean = "localhost";
    return std::string(proto == "https" ? "https" : "http") + "://" + clean;
}

void add_session_routes(Router& router, WebContext& ctx, Auth& auth) {
    (void)ctx;
    router.add("POST", "/api/login", Role::None, [&auth, &ctx](Request& req) {
        auto body = req.read_body(64 * 1024);
        if (!body) return Response::error(413, body.error().message);
        std::string user, password;
        const std::string_view type = req.header("Content-Type");
        if (type.starts_with("application/x-www-form-urlencoded")) {
            auto params = parse_query(*body);
            if (!params) return Response::error(400, params.error().message);
            for (auto& [k, v] : *params) {
                if (k == "user") user = v;
                if (k == "password") password = v;
            }
        } else {
            auto j = nlohmann::json::parse(*body, nullptr, false);
            if (j.is_discarded() || !j.is_object()) return Response::error(400, "expected {\"user\":..,\"password\":..}");
            if (j.contains("user") && j["user"].is_string()) user = j["user"].get<std::string>();
            if (j.contains("password") && j["password"].is_string()) password = j["password"].get<std::string>();
        }
        auto session = auth.login(user, password);
        if (ctx.audit) {
            AuditedRequest a;
            a.kind = AuditedRequest::Kind::Login;
            a.user = user;
            a.remote = req.remote;
            a.target = req.target;
            a.ok = session.has_value();
            if (!a.ok) a.why = "unknown user or wrong password";
            if (auto done = ctx.audit(a)) done(a);
        }
        if (!session) {
            if (ctx.log) ctx.log("W: HTTP login of " + json_quote(user) + " from " + req.remote + " refused");
            return Response::error(401, "unknown user or wrong password");
        }
        req.user = session->second.user;
        Response r = Response::json(200, "{\"user\":" + json_quote(session->second.user) + ",\"role\":\"" +
                                             std::string(to_string(session->second.role)) + "\"}");
        r.set("Set-Cookie", session->first);
        return r;
    });
    router.add("POST", "/api/logout", Role::None, [&auth](Request& req) {
        Response r;
        r.status = 204;
        r.set("Set-Cookie", auth.logout(req));
        return r;
    });
    router.add("GET", "/api/me", Role::Read, [](Request& req) {
        return Response::json(200, "{\"user\":" + json_quote(req.user.value_or("")) + ",\"role\":\"" +
                                       std::string(to_string(req.role)) + "\"}");
    });
}

WebApp::WebApp(WebContext context, std::shared_ptr<Auth> auth)
    : ctx_(std::move(context)), auth_(std::move(auth)), state_(std::make_shared<State>()) {
    add_session_routes(router_, ctx_, *auth_);
    add_wado_routes(router_, ctx_);
    add_stow_routes(router_, ctx_);
    add_qido_routes(router_, ctx_);
    add_admin_routes(router_, ctx_, *state_);
    add_worklist_routes(router_, ctx_);
    add_workflow_routes(router_, ctx_);
    State* state = state_.get();
    router_.add("GET", "/api/log/http", Role::Admin, [state](Request&) {
        std::string out = "[";
        std::lock_guard lock(state->mutex);
        for (std::size_t i = 0; i < state->http_log.size(); ++i) out += (i ? "," : "") + state->http_log[i];
        return Response::json(200, out + "]");
    });
}

void WebApp::note_request(const std::string& json_line) {
    std::lock_guard lock(state_->mutex);
    state_->http_log.push_front(json_line);
    if (state_->http_log.size() > 500) state_->http_log.pop_back();
}

Response WebApp::handle(Request& req) {
    Response res;
    try {
        if (req.method == "OPTIONS") {
            res.status = 204;
            if (origin_allowed(ctx_, req.header("Origin"))) {
                res.set("Access-Control-Allow-Methods", "GET, HEAD, POST, DELETE, OPTIONS");
                res.set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept");
                res.set("Access-Control-Max-Age", "600");
            }
            add_cors(ctx_, req, res);
            return res;
        }
        auto m = router_.match(req.method, req.path);
        if (!m) {
            res = Response::error(400, m.error().message);
        } else if (!m->handler) {
            if (auto page = static_response(req, ctx_)) res = std::move(*page);
            else if (m->path_known) res = Response::error(405, "method " + req.method + " not allowed here");
            else res = Response::error(404, "no such resource: " + req.path);
        } else {
            req.params = std::move(m->params);
            if (m->role != Role::None) {
                auto who = auth_->authenticate(req);
                if (!who) {
                    res = Response::error(401, "authentication required (a session, a Bearer token or Basic)");
                    res.set("WWW-Authenticate", "Bearer realm=\"dicomkit\"");
                    add_cors(ctx_, req, res);
                    return res;
                }
                req.user = who->user;
                req.role = who->role;
                if (auto ok = authorize(req, m->role); !ok) {
                    res = Response::error(403, ok.error().message);
                    add_cors(ctx_, req, res);
                    return res;
                }
            }
            res = (*m->handler)(req);
        }
    } catch (const std::exception& e) {
        res = Response::error(500, std::string("internal error: ") + e.what());
    }
    res.set("X-Content-Type-Options", "nosniff");
    add_cors(ctx_, req, res);
    return res;
}

}  // namespace dicomkit::server::web
