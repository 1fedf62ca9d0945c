// TCP and TLS transports on Boost.Asio: every operation runs the transport's own io_context up to
// a deadline, then cancels; no Asio exception leaves this file.
#include <dicomkit/net/ul/asio_transport.hpp>

#include <atomic>
#include <optional>
#include <utility>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

namespace dicomkit::net::ul {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using Millis = std::chrono::milliseconds;

bool is_timeout(const Error& error) noexcept {
    return error.code == ErrorCode::LimitExceeded &&
           error.message.find("timeout") != std::string::npos;
}

namespace detail {
namespace {

/// Starts an asynchronous operation with `start(handler)` and runs `io` until it completes or
/// `timeout` passes (zero: no limit); then `cancel()` and run until the handler has fired, so no
/// handler outlives this frame. Returns true when the deadline passed before completion.
template <typename Start, typename Cancel>
bool run_with_deadline(asio::io_context& io, Start&& start, Cancel&& cancel, Millis timeout,
                       error_code& result) {
    bool done = false;
    start([&done, &result](const error_code& ec, auto&&...) {
        result = ec;
        done = true;
    });
    io.restart();
    if (timeout.count() > 0) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done && io.run_one_until(deadline) > 0) {
        }
    } else {
        while (!done && io.run_one() > 0) {
        }
    }
    if (done) return false;
    cancel();
    io.restart();
    while (!done && io.run_one() > 0) {
    }
    return true;
}

/// A failed system call's errno as Asio reports errors (so is_peer_closed() knows EPIPE, ECONNRESET).
error_code errno_code(int e) { return error_code(e, boost::system::system_category()); }

/// A peer that went away, as opposed to a local failure.
bool is_peer_closed(const error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

Error io_error(std::string_view what, const error_code& ec, const std::string& peer) {
    Error e = is_peer_closed(ec)
                  ? Error(ErrorCode::Truncated, fmt::format("{}: peer closed the connection", what))
                  : Error(ErrorCode::IoError, fmt::format("{}: {}", what, ec.message()));
    e.peer = peer;
    return e;
}

Error timeout_error(std::string_view what, Millis timeout, const std::string& peer) {
    Error e(ErrorCode::LimitExceeded, fmt::format("{}: timeout after {} ms", what, timeout.count()));
    e.peer = peer;
    return e;
}

Result<void> resolve_and_connect(asio::io_context& io, tcp::socket& socket, const std::string& host,
                                 std::uint16_t port, Millis timeout);

class AsioTransport final : public Transport {
public:
    /// A transport whose socket (on its own io_context) is not yet open: connect_to() or adopt().
    AsioTransport(std::shared_ptr<ssl::context> tls, std::shared_ptr<InterruptState> interrupt)
        : io_(std::make_unique<asio::io_context>(1)),
          tls_context_(std::move(tls)),
          interrupt_(std::move(interrupt)) {
        if (tls_context_) {
            tls_.emplace(*io_, *tls_context_);
        } else {
            plain_.emplace(*io_);
        }
        if (!interrupt_) interrupt_ = std::make_shared<InterruptState>();
        std::lock_guard lock(interrupt_->mutex);
        interrupt_->transport = this;
        if (interrupt_->interrupted) interrupted_ = true;
    }

    /// Connects to host:port within `timeout` (resolution included).
    Result<void> connect_to(const std::string& host, std::uint16_t port, Millis timeout) {
        if (auto r = resolve_and_connect(*io_, socket(), host, port, timeout); !r) return r;
        opened();
        return {};
    }

    /// Takes over an accepted connection.
    Result<void> adopt(tcp protocol, tcp::socket::native_handle_type native) {
        error_code ec;
        if (socket().assign(protocol, native, ec); ec) {
            ::close(native);
            return fail(ErrorCode::IoError, "accept: " + ec.message());
        }
        opened();
        return {};
    }

    ~AsioTransport() override {
        {
            std::lock_guard lock(interrupt_->mutex);
            interrupt_->transport = nullptr;
        }
        close();
    }

    AsioTransport(const AsioTransport&) = delete;
    AsioTransport& operator=(const AsioTransport&) = delete;

    /// The TLS handshake (PS3.15 B.1), within `timeout`.
    Result<void> handshake(ssl::stream_base::handshake_type type, Millis timeout) {
        if (!tls_) return {};
        if (interrupted_) return fail(ErrorCode::IoError, "TLS handshake: interrupted");
        return run(
            [&](auto handler) { tls_->async_handshake(type, std::move(handler)); },
            timeout, "TLS handshake");
    }

    /// Reads through a read-ahead buffer: a PDU header and its body, or several small PDUs, come
    /// in one receive, and bytes already there are taken without a poll. Reads of at least
    /// kReadAhead bytes go straight to `out` once the buffer is empty.
    Result<void> read_exact(std::span<std::uint8_t> out, Millis timeout) override {
        if (read_broken_) return fail(ErrorCode::IoError, "read: stream out of step after an earlier failure");
        if (interrupted_) return fail(ErrorCode::IoError, "read: interrupted");
        const std::size_t have = std::min(out.size(), ahead_end_ - ahead_pos_);
        if (have > 0) {
            std::memcpy(out.data(), ahead_.data() + ahead_pos_, have);
            ahead_pos_ += have;
            out = out.subspan(have);
        }
        if (out.empty()) return {};
        ahead_pos_ = ahead_end_ = 0;
        const bool direct = out.size() >= kReadAhead;
        const std::span<std::uint8_t> into = direct ? out : std::span<std::uint8_t>(ahead_);
        std::size_t got = 0;
        if (!tls_) {
            if (auto r = read_plain(into, out.size(), timeout, got); !r) {
                read_broken_ = true;
                return r;
            }
        } else {
            auto r = run(
                [&](auto handler) {
                    auto done = [&got, handler = std::move(handler)](const error_code& ec, std::size_t n) mutable {
                        got = n;
                        handler(ec);
                    };
                    asio::async_read(*tls_, asio::buffer(into.data(), into.size()), asio::transfer_at_least(out.size()),
                                     std::move(done));
                },
                timeout, "read");
            if (!r) {
                read_broken_ = true;
                return r;
            }
        }
        if (!direct) {
            std::memcpy(out.data(), ahead_.data(), out.size());
            ahead_pos_ = out.size();
            ahead_end_ = got;
        }
        return {};
    }

    bool readable() noexcept override {
        if (read_broken_ || interrupted_) return false;
        if (ahead_end_ > ahead_pos_) return true;
        if (tls_) {
            if (SSL_pending(tls_->native_handle()) > 0) return true;
            error_code ec;
            const auto n = socket().available(ec);
            return !ec && n > 0;
        }
        // Plain TCP: reads ahead what is there (the next read_exact takes it), so that asking
        // costs no more than the read would.
        ahead_pos_ = ahead_end_ = 0;
        const ssize_t n = recv_now(ahead_);
        if (n > 0) {
            ahead_end_ = static_cast<std::size_t>(n);
            return true;
        }
        drained_ = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        return !drained_;  // the end of the stream, or an error: the next read reports it
    }

    Result<void> write_all(std::span<const std::uint8_t> data, Millis timeout) override {
        if (!tls_ && !closed_) {  // what the socket takes at once, without the io_context
            while (!data.empty()) {
                const ssize_t n =
                    ::send(plain_->native_handle(), data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n > 0) {
                    data = data.subspan(static_cast<std::size_t>(n));
                    continue;
                }
                if (n < 0 && errno == EINTR) continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                const int e = n < 0 ? errno : EPIPE;
                close();
                return Unexpected(io_error("write", errno_code(e), peer_));
            }
            if (data.empty()) return {};
        }
        auto r = run(
            [&](auto handler) {
                auto buffer = asio::buffer(data.data(), data.size());
                if (tls_) {
                    asio::async_write(*tls_, buffer, std::move(handler));
                } else {
                    asio::async_write(*plain_, buffer, std::move(handler));
                }
            },
            timeout, "write");
        if (!r) close();
        return r;
    }

    void close() noexcept override {
        if (closed_) return;
        std::lock_guard lock(interrupt_->mutex);  // interrupt() shuts the socket down under it
        closed_ = true;
        error_code ignored;
        socket().shutdown(tcp::socket::shutdown_both, ignored);
        socket().close(ignored);
    }

    const std::string& peer_address() const noexcept override { return peer_; }

    /// Called under interrupt_->mutex (InterruptState::interrupt).
    void interrupt() noexcept override {
        interrupted_ = true;
        // Wakes a read waiting in poll() (plain TCP): the socket reads as ended; writes still go,
        // so that the association can be aborted.
        if (!tls_ && !closed_) ::shutdown(plain_->native_handle(), SHUT_RD);
        try {
            asio::post(*io_, [this] {
                error_code ignored;
                socket().cancel(ignored);
            });
        } catch (...) {  // posting allocates; the flag alone still stops the next read
        }
    }

private:
    tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }

    void opened() {
        ahead_.resize(kReadAhead);  // before readable(), which may not allocate
        error_code ec;
        socket().set_option(tcp::no_delay(true), ec);
        auto remote = socket().remote_endpoint(ec);
        peer_ = ec ? std::string("(unknown peer)") : format_endpoint(remote);
    }

    /// recv without waiting, retried on EINTR.
    ssize_t recv_now(std::span<std::uint8_t> into) noexcept {
        for (;;) {
            const ssize_t n = ::recv(plain_->native_handle(), into.data(), into.size(), MSG_DONTWAIT);
            if (n >= 0 || errno != EINTR) return n;
        }
    }

    /// Plain TCP: receives into `into` until at least `need` bytes are there (`got` counts them),
    /// waiting in poll() between receives, all within `timeout` (zero: no limit).
    Result<void> read_plain(std::span<std::uint8_t> into, std::size_t need, Millis timeout, std::size_t& got) {
        using Clock = std::chrono::steady_clock;
        const auto deadline = Clock::now() + timeout;
        bool wait = std::exchange(drained_, false);  // readable() found nothing a moment ago
        while (got < need) {
            if (wait) {
                int ms = -1;
                if (timeout.count() > 0) {
                    const auto left = std::chrono::ceil<Millis>(deadline - Clock::now()).count();
                    if (left <= 0) return Unexpected(timeout_error("read", timeout, peer_));
                    ms = static_cast<int>(std::min<long long>(left, 1 << 30));
                }
                pollfd p{plain_->native_handle(), POLLIN, 0};
                const int k = ::poll(&p, 1, ms);
                if (k < 0 && errno != EINTR)
                    return Unexpected(io_error("read", errno_code(errno), peer_));
                if (k == 0) continue;  // the deadline check above ends it
                if (interrupted_) return fail(ErrorCode::IoError, "read: interrupted");
            }
            const ssize_t n = recv_now(into.subspan(got));
            if (n > 0) {
                got += static_cast<std::size_t>(n);
                wait = false;
                continue;
            }
            if (interrupted_) return fail(ErrorCode::IoError, "read: interrupted");
            if (n == 0) return Unexpected(io_error("read", asio::error::eof, peer_));
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return Unexpected(io_error("read", errno_code(errno), peer_));
            wait = true;
        }
        return {};
    }

    Unexpected fail(ErrorCode code, std::string message) const {
        Error e(code, std::move(message));
        e.peer = peer_;
        return Unexpected(std::move(e));
    }

    template <typename Start>
    Result<void> run(Start&& start, Millis timeout, std::string_view what) {
        if (closed_) return fail(ErrorCode::IoError, fmt::format("{}: connection closed", what));
        error_code ec;
        bool timed_out = false;
        try {
            timed_out = run_with_deadline(
                *io_, std::forward<Start>(start),
                [this] {
                    error_code ignored;
                    socket().cancel(ignored);
                },
                timeout, ec);
        } catch (const std::exception& ex) {
            close();
            return fail(ErrorCode::IoError, fmt::format("{}: {}", what, ex.what()));
        }
        if (!ec) return {};
        if (timed_out) return Unexpected(timeout_error(what, timeout, peer_));
        if (interrupted_ && ec == asio::error::operation_aborted)
            return fail(ErrorCode::IoError, fmt::format("{}: interrupted", what));
        return Unexpected(io_error(what, ec, peer_));
    }

    std::unique_ptr<asio::io_context> io_;  // first: outlives the sockets below
    std::shared_ptr<ssl::context> tls_context_;
    std::optional<tcp::socket> plain_;
    std::optional<ssl::stream<tcp::socket>> tls_;
    std::shared_ptr<InterruptState> interrupt_;
    std::atomic<bool> interrupted_{false};
    bool read_broken_ = false;
    bool drained_ = false;  ///< readable() found the socket empty: the next read polls first
    std::atomic<bool> closed_{false};
    std::string peer_;
    static constexpr std::size_t kReadAhead = 64 * 1024;
    std::vector<std::uint8_t> ahead_;  ///< read-ahead: bytes [ahead_pos_, ahead_end_) are not yet read
    std::size_t ahead_pos_ = 0;
    std::size_t ahead_end_ = 0;
};

/// Resolves `host` and connects `socket` to the first address that answers, before `deadline`.
Result<void> resolve_and_connect(asio::io_context& io, tcp::socket& socket, const std::string& host,
                                 std::uint16_t port, Millis timeout) {
    const std::string where = fmt::format("{}:{}", host, port);
    const auto start = std::chrono::steady_clock::now();
    tcp::resolver resolver(io);
    tcp::resolver::results_type endpoints;
    error_code ec;
    bool timed_out = run_with_deadline(
        io,
        [&](auto handler) {
            resolver.async_resolve(
                host, std::to_string(port), tcp::resolver::numeric_service,
                [&endpoints, handler](const error_code& e, tcp::resolver::results_type r) mutable {
                    endpoints = std::move(r);
                    handler(e);
                });
        },
        [&] { resolver.cancel(); }, timeout, ec);
    if (timed_out) return Unexpected(timeout_error("resolve " + host, timeout, where));
    if (ec) return Unexpected(io_error("resolve " + host, ec, where));

    Millis left = timeout;
    if (timeout.count() > 0) {
        left = timeout - std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
        if (left.count() <= 0) left = Millis(1);
    }
    timed_out = run_with_deadline(
        io, [&](auto handler) { asio::async_connect(socket, endpoints, std::move(handler)); },
        [&] {
            error_code ignored;
            socket.close(ignored);
        },
        left, ec);
    if (timed_out) return Unexpected(timeout_error("connect", timeout, where));
    if (ec) return Unexpected(io_error("connect", ec, where));
    return {};
}

}  // namespace

