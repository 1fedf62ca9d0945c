// The SCP side's routing: a Dispatcher is a registry from (command field, SOP class) to a
// handler, one small handler interface per service (PS3.4 A Verification, B Storage, C
// Query/Retrieve FIND, MOVE, GET, and the DIMSE-N services). A handler that fails gives a failure
// status, so the peer always gets an answer (PS3.7 9.1.1.1.9, C.4).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <dicomkit/core/dataset.hpp>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/dimse/command.hpp>
#include <dicomkit/net/dimse/data_sink.hpp>
#include <dicomkit/net/dimse/nservice.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/net/ul/association.hpp>

namespace dicomkit::net::dimse {

/// PS3.4 A.4: the Verification SOP Class.
inline constexpr std::string_view kVerificationSopClass = "1.2.840.10008.1.1";

/// The key of the C-STORE handler that takes every SOP class no handler is registered for.
inline constexpr std::string_view kAnySopClass = "*";

class EventReporter;

/// Who sent a request and on which presentation context.
struct RequestContext {
    const ul::AcceptedContext* context = nullptr;
    std::string calling_ae;
    std::string peer_address;
    /// Sends N-EVENT-REPORT-RQs to the requestor on this association (PS3.7 10.1.1; PS3.4 J.3.3
    /// Storage Commitment's result). Set by serve(); to be used only on the association's thread
    /// while the handler is called (not from StoreHandler::end_async's completions).
    EventReporter* events = nullptr;
};

/// The SCP's way to send N-EVENT-REPORT to the peer on the association being served. Not
/// thread-safe: used on the association's thread, from within a handler.
class EventReporter {
public:
    virtual ~EventReporter() = default;
    /// Sends the N-EVENT-REPORT-RQ now (on the presentation context of its SOP class, with a
    /// Message ID of the association's) and waits for the N-EVENT-REPORT-RSP; requests the peer
    /// sends meanwhile are answered afterwards. `rq.message_id` is replaced.
    [[nodiscard]] virtual Result<NResult<NEventReportRsp>> report(NEventReportRq rq, const DataSet* event_information) = 0;
    /// Runs `then` on the association's thread once the response to the request being answered
    /// has been sent (e.g. a Storage Commitment result after the N-ACTION-RSP, PS3.4 J.3.3).
    virtual void after_response(std::function<void(EventReporter&)> then) = 0;
};

/// PS3.7 10.1: the DIMSE-N services as the SCP. A handler is registered per (command, SOP class)
/// and is called on the method of that command; the others answer 0x0211 Unrecognized
/// Operation. Called on the association's thread; shared by all associations: thread-safe.
class NHandler {
public:
    virtual ~NHandler() = default;
    [[nodiscard]] virtual NReply event_report(const RequestContext& rc, const NEventReportRq& rq,
                                              const DataSet* event_information);
    [[nodiscard]] virtual NReply get(const RequestContext& rc, const NGetRq& rq);
    [[nodiscard]] virtual NReply set(const RequestContext& rc, const NSetRq& rq, const DataSet& modifications);
    [[nodiscard]] virtual NReply action(const RequestContext& rc, const NActionRq& rq, const DataSet* action_information);
    [[nodiscard]] virtual NReply create(const RequestContext& rc, const NCreateRq& rq, const DataSet* attributes);
    [[nodiscard]] virtual NReply remove(const RequestContext& rc, const NDeleteRq& rq);
};

/// Calls the method of `handler` that answers `rq` (a DIMSE-N request), with the data set
/// decoded (null when none came); a request missing a field its message requires (or an N-SET
/// without a modification list) gets 0x0120 Missing Attribute without reaching the handler.
[[nodiscard]] NReply answer_n(NHandler& handler, const RequestContext& rc, const Command& rq, const DataSet* dataset);

/// PS3.4 A.4 / PS3.7 9.1.5: C-ECHO. Handlers are shared by all associations: thread-safe.
class EchoHandler {
public:
    virtual ~EchoHandler() = default;
    [[nodiscard]] virtual Outcome echo(const RequestContext& rc, const Command& rq) = 0;
};

/// Answers every C-ECHO with Success.
class SuccessEchoHandler final : public EchoHandler {
public:
    [[nodiscard]] Outcome echo(const RequestContext&, const Command&) override { return {}; }
};

/// PS3.4 B.2.2 / PS3.7 9.1.1: C-STORE as the SCP. Called on the association's thread; shared
/// by all associations: thread-safe.
class StoreHandler {
public:
    virtual ~StoreHandler() = default;
    /// The C-STORE-RQ command has arrived: choose where its data set streams to. An error means
    /// the data set is read and dropped and the response is 0xA700 with the error as comment.
    [[nodiscard]] virtual Result<std::unique_ptr<DataSink>> begin(const RequestContext& rc, const Command& rq) = 0;
    /// The data set is complete and `sink` finished: keep it (e.g. place the file it wrote) and say how
    /// it went. Not called when the data set did not arrive whole.
    [[nodiscard]] virtual Outcome end(const RequestContext& rc, const Command& rq, std::unique_ptr<DataSink> sink) = 0;
    /// Called once, from any thread, with the response's outcome.
    using Completion = std::function<void(Outcome)>;
    /// As end(), but the outcome may come later, from another thread: the serving loop reads
    /// further requests meanwhile (an asynchronous operations window, PS3.7 D.3.3.3) and answers
    /// in order. `more_follow`: the peer has sent more already (the handler may wait to do this
    /// one together with them); false: the loop will wait for this outcome next. The default
    /// calls end() at once.
    virtual void end_async(const RequestContext& rc, const Command& rq, std::unique_ptr<DataSink> sink,
                           Completion done, bool more_follow) {
        (void)more_follow;
        done(end(rc, rq, std::move(sink)));
    }
    /// The data set did not arrive whole (abort, release or error mid-transfer); the sink has been
    /// aborted already. For logging.
    virtual void aborted(const RequestContext& rc, const Command& rq) noexcept {
        (void)rc;
        (void)rq;
    }
};

/// PS3.4 C.4.1 / PS3.7 9.1.2: C-FIND as the SCP. Called on the association's thread; shared by
/// all associations: thread-safe.
class FindHandler {
public:
    /// Sends one match as a Pending C-FIND-RSP (0xFF00) with `identifier`. Returns false when the
    /// search must stop: the peer cancelled (C-CANCEL-RQ) or the response could not be sent.
    using Emit = std::function<bool(const DataSet& identifier)>;
    virtual ~FindHandler() = default;
    /// Searches for `identifier` (decoded from the request's presentation context), emitting each
    /// match; the returned Outcome is the final response's status (Success, 0xFE00 Cancel when
    /// `emit` said stop because of a cancel, or a failure such as 0xA900 / 0xC000).
    [[nodiscard]] virtual Outcome find(const RequestContext& rc, const Command& rq, const DataSet& identifier,
                                       const Emit& emit) = 0;
};

/// Sub-operation counts of a C-MOVE or C-GET (PS3.7 9.1.3, 9.1.4; (0000,1020)-(0000,1023)).
struct SubOperations {
    std::uint16_t remaining = 0;
    std::uint16_t completed = 0;
    std::uint16_t failed = 0;
    std::uint16_t warning = 0;
};

/// What a retrieve handler answers: the final status, the counts and the SOP Instance UIDs whose
/// sub-operation failed (Failed SOP Instance UID List (0008,0058), PS3.4 C.4.2.3.1).
struct RetrieveOutcome {
    Outcome outcome;
    SubOperations counts;
    std::vector<std::string> failed_uids;
};

/// PS3.4 C.4.2 / C.4.3, PS3.7 9.1.3-9.1.4: C-MOVE and C-GET as the SCP. Called on the
/// association's thread; shared by all associations: thread-safe.
class RetrieveHandler {
public:
    /// Sends a Pending response with `counts`. Returns false when the retrieve must stop: the peer
    /// cancelled (C-CANCEL-RQ) or the response could not be sent.
    using Progress = std::function<bool(const SubOperations& counts)>;
    /// What a C-GET sub-operation stores: the file at `path`, or `file` when set (a data set made
    /// in memory, such as a de-identified copy of a stored file).
    struct StoreSource {
        std::string path;
        const io::DicomFile* file = nullptr;
    };
    /// C-STORE of one file over the requesting association (C-GET), on a context for which the
    /// requestor took the SCP role.
    using StoreHere = std::function<Result<StoreResult>(const StoreSource& source, const StoreOptions& options)>;
    virtual ~RetrieveHandler() = default;
    /// Retrieves what `identifier` names. `store_here` is set for C-GET, null for C-MOVE (the
    /// handler then opens its own association to the Move Destination).
    [[nodiscard]] virtual RetrieveOutcome retrieve(const RequestContext& rc, const Command& rq,
                                                   const DataSet& identifier, const Progress& progress,
                                                   const StoreHere* store_here) = 0;
};

/// A registry of handlers keyed by (request command field, SOP class UID). Registering a key twice
/// is a programming error (std::invalid_argument). Routing: the handler of the exact key; for
/// C-STORE, else the one registered for kAnySopClass; else 0x0122 SOP Class Not Supported when
/// some handler takes the command for another class, 0x0211 Unrecognized Operation when none
/// does (PS3.7 C.4). Filled before serving starts, then only read (by every association).
class Dispatcher {
public:
    /// Handles C-ECHO-RQ on the Verification SOP class.
    void on_echo(std::shared_ptr<EchoHandler> handler);
    /// Handles C-STORE-RQ for the given SOP classes; an empty list: every SOP class without a
    /// handler of its own (the kAnySopClass key).
    void on_store(std::shared_ptr<StoreHandler> handler, std::vector<std::string> sop_classes = {});
    /// Handles C-FIND-RQ for the given SOP classes (the information models).
    void on_find(std::shared_ptr<FindHandler> handler, std::vector<std::string> sop_classes);
    /// Handles C-MOVE-RQ for the given SOP classes (the MOVE information models).
    void on_move(std::shared_ptr<RetrieveHandler> handler, std::vector<std::string> sop_classes);
    /// Handles C-GET-RQ for the given SOP classes (the GET information models).
    void on_get(std::shared_ptr<RetrieveHandler> handler, std::vector<std::string> sop_classes);
    /// Handles the DIMSE-N request `request` (N_ACTION_RQ, ...) for the given SOP classes.
    void on_n(CommandField request, std::shared_ptr<NHandler> handler, std::vector<std::string> sop_classes);

    /// Where a request goes: a handler, or the failure status of its response when none takes it.
    struct Route {
        EchoHandler* echo = nullptr;
        StoreHandler* store = nullptr;
        FindHandler* find = nullptr;
        std::uint16_t status = status::Success;  ///< failure status when no handler
        RetrieveHandler* retrieve = nullptr;     ///< C-MOVE or C-GET
        NHandler* n = nullptr;                   ///< a DIMSE-N request
    };
    [[nodiscard]] Route route(CommandField field, std::string_view sop_class) const;

private:
    using Handler = std::variant<std::shared_ptr<EchoHandler>, std::shared_ptr<StoreHandler>,
                                 std::shared_ptr<FindHandler>, std::shared_ptr<RetrieveHandler>,
                                 std::shared_ptr<NHandler>>;
    void add(CommandField field, std::vector<std::string> sop_classes, const Handler& handler);
    std::map<std::pair<CommandField, std::string>, Handler> handlers_;
    std::set<CommandField> commands_;  ///< the commands some handler takes
};

}  // namespace dicomkit::net::dimse
