#include <dicomkit/server/web/static_routes.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

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

/// OHIF's pages need cross-origin isolation for SharedArrayBuffer (its 3D views).
void isolate(Response& r) {
    r.set("Cross-Origin-Opener-Policy", "same-origin");
    r.set("Cross-Origin-Embedder-Policy", "require-corp");
    r.set("Cross-Origin-Resource-Policy", "same-origin");
}

std::optional<Response> viewer_file(const Request& req, const WebContext& ctx, std::string_view rest) {
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
    // The router has refused "..", encoded slashes and NUL; the path stays below root.
    fs::path file = root / std::string(rest);
    if (rest.empty() || !fs::is_regular_file(file, ec)) {
        // A route of the single-page app (/viewer/viewer?...): its index.html.
        const auto last = rest.rfind('/');
        const std::string_view name = rest.substr(last == std::string_view::npos ? 0 : last + 1);
        if (name.find('.') != std::string_view::npos && !rest.empty()) return Response::error(404, "no such file");
        file = root / "index.html";
    }
    auto body = read_whole(file);
    if (!body) return Response::error(404, "no such file");
    const std::string name = file.filename().string();
    if (name == "index.html") {
        // Built for the site's root: its assets are asked for below /viewer/.
        std::string& b = *body;
        for (const std::string_view attr : {"src=\"/", "href=\"/"}) {
            std::size_t at = 0;
            while ((at = b.find(attr, at)) != std::string::npos) {
                const std::size_t insert = at + attr.size();
                if (b.compare(insert, 7, "viewer/") != 0) b.insert(insert, "viewer/");
                at = insert;
            }
        }
    }
    Response r = Response::text(200, std::move(*body), std::string(content_type_of(name)));
    r.set("Cache-Control", name == "index.html" ? "no-cache" : "public, max-age=3600");
    isolate(r);
    return r;
}

}  // namespace

std::string viewer_config(const Request& request, const WebContext& ctx) {
    const std::string root = base_url(request, ctx) + "/dicom-web";
    return "window.config = {\n"
           "  routerBasename: '/viewer',\n"
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
    if (path == "/viewer") {
        Response r;
        r.status = 301;
        r.set("Location", "/viewer/");
        return r;
    }
    if (path.starts_with("/viewer/")) {
        auto decoded = percent_decode(path.substr(8));
        if (!decoded) return Response::error(400, "malformed percent-encoding in the path");
        return viewer_file(req, ctx, *decoded);
    }
    if (auto page = ui_response(req)) return page;
    // The viewer's code loads its chunks from the site's root (the public path it was built with).
    if (!ctx.viewer_dir.empty() && path.size() > 1 && path.find('/', 1) == std::string_view::npos) {
        auto decoded = percent_decode(path.substr(1));
        std::error_code ec;
        if (decoded && fs::is_regular_file(fs::path(ctx.viewer_dir) / *decoded, ec)) return viewer_file(req, ctx, *decoded);
    }
    return std::nullopt;
}

std::optional<Response> ui_response(const Request& req) {
    if (req.path != "/" && req.path != "/index.html") return std::nullopt;
    return Response::text(200,
                          "<!doctype html><meta charset=utf-8><title>dicomkit</title>"
                          "<p>dicomkit: DICOMweb at <a href=/dicom-web/studies>/dicom-web</a></p>",
                          "text/html; charset=utf-8");
}

}  // namespace dicomkit::server::web
