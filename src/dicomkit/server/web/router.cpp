#include <dicomkit/server/web/router.hpp>

namespace dicomkit::server::web {

Result<std::vector<std::string>> split_path(std::string_view path) {
    if (path.empty() || path.front() != '/') return make_error(ErrorCode::InvalidArgument, "the path must start with '/'");
    std::vector<std::string> out;
    std::string_view rest = path.substr(1);
    while (true) {
        const auto slash = rest.find('/');
        const std::string_view raw = rest.substr(0, slash);
        auto seg = percent_decode(raw);
        if (!seg) return make_error(ErrorCode::InvalidArgument, "malformed percent-encoding in the path");
        if (*seg == "." || *seg == "..")
            return make_error(ErrorCode::InvalidArgument, "'.' and '..' are not allowed in the path");
        for (const char c : *seg)
            if (c == '/' || c == '\\' || c == '\0')
                return make_error(ErrorCode::InvalidArgument, "an encoded '/', '\\' or NUL in the path");
        if (!seg->empty() || slash != std::string_view::npos) out.push_back(std::move(*seg));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
        if (out.size() > 64) return make_error(ErrorCode::LimitExceeded, "more than 64 path segments");
    }
    // "/a/b/" and "/a/b" are the same resource.
    while (!out.empty() && out.back().empty()) out.pop_back();
    for (const auto& s : out)
        if (s.empty()) return make_error(ErrorCode::InvalidArgument, "an empty segment in the path");
    return out;
}

void Router::add(std::string method, std::string_view pattern, Role role, Handler handler) {
    Route r{std::move(method), {}, role, std::move(handler)};
    std::string_view rest = pattern.substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        r.segments.emplace_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
    }
    routes_.push_back(std::move(r));
}

Result<Router::Match> Router::match(std::string_view method, std::string_view path) const {
    auto segments = split_path(path);
    if (!segments) return tl::unexpected(segments.error());
    Match out;
    for (const Route& r : routes_) {
        std::vector<std::string> params;
        bool ok = true;
        std::size_t i = 0;
        for (; i < r.segments.size(); ++i) {
            const std::string& p = r.segments[i];
            if (p == "{*}") {
                std::string tail;
                for (std::size_t k = i; k < segments->size(); ++k) tail += (k > i ? "/" : "") + (*segments)[k];
                params.push_back(std::move(tail));
                i = segments->size();
                break;
            }
            if (i >= segments->size()) {
                ok = false;
                break;
            }
            if (p.size() > 2 && p.front() == '{' && p.back() == '}') params.push_back((*segments)[i]);
            else if (p != (*segments)[i]) {
                ok = false;
                break;
            }
        }
        if (!ok || i < segments->size()) continue;
        if (r.method != method && !(r.method == "GET" && method == "HEAD")) {
            out.path_known = true;
            continue;
        }
        out.handler = &r.handler;
        out.role = r.role;
        out.params = std::move(params);
        return out;
    }
    return out;
}

}  // namespace dicomkit::server::web
