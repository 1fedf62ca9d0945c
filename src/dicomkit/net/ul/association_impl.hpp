// Internal to net/ul: the association driver's state (Association::Impl), shared by
// association.cpp (data transfer, release, abort) and association_open.cpp (request, accept).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dicomkit/net/pdu/pdu.hpp>
#include <dicomkit/net/ul/association.hpp>

namespace dicomkit::net::ul {

/// What one attempt to read a PDU gave, as a PS3.8 event where there is one.
struct Inbound {
    enum class Kind {
        Pdu,          ///< a valid PDU: event is Evt3, 4, 6, 10, 12, 13 or 16
        Invalid,      ///< Evt19: unrecognized PDU-type, length over the limit, undecodable
        Closed,       ///< Evt17: the peer closed the connection (perhaps mid-PDU)
        Timeout,      ///< the deadline passed; no event of its own outside Sta2/Sta13 (ARTIM)
        Interrupted,  ///< the local side asked to stop (Transport::interrupt)
    };
    Kind kind = Kind::Closed;
    Event event = Event::TransportClosed;
    pdu::Pdu pdu;                      ///< for P-DATA-TF an empty PDataTf: see pdvs
    std::vector<pdu::PdvView> pdvs;    ///< P-DATA-TF: views into Impl::rx_buffer (until the next read)
    pdu::AbortReason abort_reason = pdu::AbortReason::ReasonNotSpecified;  ///< for Invalid
    std::string what;  ///< for messages: the PDU name or the failure
    bool nothing_received = false;  ///< Sta2: the connection ended or timed out before its first byte
};

struct Association::Impl {
    std::unique_ptr<Transport> transport;
    AssociationOptions options;
    bool requestor = true;
    State state = State::Sta1;
    pdu::AssociateRq rq;
    pdu::AssociateAc ac;
    std::vector<AcceptedContext> contexts;
    std::uint32_t peer_max_pdu = 0;
    std::string peer;
    std::vector<std::uint8_t> rx_buffer;  ///< read_pdu()'s buffer, reused
    std::vector<std::string> notes;       ///< Negotiated::notes of an accepted request

    // ---- state machine (association.cpp) ----

    /// PS3.8 9.2: steps the table on `event`, traces the transition and moves to the next state
    /// (`condition` chooses it for AE-6 and AR-8). An empty cell is a driver bug: an error.
    [[nodiscard]] Result<Action> fire(Event event, std::optional<Condition> condition = {});
    /// Performs a PS3.8 abort action (AA-1..AA-8) after fire() chose it: sends A-ABORT where
    /// the action says so, then waits in Sta13 for the peer to close, or closes.
    void perform_abort(Action action, pdu::Abort abort);
    /// Reacts to an inbound event that ends the association (abort, close, protocol error,
    /// timeout) per the table; returns why it ended, Timeout/Aborted for local aborts.
    FailureKind end_on(const Inbound& in);
    /// Sta13: waits up to `artim` for the peer to close (Evt17 / AR-5), else Evt18 / AA-2.
    void await_close(Millis artim);
    /// One PDU while releasing (Sta7, Sta9..Sta12): performs AR-3, AR-6, AR-8, AR-10 and the
    /// local A-RELEASE responses of a collision. False: not a release event (end_on() it).
    [[nodiscard]] Result<bool> release_step(Event event);
    /// Closes the transport (the actions that say "close transport connection").
    void close_transport() noexcept;

    // ---- PDU I/O (association.cpp) ----

    /// Reads exactly one PDU: header, length checked against max_pdu_hard_limit before anything
    /// is allocated, then the body, all before `timeout` (zero: no limit).
    [[nodiscard]] Inbound read_pdu(Millis timeout);
    /// Encodes, traces and writes one PDU.
    [[nodiscard]] Result<void> send_pdu(const pdu::Pdu& pdu, Millis timeout);
    /// Writes already encoded bytes, tracing `description`.
    [[nodiscard]] Result<void> send_bytes(std::span<const std::uint8_t> bytes,
                                          const std::string& description, Millis timeout);

    // ---- tracing ----
    [[nodiscard]] std::string prefix() const;
    void trace(std::string_view line) const;
    /// An Error with the peer and the association's identity in its message.
    [[nodiscard]] Error error(ErrorCode code, std::string_view message) const;

    // ---- association establishment (association_open.cpp) ----

    /// Acceptor: Sta1 -> Evt5 -> Sta2, reads the A-ASSOCIATE-RQ within ARTIM. On success the
    /// state is Sta2 and `rq` is set; otherwise the association is over and an error returned.
    /// `failure` (may be null) is set to why it ended: Empty when nothing at all arrived.
    [[nodiscard]] Result<void> await_request(FailureKind* failure);
    /// Acceptor: answers the request (AE-6, then AE-7 or AE-8). True: accepted, now Sta6;
    /// false: A-ASSOCIATE-RJ sent, association over; error: the answer could not be sent.
    [[nodiscard]] Result<bool> answer(const Negotiated& negotiated);
};

/// A-ABORT values.
[[nodiscard]] inline pdu::Abort user_abort() { return {pdu::AbortSource::ServiceUser, {}}; }
[[nodiscard]] inline pdu::Abort provider_abort(pdu::AbortReason reason) {
    return {pdu::AbortSource::ServiceProvider, reason};
}

/// "rejected-permanent, source DICOM UL service-user, reason called-AE-title-not-recognized
/// (result 1, source 1, reason 7)".
[[nodiscard]] std::string describe_rejection(const pdu::AssociateRj& rj);

}  // namespace dicomkit::net::ul
