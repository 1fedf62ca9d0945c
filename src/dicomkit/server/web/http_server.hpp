// HttpServer: HTTP/1.1 on one port (plain or TLS) over Boost.Beast, a thread per connection,
// keep-alive, bounded everything (connections, header bytes, the time a peer may stay silent).
// Each request goes to one Handler; a body is read by the handler as it needs it (uploads stream)
// and a response body may be produced piece by piece (chunked).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <dicomkit/base/error.hpp>
#include <dicomkit/server/web/http.hpp>

namespace dicomkit::server::web {

/// One request, once answered: for the access log.
struct AccessRecord {
    std::string remote;
    std::string user;
    std::string method;
    std::string target;
    int status = 0;
    std::uint64_t bytes_out = 0;
    double ms = 0;
};

struct HttpServerOptions {
    std::string bind = "0.0.0.0";
    std::uint16_t port = 8042;  ///< 0: any free port
    /// TLS: the server's certificate chain and key (PEM). Empty: plain HTTP.
    std::string tls_certificate;
    std::string tls_private_key;
    std::size_t max_connections = 512;
    std::size_t max_header_bytes = 16 * 1024;
    /// A connection silent this long (waiting for a request, or in the middle of one) is closed.
    std::chrono::milliseconds idle_timeout{30000};
    /// The whole head of a request must arrive within this.
    std::chrono::milliseconds header_timeout{10000};
    std::function<void(const AccessRecord&)> on_request;
    std::function<void(const std::string&)> log;
};

class HttpServer {
public:
    [[nodiscard]] static Result<std::unique_ptr<HttpServer>> start(HttpServerOptions options, Handler handler);
    ~HttpServer();
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// Stops accepting, ends every connection and waits for their threads.
    void stop();

    struct Impl;

private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::server::web
