// Server: an Asio acceptor on its own thread, one thread per association (kept and joined), a
// limit on associations at once (A-ASSOCIATE-RJ transient above it) and a bounded stop.
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

struct Server::Impl {
    ServerOptions options;
    AssociationHandler handler;
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::shared_ptr<asio::ssl::context> tls;
    std::thread loop;
    std::uint16_t port = 0;
    std::atomic<std::size_t> active{0};    // associations counted against the limit
    std::atomic<std::size_t> rejecting{0};  // connections being turned away
    std::atomic<bool> stopping{false};
    bool stopped = false;

    struct Worker {
        std::thread thread;
        std::shared_ptr<detail::InterruptState> interrupt;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::mutex mutex;  // guards workers
    std::list<Worker> workers;

    Result<void> bind();
    void start_accept();
    void on_accept(const error_code& ec, tcp::socket socket);
    void spawn(tcp::socket socket);
    void serve(tcp protocol, tcp::socket::native_handle_type native,
               std::shared_ptr<detail::InterruptState> interrupt, bool over_limit);
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
        spawn(std::move(socket));
    }
    reap();
    start_accept();
}

void Server::Impl::spawn(tcp::socket socket) {
    bool over_limit = false;
    if (active.load() >= options.max_associations) {
        // Turn callers away with an A-ASSOCIATE-RJ, on threads of their own, up to a bound.
        if (rejecting.load() >= std::max<std::size_t>(options.max_associations, 8)) {
            trace("server: too many connections; closed one without an answer");
            return;  // the socket closes here
        }
        over_limit = true;
        ++rejecting;
    } else {
        ++active;
    }
    // Each Transport runs its own io_context: hand the connection over as a native socket.
    error_code ec;
    const tcp protocol = socket.local_endpoint(ec).protocol();
    tcp::socket::native_handle_type native = ec ? -1 : socket.release(ec);
    if (ec) {
        trace(fmt::format("server: cannot take over a connection: {}", ec.message()));
        if (over_limit) {
            --rejecting;
        } else {
            --active;
        }
        return;
    }
    auto interrupt = std::make_shared<detail::InterruptState>();
    auto done = std::make_shared<std::atomic<bool>>(false);
    try {
        std::lock_guard lock(mutex);
        std::thread t([this, protocol, native, interrupt, done, over_limit] {
            serve(protocol, native, interrupt, over_limit);
            if (over_limit) {
                --rejecting;
            } else {
                --active;
            }
            *done = true;
        });
        workers.push_back({std::move(t), interrupt, done});
    } catch (const std::exception& ex) {  // no thread: the connection is dropped
        trace(fmt::format("server: cannot start a thread: {}", ex.what()));
        ::close(native);
        if (over_limit) {
            --rejecting;
        } else {
            --active;
        }
    }
}

void Server::Impl::serve(tcp protocol, tcp::socket::native_handle_type native,
                         std::shared_ptr<detail::InterruptState> interrupt, bool over_limit) {
    const AssociationOptions& ao = options.association;
    auto transport = detail::make_accepted_transport(protocol, native, tls, ao.timeouts.connect,
                                                     std::move(interrupt));
    if (!transport) {
        trace("server: " + transport.error().to_string());
        // Only a TLS port can fail here with a peer behind it (the handshake).
        if (tls) tell_refused(transport.error().peer, transport.error().message);
        return;
    }
    if (over_limit) {
        const std::string peer = (*transport)->peer_address();
        if (auto r = Association::reject(std::move(*transport), kOverLimit, ao); !r)
            trace("server: " + r.error().to_string());
        tell_refused(peer, fmt::format("more than {} associations at once: rejected (transient, local limit exceeded)",
                                       options.max_associations));
        return;
    }
    const std::string peer = (*transport)->peer_address();
    auto association = Association::accept(std::move(*transport), options.policy, ao);
    if (!association) {
        trace("server: " + association.error().to_string());
        if (association.error().code == ErrorCode::Unsupported)  // an A-ASSOCIATE-RJ was sent
            tell_refused(peer, association.error().message);
        return;
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
            if (it->done->load()) {
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
    for (Worker& w : all) w.interrupt->interrupt();  // each aborts its association
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

}  // namespace dicomkit::net::ul
