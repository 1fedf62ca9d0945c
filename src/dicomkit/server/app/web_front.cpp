#include <dicomkit/server/app/web_front.hpp>

#include <filesystem>

#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/server/web/http_server.hpp>

#ifndef DICOMKIT_SOURCE_DIR
#define DICOMKIT_SOURCE_DIR "."
#endif

namespace dicomkit::server::app {

namespace fs = std::filesystem;

struct WebFront::Impl {
    std::shared_ptr<web::Auth> auth;
    std::unique_ptr<web::WebApp> app;
    std::unique_ptr<web::HttpServer> server;
};

namespace {

constexpr const char* kAdminFile = "http-admin";

web::Role role_of(const std::string& r) { return web::parse_role(r).value_or(web::Role::Read); }

/// The first admin: DATA/http-admin holds its hash; made (and its password logged) when missing.
Result<web::WebUser> first_admin(const Config& c, const std::function<void(const std::string&)>& log) {
    const std::string path = (fs::path(c.data) / kAdminFile).string();
    std::error_code ec;
    if (fs::exists(path, ec)) {
        auto bytes = read_whole_file(path);
        if (!bytes) return tl::unexpected(bytes.error());
        std::string hash(bytes->begin(), bytes->end());
        while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r' || hash.back() == ' ')) hash.pop_back();
        if (!hash.starts_with("pbkdf2-sha256$"))
            return make_error(ErrorCode::InvalidValue, path + ": not a password hash (remove it to make a new admin)");
        return web::WebUser{"admin", hash, web::Role::Admin};
    }
    const std::string password = web::random_hex(12);
    const std::string hash = web::hash_password(password);
    const std::string line = hash + "\n";
    if (auto r = write_file_atomic(path, std::span(reinterpret_cast<const std::uint8_t*>(line.data()), line.size())); !r)
        return tl::unexpected(r.error());
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
    if (log)
        log("W: HTTP: no users in [http]: made user \"admin\" with password " + password +
            " (shown this once; its hash is in " + path + ", remove that file for a new one)");
    return web::WebUser{"admin", hash, web::Role::Admin};
}

}  // namespace

Result<web::AuthSettings> auth_settings(const Config& c, const std::function<void(const std::string&)>& log) {
    web::AuthSettings s;
    s.enabled = c.http.auth;
    s.secure_cookie = c.http.tls;
    for (const HttpUser& u : c.http.users) s.users.push_back({u.name, u.password_hash, role_of(u.role)});
    for (const HttpToken& t : c.http.tokens) s.tokens.push_back({t.name, t.token, role_of(t.role)});
    if (s.enabled && s.users.empty()) {
        auto admin = first_admin(c, log);
        if (!admin) return tl::unexpected(admin.error());
        s.users.push_back(std::move(*admin));
    }
    return s;
}

std::string find_viewer(const Config& c) {
    std::error_code ec;
    if (!c.http.viewer.empty()) return fs::is_regular_file(fs::path(c.http.viewer) / "index.html", ec) ? c.http.viewer : "";
    for (const fs::path& base : {fs::path(DICOMKIT_SOURCE_DIR), fs::current_path(ec)}) {
        const fs::path dist = base / "viewer" / "dist";
        if (fs::is_regular_file(dist / "index.html", ec)) return dist.string();
    }
    return {};
}

Result<std::unique_ptr<WebFront>> WebFront::start(WebFrontDeps deps) {
    const Config& c = *deps.config;
    auto settings = auth_settings(c, deps.log);
    if (!settings) return tl::unexpected(settings.error());
    auto impl = std::make_unique<Impl>();
    impl->auth = std::make_shared<web::Auth>(std::move(*settings));
    web::WebContext ctx;
    ctx.index = deps.index;
    ctx.query = deps.query;
    ctx.retrieve = deps.retrieve;
    ctx.ingest = deps.ingest;
    ctx.worklist = deps.worklist;
    ctx.blobs = deps.blobs;
    ctx.mpps = deps.mpps;
    ctx.commitment = deps.commitment;
    ctx.codecs = deps.codecs;
    ctx.authorizer = deps.authorizer;
    ctx.public_root = c.http.public_root;
    ctx.cors_origins = c.http.cors_origins;
    ctx.max_upload_bytes = c.http.max_upload_mb << 20;
    ctx.viewer_dir = find_viewer(c);
    ctx.admin = std::move(deps.admin);
    ctx.log = deps.log;
    ctx.audit = std::move(deps.audit);
    impl->app = std::make_unique<web::WebApp>(std::move(ctx), impl->auth);
    web::HttpServerOptions o;
    o.bind = deps.bind;
    o.port = c.http.port;
    if (c.http.tls) {
        o.tls_certificate = c.tls.certificate;
        o.tls_private_key = c.tls.private_key;
    }
    web::WebApp* app = impl->app.get();
    o.log = deps.log;
    o.on_request = [app](const web::AccessRecord& r) {
        char ms[32];
        std::snprintf(ms, sizeof ms, "%.1f", r.ms);
        app->note_request("{\"user\":" + web::json_quote(r.user) + ",\"remote\":" + web::json_quote(r.remote) +
                          ",\"method\":" + web::json_quote(r.method) + ",\"path\":" + web::json_quote(r.target.substr(0, 512)) +
                          ",\"status\":" + std::to_string(r.status) + ",\"bytes\":" + std::to_string(r.bytes_out) +
                          ",\"ms\":" + ms + ",\"time\":" + std::to_string(std::time(nullptr)) + "}");
    };
    auto server = web::HttpServer::start(o, [app](web::Request& r) { return app->handle(r); });
    if (!server) return tl::unexpected(server.error());
    impl->server = std::move(*server);
    return std::unique_ptr<WebFront>(new WebFront(std::move(impl)));
}

WebFront::WebFront(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebFront::~WebFront() { stop(); }
std::uint16_t WebFront::port() const noexcept { return impl_->server ? impl_->server->port() : 0; }
void WebFront::stop() {
    if (impl_ && impl_->server) impl_->server->stop();
}

}  // namespace dicomkit::server::app
