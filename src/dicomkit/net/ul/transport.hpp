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

class Transport {
public:
    virtual ~Transport() = default;
    /// Reads exactly `out.size()` bytes or fails: Timeout (ErrorCode::LimitExceeded with
    /// "timeout" in the message), peer closed (Truncated), I/O error.
    [[nodiscard]] virtual Result<void> read_exact(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) = 0;
    [[nodiscard]] virtual Result<void> write_all(std::span<const std::uint8_t> data, std::chrono::milliseconds timeout) = 0;
    virtual void close() noexcept = 0;
    /// "127.0.0.1:51234".
    [[nodiscard]] virtual const std::string& peer_address() const noexcept = 0;
};

/// Connects to host:port (TCP_NODELAY on), with TLS when `tls` is set.
[[nodiscard]] Result<std::unique_ptr<Transport>> connect(const std::string& host, std::uint16_t port,
                                                         std::chrono::milliseconds timeout,
                                                         const TlsConfig* tls = nullptr);

}  // namespace dicomkit::net::ul
