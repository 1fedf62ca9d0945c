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
    std::size_t max_associations = 64;
    AcceptorPolicy policy;
    AssociationOptions association;
};

/// Called on the association's own thread once it is established; returns when done with it
/// (after release or abort). Exceptions are not allowed to escape (they abort the association).
using AssociationHandler = std::function<void(Association&)>;

class Server {
public:
    ~Server();  ///< stops
    /// Binds and starts accepting on a background thread.
    [[nodiscard]] static Result<std::unique_ptr<Server>> start(ServerOptions options, AssociationHandler handler);
    /// The bound port (useful with port 0).
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// Stops accepting, aborts open associations, joins all threads.
    void stop();
    /// Number of associations open now.
    [[nodiscard]] std::size_t active() const noexcept;

private:
    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::net::ul
