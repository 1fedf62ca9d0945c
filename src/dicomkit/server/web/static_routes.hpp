// The files serve hands out as they are: the page (ui/, compiled in) and the OHIF viewer (its
// built dist/ folder, when installed), with the headers each needs.
#pragma once

#include <optional>

#include <dicomkit/server/web/http.hpp>

namespace dicomkit::server::web {

struct WebContext;

/// The answer for a GET or HEAD of a page, an asset or a viewer route; nullopt when `request`
/// names none of them (the caller answers 404).
[[nodiscard]] std::optional<Response> static_response(const Request& request, const WebContext& ctx);

/// The page's files (ui/, compiled in: ui_files.hpp): "/", "/index.html" and "/login" are
/// ui/index.html, "/ui/X" is ui/X; with an ETag (304 for a matching If-None-Match), revalidated on
/// each use, and a Content-Security-Policy that allows this origin only. nullopt when `request`
/// names none.
[[nodiscard]] std::optional<Response> ui_response(const Request& request);

/// The viewer's app-config.js: OHIF pointed at this server's DICOMweb root.
[[nodiscard]] std::string viewer_config(const Request& request, const WebContext& ctx);

}  // namespace dicomkit::server::web
