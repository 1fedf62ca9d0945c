// SCU helpers on an established association: C-ECHO (PS3.7 9.1.5) with its round-trip time,
// C-STORE (PS3.7 9.1.1) of a file or a DicomFile, choosing the accepted presentation context and
// converting through a Transcoder only when the file's own syntax was not accepted; the DIMSE-N
// services as the invoker (PS3.7 10.1), N-EVENT-REPORTs from the peer included.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/net/dimse/assembler.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/command.hpp>
#include <dicomkit/net/dimse/data_source.hpp>
#include <dicomkit/net/dimse/nservice.hpp>
#include <dicomkit/net/dimse/transcoder.hpp>

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
    /// Converts a data set whose transfer syntax was not accepted for its SOP class into one that
    /// was (can_convert decides which contexts are usable). Null: UncompressedTranscoder.
    std::shared_ptr<const Transcoder> transcoder;
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
    std::uint16_t message_id = 0;  ///< of the C-STORE-RQ
};

/// What a C-STORE of a file needs to know of it, read once from its header (inspect_for_store).
struct StoreFile {
    std::string path;
    std::string sop_class_uid;
    std::string sop_instance_uid;
    io::TransferSyntax transfer_syntax = io::ts::ExplicitVRLittleEndian;  ///< of the file's data set
    std::uint64_t dataset_offset = 0;                     ///< where the data set starts in the file
    bool meta_in_dataset = false;                         ///< group 0002 elements inside the data set
};

/// Reads the header of `path` (up to the pixel data) for a C-STORE: SOP Class/Instance UIDs
/// (NotFound when missing), transfer syntax, data set offset.
[[nodiscard]] Result<StoreFile> inspect_for_store(const std::string& path);
/// C-STORE of an inspected file (see store(Channel&, const std::string&, ...)).
[[nodiscard]] Result<StoreResult> store(Channel& channel, const StoreFile& file, const StoreOptions& options = {});
/// Sends the C-STORE-RQ of an inspected file, command and data set, without waiting for the
/// response (StoreResult::status is not set yet). Errors that name the peer mean the association
/// is lost; others (no usable context, unreadable file) concern this file only.
[[nodiscard]] Result<StoreResult> send_store(Channel& channel, const StoreFile& file, const StoreOptions& options);

/// PS3.7 D.3.3.3 asynchronous operations on one association: C-STOREs are sent while up to
/// `window` earlier ones still await their C-STORE-RSP, so that sender and receiver work at the
/// same time. Responses are matched by Message ID Being Responded To (in any order). With a
/// window of 1 this is the synchronous mode. Message IDs must be unique among outstanding stores.
class StoreWindow {
public:
    /// A finished store: the response (status in StoreResult), or why it failed.
    struct Completion {
        std::size_t tag;  ///< as given to submit()
        Result<StoreResult> result;
    };
    StoreWindow(Channel& channel, std::size_t window);
    /// Waits for responses while the window is full, then sends the C-STORE-RQ of `file`.
    /// Returns the stores that finished meanwhile (and this one if it failed before sending).
    /// After a network error every outstanding store (and every later submit) fails with it.
    [[nodiscard]] std::vector<Completion> submit(std::size_t tag, const StoreFile& file, const StoreOptions& options);
    /// Waits for the responses of all outstanding stores.
    [[nodiscard]] std::vector<Completion> drain();
    /// The network error that ended the association's use, if any.
    [[nodiscard]] const std::optional<Error>& broken() const noexcept { return broken_; }

private:
    struct Outstanding {
        std::size_t tag;
        StoreResult result;
    };
    void collect_one(std::vector<Completion>& out);
    void fail_all(const Error& e, std::vector<Completion>& out);
    Channel& ch_;
    std::size_t window_;
    std::vector<Outstanding> outstanding_;
    std::optional<Error> broken_;
};

/// C-STORE of a file. Reads only its header first; when the file's transfer syntax was accepted
/// for its SOP class and the data set holds no group 0002 elements, the data set is streamed from
/// the file's bytes after the meta (bounded memory). Otherwise the file is read whole, group 0002
/// is removed from the data set and it is encoded in an accepted syntax (the file's, else an
/// the options' transcoder converts it to). Errors: unreadable file, no
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

/// How a DIMSE-N request is sent.
struct NOptions {
    /// The presentation context; unset: the accepted one whose abstract syntax is the SOP class.
    std::optional<std::uint8_t> context_id;
    /// An N-EVENT-REPORT-RQ the peer sends on this association (PS3.4 J.3.3: the Storage
    /// Commitment result may come while or after the N-ACTION-RSP is awaited) is answered with
    /// what this returns; unset: with 0x0211 Unrecognized Operation.
    std::function<NReply(const NEventReportRq& rq, const DataSet* event_information)> on_event_report;
};

/// PS3.7 10.1.1-10.1.6 as the invoker: send the request (with its data set, encoded in the
/// context's transfer syntax) and wait for the response, answering N-EVENT-REPORT-RQs that come
/// first through NOptions::on_event_report. A failure status is not an error (see the response).
[[nodiscard]] Result<NResult<NEventReportRsp>> n_event_report(Channel& channel, const NEventReportRq& rq,
                                                              const DataSet* event_information,
                                                              const NOptions& options = {});
[[nodiscard]] Result<NResult<NGetRsp>> n_get(Channel& channel, const NGetRq& rq, const NOptions& options = {});
[[nodiscard]] Result<NResult<NSetRsp>> n_set(Channel& channel, const NSetRq& rq, const DataSet& modifications,
                                             const NOptions& options = {});
[[nodiscard]] Result<NResult<NActionRsp>> n_action(Channel& channel, const NActionRq& rq,
                                                   const DataSet* action_information, const NOptions& options = {});
[[nodiscard]] Result<NResult<NCreateRsp>> n_create(Channel& channel, const NCreateRq& rq, const DataSet* attributes,
                                                   const NOptions& options = {});
[[nodiscard]] Result<NResult<NDeleteRsp>> n_delete(Channel& channel, const NDeleteRq& rq,
                                                   const NOptions& options = {});
/// Waits up to `timeout` for `count` N-EVENT-REPORT-RQs from the peer (e.g. a Storage
/// Commitment result after the N-ACTION-RSP), answering each through options.on_event_report.
/// Returns how many came; other messages are errors.
[[nodiscard]] Result<std::size_t> receive_event_reports(Channel& channel, const NOptions& options,
                                                        ul::Millis timeout, std::size_t count = 1);

}  // namespace dicomkit::net::dimse
