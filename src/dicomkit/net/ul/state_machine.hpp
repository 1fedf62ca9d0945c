// The PS3.8 DICOM Upper Layer state machine (Sta1..Sta13, Evt1..Evt19, actions) as data.
#pragma once

/// @file
/// PS3.8 9.2: the DICOM Upper Layer protocol state machine, as a table and nothing else.
///
/// The model, for the engineer writing the association driver:
///
/// - `State` is Sta1..Sta13 (PS3.8 Tables 9-1..9-5), `Event` is Evt1..Evt19 and `Action` is the
///   28 actions AE-1..AE-8, DT-1, DT-2, AR-1..AR-10, AA-1..AA-8 (Tables 9-6..9-9). Enumerator
///   values are the standard's numbers; `to_string` gives the standard's spelling ("Sta6", "Evt12",
///   "AR-8") and `describe` the standard's text, for `--trace`.
/// - Table 9-10 names one action per (event, state) cell. `step(state, event)` looks that action
///   up and returns it with the next state that the action's own definition gives ("Next state is
///   Sta13"). It does no I/O and has no side effects: the driver performs the action (send a PDU,
///   issue a primitive to the local user, start or stop ARTIM, close the transport connection) and
///   then moves to the next state. `step` and the table are constexpr.
/// - Two actions name two next states and leave the choice to a fact only the driver knows:
///   AE-6 (Sta3 if the A-ASSOCIATE-RQ is acceptable to the service-provider, else it sends an
///   A-ASSOCIATE-RJ and goes to Sta13) and AR-8 (release collision: Sta9 on the
///   association-requestor side, Sta10 on the acceptor side). For these `Transition::next` is
///   empty and the driver calls `resolve(action, condition)` once it knows the answer. Every other
///   action has a single next state, so `next` is always set for them. The choice keeps the table
///   a faithful copy of the standard instead of picking one branch silently.
/// - AA-3 also has two branches (A-ABORT indication if the received A-ABORT PDU has a service-user
///   source, A-P-ABORT indication otherwise) but one next state, Sta1; the driver reads the source
///   field of the PDU to choose the primitive. The machine is not concerned.
/// - `step` returns std::nullopt for the cells the standard leaves empty (124 of 247). None of them
///   can be reached by a correct driver: they are either a local-user primitive that the service
///   does not allow in that state (e.g. P-DATA request in Sta7, A-ASSOCIATE request outside Sta1),
///   which the driver's API must refuse before stepping, or a transport event that cannot happen
///   in that state (a PDU in Sta1 or Sta4, where no connection is open; a transport confirmation
///   outside Sta4; ARTIM expiry outside Sta2 and Sta13, the only states in which the timer runs).
///   A driver that gets nullopt has a bug; treat it as one, not as a peer's protocol error (those
///   are Evt19, which has a cell in every state with an open connection).
/// - The ARTIM timer (PS3.8 9.1.5) is the driver's. The actions that start it (AE-5, AE-6 on
///   reject, AE-8, AR-4, AA-1, AA-8) all lead to Sta2 or Sta13, and those that leave Sta2 or Sta13
///   stop it, so it runs exactly while the machine is in Sta2 or Sta13.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dicomkit::net::ul {

/// PS3.8 Tables 9-1..9-5: the states of the Upper Layer state machine. Values are the standard's.
enum class State : std::uint8_t {
    Sta1 = 1,  ///< Idle
    Sta2,      ///< Transport connection open (awaiting A-ASSOCIATE-RQ PDU)
    Sta3,      ///< Awaiting local A-ASSOCIATE response primitive
    Sta4,      ///< Awaiting transport connection opening to complete
    Sta5,      ///< Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU
    Sta6,      ///< Association established and ready for data transfer
    Sta7,      ///< Awaiting A-RELEASE-RP PDU
    Sta8,      ///< Awaiting local A-RELEASE response primitive
    Sta9,      ///< Release collision requestor side; awaiting A-RELEASE response
    Sta10,     ///< Release collision acceptor side; awaiting A-RELEASE-RP PDU
    Sta11,     ///< Release collision requestor side; awaiting A-RELEASE-RP PDU
    Sta12,     ///< Release collision acceptor side; awaiting A-RELEASE response primitive
    Sta13,     ///< Awaiting transport connection close indication (association no longer exists)
};

