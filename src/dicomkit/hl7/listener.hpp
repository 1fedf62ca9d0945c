// The MLLP listener (a TCP port that takes HL7 v2 messages framed by MLLP and answers each with
// its ACK) and the client that sends messages and reads their ACKs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/hl7/ack.hpp>
#include <dicomkit/hl7/message.hpp>

namespace dicomkit::hl7 {

/// What the listener did with something it received, for the log.
struct ListenerEvent {
    enum class Kind {
        Message,   ///< a message answered (ack_code AA, AE or AR)
        Skipped,   ///< bytes outside any MLLP frame, dropped
        TooLarge,  ///< a frame over max_message_bytes, answered AR
        Refused,   ///< a connection over max_connections, closed
        Closed     ///< a connection ended (reason: "closed by peer", "read timeout", "stopped")
    };
    Kind kind = Kind::Message;
    std::string peer;          ///< "address:port"
    std::string message_type;  ///< "ORM^O01" (as received, for Message)
    std::string control_id;    ///< MSH-10 (for Message)
    std::string ack_code;      ///< "AA", "AE", "AR"
    std::string reason;        ///< the ACK's text, or why
    std::size_t bytes = 0;
    std::chrono::microseconds duration{0};
};

struct ListenerOptions {
    std::string bind_address = "0.0.0.0";
    std::uint16_t port = 2575;  ///< 0: any free port (see Listener::port())
    ParseLimits limits;         ///< limits.max_message_bytes is also the largest MLLP frame
    std::size_t max_connections = 16;
    /// A connection that sends nothing for this long is closed.
    std::chrono::milliseconds read_timeout{60'000};
    AckOptions ack;  ///< application and facility of the ACKs
    /// Told of each event, on the listener's thread.
    std::function<void(const ListenerEvent&)> on_event;
};

/// Answers one parsed message (called on the listener's thread, one message at a time). An
/// exception that escapes becomes AE 207 with its text.
using MessageHandler = std::function<Ack(const Message&)>;

class Listener {
public:
    ~Listener();  ///< stops
    /// Binds and starts accepting on a thread of its own. Each connection may carry any number of
    /// messages; each gets its ACK, in order: the handler's for a message that parses, AR or AE
    /// with the reason for one that does not (build_ack_raw salvages what it can of its MSH), AR
    /// for a frame over the limit (whose bytes are dropped up to its end).
    [[nodiscard]] static Result<std::unique_ptr<Listener>> start(ListenerOptions options, MessageHandler handler);
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// Closes the port and every connection, joins the thread. Idempotent.
    void stop();

    struct Impl;

private:
    explicit Listener(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

/// Sends each message over one MLLP connection to host:port and returns each ACK's text, in
/// order. `timeout` bounds the connect and the wait for each ACK. Errors name the peer and which
/// message (from 1) failed.
[[nodiscard]] Result<std::vector<std::string>> send_messages(const std::string& host, std::uint16_t port,
                                                             const std::vector<std::string>& messages,
                                                             std::chrono::milliseconds timeout);
/// One message: its ACK's text.
[[nodiscard]] Result<std::string> send(const std::string& host, std::uint16_t port, std::string_view message,
                                       std::chrono::milliseconds timeout);

}  // namespace dicomkit::hl7
