// Router: (method, path pattern) -> handler and the role it needs. Patterns are '/'-separated
// segments, "{name}" matching any one segment (decoded into Request::params) and a last "{*}"
// matching the rest. Paths are checked before matching: a segment that decodes to "." or "..",
// or that holds '/', '\\' or NUL once decoded, makes the request a 400, never a lookup.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/server/web/http.hpp>

namespace dicomkit::server::web {

class Router {
public:
    /// `role`: what the caller needs (Role::None: anyone, e.g. the login).
    void add(std::string method, std::string_view pattern, Role role, Handler handler);

    struct Match {
        const Handler* handler = nullptr;
        Role role = Role::None;
        std::vector<std::string> params;
        bool path_known = false;  ///< the path matched a route of another method (405)
    };
    /// The route for `method` and the raw (not decoded) `path`. InvalidArgument for a path that
    /// does not decode or that climbs out (see above).
    [[nodiscard]] Result<Match> match(std::string_view method, std::string_view path) const;

private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;
        Role role;
        Handler handler;
    };
    std::vector<Route> routes_;
};

/// The decoded segments of a raw path, or InvalidArgument (see Router).
[[nodiscard]] Result<std::vector<std::string>> split_path(std::string_view path);

}  // namespace dicomkit::server::web