/// PS3.8 Table 9-10, rows: the events. Values are the standard's numbers (Evt1..Evt19).
enum class Event : std::uint8_t {
    AssociateRequest = 1,  ///< Evt1: A-ASSOCIATE request (local user)
    TransportConfirm,      ///< Evt2: transport connection confirm (local transport service)
    AssociateAcPdu,        ///< Evt3: A-ASSOCIATE-AC PDU received
    AssociateRjPdu,        ///< Evt4: A-ASSOCIATE-RJ PDU received
    TransportIndication,   ///< Evt5: transport connection indication (local transport service)
    AssociateRqPdu,        ///< Evt6: A-ASSOCIATE-RQ PDU received
    AssociateAccept,       ///< Evt7: A-ASSOCIATE response primitive (accept)
    AssociateReject,       ///< Evt8: A-ASSOCIATE response primitive (reject)
    PDataRequest,          ///< Evt9: P-DATA request primitive
    PDataTfPdu,            ///< Evt10: P-DATA-TF PDU received
    ReleaseRequest,        ///< Evt11: A-RELEASE request primitive
    ReleaseRqPdu,          ///< Evt12: A-RELEASE-RQ PDU received
    ReleaseRpPdu,          ///< Evt13: A-RELEASE-RP PDU received
    ReleaseResponse,       ///< Evt14: A-RELEASE response primitive
    AbortRequest,          ///< Evt15: A-ABORT request primitive
    AbortPdu,              ///< Evt16: A-ABORT PDU received
    TransportClosed,       ///< Evt17: transport connection closed indication
    ArtimExpired,          ///< Evt18: ARTIM timer expired
    InvalidPdu,            ///< Evt19: unrecognized or invalid PDU received
};

/// PS3.8 Tables 9-6 (AE), 9-7 (DT), 9-8 (AR) and 9-9 (AA): the actions. `describe` gives each
/// definition; the next state is `next_state` (or `resolve` for AE-6 and AR-8).
enum class Action : std::uint8_t {
    AE_1,   ///< Issue TRANSPORT CONNECT request primitive. -> Sta4
    AE_2,   ///< Send A-ASSOCIATE-RQ PDU. -> Sta5
    AE_3,   ///< Issue A-ASSOCIATE confirmation (accept) primitive. -> Sta6
    AE_4,   ///< Issue A-ASSOCIATE confirmation (reject) primitive, close transport. -> Sta1
    AE_5,   ///< Issue transport connection response primitive; start ARTIM. -> Sta2
    AE_6,   ///< Stop ARTIM; if acceptable issue A-ASSOCIATE indication -> Sta3, else send
            ///< A-ASSOCIATE-RJ PDU and start ARTIM -> Sta13. Conditional: see resolve().
    AE_7,   ///< Send A-ASSOCIATE-AC PDU. -> Sta6
    AE_8,   ///< Send A-ASSOCIATE-RJ PDU and start ARTIM. -> Sta13
    DT_1,   ///< Send P-DATA-TF PDU. -> Sta6
    DT_2,   ///< Send P-DATA indication primitive. -> Sta6
    AR_1,   ///< Send A-RELEASE-RQ PDU. -> Sta7
    AR_2,   ///< Issue A-RELEASE indication primitive. -> Sta8
    AR_3,   ///< Issue A-RELEASE confirmation primitive, close transport. -> Sta1
    AR_4,   ///< Issue A-RELEASE-RP PDU and start ARTIM. -> Sta13
    AR_5,   ///< Stop ARTIM. -> Sta1
    AR_6,   ///< Issue P-DATA indication. -> Sta7
    AR_7,   ///< Issue P-DATA-TF PDU. -> Sta8
    AR_8,   ///< Issue A-RELEASE indication (release collision); requestor -> Sta9, acceptor ->
            ///< Sta10. Conditional: see resolve().
    AR_9,   ///< Send A-RELEASE-RP PDU. -> Sta11
    AR_10,  ///< Issue A-RELEASE confirmation primitive. -> Sta12
    AA_1,   ///< Send A-ABORT PDU (service-user source), start or restart ARTIM. -> Sta13
    AA_2,   ///< Stop ARTIM if running, close transport. -> Sta1
    AA_3,   ///< Issue A-ABORT (user source) or A-P-ABORT (provider source) indication, close
            ///< transport. -> Sta1
    AA_4,   ///< Issue A-P-ABORT indication primitive. -> Sta1
    AA_5,   ///< Stop ARTIM. -> Sta1
    AA_6,   ///< Ignore PDU. -> Sta13
    AA_7,   ///< Send A-ABORT PDU. -> Sta13
    AA_8,   ///< Send A-ABORT PDU (service-provider source), issue A-P-ABORT indication, start
            ///< ARTIM. -> Sta13
};

