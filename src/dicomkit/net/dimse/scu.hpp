// SCU helpers on an established association: C-ECHO (PS3.7 9.1.5) with its round-trip time,
// C-STORE (PS3.7 9.1.1) of a file or a DicomFile, choosing the accepted presentation context and
// converting between the uncompressed transfer syntaxes only when the file's own was not accepted.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <dicomkit/base/error.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/net/dimse/assembler.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/command.hpp>
#include <dicomkit/net/dimse/data_source.hpp>

namespace dicomkit::net::dimse {

/// Sends one message on the channel (command, then the data set if `dataset` is given).
[[nodiscard]] Result<void> send_message(Channel& channel, std::uint8_t context_id, const Command& command,
                                        DataSource* dataset = nullptr);
/// Waits for the next whole message. Data sets go to the sink `choose` picks (default: memory, 16
/// MiB at most). A-ABORT, A-RELEASE-RQ, the connection's end and timeouts are errors.
[[nodiscard]] Result<Message> receive_message(Channel& channel, ul::Millis timeout,
                                              const MessageAssembler::SinkChooser& choose = {});

struct EchoResult {
    std::uint16_t status = 0;
    std::chrono::microseconds round_trip{0};
    Command response;
};
/// PS3.7 9.3.5: C-ECHO-RQ on the accepted Verification context; waits for the C-ECHO-RSP.
[[nodiscard]] Result<EchoResult> echo(Channel& channel, std::uint16_t message_id = 1);
[[nodiscard]] Result<EchoResult> echo(ul::Association& association, std::uint16_t message_id = 1);

struct StoreOptions {
    std::uint16_t message_id = 1;
    Priority priority = Priority::Medium;
    std::string move_originator_ae;                         ///< for C-MOVE sub-operations
    std::optional<std::uint16_t> move_originator_message_id;
};

struct StoreResult {
    std::uint16_t status = 0;
    std::string error_comment;
    Command response;
    std::string sop_class_uid;
    std::string sop_instance_uid;
    std::string transfer_syntax;   ///< the one the data set was sent in
    bool converted = false;        ///< re-encoded rather than sent as the file's bytes
    std::uint64_t dataset_bytes = 0;
};

/// C-STORE of a file. Reads only its header first; when the file's transfer syntax was accepted
/// for its SOP class and the data set holds no group 0002 elements, the data set is streamed from
/// the file's bytes after the meta (bounded memory). Otherwise the file is read whole, group 0002
/// is removed from the data set and it is encoded in an accepted syntax (the file's, else an
/// uncompressed or deflated one when the file's is one of those). Errors: unreadable file, no
/// SOP Class/Instance UID, no usable context (ErrorCode::Unsupported), network failures.
/// A failure status from the peer is not an error: see StoreResult::status.
[[nodiscard]] Result<StoreResult> store(Channel& channel, const std::string& path, const StoreOptions& options = {});
[[nodiscard]] Result<StoreResult> store(ul::Association& association, const std::string& path,
                                        const StoreOptions& options = {});
/// C-STORE of a data set in memory, encoded in an accepted syntax (the file's first).
[[nodiscard]] Result<StoreResult> store(Channel& channel, const io::DicomFile& file, const StoreOptions& options = {});
[[nodiscard]] Result<StoreResult> store(ul::Association& association, const io::DicomFile& file,
                                        const StoreOptions& options = {});

/// PS3.7 9.3.2.3: C-CANCEL-RQ for the request `message_id` on `context_id` (no response follows).
[[nodiscard]] Result<void> cancel(Channel& channel, std::uint8_t context_id, std::uint16_t message_id);

}  // namespace dicomkit::net::dimse
