// Internal to net/ul: the Boost.Asio side of Transport, shared by transport.cpp and server.cpp.
// Includes Asio and OpenSSL, so it must not be included from a public header.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/ul/transport.hpp>

namespace dicomkit::net::ul::detail {

/// What another thread needs to interrupt a transport that may already be gone: the transport
/// registers itself here and unregisters in its destructor, under the mutex.
struct InterruptState {
    std::mutex mutex;
    Transport* transport = nullptr;
    bool interrupted = false;

    /// Interrupts the transport if it is still alive; later transports registered here start
    /// interrupted. Thread-safe.
    void interrupt() noexcept;
};

/// Which end of the TLS handshake a context is for.
enum class TlsRole { Client, Server };

/// An OpenSSL context configured per PS3.15 B.1 (TLS 1.2 or later) from `config`.
[[nodiscard]] Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(
    const TlsConfig& config, TlsRole role);

/// Makes a Transport of an accepted connection, given as its native socket (released from the
/// acceptor's io_context: each Transport runs its own). TCP_NODELAY on; for TLS (`tls` set) the
/// server-side handshake within `timeout`. `interrupt` (may be null) lets another thread stop
/// it. Takes ownership of `native` even on failure.
[[nodiscard]] Result<std::unique_ptr<Transport>> make_accepted_transport(
    boost::asio::ip::tcp protocol, boost::asio::ip::tcp::socket::native_handle_type native,
    std::shared_ptr<boost::asio::ssl::context> tls, std::chrono::milliseconds timeout,
    std::shared_ptr<InterruptState> interrupt);

/// "127.0.0.1:104", "[::1]:104".
[[nodiscard]] std::string format_endpoint(const boost::asio::ip::tcp::endpoint& ep);

}  // namespace dicomkit::net::ul::detail