/// The facts that choose the next state of the two conditional actions (PS3.8 Tables 9-6, 9-8).
enum class Condition : std::uint8_t {
    Acceptable,     ///< AE-6: the A-ASSOCIATE-RQ is acceptable by the service-provider -> Sta3
    NotAcceptable,  ///< AE-6: it is not; an A-ASSOCIATE-RJ PDU was sent -> Sta13
    Requestor,      ///< AR-8: this side is the association-requestor -> Sta9
    Acceptor,       ///< AR-8: this side is the association-acceptor -> Sta10
};

/// One cell of PS3.8 Table 9-10: the action to perform and the state to move to afterwards.
struct Transition {
    Action action;
    /// The next state from the action's definition; empty exactly when the action is conditional
    /// (AE-6, AR-8), whose next state the driver gets from resolve().
    std::optional<State> next;

    friend constexpr bool operator==(const Transition&, const Transition&) = default;
};

inline constexpr std::size_t kStateCount = 13;
inline constexpr std::size_t kEventCount = 19;
inline constexpr std::size_t kActionCount = 28;

inline constexpr std::array<State, kStateCount> kAllStates = {
    State::Sta1, State::Sta2, State::Sta3,  State::Sta4,  State::Sta5,  State::Sta6,  State::Sta7,
    State::Sta8, State::Sta9, State::Sta10, State::Sta11, State::Sta12, State::Sta13,
};

inline constexpr std::array<Event, kEventCount> kAllEvents = {
    Event::AssociateRequest, Event::TransportConfirm,    Event::AssociateAcPdu,
    Event::AssociateRjPdu,   Event::TransportIndication, Event::AssociateRqPdu,
    Event::AssociateAccept,  Event::AssociateReject,     Event::PDataRequest,
    Event::PDataTfPdu,       Event::ReleaseRequest,      Event::ReleaseRqPdu,
    Event::ReleaseRpPdu,     Event::ReleaseResponse,     Event::AbortRequest,
    Event::AbortPdu,         Event::TransportClosed,     Event::ArtimExpired,
    Event::InvalidPdu,
};

inline constexpr std::array<Action, kActionCount> kAllActions = {
    Action::AE_1, Action::AE_2,  Action::AE_3, Action::AE_4, Action::AE_5, Action::AE_6,
    Action::AE_7, Action::AE_8,  Action::DT_1, Action::DT_2, Action::AR_1, Action::AR_2,
    Action::AR_3, Action::AR_4,  Action::AR_5, Action::AR_6, Action::AR_7, Action::AR_8,
    Action::AR_9, Action::AR_10, Action::AA_1, Action::AA_2, Action::AA_3, Action::AA_4,
    Action::AA_5, Action::AA_6,  Action::AA_7, Action::AA_8,
};

/// The standard's number of a state (Sta6 -> 6) or event (Evt12 -> 12).
[[nodiscard]] constexpr int number(State s) noexcept { return static_cast<int>(s); }
[[nodiscard]] constexpr int number(Event e) noexcept { return static_cast<int>(e); }

/// Sta<n> for n in 1..13, else nullopt.
[[nodiscard]] constexpr std::optional<State> state_from_number(int n) noexcept {
    if (n < 1 || n > static_cast<int>(kStateCount)) return std::nullopt;
    return static_cast<State>(n);
}

