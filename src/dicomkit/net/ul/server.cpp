// Server: an Asio acceptor on its own thread, one thread per connection (kept and joined), a
// limit on associations at once (A-ASSOCIATE-RJ transient above it), caps on connections
// without an association (the oldest dropped), and a bounded stop.
#include <dicomkit/net/ul/server.hpp>

#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <dicomkit/net/ul/asio_transport.hpp>

namespace dicomkit::net::ul {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

/// PS3.8 9.3.4: the answer above max_associations.
constexpr pdu::AssociateRj kOverLimit{pdu::RejectResult::RejectedTransient,
                                      pdu::RejectSource::ServiceProviderPresentation,
                                      pdu::reject_reason::kLocalLimitExceeded};

}  // namespace

/// One accepted connection, shared by the acceptor (which may drop it) and its thread.
struct Connection {
    std::shared_ptr<detail::InterruptState> interrupt = std::make_shared<detail::InterruptState>();
    std::atomic<bool> done{false};
    std::string address;  ///< the peer's address without the port: the per-address cap
    std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
    // Guarded by Server::Impl::mutex:
    bool associated = false;  ///< holds one of the max_associations slots
    bool over_limit = false;  ///< turned away above max_associations
    std::string dropped;      ///< why the acceptor dropped it (empty: not dropped)
};

struct Server::Impl {
    ServerOptions options;
    AssociationHandler handler;
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::shared_ptr<asio::ssl::context> tls;
    std::thread loop;
    std::uint16_t port = 0;
    std::atomic<std::size_t> active{0};   // associations counted against the limit
    std::atomic<std::size_t> waiting{0};  // connections without an association
    std::atomic<bool> stopping{false};
    bool stopped = false;

    struct Worker {
        std::thread thread;
        std::shared_ptr<Connection> connection;
    };
    std::mutex mutex;  // guards workers and the guarded fields of each Connection
    std::list<Worker> workers;

    Result<void> bind();
    void start_accept();
    void on_accept(const error_code& ec, tcp::socket socket);
    void spawn(tcp::socket socket);
    /// Drops the oldest connections without an association (of `address`, when not empty)
    /// while there are `cap` or more of them. Under `mutex`.
    void make_room(const std::string& address, std::size_t cap, const std::string& why);
    void serve(tcp protocol, tcp::socket::native_handle_type native, const std::shared_ptr<Connection>& c);
    /// The RequestGate: takes an association slot for `c`, or answers over the limit.
    std::optional<pdu::AssociateRj> admit(Connection& c);
    void reap();
    void stop();
    void tell_refused(const std::string& peer, const std::string& why) const {
        if (!options.refused) return;
        try {
            options.refused(peer, why);
        } catch (...) {
        }
    }
    void trace(const std::string& line) const {
        if (!options.association.trace) return;
        try {
            options.association.trace(line);
        } catch (...) {
        }
    }
};

Result<void> Server::Impl::bind() {
    error_code ec;
    asio::ip::address address = asio::ip::make_address(options.bind_address, ec);
    if (ec) {
        return make_error(ErrorCode::InvalidArgument,
                          fmt::format("server: bind address \"{}\" is not an IPv4 or IPv6 address",
                                      options.bind_address));
    }
    const tcp::endpoint endpoint(address, options.port);
    const std::string where = detail::format_endpoint(endpoint);
    auto failed = [&](std::string_view step) {
        return make_error(ErrorCode::IoError, fmt::format("server: {} {}: {}", step, where, ec.message()));
    };
    if (acceptor.open(endpoint.protocol(), ec); ec) return failed("open");
    if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return failed("option");
    if (address.is_v6()) {
        // "::" serves IPv4 clients too (dual stack); ignore systems that refuse it.
        acceptor.set_option(asio::ip::v6_only(false), ec);
    }
    if (acceptor.bind(endpoint, ec); ec) return failed("bind");
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return failed("listen");
    const tcp::endpoint bound = acceptor.local_endpoint(ec);
    if (ec) return failed("local endpoint");
    port = bound.port();
    return {};
}

