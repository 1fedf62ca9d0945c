// Reassembly of incoming DIMSE messages from PDVs (PS3.8 Annex E, PS3.7 6.3): the command set is
// gathered in memory (bounded), decoded, and then the data set, if one follows, is streamed to a
// DataSink that a callback chooses from the command.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/dimse/command.hpp>
#include <dicomkit/net/dimse/data_sink.hpp>
#include <dicomkit/net/pdu/codec.hpp>

namespace dicomkit::net::dimse {

/// One complete incoming message.
struct Message {
    std::uint8_t context_id = 1;
    Command command;
    /// The sink the data set went to (finished), or null when the command has no data set.
    std::unique_ptr<DataSink> dataset;
    /// Set when the chosen sink could not be had or failed (disk full, over its limit): the rest
    /// of the data set was read off the wire and dropped, so that the peer can still be answered
    /// with a failure status; `dataset` is then a DiscardSink.
    std::optional<Error> dataset_error;
};

struct AssemblerLimits {
    /// Largest command set accepted (command sets are a few hundred bytes in practice).
    std::size_t max_command_bytes = 64 * 1024;
};

/// Feeds PDVs in arrival order; yields each message once its last fragment has arrived.
/// Protocol errors (a data PDV with no command before it, a command PDV in the middle of a data
/// set, a change of presentation context within a message, an oversized or undecodable command)
/// are errors with ErrorCode::InvalidValue/LimitExceeded; the caller then aborts the association.
class MessageAssembler {
public:
    /// Chooses where the data set of `command` (received on `context_id`) goes. An error (or a
    /// null sink) makes the data set go to a DiscardSink, with the error kept in the message.
    using SinkChooser = std::function<Result<std::unique_ptr<DataSink>>(std::uint8_t context_id, const Command&)>;

    explicit MessageAssembler(SinkChooser choose, AssemblerLimits limits = {});
    MessageAssembler(const MessageAssembler&) = delete;
    MessageAssembler& operator=(const MessageAssembler&) = delete;
    ~MessageAssembler();  ///< aborts an unfinished data set

    /// Consumes one PDV. Returns the message it completed, if any.
    [[nodiscard]] Result<std::optional<Message>> push(const pdu::PdvView& pdv);
    /// Drops a partly received message (its sink is aborted: a temp file is removed).
    void abort() noexcept;
    /// True between the first fragment of a message and its last.
    [[nodiscard]] bool in_message() const noexcept { return state_ != State::Idle; }
    /// The command whose data set is arriving (valid while receiving a data set).
    [[nodiscard]] const Command* pending_command() const noexcept;

private:
    enum class State { Idle, Command, Data };
    [[nodiscard]] Result<std::optional<Message>> on_command(const pdu::PdvView& pdv);
    [[nodiscard]] Result<std::optional<Message>> on_data(const pdu::PdvView& pdv);
    void discard_rest(Error error);
    [[nodiscard]] Unexpected fail(ErrorCode code, std::string message);

    SinkChooser choose_;
    AssemblerLimits limits_;
    State state_ = State::Idle;
    std::uint8_t context_id_ = 0;
    Bytes command_bytes_;
    Message current_;
};

}  // namespace dicomkit::net::dimse
