// Association: one DICOM association over TCP or TLS, driven by the PS3.8 state machine
// (state_machine.hpp). Blocking calls with deadlines, one association per thread; the server
// (server.hpp) runs each accepted association on its own thread. PS3.8 Sections 7 and 9.
//
// Requestor:  auto a = Association::request(connect, rq);  ... a->send(...) / a->receive(...);
//             a->release();
// Acceptor:   the Server calls Association::accept(transport, policy, options) and hands the
//             association to the application's handler.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/pdu/codec.hpp>
#include <dicomkit/net/pdu/pdu.hpp>
#include <dicomkit/net/ul/state_machine.hpp>
#include <dicomkit/net/ul/transport.hpp>

namespace dicomkit::net::ul {

using Millis = std::chrono::milliseconds;

/// Time limits (DESIGN: bounded everything). Zero means no limit.
struct Timeouts {
    Millis connect{10'000};  ///< TCP (and TLS) connection set-up
    Millis acse{30'000};     ///< waiting for A-ASSOCIATE-AC/RJ, A-RELEASE-RP (ARTIM on the acceptor)
    /// Acceptor: the whole A-ASSOCIATE-RQ must have arrived within this of the connection (the
    /// ARTIM time in Sta2 is the shorter of this and `acse`), so that idle or trickling
    /// connections do not hold on for the whole ARTIM time.
    Millis request{10'000};
    Millis dimse{60'000};    ///< waiting for the next PDU while a DIMSE exchange is under way
    Millis idle{300'000};    ///< an association with nothing to do
};

/// Called with each line of the human-readable trace (PDUs, state transitions, DIMSE messages).
using TraceSink = std::function<void(std::string_view)>;

struct AssociationOptions {
    Timeouts timeouts;
    /// The largest P-DATA-TF variable field we accept (sent as Maximum Length Received).
    std::uint32_t max_pdu_receive = 256 * 1024;
    /// Incoming PDUs claiming more than this are refused before anything is allocated (A-ABORT).
    std::uint32_t max_pdu_hard_limit = 64 * 1024 * 1024;
    /// A-ASSOCIATE-RQ and -AC (the PDUs of Sta2 and Sta5) claiming more than this are refused
    /// before anything is allocated (A-ABORT, PS3.8 Table 9-10 Evt19). PS3.8 needs kilobytes:
    /// 128 presentation contexts (7.1.1.13) of 10 transfer syntaxes of 64-character UIDs take
    /// about 96 KiB, role selection and extended negotiation items for each about 20 KiB more,
    /// and a User Identity sub-item (PS3.7 D.3.3.7) at most 128 KiB.
    std::uint32_t max_associate_length = 256 * 1024;
    std::string implementation_class_uid = "2.25.170933842532773413498619089712576706139";
    std::string implementation_version_name = "DICOMKIT_010";
    TraceSink trace;  ///< empty: no tracing
    std::optional<TlsConfig> tls;  ///< set: TLS (PS3.15 B) on this association
};

/// A presentation context that was accepted, as both sides use it.
struct AcceptedContext {
    std::uint8_t id = 1;
    std::string abstract_syntax;
    std::string transfer_syntax;
    bool scu_role = true;   ///< the requestor may act as SCU (default roles per PS3.7 D.3.3.4)
    bool scp_role = false;  ///< the requestor may act as SCP (e.g. C-GET storage sub-operations)
    /// PS3.7 D.3.3.5: the service-class application information of the SOP Class Extended
    /// Negotiation agreed for this abstract syntax: what the acceptor answered in the
    /// A-ASSOCIATE-AC (e.g. PS3.4 C.5.1.1.2: byte 1 is 1 when relational queries are agreed);
    /// empty when none was proposed or answered.
    std::vector<std::uint8_t> extended_negotiation{};
};

/// What an acceptor allows. Negotiation (negotiate()) is a pure function of the request and this.
struct AcceptorPolicy {
    std::string ae_title = "DICOMKIT";
    /// Further titles this acceptor answers to as the Called AE Title, besides ae_title.
    std::vector<std::string> other_ae_titles;
    /// Any Called AE Title will do (as DCMTK's storescp by default); false: a request for
    /// another is rejected (PS3.8 9.3.4, reason 7).
    bool accept_any_called_ae = false;
    /// Decides whether a calling AE title from an address may associate; empty: everyone may.
    std::function<bool(const std::string& calling_ae, const std::string& peer_address)> calling_allowed;
    struct Syntax {
        std::string abstract_syntax;                 ///< e.g. a SOP class UID
        std::vector<std::string> transfer_syntaxes;  ///< in order of preference
        bool scp_role_allowed = false;               ///< whether the requestor may take the SCP role
        /// PS3.7 D.3.3.5: what this side supports of the SOP Class Extended Negotiation, byte by
        /// byte (e.g. {1}: relational queries, PS3.4 C.5.1.1). A proposal for this abstract
        /// syntax, when its context is accepted, is answered with as many bytes as were
        /// proposed, each the proposed value when it is non-zero and this side's byte equals
        /// it, else 0. Empty: proposals are not answered.
        std::vector<std::uint8_t> extended_negotiation{};
    };
    std::vector<Syntax> syntaxes;
    /// Accept any abstract syntax not listed, with the first transfer syntax proposed that is in
    /// `any_transfer_syntaxes` (empty: the first proposed at all). For a storage SCP that accepts
    /// everything (`dicomkit receive`).
    bool accept_any_abstract_syntax = false;
    std::vector<std::string> any_transfer_syntaxes;
    /// Whether the requestor may take the SCP role (PS3.7 D.3.3.4) on the abstract syntaxes that
    /// accept_any_abstract_syntax takes: a C-GET SCP storing its sub-operations back.
    bool any_scp_role_allowed = false;
    /// Maximum Length Received sent in the A-ASSOCIATE-AC: the smaller of this and
    /// AssociationOptions::max_pdu_receive (0 = no limit in either).
    std::uint32_t max_pdu_receive = 256 * 1024;
    /// PS3.7 D.3.3.3: how many operations the requestor may have outstanding (invoked without a
    /// response yet) when it proposes an Asynchronous Operations Window; 1 = synchronous. The
    /// acceptor performs them one after the other and answers in order, so its own window
    /// (operations performed) is always 1.
    std::uint16_t max_operations_invoked = 1;
};

/// The acceptor's answer to a request: an A-ASSOCIATE-AC (with the accepted contexts) or -RJ.
struct Negotiated {
    std::variant<pdu::AssociateAc, pdu::AssociateRj> answer;
    std::vector<AcceptedContext> contexts;  ///< accepted ones only
    /// What was wrong with a malformed request, for the log: why it was rejected, or which
    /// presentation contexts were refused for it (not those merely not supported).
    std::vector<std::string> notes;
};
/// PS3.8 7.1.1 / PS3.7 D.3: checks AE titles, application context and protocol version, and
/// picks a transfer syntax per presentation context by the policy's preference. Pure.
/// Rejections (PS3.8 9.3.4, all rejected-permanent): protocol version without bit 0 (source 2,
/// reason 2); a presentation context ID even, zero or used twice (source 2, reason 1: see
/// context_id_fault); called AE title empty, or not policy.ae_title nor one of
/// other_ae_titles, spaces aside, unless accept_any_called_ae (source 1, reason 7); calling AE
/// title empty or calling_allowed refuses (source 1, reason 3); application context not
/// DICOM's (source 1, reason 2). A context without an abstract syntax is refused with result 3,
/// one without a transfer syntax (or with an empty one) with result 4; Negotiated::notes say so. Per context (9.3.3.2): the policy's first transfer syntax that
/// was proposed (0), abstract syntax not supported (3), transfer syntaxes not supported (4).
/// Role selection items (PS3.7 D.3.3.4) are answered when proposed: SCU as proposed, SCP only
/// if proposed and Syntax::scp_role_allowed. SOP Class Extended Negotiation items (PS3.7
/// D.3.3.5) as Syntax::extended_negotiation says. No User Identity response is sent.
[[nodiscard]] Negotiated negotiate(const pdu::AssociateRq& rq, const AcceptorPolicy& policy,
                                   const std::string& peer_address, const AssociationOptions& options);

/// What the requestor asks for.
struct AssociationRequest {
    std::string calling_ae = "DICOMKIT";
    std::string called_ae = "ANY-SCP";
    std::vector<pdu::PresentationContextRq> contexts;  ///< ids are assigned (1, 3, 5...) if 0
    std::vector<pdu::RoleSelection> role_selections;
    std::optional<pdu::UserIdentityRq> user_identity;
    std::optional<pdu::AsynchronousOperationsWindow> async_window;
    /// PS3.7 D.3.3.5 (e.g. PS3.4 C.5.1.1.1: byte 1 = 1 proposes relational queries); the
    /// acceptor's answer is in AcceptedContext::extended_negotiation.
    std::vector<pdu::SopClassExtendedNegotiation> extended_negotiations;
};

struct ConnectTarget {
    std::string host = "127.0.0.1";
    std::uint16_t port = 104;
};

/// Why an association ended or could not be made: for messages and exit codes. Empty: an
/// acceptor's connection closed before a byte arrived (a port scan, a health check).
enum class FailureKind { None, Refused, Rejected, Aborted, Timeout, ProtocolError, Closed, Io, Empty };

/// Acceptor: called once the A-ASSOCIATE-RQ has arrived, before negotiate(); an A-ASSOCIATE-RJ
/// it returns is sent instead (e.g. above a limit of associations at once).
using RequestGate = std::function<std::optional<pdu::AssociateRj>(const pdu::AssociateRq&)>;

/// One incoming PDU as the application sees it during data transfer.
struct Incoming {
    /// PData: P-DATA-TF received. ReleaseRequested: A-RELEASE-RQ received, answer with
    /// confirm_release(). Aborted: the peer sent A-ABORT (see `abort`); the connection is closed.
    /// Closed: the peer closed the connection (perhaps mid-PDU) without A-ABORT.
    enum class Kind { PData, ReleaseRequested, Aborted, Closed };
    Kind kind = Kind::Closed;
    /// For PData: the PDVs, viewing the association's receive buffer: valid until the next
    /// receive() (copy what must live longer, e.g. with owned()).
    std::vector<pdu::PdvView> pdvs;
    pdu::Abort abort;        ///< for Aborted
    /// The PDVs as an owning P-DATA-TF.
    [[nodiscard]] pdu::PDataTf owned() const {
        pdu::PDataTf p;
        for (const pdu::PdvView& v : pdvs)
            p.pdvs.push_back(pdu::Pdv{v.context_id, v.command, v.last, pdu::Bytes(v.data.begin(), v.data.end())});
        return p;
    }
};

class Association {
public:
    Association(Association&&) noexcept;
    Association& operator=(Association&&) noexcept;
    ~Association();  ///< aborts if still established
    // A moved-from Association may only be destroyed or assigned to.

    /// Requestor: connects (timeouts.connect), sends A-ASSOCIATE-RQ, waits timeouts.acse for the
    /// answer. A rejection is an error whose message names result, source and reason. When
    /// `failure` is given it is set to why no association resulted (None on success): Refused
    /// (no connection), Timeout, Rejected (A-ASSOCIATE-RJ), Aborted, Closed, ProtocolError, Io.
    [[nodiscard]] static Result<Association> request(const ConnectTarget& target, const AssociationRequest& rq,
                                                     const AssociationOptions& options,
                                                     FailureKind* failure = nullptr);
    /// Acceptor: reads the A-ASSOCIATE-RQ within the ARTIM time (timeouts.request at most),
    /// asks `gate` (if any), negotiates, answers. Returns an error (after sending
    /// A-ASSOCIATE-RJ or A-ABORT) when no association results; `failure` (if given) says why:
    /// Rejected (an A-ASSOCIATE-RJ was sent), Timeout, ProtocolError (an invalid or unexpected
    /// PDU: A-ABORT), Closed, Empty (closed before a byte arrived), Aborted, Io.
    [[nodiscard]] static Result<Association> accept(std::unique_ptr<Transport> transport, const AcceptorPolicy& policy,
                                                    const AssociationOptions& options,
                                                    const RequestGate& gate = {},
                                                    FailureKind* failure = nullptr);
    /// Acceptor that will not associate (e.g. over a limit): reads the A-ASSOCIATE-RQ within the
    /// ARTIM time and answers with `rj`. Success means the A-ASSOCIATE-RJ was sent.
    [[nodiscard]] static Result<void> reject(std::unique_ptr<Transport> transport, const pdu::AssociateRj& rj,
                                             const AssociationOptions& options);

    /// Sends one P-DATA-TF PDU (in Sta6, or Sta8 after the peer asked to release). The caller
    /// keeps each within peer_max_pdu(); a larger one is refused here (LimitExceeded).
    [[nodiscard]] Result<void> send(const pdu::PDataTf& pdata);
    /// Sends P-DATA-TF PDUs made of views (no copy of the fragment data).
    [[nodiscard]] Result<void> send(std::span<const pdu::PdvView> pdvs);
    /// Waits up to `timeout` (zero: no limit) for the next PDU during data transfer (Sta6).
    /// A timeout aborts the association (A-ABORT) and is an error (see is_timeout()); so is a
    /// PDU not valid in Sta6 or an invalid one (A-ABORT per PS3.8 Table 9-10, AA-8).
    [[nodiscard]] Result<Incoming> receive(Millis timeout);
    /// Whether a PDU has (begun to) arrive, so that receive() will not wait for the peer.
    [[nodiscard]] bool readable() const noexcept;

    /// Requestor-initiated release: A-RELEASE-RQ, then waits for A-RELEASE-RP (P-DATA arriving
    /// meanwhile is dropped), handling release collision (PS3.8 Sta9-Sta12).
    [[nodiscard]] Result<void> release();
    /// Answers a peer's A-RELEASE-RQ (after receive() returned ReleaseRequested) and closes.
    [[nodiscard]] Result<void> confirm_release();
    /// Sends A-ABORT (source 0 service-user / 2 provider) and closes. Does nothing once the
    /// association is over.
    void abort(std::uint8_t source = 0, std::uint8_t reason = 0);

    [[nodiscard]] const std::vector<AcceptedContext>& contexts() const noexcept;
    /// The context accepted for `abstract_syntax` with `transfer_syntax` (any TS when empty).
    [[nodiscard]] const AcceptedContext* find_context(std::string_view abstract_syntax,
                                                      std::string_view transfer_syntax = {}) const noexcept;
    [[nodiscard]] const AcceptedContext* context_by_id(std::uint8_t id) const noexcept;
    /// The peer's Maximum Length Received (0 = unlimited): P-DATA-TF variable field limit.
    [[nodiscard]] std::uint32_t peer_max_pdu() const noexcept;
    [[nodiscard]] const std::string& calling_ae() const noexcept;
    [[nodiscard]] const std::string& called_ae() const noexcept;
    [[nodiscard]] const std::string& peer_address() const noexcept;
    [[nodiscard]] const pdu::AssociateRq& request_pdu() const noexcept;
    [[nodiscard]] const pdu::AssociateAc& accept_pdu() const noexcept;
    /// Acceptor: what negotiate() noted of a malformed request (presentation contexts refused
    /// for it); empty for a well-formed one.
    [[nodiscard]] const std::vector<std::string>& negotiation_notes() const noexcept;
    [[nodiscard]] State state() const noexcept;
    [[nodiscard]] const AssociationOptions& options() const noexcept;
    /// Writes a trace line (if tracing is on) prefixed with the association's identity.
    void trace(std::string_view line) const;

private:
public:
    struct Impl;  ///< internal (association_impl.hpp)

private:
    explicit Association(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::net::ul
