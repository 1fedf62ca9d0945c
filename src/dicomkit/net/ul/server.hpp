// Server: listens on a port (IPv4/IPv6), accepts connections, runs each association on its own
// thread, up to a maximum number at once (further callers get A-ASSOCIATE-RJ transient, local
// limit exceeded); connections still waiting for their A-ASSOCIATE-RQ are capped apart (in all
// and per address, the oldest dropped to make room). Stops cleanly.
#pragma once

#include <atomic>
#include <chrono>
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
    /// their acceptable A-ASSOCIATE-RQ has been read (PS3.8 9.3.4).
    std::size_t max_associations = 64;
    /// Connections that have no association (yet): waiting for their A-ASSOCIATE-RQ (at most
    /// AssociationOptions::timeouts.request), or refused and closing. They do not take the
    /// slots of max_associations; each has a thread, so they are capped: above
    /// max_pending in all, or max_pending_per_address from one address, the oldest such
    /// connection (of that address) that is older than pending_grace is dropped to make room
    /// for the new caller, who is neither refused nor kept waiting by idle or trickling
    /// connections. Younger ones are only dropped (the oldest first) above twice max_pending,
    /// so that a burst of legitimate callers from one host gets in.
    std::size_t max_pending = 64;
    std::size_t max_pending_per_address = 16;
    std::chrono::milliseconds pending_grace{1'000};
    AcceptorPolicy policy;
    AssociationOptions association;
    /// Told (on the connection's thread) of each connection that did not become an
    /// association, with the peer's address and why: a TLS handshake that failed, an
    /// A-ASSOCIATE-RQ rejected (calling and called AE titles and the reason), a caller turned
    /// away above max_associations, no (whole) A-ASSOCIATE-RQ in time, an invalid, oversized or
    /// unexpected PDU instead (with the byte offset of the fault), a connection dropped to make
    /// room or closed above every cap. Peer-supplied values in `why` are escaped
    /// (log::printable). A connection closed before it sent anything is not told (port scans).
    std::function<void(const std::string& peer, const std::string& why)> refused;
    /// Told (on the association's thread) of what was wrong with an accepted association's
    /// request: presentation contexts refused because they were malformed (Negotiated::notes).
    std::function<void(const std::string& peer, const std::string& what)> noted;
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
    /// Number of associations open now (accepted, or whose A-ASSOCIATE-AC is being sent).
    [[nodiscard]] std::size_t active() const noexcept;
    /// Number of connections without an association (waiting for their A-ASSOCIATE-RQ, being
    /// refused, or dropped and not yet closed).
    [[nodiscard]] std::size_t pending() const noexcept;

private:
    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::net::ul
