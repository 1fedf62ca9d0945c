// Names and texts of the PS3.8 Upper Layer states, events and actions, for tracing.
#include <dicomkit/net/ul/state_machine.hpp>

namespace dicomkit::net::ul {
namespace {

// Facts about PS3.8 Table 9-10 that hold for any faithful copy of it; checked when this file
// compiles so a slip in the table breaks the build, not a peer's association.

constexpr std::size_t count_cells() {
    std::size_t n = 0;
    for (Event e : kAllEvents) {
        for (State s : kAllStates) {
            if (step(s, e)) ++n;
        }
    }
    return n;
}
static_assert(count_cells() == 123, "Table 9-10 has 123 non-empty cells out of 19 x 13");

// Only AE-6 and AR-8 leave the next state open, and every cell has one otherwise.
constexpr bool next_set_unless_conditional() {
    for (Event e : kAllEvents) {
        for (State s : kAllStates) {
            const auto t = step(s, e);
            if (t && t->next.has_value() == is_conditional(t->action)) return false;
        }
    }
    return true;
}
static_assert(next_set_unless_conditional());

// Every action of Tables 9-6..9-9 appears somewhere in Table 9-10.
constexpr bool every_action_used() {
    for (Action a : kAllActions) {
        bool used = false;
        for (Event e : kAllEvents) {
            for (State s : kAllStates) {
                const auto t = step(s, e);
                if (t && t->action == a) used = true;
            }
        }
        if (!used) return false;
    }
    return true;
}
static_assert(every_action_used());

constexpr std::size_t index(Action a) { return static_cast<std::size_t>(a); }

// Tables 9-1..9-5, indexed by state number - 1.
constexpr std::array<std::string_view, kStateCount> kStateNames = {
    "Sta1", "Sta2", "Sta3",  "Sta4",  "Sta5",  "Sta6",  "Sta7",
    "Sta8", "Sta9", "Sta10", "Sta11", "Sta12", "Sta13",
};
constexpr std::array<std::string_view, kStateCount> kStateTexts = {
    "Idle",
    "Transport connection open (Awaiting A-ASSOCIATE-RQ PDU)",
    "Awaiting local A-ASSOCIATE response primitive (from local user)",
    "Awaiting transport connection opening to complete (from local transport service)",
    "Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU",
    "Association established and ready for data transfer",
    "Awaiting A-RELEASE-RP PDU",
    "Awaiting local A-RELEASE response primitive (from local user)",
    "Release collision requestor side; awaiting A-RELEASE response (from local user)",
    "Release collision acceptor side; awaiting A-RELEASE-RP PDU",
    "Release collision requestor side; awaiting A-RELEASE-RP PDU",
    "Release collision acceptor side; awaiting A-RELEASE response primitive (from local user)",
    "Awaiting Transport Connection Close Indication (Association no longer exists)",
};

// Table 9-10's rows, indexed by event number - 1.
constexpr std::array<std::string_view, kEventCount> kEventNames = {
    "Evt1",  "Evt2",  "Evt3",  "Evt4",  "Evt5",  "Evt6",  "Evt7",  "Evt8",  "Evt9",  "Evt10",
    "Evt11", "Evt12", "Evt13", "Evt14", "Evt15", "Evt16", "Evt17", "Evt18", "Evt19",
};
constexpr std::array<std::string_view, kEventCount> kEventTexts = {
    "A-ASSOCIATE Request (local user)",
    "Transport Conn. Confirm (local transport service)",
    "A-ASSOCIATE-AC PDU (received on transport connection)",
    "A-ASSOCIATE-RJ PDU (received on transport connection)",
    "Transport Connection Indication (local transport service)",
    "A-ASSOCIATE-RQ PDU (received on transport connection)",
    "A-ASSOCIATE response primitive (accept)",
    "A-ASSOCIATE response primitive (reject)",
    "P-DATA request primitive",
    "P-DATA-TF PDU",
    "A-RELEASE Request primitive",
    "A-RELEASE-RQ PDU (received on open transport connection)",
    "A-RELEASE-RP PDU (received on transport connection)",
    "A-RELEASE Response primitive",
    "A-ABORT Request primitive",
    "A-ABORT PDU (received on open transport connection)",
    "Transport connection closed indication (local transport service)",
    "ARTIM timer expired (Association reject/release timer)",
    "Unrecognized or invalid PDU received",
};

// Tables 9-6..9-9, in Action order.
constexpr std::array<std::string_view, kActionCount> kActionNames = {
    "AE-1", "AE-2", "AE-3", "AE-4", "AE-5", "AE-6", "AE-7", "AE-8", "DT-1", "DT-2",
    "AR-1", "AR-2", "AR-3", "AR-4", "AR-5", "AR-6", "AR-7", "AR-8", "AR-9", "AR-10",
    "AA-1", "AA-2", "AA-3", "AA-4", "AA-5", "AA-6", "AA-7", "AA-8",
};
constexpr std::array<std::string_view, kActionCount> kActionTexts = {
    "Issue TRANSPORT CONNECT request primitive to local transport service; next state is Sta4",
    "Send A-ASSOCIATE-RQ PDU; next state is Sta5",
    "Issue A-ASSOCIATE confirmation (accept) primitive; next state is Sta6",
    "Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection; "
    "next state is Sta1",
    "Issue transport connection response primitive; start ARTIM timer; next state is Sta2",
    "Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider: issue A-ASSOCIATE "
    "indication primitive, next state is Sta3; otherwise: issue A-ASSOCIATE-RJ PDU and start "
    "ARTIM timer, next state is Sta13",
    "Send A-ASSOCIATE-AC PDU; next state is Sta6",
    "Send A-ASSOCIATE-RJ PDU and start ARTIM timer; next state is Sta13",
    "Send P-DATA-TF PDU; next state is Sta6",
    "Send P-DATA indication primitive; next state is Sta6",
    "Send A-RELEASE-RQ PDU; next state is Sta7",
    "Issue A-RELEASE indication primitive; next state is Sta8",
    "Issue A-RELEASE confirmation primitive, and close transport connection; next state is Sta1",
    "Issue A-RELEASE-RP PDU and start ARTIM timer; next state is Sta13",
    "Stop ARTIM timer; next state is Sta1",
    "Issue P-DATA indication; next state is Sta7",
    "Issue P-DATA-TF PDU; next state is Sta8",
    "Issue A-RELEASE indication (release collision): if association-requestor, next state is "
    "Sta9; if not, next state is Sta10",
    "Send A-RELEASE-RP PDU; next state is Sta11",
    "Issue A-RELEASE confirmation primitive; next state is Sta12",
    "Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM "
    "timer; next state is Sta13",
    "Stop ARTIM timer if running. Close transport connection; next state is Sta1",
    "If (service-user initiated abort): issue A-ABORT indication and close transport connection; "
    "otherwise (service-provider initiated abort): issue A-P-ABORT indication and close transport "
    "connection; next state is Sta1",
    "Issue A-P-ABORT indication primitive; next state is Sta1",
    "Stop ARTIM timer; next state is Sta1",
    "Ignore PDU; next state is Sta13",
    "Send A-ABORT PDU; next state is Sta13",
    "Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM "
    "timer; next state is Sta13",
};

template <typename Enum, std::size_t N>
std::string_view lookup(const std::array<std::string_view, N>& texts, Enum value,
                        std::size_t offset) noexcept {
    const auto i = static_cast<std::size_t>(value);
    if (i < offset || i - offset >= N) return "?";
    return texts[i - offset];
}

}  // namespace

std::string_view to_string(State s) noexcept { return lookup(kStateNames, s, 1); }
std::string_view to_string(Event e) noexcept { return lookup(kEventNames, e, 1); }
std::string_view to_string(Action a) noexcept { return lookup(kActionNames, a, 0); }

std::string_view to_string(Condition c) noexcept {
    switch (c) {
        case Condition::Acceptable:
            return "Acceptable";
        case Condition::NotAcceptable:
            return "NotAcceptable";
        case Condition::Requestor:
            return "Requestor";
        case Condition::Acceptor:
            return "Acceptor";
    }
    return "?";
}

std::string_view describe(State s) noexcept { return lookup(kStateTexts, s, 1); }
std::string_view describe(Event e) noexcept { return lookup(kEventTexts, e, 1); }
std::string_view describe(Action a) noexcept { return lookup(kActionTexts, a, 0); }

static_assert(index(Action::AA_8) + 1 == kActionCount);

}  // namespace dicomkit::net::ul