/// Evt<n> for n in 1..19, else nullopt.
[[nodiscard]] constexpr std::optional<Event> event_from_number(int n) noexcept {
    if (n < 1 || n > static_cast<int>(kEventCount)) return std::nullopt;
    return static_cast<Event>(n);
}

/// True for AE-6 and AR-8, the actions whose definition names two next states.
[[nodiscard]] constexpr bool is_conditional(Action a) noexcept {
    return a == Action::AE_6 || a == Action::AR_8;
}

/// PS3.8 Tables 9-6..9-9, "Next state is ...": the one next state of an unconditional action;
/// nullopt for AE-6 and AR-8 (use resolve()).
[[nodiscard]] constexpr std::optional<State> next_state(Action a) noexcept {
    using enum Action;
    switch (a) {
        case AE_1:
            return State::Sta4;
        case AE_2:
            return State::Sta5;
        case AE_3:
            return State::Sta6;
        case AE_4:
            return State::Sta1;
        case AE_5:
            return State::Sta2;
        case AE_6:
            return std::nullopt;
        case AE_7:
            return State::Sta6;
        case AE_8:
            return State::Sta13;
        case DT_1:
            return State::Sta6;
        case DT_2:
            return State::Sta6;
        case AR_1:
            return State::Sta7;
        case AR_2:
            return State::Sta8;
        case AR_3:
            return State::Sta1;
        case AR_4:
            return State::Sta13;
        case AR_5:
            return State::Sta1;
        case AR_6:
            return State::Sta7;
        case AR_7:
            return State::Sta8;
        case AR_8:
            return std::nullopt;
        case AR_9:
            return State::Sta11;
        case AR_10:
            return State::Sta12;
        case AA_1:
            return State::Sta13;
        case AA_2:
            return State::Sta1;
        case AA_3:
            return State::Sta1;
        case AA_4:
            return State::Sta1;
        case AA_5:
            return State::Sta1;
        case AA_6:
            return State::Sta13;
        case AA_7:
            return State::Sta13;
        case AA_8:
            return State::Sta13;
    }
    return std::nullopt;
}

/// The next state of a conditional action once the driver knows the condition: AE-6 with
/// Acceptable/NotAcceptable (Table 9-6), AR-8 with Requestor/Acceptor (Table 9-8). nullopt for
/// an unconditional action (its next state is in Transition::next) or for a condition that does
/// not belong to the action (AE-6 with Requestor), both of which are driver bugs.
[[nodiscard]] constexpr std::optional<State> resolve(Action a, Condition c) noexcept {
    if (a == Action::AE_6) {
        if (c == Condition::Acceptable) return State::Sta3;
        if (c == Condition::NotAcceptable) return State::Sta13;
    }
    if (a == Action::AR_8) {
        if (c == Condition::Requestor) return State::Sta9;
        if (c == Condition::Acceptor) return State::Sta10;
    }
    return std::nullopt;
}

