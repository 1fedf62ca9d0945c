#include <dicomkit/server/web/static_routes.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <dicomkit/server/web/ui_files.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::web {

namespace fs = std::filesystem;

namespace {

std::string_view content_type_of(std::string_view path) {
    const auto dot = path.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json" || ext == "map") return "application/json";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "ico") return "image/x-icon";
    if (ext == "wasm") return "application/wasm";
    if (ext == "woff2") return "font/woff2";
    if (ext == "woff") return "font/woff";
    if (ext == "ttf") return "font/ttf";
    if (ext == "txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

std::optional<std::string> read_whole(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// RFC 9110 13.1.2: If-None-Match holds "*" or a list of entity tags (weak ones compared weakly).
bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    while (!if_none_match.empty()) {
        const auto comma = if_none_match.find(',');
        std::string_view one = if_none_match.substr(0, comma);
        while (!one.empty() && (one.front() == ' ' || one.front() == '\t')) one.remove_prefix(1);
        while (!one.empty() && (one.back() == ' ' || one.back() == '\t')) one.remove_suffix(1);
        if (one.starts_with("W/")) one.remove_prefix(2);
        if (one == "*" || one == etag) return true;
        if (comma == std::string_view::npos) break;
        if_none_match.remove_prefix(comma + 1);
    }
    return false;
}

/// OHIF's pages need cross-origin isolation for SharedArrayBuffer (its 3D views).
void isolate(Response& r) {
    r.set("Cross-Origin-Opener-Policy", "same-origin");
    r.set("Cross-Origin-Embedder-Policy", "require-corp");
    r.set("Cross-Origin-Resource-Policy", "same-origin");
}

/// The viewer's index.html, its app-config.js, or one of its files (`rest`: the path without its
/// leading '/'); nullopt when the viewer is not installed or has no such file.
std::optional<Response> viewer_file(const Request& req, const WebContext& ctx, std::string_view rest, bool page) {
    if (ctx.viewer_dir.empty()) return std::nullopt;
    const fs::path root(ctx.viewer_dir);
    std::error_code ec;
    if (!fs::is_regular_file(root / "index.html", ec)) return std::nullopt;
    if (rest == "app-config.js") {
        Response r = Response::text(200, viewer_config(req, ctx), "text/javascript; charset=utf-8");
        r.set("Cache-Control", "no-store");
        isolate(r);
        return r;
    }
    // The router has refused "..", encoded slashes and NUL: the path stays below root.
    const fs::path file = page ? root / "index.html" : root / std::string(rest);
    if (!fs::is_regular_file(file, ec)) return std::nullopt;
    auto body = read_whole(file);
    if (!body) return std::nullopt;
    const std::string name = file.filename().string();
    Response r = Response::text(200, std::move(*body), std::string(content_type_of(name)));
    r.set("Cache-Control", name == "index.html" ? "no-cache" : "public, max-age=3600");
    isolate(r);
    return r;
}

}  // namespace

std::string viewer_config(const Request& request, const WebContext& ctx) {
    const std::string root = base_url(request, ctx) + "/dicom-web";
    return "window.config = {\n"
           "  routerBasename: '/',\n"
           "  showStudyList: true,\n"
           "  extensions: [],\n"
           "  modes: [],\n"
           "  defaultDataSourceName: 'dicomkit',\n"
           "  dataSources: [{\n"
           "    namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',\n"
           "    sourceName: 'dicomkit',\n"
           "    configuration: {\n"
           "      friendlyName: 'dicomkit',\n"
           "      name: 'dicomkit',\n"
           "      wadoUriRoot: '" + base_url(request, ctx) + "/wado',\n"
           "      qidoRoot: '" + root + "',\n"
           "      wadoRoot: '" + root + "',\n"
           "      qidoSupportsIncludeField: true,\n"
           "      supportsReject: false,\n"
           "      imageRendering: 'wadors',\n"
           "      thumbnailRendering: 'wadors',\n"
           "      enableStudyLazyLoad: true,\n"
           "      supportsFuzzyMatching: true,\n"
           "      supportsWildcard: true,\n"
           "      omitQuotationForMultipartRequest: true,\n"
           "      bulkDataURI: { enabled: true },\n"
           "    },\n"
           "  }],\n"
           "};\n";
}

std::optional<Response> static_response(const Request& req, const WebContext& ctx) {
    if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
    const std::string_view path = req.path;
    // The viewer (built for the site's root): its routes (/viewer?StudyInstanceUIDs=...) are its
    // index.html; its scripts, styles and assets are files of its dist/ below the root.
    if (path == "/viewer" || path.starts_with("/viewer/")) {
        if (auto page = viewer_file(req, ctx, "", true)) return page;
        if (path == "/viewer") return std::nullopt;
    }
    if (auto page = ui_response(req)) return page;
    if (path.size() > 1) {
        auto decoded = percent_decode(path.substr(1));
        if (!decoded) return Response::error(400, "malformed percent-encoding in the path");
        if (decoded->find("..") == std::string::npos)
            if (auto file = viewer_file(req, ctx, *decoded, false)) return file;
    }
    return std::nullopt;
}

std::optional<Response> ui_response(const Request& req) {
    // The page handles its login screen itself (a 401 from /api/me shows the form).
    const std::string_view path = req.path == "/login" ? std::string_view("/") : std::string_view(req.path);
    const StaticFile* file = find_static(path);
    if (!file) return std::nullopt;
    Response r;
    // Revalidated on every use (the files change with the binary), answered 304 while unchanged.
    r.set("Cache-Control", "no-cache");
    r.set("ETag", std::string(file->etag));
    // Everything the page uses comes from this server (docs/web-api.md, "Pages").
    r.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'self'");
    if (etag_matches(req.header("If-None-Match"), file->etag)) {
        r.status = 304;
        return r;
    }
    r.status = 200;
    r.set("Content-Type", std::string(file->content_type));
    r.body = std::string(file->body);
    return r;
}

}  // namespace dicomkit::server::web