void InterruptState::interrupt() noexcept {
    std::lock_guard lock(mutex);
    interrupted = true;
    if (transport) transport->interrupt();
}

std::string format_endpoint(const tcp::endpoint& ep) {
    const auto address = ep.address();
    if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), ep.port());
    return fmt::format("{}:{}", address.to_string(), ep.port());
}

Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsConfig& config, TlsRole role) {
    const auto bad = [](std::string what, const error_code& ec) {
        return make_error(ErrorCode::InvalidArgument, fmt::format("TLS: {}: {}", what, ec.message()));
    };
    try {
        auto ctx = std::make_shared<ssl::context>(ssl::context::tls);
        ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
        // PS3.15 B.1 as updated by BCP 195: TLS 1.2 is the oldest version allowed.
        SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
        error_code ec;
        if (!config.certificate_file.empty()) {
            if (ctx->use_certificate_chain_file(config.certificate_file, ec); ec)
                return bad("certificate " + config.certificate_file, ec);
            const std::string& key =
                config.private_key_file.empty() ? config.certificate_file : config.private_key_file;
            if (ctx->use_private_key_file(key, ssl::context::pem, ec); ec)
                return bad("private key " + key, ec);
        } else if (role == TlsRole::Server) {
            return make_error(ErrorCode::InvalidArgument, "TLS: an acceptor needs a certificate");
        }
        if (!config.ca_file.empty()) {
            if (ctx->load_verify_file(config.ca_file, ec); ec) return bad("CA file " + config.ca_file, ec);
        } else if (config.verify_peer) {
            if (ctx->set_default_verify_paths(ec); ec) return bad("default CA paths", ec);
        }
        int mode = ssl::verify_none;
        if (config.verify_peer) {
            mode = ssl::verify_peer;
            if (role == TlsRole::Server) mode |= ssl::verify_fail_if_no_peer_cert;
        }
        if (ctx->set_verify_mode(mode, ec); ec) return bad("verify mode", ec);
        if (!config.ciphers.empty() &&
            SSL_CTX_set_cipher_list(ctx->native_handle(), config.ciphers.c_str()) != 1) {
            return make_error(ErrorCode::InvalidArgument,
                              "TLS: no usable cipher in \"" + config.ciphers + "\"");
        }
        return ctx;
    } catch (const std::exception& ex) {
        return make_error(ErrorCode::IoError, fmt::format("TLS: {}", ex.what()));
    }
}

