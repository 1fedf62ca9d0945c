// Server: listens on a port (IPv4/IPv6), accepts connections, runs each association on its own
// thread, up to a maximum number at once (further callers get A-ASSOCIATE-RJ transient, local
// limit exceeded). Stops cleanly.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <dicomkit/net/ul/association.hpp>

namespace dicomkit::net::ul {

struct ServerOptions {
    std::string bind_address = "0.0.0.0";  ///< "::" for IPv6 (dual stack), "127.0.0.1" for local only
    std::uint16_t port = 11112;             ///< 0: pick a free port (see Server::port())
    /// At most this many associations at once; further callers get A-ASSOCIATE-RJ
    /// (rejected-transient, service-provider presentation related, local-limit-exceeded) after
    /// their A-ASSOCIATE-RQ has been read (PS3.8 9.3.4).
    std::size_t max_associations = 64;
    AcceptorPolicy policy;
    AssociationOptions association;
    /// Told (on the association's thread) of each connection that did not become an
    /// association, with the peer's address and why: a TLS handshake that failed, an
    /// A-ASSOCIATE-RQ rejected (calling and called AE titles and the reason), a caller turned
    /// away above max_associations. A connection closed before it sent anything is not told.
    std::function<void(const std::string& peer, const std::string& why)> refused;
};

/// Called on the association's own thread once it is established; returns when done with it
/// (after release or abort). Called for several associations at once. An exception that escapes
/// aborts the association. The handler must return once the association reports an error or
/// the end: Server::stop() interrupts the association's I/O but cannot stop other work.
using AssociationHandler = std::function<void(Association&)>;

class Server {
public:
    ~Server();  ///< stops
    /// Binds and starts accepting on a background thread.
    [[nodiscard]] static Result<std::unique_ptr<Server>> start(ServerOptions options, AssociationHandler handler);
    /// The bound port (useful with port 0).
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// Stops accepting, interrupts every open association (whose pending or next receive then
    /// fails and sends A-ABORT), joins all threads. Bounded in time as long as handlers return
    /// when their association fails. Idempotent.
    void stop();
    /// Number of associations open now (being negotiated or established; callers being
    /// turned away above max_associations are not counted).
    [[nodiscard]] std::size_t active() const noexcept;

private:
    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::net::ul