namespace detail {

/// One row of Table 9-10: the action in each column Sta1..Sta13; nullopt for an empty cell.
using Row = std::array<std::optional<Action>, kStateCount>;

/// PS3.8 Table 9-10, typed in from the standard: rows are Evt1..Evt19, columns Sta1..Sta13.
/// Only actions are stored, as in the standard; next states come from the action definitions.
/// Row events are listed in `Event` (Evt1 A-ASSOCIATE request ... Evt19 invalid PDU).
inline constexpr std::array<Row, kEventCount> kTable = [] {
    using enum Action;
    constexpr std::optional<Action> none{};  // an empty cell
    // clang-format off
    return std::array<Row, kEventCount>{{
       // Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10  Sta11 Sta12 Sta13
        {{AE_1, none, none, none, none, none, none, none, none, none,  none, none, none}},  // Evt1
        {{none, none, none, AE_2, none, none, none, none, none, none,  none, none, none}},  // Evt2
        {{none, AA_1, AA_8, none, AE_3, AA_8, AA_8, AA_8, AA_8, AA_8,  AA_8, AA_8, AA_6}},  // Evt3
        {{none, AA_1, AA_8, none, AE_4, AA_8, AA_8, AA_8, AA_8, AA_8,  AA_8, AA_8, AA_6}},  // Evt4
        {{AE_5, none, none, none, none, none, none, none, none, none,  none, none, none}},  // Evt5
        {{none, AE_6, AA_8, none, AA_8, AA_8, AA_8, AA_8, AA_8, AA_8,  AA_8, AA_8, AA_7}},  // Evt6
        {{none, none, AE_7, none, none, none, none, none, none, none,  none, none, none}},  // Evt7
        {{none, none, AE_8, none, none, none, none, none, none, none,  none, none, none}},  // Evt8
        {{none, none, none, none, none, DT_1, none, AR_7, none, none,  none, none, none}},  // Evt9
        {{none, AA_1, AA_8, none, AA_8, DT_2, AR_6, AA_8, AA_8, AA_8,  AA_8, AA_8, AA_6}},  // Evt10
        {{none, none, none, none, none, AR_1, none, none, none, none,  none, none, none}},  // Evt11
        {{none, AA_1, AA_8, none, AA_8, AR_2, AR_8, AA_8, AA_8, AA_8,  AA_8, AA_8, AA_6}},  // Evt12
        {{none, AA_1, AA_8, none, AA_8, AA_8, AR_3, AA_8, AA_8, AR_10, AR_3, AA_8, AA_6}},  // Evt13
        {{none, none, none, none, none, none, none, AR_4, AR_9, none,  none, AR_4, none}},  // Evt14
        {{none, none, AA_1, AA_2, AA_1, AA_1, AA_1, AA_1, AA_1, AA_1,  AA_1, AA_1, none}},  // Evt15
        {{none, AA_2, AA_3, none, AA_3, AA_3, AA_3, AA_3, AA_3, AA_3,  AA_3, AA_3, AA_2}},  // Evt16
        {{none, AA_5, AA_4, AA_4, AA_4, AA_4, AA_4, AA_4, AA_4, AA_4,  AA_4, AA_4, AR_5}},  // Evt17
        {{none, AA_2, none, none, none, none, none, none, none, none,  none, none, AA_2}},  // Evt18
        {{none, AA_1, AA_8, none, AA_8, AA_8, AA_8, AA_8, AA_8, AA_8,  AA_8, AA_8, AA_7}},  // Evt19
    }};
    // clang-format on
}();

}  // namespace detail

/// PS3.8 Table 9-10: what the machine does on `event` in `state`. nullopt for an empty cell of
/// the standard's table, which a correct driver never reaches (see the file comment).
[[nodiscard]] constexpr std::optional<Transition> step(State state, Event event) noexcept {
    const auto e = static_cast<std::size_t>(number(event));
    const auto s = static_cast<std::size_t>(number(state));
    if (e < 1 || e > kEventCount || s < 1 || s > kStateCount) return std::nullopt;
    const std::optional<Action> action = detail::kTable[e - 1][s - 1];
    if (!action) return std::nullopt;
    return Transition{*action, next_state(*action)};
}

/// "Sta6": the standard's name of the state.
[[nodiscard]] std::string_view to_string(State s) noexcept;
/// "Evt12": the standard's name of the event.
[[nodiscard]] std::string_view to_string(Event e) noexcept;
/// "AR-8": the standard's name of the action.
[[nodiscard]] std::string_view to_string(Action a) noexcept;
/// "Acceptable", "Requestor", ...
[[nodiscard]] std::string_view to_string(Condition c) noexcept;

/// PS3.8 Tables 9-1..9-5: the state's definition, e.g. "Awaiting A-RELEASE-RP PDU".
[[nodiscard]] std::string_view describe(State s) noexcept;
/// PS3.8 Table 9-10: the event's text, e.g. "A-RELEASE-RQ PDU (received on open transport
/// connection)".
[[nodiscard]] std::string_view describe(Event e) noexcept;
/// PS3.8 Tables 9-6..9-9: the action's definition including its next state(s).
[[nodiscard]] std::string_view describe(Action a) noexcept;

}  // namespace dicomkit::net::ul
