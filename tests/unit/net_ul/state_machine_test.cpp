// PS3.8 Upper Layer state machine: every cell of Table 9-10, the empty ones, and whole sequences.
#include <gtest/gtest.h>

#include <algorithm>
#include <dicomkit/net/ul/state_machine.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dicomkit::net::ul {
namespace {

// PS3.8 Table 9-10, typed in again from the standard, independently of the table in the library:
// event number, state number, action as the standard spells it, next state number(s) from the
// action's definition. For AE-6 and AR-8 `next` is the first branch and `alt` the second
// (AE-6: acceptable / not; AR-8: requestor / acceptor); otherwise alt is 0.
struct Cell {
    int evt;
    int sta;
    std::string_view action;
    int next;
    int alt = 0;
};

// clang-format off
const std::vector<Cell> kStandard = {
    // Evt1 A-ASSOCIATE Request (local user)
    {1, 1, "AE-1", 4},
    // Evt2 Transport Conn. Confirm (local transport service)
    {2, 4, "AE-2", 5},
    // Evt3 A-ASSOCIATE-AC PDU
    {3, 2, "AA-1", 13}, {3, 3, "AA-8", 13}, {3, 5, "AE-3", 6}, {3, 6, "AA-8", 13},
    {3, 7, "AA-8", 13}, {3, 8, "AA-8", 13}, {3, 9, "AA-8", 13}, {3, 10, "AA-8", 13},
    {3, 11, "AA-8", 13}, {3, 12, "AA-8", 13}, {3, 13, "AA-6", 13},
    // Evt4 A-ASSOCIATE-RJ PDU
    {4, 2, "AA-1", 13}, {4, 3, "AA-8", 13}, {4, 5, "AE-4", 1}, {4, 6, "AA-8", 13},
    {4, 7, "AA-8", 13}, {4, 8, "AA-8", 13}, {4, 9, "AA-8", 13}, {4, 10, "AA-8", 13},
    {4, 11, "AA-8", 13}, {4, 12, "AA-8", 13}, {4, 13, "AA-6", 13},
    // Evt5 Transport Connection Indication (local transport service)
    {5, 1, "AE-5", 2},
    // Evt6 A-ASSOCIATE-RQ PDU
    {6, 2, "AE-6", 3, 13}, {6, 3, "AA-8", 13}, {6, 5, "AA-8", 13}, {6, 6, "AA-8", 13},
    {6, 7, "AA-8", 13}, {6, 8, "AA-8", 13}, {6, 9, "AA-8", 13}, {6, 10, "AA-8", 13},
    {6, 11, "AA-8", 13}, {6, 12, "AA-8", 13}, {6, 13, "AA-7", 13},
    // Evt7 A-ASSOCIATE response primitive (accept)
    {7, 3, "AE-7", 6},
    // Evt8 A-ASSOCIATE response primitive (reject)
    {8, 3, "AE-8", 13},
    // Evt9 P-DATA request primitive
    {9, 6, "DT-1", 6}, {9, 8, "AR-7", 8},
    // Evt10 P-DATA-TF PDU
    {10, 2, "AA-1", 13}, {10, 3, "AA-8", 13}, {10, 5, "AA-8", 13}, {10, 6, "DT-2", 6},
    {10, 7, "AR-6", 7}, {10, 8, "AA-8", 13}, {10, 9, "AA-8", 13}, {10, 10, "AA-8", 13},
    {10, 11, "AA-8", 13}, {10, 12, "AA-8", 13}, {10, 13, "AA-6", 13},
    // Evt11 A-RELEASE Request primitive
    {11, 6, "AR-1", 7},
    // Evt12 A-RELEASE-RQ PDU
    {12, 2, "AA-1", 13}, {12, 3, "AA-8", 13}, {12, 5, "AA-8", 13}, {12, 6, "AR-2", 8},
    {12, 7, "AR-8", 9, 10}, {12, 8, "AA-8", 13}, {12, 9, "AA-8", 13}, {12, 10, "AA-8", 13},
    {12, 11, "AA-8", 13}, {12, 12, "AA-8", 13}, {12, 13, "AA-6", 13},
    // Evt13 A-RELEASE-RP PDU
    {13, 2, "AA-1", 13}, {13, 3, "AA-8", 13}, {13, 5, "AA-8", 13}, {13, 6, "AA-8", 13},
    {13, 7, "AR-3", 1}, {13, 8, "AA-8", 13}, {13, 9, "AA-8", 13}, {13, 10, "AR-10", 12},
    {13, 11, "AR-3", 1}, {13, 12, "AA-8", 13}, {13, 13, "AA-6", 13},
    // Evt14 A-RELEASE Response primitive
    {14, 8, "AR-4", 13}, {14, 9, "AR-9", 11}, {14, 12, "AR-4", 13},
    // Evt15 A-ABORT Request primitive
    {15, 3, "AA-1", 13}, {15, 4, "AA-2", 1}, {15, 5, "AA-1", 13}, {15, 6, "AA-1", 13},
    {15, 7, "AA-1", 13}, {15, 8, "AA-1", 13}, {15, 9, "AA-1", 13}, {15, 10, "AA-1", 13},
    {15, 11, "AA-1", 13}, {15, 12, "AA-1", 13},
    // Evt16 A-ABORT PDU
    {16, 2, "AA-2", 1}, {16, 3, "AA-3", 1}, {16, 5, "AA-3", 1}, {16, 6, "AA-3", 1},
    {16, 7, "AA-3", 1}, {16, 8, "AA-3", 1}, {16, 9, "AA-3", 1}, {16, 10, "AA-3", 1},
    {16, 11, "AA-3", 1}, {16, 12, "AA-3", 1}, {16, 13, "AA-2", 1},
    // Evt17 Transport connection closed indication
    {17, 2, "AA-5", 1}, {17, 3, "AA-4", 1}, {17, 4, "AA-4", 1}, {17, 5, "AA-4", 1},
    {17, 6, "AA-4", 1}, {17, 7, "AA-4", 1}, {17, 8, "AA-4", 1}, {17, 9, "AA-4", 1},
    {17, 10, "AA-4", 1}, {17, 11, "AA-4", 1}, {17, 12, "AA-4", 1}, {17, 13, "AR-5", 1},
    // Evt18 ARTIM timer expired
    {18, 2, "AA-2", 1}, {18, 13, "AA-2", 1},
    // Evt19 Unrecognized or invalid PDU received
    {19, 2, "AA-1", 13}, {19, 3, "AA-8", 13}, {19, 5, "AA-8", 13}, {19, 6, "AA-8", 13},
    {19, 7, "AA-8", 13}, {19, 8, "AA-8", 13}, {19, 9, "AA-8", 13}, {19, 10, "AA-8", 13},
    {19, 11, "AA-8", 13}, {19, 12, "AA-8", 13}, {19, 13, "AA-7", 13},
};
// clang-format on

State sta(int n) { return state_from_number(n).value(); }
Event evt(int n) { return event_from_number(n).value(); }

std::string cell_name(int e, int s) {
    return "Evt" + std::to_string(e) + " in Sta" + std::to_string(s);
}

TEST(ul_state_table, ExpectedListIsWellFormed) {
    // 123 cells, each (event, state) once: a typo in the list above shows here.
    EXPECT_EQ(kStandard.size(), 123u);
    std::set<std::pair<int, int>> seen;
    for (const Cell& c : kStandard) {
        EXPECT_TRUE(seen.insert({c.evt, c.sta}).second) << "duplicate " << cell_name(c.evt, c.sta);
        EXPECT_TRUE(c.evt >= 1 && c.evt <= 19);
        EXPECT_TRUE(c.sta >= 1 && c.sta <= 13);
    }
}

TEST(ul_state_table, EveryNonEmptyCellMatchesTheStandard) {
    for (const Cell& c : kStandard) {
        SCOPED_TRACE(cell_name(c.evt, c.sta));
        const auto t = step(sta(c.sta), evt(c.evt));
        ASSERT_TRUE(t.has_value());
        EXPECT_EQ(to_string(t->action), c.action);
        if (c.alt == 0) {
            ASSERT_TRUE(t->next.has_value());
            EXPECT_EQ(number(*t->next), c.next);
        } else {
            // A conditional action: no next state until the driver resolves it.
            EXPECT_FALSE(t->next.has_value());
            EXPECT_TRUE(is_conditional(t->action));
        }
    }
}

TEST(ul_state_table, ConditionalCellsResolveToBothBranches) {
    const auto ae6 = step(State::Sta2, Event::AssociateRqPdu);
    ASSERT_TRUE(ae6);
    EXPECT_EQ(ae6->action, Action::AE_6);
    EXPECT_EQ(resolve(ae6->action, Condition::Acceptable), State::Sta3);
    EXPECT_EQ(resolve(ae6->action, Condition::NotAcceptable), State::Sta13);

    const auto ar8 = step(State::Sta7, Event::ReleaseRqPdu);
    ASSERT_TRUE(ar8);
    EXPECT_EQ(ar8->action, Action::AR_8);
    EXPECT_EQ(resolve(ar8->action, Condition::Requestor), State::Sta9);
    EXPECT_EQ(resolve(ar8->action, Condition::Acceptor), State::Sta10);

    // The expected list's two branches agree with resolve().
    for (const Cell& c : kStandard) {
        if (c.alt == 0) continue;
        const Action a = step(sta(c.sta), evt(c.evt))->action;
        const bool ae6_cell = a == Action::AE_6;
        EXPECT_EQ(number(*resolve(a, ae6_cell ? Condition::Acceptable : Condition::Requestor)),
                  c.next);
        EXPECT_EQ(number(*resolve(a, ae6_cell ? Condition::NotAcceptable : Condition::Acceptor)),
                  c.alt);
    }
}

TEST(ul_state_table, ResolveRefusesWhatDoesNotApply) {
    EXPECT_FALSE(resolve(Action::AE_6, Condition::Requestor));
    EXPECT_FALSE(resolve(Action::AE_6, Condition::Acceptor));
    EXPECT_FALSE(resolve(Action::AR_8, Condition::Acceptable));
    EXPECT_FALSE(resolve(Action::AR_8, Condition::NotAcceptable));
    for (Action a : kAllActions) {
        if (is_conditional(a)) continue;
        EXPECT_FALSE(resolve(a, Condition::Acceptable)) << to_string(a);
        EXPECT_FALSE(resolve(a, Condition::Requestor)) << to_string(a);
        EXPECT_TRUE(next_state(a)) << to_string(a);
    }
    EXPECT_FALSE(next_state(Action::AE_6));
    EXPECT_FALSE(next_state(Action::AR_8));
}

TEST(ul_state_table, EveryOtherCellIsEmpty) {
    std::set<std::pair<int, int>> listed;
    for (const Cell& c : kStandard) listed.insert({c.evt, c.sta});
    int empty = 0;
    for (Event e : kAllEvents) {
        for (State s : kAllStates) {
            if (listed.count({number(e), number(s)})) continue;
            ++empty;
            EXPECT_FALSE(step(s, e).has_value()) << cell_name(number(e), number(s));
        }
    }
    EXPECT_EQ(empty, 124);
    EXPECT_EQ(empty + static_cast<int>(kStandard.size()), 19 * 13);
}

TEST(ul_state_table, NoPduEventInSta1OrSta4) {
    // No transport connection is open in Sta1 and Sta4, so no PDU can arrive (Evt3, 4, 6, 10, 12,
    // 13, 16, 19): those cells are empty.
    for (int e : {3, 4, 6, 10, 12, 13, 16, 19}) {
        EXPECT_FALSE(step(State::Sta1, evt(e))) << e;
        EXPECT_FALSE(step(State::Sta4, evt(e))) << e;
    }
}

TEST(ul_state_table, StepIsConstexpr) {
    static_assert(step(State::Sta1, Event::AssociateRequest) ==
                  Transition{Action::AE_1, State::Sta4});
    static_assert(!step(State::Sta7, Event::PDataRequest));
    static_assert(resolve(Action::AR_8, Condition::Acceptor) == State::Sta10);
    SUCCEED();
}

// Runs a sequence of (event, condition if the action needs one) from `start`, checking each
// action and state against what the standard says, and returns the final state.
struct Expect {
    Event event;
    Action action;
    State next;
    std::optional<Condition> condition = std::nullopt;
};

State run(State start, const std::vector<Expect>& steps) {
    State state = start;
    for (const Expect& x : steps) {
        SCOPED_TRACE(std::string(to_string(x.event)) + " in " + std::string(to_string(state)));
        const auto t = step(state, x.event);
        if (!t) {
            ADD_FAILURE() << "empty cell";
            return state;
        }
        EXPECT_EQ(t->action, x.action) << to_string(t->action);
        std::optional<State> next = t->next;
        if (x.condition) {
            EXPECT_FALSE(next.has_value());
            next = resolve(t->action, *x.condition);
        }
        if (!next) {
            ADD_FAILURE() << "no next state for " << to_string(t->action);
            return state;
        }
        EXPECT_EQ(*next, x.next) << to_string(*next);
        state = *next;
    }
    return state;
}

TEST(ul_state_sequence, RequestorAssociateTransferRelease) {
    const State end = run(State::Sta1, {
                                           {Event::AssociateRequest, Action::AE_1, State::Sta4},
                                           {Event::TransportConfirm, Action::AE_2, State::Sta5},
                                           {Event::AssociateAcPdu, Action::AE_3, State::Sta6},
                                           {Event::PDataRequest, Action::DT_1, State::Sta6},
                                           {Event::PDataTfPdu, Action::DT_2, State::Sta6},
                                           {Event::ReleaseRequest, Action::AR_1, State::Sta7},
                                           {Event::PDataTfPdu, Action::AR_6, State::Sta7},
                                           {Event::ReleaseRpPdu, Action::AR_3, State::Sta1},
                                       });
    EXPECT_EQ(end, State::Sta1);
}

TEST(ul_state_sequence, RequestorRejected) {
    EXPECT_EQ(run(State::Sta1,
                  {
                      {Event::AssociateRequest, Action::AE_1, State::Sta4},
                      {Event::TransportConfirm, Action::AE_2, State::Sta5},
                      {Event::AssociateRjPdu, Action::AE_4, State::Sta1},
                  }),
              State::Sta1);
}

TEST(ul_state_sequence, AcceptorAssociateTransferRelease) {
    const State end = run(
        State::Sta1, {
                         {Event::TransportIndication, Action::AE_5, State::Sta2},
                         {Event::AssociateRqPdu, Action::AE_6, State::Sta3, Condition::Acceptable},
                         {Event::AssociateAccept, Action::AE_7, State::Sta6},
                         {Event::PDataTfPdu, Action::DT_2, State::Sta6},
                         {Event::PDataRequest, Action::DT_1, State::Sta6},
                         {Event::ReleaseRqPdu, Action::AR_2, State::Sta8},
                         {Event::PDataRequest, Action::AR_7, State::Sta8},
                         {Event::ReleaseResponse, Action::AR_4, State::Sta13},
                         {Event::TransportClosed, Action::AR_5, State::Sta1},
                     });
    EXPECT_EQ(end, State::Sta1);
}

TEST(ul_state_sequence, AcceptorRejectsByProviderAndByUser) {
    // The service-provider finds the A-ASSOCIATE-RQ unacceptable (AE-6 "otherwise").
    EXPECT_EQ(run(State::Sta1,
                  {
                      {Event::TransportIndication, Action::AE_5, State::Sta2},
                      {Event::AssociateRqPdu, Action::AE_6, State::Sta13, Condition::NotAcceptable},
                      {Event::TransportClosed, Action::AR_5, State::Sta1},
                  }),
              State::Sta1);
    // The local user rejects it; the peer never closes and ARTIM expires.
    EXPECT_EQ(run(State::Sta2,
                  {
                      {Event::AssociateRqPdu, Action::AE_6, State::Sta3, Condition::Acceptable},
                      {Event::AssociateReject, Action::AE_8, State::Sta13},
                      {Event::ArtimExpired, Action::AA_2, State::Sta1},
                  }),
              State::Sta1);
}

TEST(ul_state_sequence, ReleaseCollisionOnTheRequestorSide) {
    // Both sides sent A-RELEASE-RQ; the association-requestor answers first (Sta9 -> Sta11).
    EXPECT_EQ(run(State::Sta6,
                  {
                      {Event::ReleaseRequest, Action::AR_1, State::Sta7},
                      {Event::ReleaseRqPdu, Action::AR_8, State::Sta9, Condition::Requestor},
                      {Event::ReleaseResponse, Action::AR_9, State::Sta11},
                      {Event::ReleaseRpPdu, Action::AR_3, State::Sta1},
                  }),
              State::Sta1);
}

TEST(ul_state_sequence, ReleaseCollisionOnTheAcceptorSide) {
    // The association-acceptor waits for the requestor's A-RELEASE-RP first (Sta10 -> Sta12).
    EXPECT_EQ(run(State::Sta6,
                  {
                      {Event::ReleaseRequest, Action::AR_1, State::Sta7},
                      {Event::ReleaseRqPdu, Action::AR_8, State::Sta10, Condition::Acceptor},
                      {Event::ReleaseRpPdu, Action::AR_10, State::Sta12},
                      {Event::ReleaseResponse, Action::AR_4, State::Sta13},
                      {Event::TransportClosed, Action::AR_5, State::Sta1},
                  }),
              State::Sta1);
}

TEST(ul_state_sequence, ReleaseCollisionStatesRejectUnexpectedPdus) {
    // In every collision state a PDU that does not belong there is a provider abort (AA-8).
    for (State s : {State::Sta9, State::Sta10, State::Sta11, State::Sta12}) {
        SCOPED_TRACE(to_string(s));
        for (Event e : {Event::AssociateRqPdu, Event::PDataTfPdu, Event::ReleaseRqPdu}) {
            EXPECT_EQ(step(s, e), (Transition{Action::AA_8, State::Sta13}));
        }
    }
    // Only Sta10 and Sta11 await an A-RELEASE-RP; only Sta9 and Sta12 a local response.
    EXPECT_EQ(step(State::Sta9, Event::ReleaseRpPdu)->action, Action::AA_8);
    EXPECT_EQ(step(State::Sta12, Event::ReleaseRpPdu)->action, Action::AA_8);
    EXPECT_FALSE(step(State::Sta10, Event::ReleaseResponse));
    EXPECT_FALSE(step(State::Sta11, Event::ReleaseResponse));
}

TEST(ul_state_sequence, LocalAbortFromEveryState) {
    // Evt15: where a connection is open and the user knows of the association, AA-1 to Sta13;
    // in Sta4 the connection is not open yet, so AA-2 straight to Sta1.
    for (State s : kAllStates) {
        SCOPED_TRACE(to_string(s));
        const auto t = step(s, Event::AbortRequest);
        switch (s) {
            case State::Sta1:   // nothing to abort
            case State::Sta2:   // the local user has not been told of the association yet
            case State::Sta13:  // the association no longer exists
                EXPECT_FALSE(t);
                break;
            case State::Sta4:
                EXPECT_EQ(t, (Transition{Action::AA_2, State::Sta1}));
                break;
            default:
                EXPECT_EQ(t, (Transition{Action::AA_1, State::Sta13}));
                // ... then the peer closes the connection, or ARTIM expires.
                EXPECT_EQ(step(State::Sta13, Event::TransportClosed),
                          (Transition{Action::AR_5, State::Sta1}));
                EXPECT_EQ(step(State::Sta13, Event::ArtimExpired),
                          (Transition{Action::AA_2, State::Sta1}));
        }
    }
}

TEST(ul_state_sequence, PeerAbortAndLostConnectionFromEveryState) {
    for (State s : kAllStates) {
        SCOPED_TRACE(to_string(s));
        const auto abort_pdu = step(s, Event::AbortPdu);
        const auto closed = step(s, Event::TransportClosed);
        if (s == State::Sta1) {
            EXPECT_FALSE(abort_pdu);
            EXPECT_FALSE(closed);
            continue;
        }
        // Every open connection ends in Sta1 when it is closed under the machine.
        ASSERT_TRUE(closed);
        EXPECT_EQ(closed->next, State::Sta1);
        if (s == State::Sta4) {
            EXPECT_FALSE(abort_pdu);  // no connection yet: no PDU
            continue;
        }
        ASSERT_TRUE(abort_pdu);
        EXPECT_EQ(abort_pdu->next, State::Sta1);
        // Only where the local user knows of the association is it told (AA-3).
        const bool user_knows = s != State::Sta2 && s != State::Sta13;
        EXPECT_EQ(abort_pdu->action, user_knows ? Action::AA_3 : Action::AA_2);
    }
    EXPECT_EQ(step(State::Sta2, Event::TransportClosed)->action, Action::AA_5);
    EXPECT_EQ(step(State::Sta6, Event::TransportClosed)->action, Action::AA_4);
    EXPECT_EQ(step(State::Sta13, Event::TransportClosed)->action, Action::AR_5);
}

TEST(ul_state_sequence, ArtimExpiry) {
    // The timer runs only in Sta2 (awaiting A-ASSOCIATE-RQ) and Sta13 (awaiting close).
    for (State s : kAllStates) {
        const bool runs = s == State::Sta2 || s == State::Sta13;
        const auto t = step(s, Event::ArtimExpired);
        EXPECT_EQ(t.has_value(), runs) << to_string(s);
        if (runs) {
            EXPECT_EQ(t, (Transition{Action::AA_2, State::Sta1}));
        }
    }
    // A peer that connects and never sends an A-ASSOCIATE-RQ.
    EXPECT_EQ(run(State::Sta1,
                  {
                      {Event::TransportIndication, Action::AE_5, State::Sta2},
                      {Event::ArtimExpired, Action::AA_2, State::Sta1},
                  }),
              State::Sta1);
    // A peer that never closes after our A-RELEASE-RP.
    EXPECT_EQ(run(State::Sta6,
                  {
                      {Event::ReleaseRqPdu, Action::AR_2, State::Sta8},
                      {Event::ReleaseResponse, Action::AR_4, State::Sta13},
                      {Event::ArtimExpired, Action::AA_2, State::Sta1},
                  }),
              State::Sta1);
}

TEST(ul_state_sequence, ArtimRunsExactlyInSta2AndSta13) {
    // Every way into Sta2 or Sta13 from elsewhere is an action that starts the timer, and every
    // way out of them is one that stops it (from the action definitions of Tables 9-6..9-9).
    const std::set<Action> starts = {Action::AE_5, Action::AE_6, Action::AE_8,
                                     Action::AR_4, Action::AA_1, Action::AA_8};
    const std::set<Action> stops = {Action::AE_6, Action::AA_2, Action::AA_5, Action::AR_5};
    auto timed = [](State s) { return s == State::Sta2 || s == State::Sta13; };
    constexpr Condition kConditions[] = {Condition::Acceptable, Condition::NotAcceptable,
                                         Condition::Requestor, Condition::Acceptor};
    int checked = 0;
    for (Event e : kAllEvents) {
        for (State s : kAllStates) {
            const auto t = step(s, e);
            if (!t) continue;
            SCOPED_TRACE(std::string(to_string(e)) + " in " + std::string(to_string(s)));
            std::vector<State> nexts;
            if (t->next) nexts.push_back(*t->next);
            for (Condition c : kConditions) {
                if (const auto n = resolve(t->action, c)) nexts.push_back(*n);
            }
            ASSERT_FALSE(nexts.empty());
            for (State next : nexts) {
                ++checked;
                if (!timed(s) && timed(next)) {
                    EXPECT_TRUE(starts.count(t->action)) << to_string(t->action);
                }
                if (timed(s) && !timed(next)) {
                    EXPECT_TRUE(stops.count(t->action)) << to_string(t->action);
                }
            }
        }
    }
    EXPECT_EQ(checked, 125);  // 123 cells, two of them with two branches
}

TEST(ul_state_sequence, UnrecognizedPduInSta6) {
    EXPECT_EQ(run(State::Sta6,
                  {
                      {Event::InvalidPdu, Action::AA_8, State::Sta13},
                      // Further PDUs are ignored, a new A-ASSOCIATE-RQ or garbage is answered
                      // with A-ABORT, until the peer closes.
                      {Event::PDataTfPdu, Action::AA_6, State::Sta13},
                      {Event::AssociateRqPdu, Action::AA_7, State::Sta13},
                      {Event::InvalidPdu, Action::AA_7, State::Sta13},
                      {Event::TransportClosed, Action::AR_5, State::Sta1},
                  }),
              State::Sta1);
}

TEST(ul_state_names, StandardSpellings) {
    EXPECT_EQ(to_string(State::Sta1), "Sta1");
    EXPECT_EQ(to_string(State::Sta13), "Sta13");
    EXPECT_EQ(to_string(Event::AssociateRequest), "Evt1");
    EXPECT_EQ(to_string(Event::InvalidPdu), "Evt19");
    EXPECT_EQ(to_string(Action::AE_1), "AE-1");
    EXPECT_EQ(to_string(Action::DT_2), "DT-2");
    EXPECT_EQ(to_string(Action::AR_10), "AR-10");
    EXPECT_EQ(to_string(Action::AA_8), "AA-8");
    EXPECT_EQ(to_string(Condition::Requestor), "Requestor");

    // All 28 actions of Tables 9-6..9-9, in order.
    const std::vector<std::string_view> actions = {
        "AE-1", "AE-2", "AE-3", "AE-4", "AE-5", "AE-6", "AE-7", "AE-8", "DT-1", "DT-2",
        "AR-1", "AR-2", "AR-3", "AR-4", "AR-5", "AR-6", "AR-7", "AR-8", "AR-9", "AR-10",
        "AA-1", "AA-2", "AA-3", "AA-4", "AA-5", "AA-6", "AA-7", "AA-8"};
    ASSERT_EQ(kAllActions.size(), actions.size());
    for (std::size_t i = 0; i < actions.size(); ++i) {
        EXPECT_EQ(to_string(kAllActions[i]), actions[i]);
    }
    for (State s : kAllStates) {
        EXPECT_EQ(to_string(s), "Sta" + std::to_string(number(s)));
    }
    for (Event e : kAllEvents) {
        EXPECT_EQ(to_string(e), "Evt" + std::to_string(number(e)));
    }
}

TEST(ul_state_names, NumbersRoundTrip) {
    for (int n = 1; n <= 13; ++n) EXPECT_EQ(number(*state_from_number(n)), n);
    for (int n = 1; n <= 19; ++n) EXPECT_EQ(number(*event_from_number(n)), n);
    EXPECT_FALSE(state_from_number(0));
    EXPECT_FALSE(state_from_number(14));
    EXPECT_FALSE(event_from_number(0));
    EXPECT_FALSE(event_from_number(20));
    EXPECT_EQ(event_from_number(12), Event::ReleaseRqPdu);
    EXPECT_EQ(event_from_number(18), Event::ArtimExpired);
}

TEST(ul_state_names, DescriptionsQuoteTheStandard) {
    EXPECT_EQ(describe(State::Sta1), "Idle");
    EXPECT_EQ(describe(State::Sta7), "Awaiting A-RELEASE-RP PDU");
    EXPECT_EQ(describe(State::Sta13),
              "Awaiting Transport Connection Close Indication (Association no longer exists)");
    EXPECT_EQ(describe(Event::TransportConfirm),
              "Transport Conn. Confirm (local transport service)");
    EXPECT_EQ(describe(Event::InvalidPdu), "Unrecognized or invalid PDU received");
    EXPECT_NE(describe(Action::AE_6).find("Sta3"), std::string_view::npos);
    EXPECT_NE(describe(Action::AE_6).find("Sta13"), std::string_view::npos);
    EXPECT_NE(describe(Action::AR_8).find("Sta9"), std::string_view::npos);
    EXPECT_NE(describe(Action::AR_8).find("Sta10"), std::string_view::npos);
    EXPECT_NE(describe(Action::AA_6).find("Ignore PDU"), std::string_view::npos);

    // Each text is distinct, but for AR-5 and AA-5, which the standard defines in the same words
    // (one is used in Sta13, the other in Sta2); each unconditional action's text names its next
    // state.
    EXPECT_EQ(describe(Action::AR_5), describe(Action::AA_5));
    std::set<std::string_view> texts;
    for (State s : kAllStates) EXPECT_TRUE(texts.insert(describe(s)).second) << to_string(s);
    for (Event e : kAllEvents) EXPECT_TRUE(texts.insert(describe(e)).second) << to_string(e);
    for (Action a : kAllActions) {
        if (a != Action::AA_5) {
            EXPECT_TRUE(texts.insert(describe(a)).second) << to_string(a);
        }
        if (const auto next = next_state(a)) {
            const std::string tail = "next state is " + std::string(to_string(*next));
            const std::string_view text = describe(a);
            EXPECT_TRUE(text.size() >= tail.size() &&
                        text.substr(text.size() - tail.size()) == tail)
                << to_string(a) << ": " << text;
        }
    }
}

}  // namespace
}  // namespace dicomkit::net::ul