void Server::Impl::start_accept() {
    acceptor.async_accept(
        [this](const error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Server::Impl::on_accept(const error_code& ec, tcp::socket socket) {
    if (stopping || ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
        trace(fmt::format("server: accept failed: {}", ec.message()));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // e.g. out of descriptors
    } else {
        reap();
        spawn(std::move(socket));
    }
    start_accept();
}

namespace {

/// The address of a peer for the per-address cap; IPv4-mapped IPv6 addresses count as IPv4.
std::string source_address(const tcp::socket& socket) {
    error_code ec;
    const tcp::endpoint ep = socket.remote_endpoint(ec);
    if (ec) return "?";
    asio::ip::address a = ep.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a.to_string();
}

/// The time allowed for the A-ASSOCIATE-RQ (the shorter of request and acse; 0: no limit).
Millis request_time(const Timeouts& t) {
    if (t.request.count() == 0) return t.acse;
    if (t.acse.count() == 0) return t.request;
    return std::min(t.request, t.acse);
}

Millis shorter(Millis a, Millis b) {
    if (a.count() == 0) return b;
    if (b.count() == 0) return a;
    return std::min(a, b);
}

}  // namespace

void Server::Impl::make_room(const std::string& address, std::size_t cap, const std::string& why) {
    const auto now = std::chrono::steady_clock::now();
    auto counts = [&](const Worker& w) {
        const Connection& c = *w.connection;
        return !c.associated && c.dropped.empty() && !c.done.load() && (address.empty() || c.address == address);
    };
    auto drop = [&](Connection& c) {
        const auto age = std::chrono::duration_cast<Millis>(now - c.since);
        c.dropped = fmt::format("no association after {} ms: dropped to make room ({})", age.count(), why);
        c.interrupt->interrupt();
    };
    std::size_t n = 0;
    for (const Worker& w : workers) n += counts(w) ? 1 : 0;
    // Over the cap, the oldest make way; but those younger than pending_grace only above twice
    // max_pending in all: a burst of callers (many associations opened at once from one host)
    // is let in.
    for (auto it = workers.begin(); n >= cap && it != workers.end(); ++it) {
        if (!counts(*it) || now - it->connection->since < options.pending_grace) continue;
        drop(*it->connection);
        --n;
    }
    if (!address.empty()) return;
    for (auto it = workers.begin(); n >= 2 * cap && it != workers.end(); ++it) {
        if (!counts(*it)) continue;
        drop(*it->connection);
        --n;
    }
}

void Server::Impl::spawn(tcp::socket socket) {
    auto connection = std::make_shared<Connection>();
    connection->address = source_address(socket);
    std::lock_guard lock(mutex);
    // Room for the new caller: the oldest connections without an association make way.
    const std::size_t cap = std::max<std::size_t>(options.max_pending, 1);
    make_room(connection->address, std::min(std::max<std::size_t>(options.max_pending_per_address, 1), cap),
              fmt::format("more than {} connections from {} without an association",
                          options.max_pending_per_address, connection->address));
    make_room({}, cap, fmt::format("more than {} connections without an association", options.max_pending));
    // Dropped connections end within moments; should they not, the threads stay bounded.
    const std::size_t hard_cap = options.max_associations + 3 * cap + 16;
    if (workers.size() >= hard_cap) {
        trace("server: too many connections; closed one without an answer");
        tell_refused(connection->address,
                     fmt::format("{} connections open: closed without an answer", workers.size()));
        return;  // the socket closes here
    }
    // Each Transport runs its own io_context: hand the connection over as a native socket.
    error_code ec;
    const tcp protocol = socket.local_endpoint(ec).protocol();
    tcp::socket::native_handle_type native = ec ? -1 : socket.release(ec);
    if (ec) {
        trace(fmt::format("server: cannot take over a connection: {}", ec.message()));
        return;
    }
    ++waiting;
    try {
        std::thread t([this, protocol, native, connection] {
            serve(protocol, native, connection);
            {
                std::lock_guard l(mutex);
                if (connection->associated) {
                    connection->associated = false;
                    --active;
                } else {
                    --waiting;
                }
            }
            connection->done = true;
        });
        workers.push_back({std::move(t), connection});
    } catch (const std::exception& ex) {  // no thread: the connection is dropped
        trace(fmt::format("server: cannot start a thread: {}", ex.what()));
        ::close(native);
        --waiting;
    }
}

std::optional<pdu::AssociateRj> Server::Impl::admit(Connection& c) {
    std::lock_guard lock(mutex);
    if (!c.dropped.empty() || stopping) return kOverLimit;
    if (active.load() >= options.max_associations) {
        c.over_limit = true;
        return kOverLimit;
    }
    c.associated = true;
    ++active;
    --waiting;
    return std::nullopt;
}

void Server::Impl::serve(tcp protocol, tcp::socket::native_handle_type native,
                         const std::shared_ptr<Connection>& c) {
    const AssociationOptions& ao = options.association;
    auto dropped = [&] {
        std::lock_guard lock(mutex);
        return c->dropped;
    };
    auto transport = detail::make_accepted_transport(protocol, native, tls,
                                                     shorter(ao.timeouts.connect, request_time(ao.timeouts)),
                                                     c->interrupt);
    if (!transport) {
        trace("server: " + transport.error().to_string());
        if (stopping) return;
        if (std::string why = dropped(); !why.empty()) {
            tell_refused(c->address, why);
        } else if (tls) {  // only a TLS port can fail here with a peer behind it (the handshake)
            tell_refused(transport.error().peer, transport.error().message);
        }
        return;
    }
    const std::string peer = (*transport)->peer_address();
    FailureKind failure = FailureKind::None;
    auto association = Association::accept(std::move(*transport), options.policy, ao,
                                           [this, &c](const pdu::AssociateRq&) { return admit(*c); }, &failure);
    if (!association) {
        trace("server: " + association.error().to_string());
        if (stopping) return;
        if (std::string why = dropped(); !why.empty()) {
            tell_refused(peer, why + "; " + association.error().message);
        } else if (failure != FailureKind::Empty) {  // a connection that sent nothing stays silent
            bool over_limit = false;
            {
                std::lock_guard lock(mutex);
                over_limit = c->over_limit;
            }
            tell_refused(peer, over_limit ? fmt::format("more than {} associations at once: {}",
                                                        options.max_associations, association.error().message)
                                          : association.error().message);
        }
        return;
    }
    if (options.noted && !association->negotiation_notes().empty()) {
        std::string what;
        for (const std::string& n : association->negotiation_notes()) what += (what.empty() ? "" : "; ") + n;
        try {
            options.noted(peer, what);
        } catch (...) {
        }
    }
    try {
        handler(*association);
    } catch (const std::exception& ex) {
        association->trace(fmt::format("handler failed: {}", ex.what()));
        association->abort(static_cast<std::uint8_t>(pdu::AbortSource::ServiceProvider), 0);
    } catch (...) {
        association->abort(static_cast<std::uint8_t>(pdu::AbortSource::ServiceProvider), 0);
    }
}

void Server::Impl::reap() {
    std::list<Worker> finished;
    {
        std::lock_guard lock(mutex);
        for (auto it = workers.begin(); it != workers.end();) {
            if (it->connection->done.load()) {
                finished.splice(finished.end(), workers, it++);
            } else {
                ++it;
            }
        }
    }
    for (Worker& w : finished) w.thread.join();
}

void Server::Impl::stop() {
    if (stopped) return;
    stopped = true;
    stopping = true;
    asio::post(io, [this] {
        error_code ignored;
        acceptor.close(ignored);
    });
    if (loop.joinable()) loop.join();
    std::list<Worker> all;
    {
        std::lock_guard lock(mutex);
        all.swap(workers);
    }
    for (Worker& w : all) w.connection->interrupt->interrupt();  // each aborts its association
    for (Worker& w : all) w.thread.join();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(ServerOptions options, AssociationHandler handler) {
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->handler = std::move(handler);
    if (!impl->handler) return make_error(ErrorCode::InvalidArgument, "server: no handler");
    try {
        if (impl->options.association.tls) {
            auto ctx = detail::make_tls_context(*impl->options.association.tls, detail::TlsRole::Server);
            if (!ctx) return Unexpected(ctx.error());
            impl->tls = std::move(*ctx);
        }
        if (auto r = impl->bind(); !r) return Unexpected(r.error());
        impl->start_accept();
        Impl* raw = impl.get();
        impl->loop = std::thread([raw] {
            try {
                raw->io.run();
            } catch (const std::exception& ex) {
                raw->trace(fmt::format("server: accept loop ended: {}", ex.what()));
            }
        });
    } catch (const std::exception& ex) {
        return make_error(ErrorCode::IoError, fmt::format("server: {}", ex.what()));
    }
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const noexcept { return impl_->port; }

void Server::stop() {
    if (impl_) impl_->stop();
}

std::size_t Server::active() const noexcept { return impl_->active.load(); }

std::size_t Server::pending() const noexcept { return impl_->waiting.load(); }

}  // namespace dicomkit::net::ul
