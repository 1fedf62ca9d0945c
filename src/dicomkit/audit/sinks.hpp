// Where audit messages go: a file (one message a line, bounded in size) and syslog (RFC 5424
// over UDP, RFC 5426, or over a byte stream such as TLS, RFC 5425).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <dicomkit/audit/syslog.hpp>
#include <dicomkit/base/error.hpp>

namespace dicomkit::audit {

/// One destination. write() is called from the sink's own thread only; a failure is retried.
class Sink {
public:
    virtual ~Sink() = default;
    /// "file /var/log/audit.xml", "syslog udp://host:514": for the log.
    [[nodiscard]] virtual std::string name() const = 0;
    /// Delivers one message (XML, one line) or fails (the caller retries the same message later).
    [[nodiscard]] virtual Result<void> write(const std::string& xml, std::chrono::system_clock::time_point t) = 0;
};

/// Appends each message and a line feed to `path` (created 0600). When the file would grow past
/// `max_bytes` it is renamed `path`.1 (replacing the one before) and a new one begun: at most
/// twice `max_bytes` are kept.
[[nodiscard]] std::unique_ptr<Sink> file_sink(std::string path, std::uint64_t max_bytes);

/// RFC 5426: one RFC 5424 message per UDP datagram to host:port (the name resolved again after
/// a failure). A message that would not fit in a datagram (65507 bytes) fails.
[[nodiscard]] std::unique_ptr<Sink> udp_syslog_sink(std::string host, std::uint16_t port, SyslogHeader header);

/// A connected byte stream (TLS or TCP), opened by the sink when it needs one.
class Stream {
public:
    virtual ~Stream() = default;
    [[nodiscard]] virtual Result<void> write(std::span<const std::uint8_t> bytes) = 0;
};
using StreamConnector = std::function<Result<std::unique_ptr<Stream>>()>;

/// RFC 5425: octet-counted RFC 5424 messages over a stream that `connect` opens (again after a
/// failed write). `label` names it in the log ("tls://host:6514").
[[nodiscard]] std::unique_ptr<Sink> stream_syslog_sink(std::string label, StreamConnector connect, SyslogHeader header);

}  // namespace dicomkit::audit