Result<std::unique_ptr<Transport>> make_accepted_transport(tcp protocol,
                                                           tcp::socket::native_handle_type native,
                                                           std::shared_ptr<ssl::context> tls,
                                                           Millis timeout,
                                                           std::shared_ptr<InterruptState> interrupt) {
    std::unique_ptr<AsioTransport> t;
    try {
        t = std::make_unique<AsioTransport>(std::move(tls), std::move(interrupt));
    } catch (const std::exception& ex) {
        ::close(native);
        return make_error(ErrorCode::IoError, fmt::format("accept: {}", ex.what()));
    }
    try {
        if (auto r = t->adopt(protocol, native); !r) return Unexpected(r.error());
        if (auto r = t->handshake(ssl::stream_base::server, timeout); !r) return Unexpected(r.error());
        return std::unique_ptr<Transport>(std::move(t));
    } catch (const std::exception& ex) {
        return make_error(ErrorCode::IoError, fmt::format("accept: {}", ex.what()));
    }
}

}  // namespace detail

Result<std::unique_ptr<Transport>> connect(const std::string& host, std::uint16_t port, Millis timeout,
                                           const TlsConfig* tls) {
    try {
        std::shared_ptr<ssl::context> context;
        if (tls) {
            auto c = detail::make_tls_context(*tls, detail::TlsRole::Client);
            if (!c) return Unexpected(c.error());
            context = std::move(*c);
        }
        const auto start = std::chrono::steady_clock::now();
        auto t = std::make_unique<detail::AsioTransport>(context, nullptr);
        if (auto r = t->connect_to(host, port, timeout); !r) return Unexpected(r.error());
        Millis left = timeout;
        if (timeout.count() > 0) {
            left = timeout - std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
            if (left.count() <= 0) left = Millis(1);
        }
        if (auto r = t->handshake(ssl::stream_base::client, left); !r) return Unexpected(r.error());
        return std::unique_ptr<Transport>(std::move(t));
    } catch (const std::exception& ex) {
        return make_error(ErrorCode::IoError, fmt::format("connect {}:{}: {}", host, port, ex.what()));
    }
}

Result<void> check_tls_config(const TlsConfig& tls, bool acceptor) {
    auto c = detail::make_tls_context(tls, acceptor ? detail::TlsRole::Server : detail::TlsRole::Client);
    if (!c) return Unexpected(c.error());
    return {};
}

}  // namespace dicomkit::net::ul
