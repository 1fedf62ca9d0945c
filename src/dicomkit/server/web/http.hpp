// The HTTP exchange as the web front sees it: a request (its head, and its body read on demand,
// so that an upload streams), and a response (a body in memory, or written piece by piece by a
// producer as chunked transfer coding). No Beast type appears here: the server (http_server)
// adapts Boost.Beast to these.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/server/service/authorizer.hpp>

namespace dicomkit::server::web {

struct Header {
    std::string name;
    std::string value;
};

/// What a web user may do: read (search, retrieve, the page), write (and store), admin (and
/// delete, peers, jobs, logs). Each role includes the ones before it; the service::Authorizer
/// decides with it.
using Role = service::WebRole;
[[nodiscard]] std::string_view to_string(Role role) noexcept;
[[nodiscard]] std::optional<Role> parse_role(std::string_view text) noexcept;

/// A request body, read in pieces. read() returns 0 at the end.
class BodySource {
public:
    virtual ~BodySource() = default;
    [[nodiscard]] virtual Result<std::size_t> read(std::span<std::uint8_t> out) = 0;
    /// The Content-Length, when the request has one.
    [[nodiscard]] virtual std::optional<std::uint64_t> length() const = 0;
};

/// Where a streamed response body goes.
class BodySink {
public:
    virtual ~BodySink() = default;
    [[nodiscard]] virtual Result<void> write(std::string_view bytes) = 0;
    [[nodiscard]] Result<void> write(std::span<const std::uint8_t> bytes) {
        return write(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
};

/// Case-insensitive ASCII comparison of header names and tokens.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

struct Request {
    std::string method;  ///< "GET", "POST" ...
    std::string target;  ///< as sent: "/dicom-web/studies?PatientID=1"
    std::string path;    ///< the target up to '?', not decoded
    std::string query;   ///< after '?', not decoded
    std::vector<Header> headers;
    std::string remote;  ///< "127.0.0.1:51234"
    bool tls = false;
    /// Filled by the router: the decoded {name} segments of the route's pattern, in order.
    std::vector<std::string> params;
    /// Filled by authentication.
    std::optional<std::string> user;
    Role role = Role::None;
    BodySource* body = nullptr;  ///< never null while a handler runs

    /// The first header of that name (case-insensitive); empty when absent.
    [[nodiscard]] std::string_view header(std::string_view name) const noexcept;
    [[nodiscard]] bool has_header(std::string_view name) const noexcept;
    /// The whole body, LimitExceeded when over `max_bytes`.
    [[nodiscard]] Result<std::string> read_body(std::uint64_t max_bytes);
};

struct Response {
    int status = 200;
    std::vector<Header> headers;
    std::string body;
    /// When set, the body is written by this (chunked), after the head; `body` is ignored. An
    /// error it returns ends the connection (the head has gone out already).
    std::function<Result<void>(BodySink&)> stream;

    Response& set(std::string name, std::string value);
    [[nodiscard]] std::string_view header(std::string_view name) const noexcept;

    [[nodiscard]] static Response json(int status, std::string body);
    [[nodiscard]] static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
    /// {"error": message} with `status`.
    [[nodiscard]] static Response error(int status, std::string_view message);
};

/// A JSON string literal of `text` (quotes included), escaping what JSON requires; bytes that are
/// not valid UTF-8 become U+FFFD.
[[nodiscard]] std::string json_quote(std::string_view text);

/// Percent-decoding of a path segment or query component; `plus_is_space` for query strings.
/// nullopt for a malformed escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);
[[nodiscard]] std::string percent_encode(std::string_view text);

/// The query string's parameters, decoded, in order (a name may come several times).
[[nodiscard]] Result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

using Handler = std::function<Response(Request&)>;

}  // namespace dicomkit::server::web
