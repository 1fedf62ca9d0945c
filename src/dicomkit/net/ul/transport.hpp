// Transport: a byte stream to one peer (TCP, or TLS over TCP), with deadlines on every read and
// write. Built on Boost.Asio (and Asio's OpenSSL stream); the rest of the network code sees only
// this interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <dicomkit/base/error.hpp>

namespace dicomkit::net::ul {

/// PS3.15 B.1 / B.9 TLS settings for either end.
struct TlsConfig {
    std::string certificate_file;  ///< PEM; required for the acceptor, optional for the requestor
    std::string private_key_file;  ///< PEM
    std::string ca_file;           ///< PEM bundle of trusted CAs for verifying the peer
    bool verify_peer = true;       ///< requestor: verify the server; acceptor: require a client certificate
    std::string ciphers;           ///< OpenSSL cipher list; empty: the library's secure default
};

/// A byte stream to one peer. Not thread-safe, except interrupt().
class Transport {
public:
    virtual ~Transport() = default;
    /// Reads exactly `out.size()` bytes or fails: timeout (ErrorCode::LimitExceeded, see
    /// is_timeout()), peer closed (Truncated), I/O error (IoError). A zero timeout waits for ever.
    /// After a failed read the stream is out of step: further reads fail, but a write (an
    /// A-ABORT) may still be tried before close().
    [[nodiscard]] virtual Result<void> read_exact(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) = 0;
    /// Writes all of `data` or fails like read_exact(); a failed write closes the connection.
    [[nodiscard]] virtual Result<void> write_all(std::span<const std::uint8_t> data, std::chrono::milliseconds timeout) = 0;
    virtual void close() noexcept = 0;
    /// "127.0.0.1:51234", "[::1]:51234".
    [[nodiscard]] virtual const std::string& peer_address() const noexcept = 0;
    /// May be called from any thread: makes the read under way (and every later one) fail
    /// promptly with IoError "interrupted". Used to stop a server. The default does nothing.
    virtual void interrupt() noexcept {}
    /// Whether bytes can be read now without waiting (e.g. a C-CANCEL-RQ arrived while the SCP
    /// sends responses). The default: never.
    [[nodiscard]] virtual bool readable() noexcept { return false; }
};

/// True for the error a Transport (or an Association waiting on one) returns when a deadline
/// passed: ErrorCode::LimitExceeded with "timeout" in the message.
[[nodiscard]] bool is_timeout(const Error& error) noexcept;

/// Connects to host:port (a name, an IPv4 or an IPv6 address such as "::1"), with TCP_NODELAY
/// on, and does the TLS handshake when `tls` is set; `timeout` bounds all of it. Errors: IoError
/// (e.g. "connection refused"), timeout (is_timeout()), InvalidArgument for a bad TlsConfig.
[[nodiscard]] Result<std::unique_ptr<Transport>> connect(const std::string& host, std::uint16_t port,
                                                         std::chrono::milliseconds timeout,
                                                         const TlsConfig* tls = nullptr);

/// Loads `tls` as a Server (acceptor) or connect() would, so that an unreadable, unparsable or
/// mismatched certificate, key or CA file is reported before the first association needs it.
/// Errors: InvalidArgument (as connect() and Server::start give them).
[[nodiscard]] Result<void> check_tls_config(const TlsConfig& tls, bool acceptor);

}  // namespace dicomkit::net::ul
