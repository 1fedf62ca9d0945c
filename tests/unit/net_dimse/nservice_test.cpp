// Dispatch by (command, SOP class), the DIMSE-N messages and services over in-memory channels
// (requests both ways, N-EVENT-REPORT from the SCP on the same association), a C-STORE arriving
// while a C-FIND is answered, and the SCU's transcoder seam.
#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/nservice.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/net/dimse/transcoder.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>

#include "fake_channel.hpp"

using namespace dicomkit;
using namespace dicomkit::net;
using namespace dicomkit::net::dimse;

namespace {

constexpr std::string_view kCt = "1.2.840.10008.5.1.4.1.1.2";
constexpr std::string_view kStudyFind = "1.2.840.10008.5.1.4.1.2.2.1";
constexpr std::string_view kWorklistFind = "1.2.840.10008.5.1.4.31";
/// PS3.4 J.3: Storage Commitment Push Model and its well-known instance.
constexpr std::string_view kCommitment = "1.2.840.10008.1.20.1";
constexpr std::string_view kCommitmentInstance = "1.2.840.10008.1.20.1.1";
constexpr std::string_view kPrinter = "1.2.840.10008.5.1.1.16";  // Printer SOP Class (N-GET)
constexpr std::string_view kFilmSession = "1.2.840.10008.5.1.1.1";

std::vector<ul::AcceptedContext> contexts() {
    return {
        {1, "1.2.840.10008.1.1", "1.2.840.10008.1.2", true, false},
        {3, std::string(kCt), "1.2.840.10008.1.2.1", true, false},
        {5, std::string(kStudyFind), "1.2.840.10008.1.2", true, false},
        {7, std::string(kWorklistFind), "1.2.840.10008.1.2", true, false},
        {9, std::string(kCommitment), "1.2.840.10008.1.2.1", true, false},
        {11, std::string(kPrinter), "1.2.840.10008.1.2", true, false},
        {13, std::string(kFilmSession), "1.2.840.10008.1.2.1", true, false},
    };
}

/// Answers with one match naming which handler it is.
class NamedFind final : public FindHandler {
public:
    explicit NamedFind(std::string name) : name_(std::move(name)) {}
    std::atomic<int> calls{0};
    std::atomic<int> sleep_ms{0};
    Outcome find(const RequestContext&, const Command&, const DataSet&, const Emit& emit) override {
        ++calls;
        DataSet m;
        m.set_string(tags::PatientID, VR::LO, name_);
        for (int waited = 0; waited < sleep_ms; waited += 10) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (!emit(m)) return Outcome{status::Cancel, {}};
        return {};
    }

private:
    std::string name_;
};

class MemoryStore final : public StoreHandler {
public:
    std::atomic<int> stored{0};
    Result<std::unique_ptr<DataSink>> begin(const RequestContext&, const Command&) override {
        return std::unique_ptr<DataSink>(std::make_unique<MemorySink>());
    }
    Outcome end(const RequestContext&, const Command&, std::unique_ptr<DataSink>) override {
        ++stored;
        return {};
    }
};

DataSet commitment_request() {
    DataSet item;
    item.set_string(tags::ReferencedSOPClassUID, VR::UI, kCt);
    item.set_string(tags::ReferencedSOPInstanceUID, VR::UI, "1.2.3.4");
    DataSet ds;
    ds.set_string(tags::TransactionUID, VR::UI, "2.25.1234");
    ds.set(Element(tags::ReferencedSOPSequence, VR::SQ, Sequence{{item}}));
    return ds;
}

/// PS3.4 J.3: a Storage Commitment SCP that answers N-ACTION, then reports the result with
/// N-EVENT-REPORT (event type 1: all committed) on the same association; also takes
/// N-EVENT-REPORTs from the peer (the other direction).
class CommitmentScp final : public NHandler {
public:
    std::mutex m;
    std::optional<std::string> transaction;
    std::optional<std::uint16_t> report_status;
    std::optional<std::uint16_t> received_event;
    std::string received_transaction;
    bool report_before_response = false;  ///< from within the handler rather than after the response

    NReply action(const RequestContext& rc, const NActionRq& rq, const DataSet* info) override {
        if (rq.action_type_id != 1 || !info) return NReply{Outcome{status::ProcessingFailure, "bad action"}, {}, {}};
        DataSet result = *info;
        {
            std::lock_guard lock(m);
            transaction = info->string_or(tags::TransactionUID);
        }
        auto report = [this, result](EventReporter& events) {
            NEventReportRq ev;
            ev.affected_sop_class_uid = std::string(kCommitment);
            ev.affected_sop_instance_uid = std::string(kCommitmentInstance);
            ev.event_type_id = 1;
            auto r = events.report(ev, &result);
            std::lock_guard lock(m);
            report_status = r ? r->response.status : 0xFFFF;
        };
        if (report_before_response) report(*rc.events);
        else rc.events->after_response(report);
        return {};
    }
    NReply event_report(const RequestContext&, const NEventReportRq& rq, const DataSet* info) override {
        std::lock_guard lock(m);
        received_event = rq.event_type_id;
        received_transaction = info ? info->string_or(tags::TransactionUID) : "";
        DataSet reply;
        reply.set_string(tags::TransactionUID, VR::UI, received_transaction);
        return NReply{{}, reply, {}};
    }
};

/// N-GET, N-SET, N-CREATE, N-DELETE on one in-memory "instance" per SOP Instance UID.
class Objects final : public NHandler {
public:
    std::mutex m;
    std::map<std::string, DataSet> objects;
    int created = 0;

    NReply get(const RequestContext&, const NGetRq& rq) override {
        std::lock_guard lock(m);
        auto it = objects.find(rq.requested_sop_instance_uid);
        if (it == objects.end()) return NReply{Outcome{status::NoSuchSOPInstance, "no such instance"}, {}, {}};
        if (rq.attribute_identifiers.empty()) return NReply{{}, it->second, {}};
        DataSet out;
        for (Tag t : rq.attribute_identifiers)
            if (const Element* e = it->second.find(t)) out.set(*e);
        return NReply{{}, out, {}};
    }
    NReply set(const RequestContext&, const NSetRq& rq, const DataSet& mods) override {
        std::lock_guard lock(m);
        auto it = objects.find(rq.requested_sop_instance_uid);
        if (it == objects.end()) return NReply{Outcome{status::NoSuchSOPInstance, "no such instance"}, {}, {}};
        for (const Element& e : mods) it->second.set(e);
        return {};
    }
    NReply create(const RequestContext&, const NCreateRq& rq, const DataSet* attrs) override {
        std::lock_guard lock(m);
        std::string uid = rq.affected_sop_instance_uid.empty() ? "2.25." + std::to_string(++created)
                                                               : rq.affected_sop_instance_uid;
        objects[uid] = attrs ? *attrs : DataSet{};
        return NReply{{}, std::nullopt, rq.affected_sop_instance_uid.empty() ? uid : std::string()};
    }
    NReply remove(const RequestContext&, const NDeleteRq& rq) override {
        std::lock_guard lock(m);
        if (objects.erase(rq.requested_sop_instance_uid) == 0)
            return NReply{Outcome{status::NoSuchSOPInstance, "no such instance"}, {}, {}};
        return {};
    }
};

struct Fixture {
    test::ChannelPair pair{contexts()};
    Dispatcher dispatcher;
    std::thread scp;
    Result<ServeSummary> summary = make_error(ErrorCode::Ok, "not run");

    void start() {
        scp = std::thread([this] { summary = serve(pair.scp, dispatcher); });
    }
    ~Fixture() {
        if (scp.joinable()) {
            pair.scp.inject(ul::Incoming::Kind::ReleaseRequested);
            scp.join();
        }
    }
};

Command find_request(std::uint16_t id, std::string_view cls) {
    Command c;
    c.field = CommandField::C_FIND_RQ;
    c.message_id = id;
    c.affected_sop_class_uid = std::string(cls);
    c.priority = 0;
    c.has_dataset = true;
    return c;
}

/// Sends a C-FIND and collects the PatientIDs of its matches and the final status.
std::pair<std::vector<std::string>, std::uint16_t> run_find(test::FakeChannel& ch, std::uint8_t ctx,
                                                            std::string_view cls, std::uint16_t id) {
    DataSet q;
    q.set_string(tags::PatientID, VR::LO, "");
    auto bytes = io::encode_dataset(q, io::ts::ImplicitVRLittleEndian);
    MemorySource src{std::span<const std::uint8_t>(*bytes)};
    EXPECT_TRUE(send_message(ch, ctx, find_request(id, cls), &src));
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) {
        auto m = receive_message(ch, ul::Millis(5000));
        if (!m) return {ids, 0xFFFF};
        if (m->command.status != status::Pending) return {ids, *m->command.status};
        auto* sink = dynamic_cast<MemorySink*>(m->dataset.get());
        auto ds = io::read_dataset(sink->bytes(), io::ts::ImplicitVRLittleEndian);
        ids.push_back(ds->string_or(tags::PatientID));
    }
    return {ids, 0xFFFF};
}

}  // namespace

// ---- the registry ----

TEST(DispatchRegistry, TwoFindHandlersForDifferentClassesAreBothReached) {
    Fixture f;
    auto qr = std::make_shared<NamedFind>("qr");
    auto worklist = std::make_shared<NamedFind>("worklist");
    f.dispatcher.on_find(qr, {std::string(kStudyFind)});
    f.dispatcher.on_find(worklist, {std::string(kWorklistFind)});
    f.start();
    auto a = run_find(f.pair.scu, 5, kStudyFind, 1);
    auto b = run_find(f.pair.scu, 7, kWorklistFind, 2);
    EXPECT_EQ(a.first, std::vector<std::string>{"qr"});
    EXPECT_EQ(a.second, status::Success);
    EXPECT_EQ(b.first, std::vector<std::string>{"worklist"});
    EXPECT_EQ(b.second, status::Success);
    EXPECT_EQ(qr->calls.load(), 1);
    EXPECT_EQ(worklist->calls.load(), 1);
}

TEST(DispatchRegistry, RegisteringAKeyTwiceThrows) {
    Dispatcher d;
    d.on_find(std::make_shared<NamedFind>("a"), {std::string(kStudyFind)});
    EXPECT_THROW(d.on_find(std::make_shared<NamedFind>("b"), {std::string(kStudyFind)}), std::invalid_argument);
    d.on_store(std::make_shared<MemoryStore>());
    EXPECT_THROW(d.on_store(std::make_shared<MemoryStore>()), std::invalid_argument);
    d.on_echo(std::make_shared<SuccessEchoHandler>());
    EXPECT_THROW(d.on_echo(std::make_shared<SuccessEchoHandler>()), std::invalid_argument);
    auto n = std::make_shared<CommitmentScp>();
    d.on_n(CommandField::N_ACTION_RQ, n, {std::string(kCommitment)});
    EXPECT_THROW(d.on_n(CommandField::N_ACTION_RQ, n, {std::string(kCommitment)}), std::invalid_argument);
    EXPECT_THROW(d.on_n(CommandField::C_FIND_RQ, n, {std::string(kCommitment)}), std::invalid_argument);
    // The same handler for another command on the class is another key.
    EXPECT_NO_THROW(d.on_n(CommandField::N_EVENT_REPORT_RQ, n, {std::string(kCommitment)}));
    // The first registration still routes.
    EXPECT_NE(d.route(CommandField::C_FIND_RQ, kStudyFind).find, nullptr);
}

TEST(DispatchRegistry, UnregisteredClassOrCommandIsRefused) {
    Dispatcher d;
    d.on_find(std::make_shared<NamedFind>("qr"), {std::string(kStudyFind)});
    d.on_n(CommandField::N_ACTION_RQ, std::make_shared<CommitmentScp>(), {std::string(kCommitment)});
    EXPECT_EQ(d.route(CommandField::C_FIND_RQ, kWorklistFind).status, status::SOPClassNotSupported);
    EXPECT_EQ(d.route(CommandField::C_MOVE_RQ, kStudyFind).status, status::UnrecognizedOperation);
    EXPECT_EQ(d.route(CommandField::N_ACTION_RQ, kFilmSession).status, status::SOPClassNotSupported);
    EXPECT_EQ(d.route(CommandField::N_SET_RQ, kCommitment).status, status::UnrecognizedOperation);
    EXPECT_NE(d.route(CommandField::N_ACTION_RQ, kCommitment).n, nullptr);
    EXPECT_EQ(d.route(CommandField::C_STORE_RQ, kCt).status, status::UnrecognizedOperation);
}

TEST(DispatchRegistry, StoreWildcardTakesWhatNoClassHandlerTakes) {
    Dispatcher d;
    auto any = std::make_shared<MemoryStore>();
    auto ct = std::make_shared<MemoryStore>();
    d.on_store(any);
    d.on_store(ct, {std::string(kCt)});
    EXPECT_EQ(d.route(CommandField::C_STORE_RQ, kCt).store, ct.get());
    EXPECT_EQ(d.route(CommandField::C_STORE_RQ, "1.2.840.10008.5.1.4.1.1.4").store, any.get());
    // The wildcard is for C-STORE only.
    d.on_find(std::make_shared<NamedFind>("x"), {std::string(kAnySopClass)});
    EXPECT_EQ(d.route(CommandField::C_FIND_RQ, kStudyFind).status, status::SOPClassNotSupported);
}

TEST(DispatchRegistry, NRequestToAnUnregisteredClassGets0122OverTheWire) {
    Fixture f;
    f.dispatcher.on_n(CommandField::N_ACTION_RQ, std::make_shared<CommitmentScp>(), {std::string(kCommitment)});
    f.start();
    NDeleteRq rq{3, std::string(kFilmSession), "1.2.3"};
    auto r = n_delete(f.pair.scu, rq);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->response.status, status::UnrecognizedOperation);
    NActionRq action{4, std::string(kFilmSession), "1.2.3", 1, false};
    auto a = n_action(f.pair.scu, action, nullptr);
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(a->response.status, status::SOPClassNotSupported);
    EXPECT_EQ(a->response.error_comment, "SOP Class " + std::string(kFilmSession) + " not supported for N-ACTION");
}

// A C-STORE that arrives while a C-FIND is being answered is answered after it, by its handler.
TEST(DispatchRegistry, StoreArrivingDuringAFindStillFindsItsHandler) {
    Fixture f;
    auto find = std::make_shared<NamedFind>("qr");
    find->sleep_ms = 300;
    auto store = std::make_shared<MemoryStore>();
    f.dispatcher.on_find(find, {std::string(kStudyFind)});
    f.dispatcher.on_store(store, {std::string(kCt)});
    f.start();
    DataSet q;
    q.set_string(tags::PatientID, VR::LO, "");
    auto qb = io::encode_dataset(q, io::ts::ImplicitVRLittleEndian);
    MemorySource qs{std::span<const std::uint8_t>(*qb)};
    ASSERT_TRUE(send_message(f.pair.scu, 5, find_request(1, kStudyFind), &qs));
    for (int i = 0; i < 100 && find->calls.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    Command st;
    st.field = CommandField::C_STORE_RQ;
    st.message_id = 2;
    st.affected_sop_class_uid = std::string(kCt);
    st.affected_sop_instance_uid = "1.2.3";
    st.priority = 0;
    st.has_dataset = true;
    Bytes data(16, 0);
    MemorySource ds{std::span<const std::uint8_t>(data)};
    ASSERT_TRUE(send_message(f.pair.scu, 3, st, &ds));
    std::vector<std::pair<CommandField, std::uint16_t>> got;
    for (int i = 0; i < 3; ++i) {
        auto m = receive_message(f.pair.scu, ul::Millis(5000));
        ASSERT_TRUE(m) << m.error().to_string();
        got.emplace_back(m->command.field, m->command.status.value_or(0xFFFF));
    }
    EXPECT_EQ(got[0], std::make_pair(CommandField::C_FIND_RSP, status::Pending));
    EXPECT_EQ(got[1], std::make_pair(CommandField::C_FIND_RSP, status::Success));
    EXPECT_EQ(got[2], std::make_pair(CommandField::C_STORE_RSP, status::Success));
    EXPECT_EQ(store->stored.load(), 1);
}

// ---- the messages ----

template <class M>
void round_trip(const M& m) {
    auto bytes = encode(to_command(m));
    ASSERT_TRUE(bytes) << bytes.error().to_string();
    auto c = decode(*bytes);
    ASSERT_TRUE(c) << c.error().to_string();
    auto back = from_command<M>(*c);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

template <class Rsp>
Rsp response_fields(std::uint16_t st, bool dataset) {
    Rsp r;
    r.message_id_being_responded_to = 7;
    r.affected_sop_class_uid = std::string(kCommitment);
    r.affected_sop_instance_uid = std::string(kCommitmentInstance);
    r.status = st;
    r.error_comment = st == status::Success ? "" : "why";
    r.has_dataset = dataset;
    return r;
}

TEST(NMessages, AllSixRoundTripThroughCommandSets) {
    round_trip(NEventReportRq{9, std::string(kCommitment), std::string(kCommitmentInstance), 2, true});
    auto er = response_fields<NEventReportRsp>(status::Success, false);
    er.event_type_id = 2;
    round_trip(er);
    round_trip(NGetRq{10, std::string(kPrinter), "1.2.840.10008.5.1.1.17", {Tag(0x2110, 0x0010), Tag(0x0008, 0x0070)}});
    round_trip(response_fields<NGetRsp>(status::Success, true));
    round_trip(NSetRq{11, std::string(kFilmSession), "1.2.3"});
    round_trip(response_fields<NSetRsp>(status::NoSuchSOPInstance, false));
    round_trip(NActionRq{12, std::string(kCommitment), std::string(kCommitmentInstance), 1, true});
    auto ar = response_fields<NActionRsp>(status::Success, false);
    ar.action_type_id = 1;
    round_trip(ar);
    round_trip(NCreateRq{13, std::string(kFilmSession), "", true});
    round_trip(NCreateRq{14, std::string(kFilmSession), "1.2.9", false});
    round_trip(response_fields<NCreateRsp>(status::Success, false));
    round_trip(NDeleteRq{15, std::string(kFilmSession), "1.2.3"});
    round_trip(response_fields<NDeleteRsp>(status::ProcessingFailure, false));
}

TEST(NMessages, FieldsLandWherePs37Says) {
    Command c = to_command(NActionRq{12, "1.2", "3.4", 1, true});
    EXPECT_EQ(c.requested_sop_class_uid, "1.2");
    EXPECT_EQ(c.requested_sop_instance_uid, "3.4");
    EXPECT_TRUE(c.affected_sop_class_uid.empty());
    EXPECT_EQ(c.action_type_id, 1);
    EXPECT_EQ(sop_class_of(c), "1.2");
    Command e = to_command(NEventReportRq{1, "5.6", "7.8", 2, false});
    EXPECT_EQ(e.affected_sop_class_uid, "5.6");
    EXPECT_EQ(e.event_type_id, 2);
    EXPECT_EQ(sop_class_of(e), "5.6");
    EXPECT_TRUE(to_command(NSetRq{1, "1", "2"}).has_dataset);  // the modification list is required
    // Another command, or a required field missing, is an error.
    EXPECT_FALSE(from_command<NGetRq>(c));
    Command bad = c;
    bad.action_type_id.reset();
    EXPECT_FALSE(from_command<NActionRq>(bad));
}

// ---- the services over a channel pair ----

// PS3.4 J.3: N-ACTION, then the SCP's N-EVENT-REPORT on the same association after the
// N-ACTION-RSP, answered by the SCU.
TEST(NServices, ActionThenEventReportFromTheScp) {
    Fixture f;
    auto scp = std::make_shared<CommitmentScp>();
    f.dispatcher.on_n(CommandField::N_ACTION_RQ, scp, {std::string(kCommitment)});
    f.start();
    std::optional<std::uint16_t> event;
    std::string event_transaction;
    std::size_t references = 0;
    NOptions o;
    o.on_event_report = [&](const NEventReportRq& rq, const DataSet* info) {
        event = rq.event_type_id;
        if (info) {
            event_transaction = info->string_or(tags::TransactionUID);
            if (const Element* e = info->find(tags::ReferencedSOPSequence)) references = e->sequence().items.size();
        }
        return NReply{};
    };
    const DataSet request = commitment_request();
    NActionRq rq{5, std::string(kCommitment), std::string(kCommitmentInstance), 1, true};
    auto r = n_action(f.pair.scu, rq, &request, o);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->response.status, status::Success);
    EXPECT_EQ(r->response.message_id_being_responded_to, 5);
    EXPECT_EQ(r->response.action_type_id, 1);
    EXPECT_EQ(r->response.affected_sop_instance_uid, kCommitmentInstance);
    if (!event) {
        auto n = receive_event_reports(f.pair.scu, o, ul::Millis(5000));
        ASSERT_TRUE(n) << n.error().to_string();
        EXPECT_EQ(*n, 1u);
    }
    ASSERT_TRUE(event);
    EXPECT_EQ(*event, 1);
    EXPECT_EQ(event_transaction, "2.25.1234");
    EXPECT_EQ(references, 1u);
    // The SCP saw the SCU's N-EVENT-REPORT-RSP.
    for (int i = 0; i < 200; ++i) {
        std::lock_guard lock(scp->m);
        if (scp->report_status) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::lock_guard lock(scp->m);
    EXPECT_EQ(scp->transaction, "2.25.1234");
    EXPECT_EQ(scp->report_status, status::Success);
}

// An event report sent from within the handler comes before the N-ACTION-RSP: n_action answers it
// through NOptions::on_event_report while it waits.
TEST(NServices, EventReportBeforeTheActionResponse) {
    Fixture f;
    auto scp = std::make_shared<CommitmentScp>();
    scp->report_before_response = true;
    f.dispatcher.on_n(CommandField::N_ACTION_RQ, scp, {std::string(kCommitment)});
    f.start();
    int events = 0;
    NOptions o;
    o.on_event_report = [&](const NEventReportRq&, const DataSet*) {
        ++events;
        return NReply{Outcome{status::ProcessingFailure, "refused here"}, {}, {}};
    };
    const DataSet request = commitment_request();
    auto r = n_action(f.pair.scu, NActionRq{6, std::string(kCommitment), std::string(kCommitmentInstance), 1, true},
                      &request, o);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->response.status, status::Success);
    EXPECT_EQ(events, 1);
    std::lock_guard lock(scp->m);
    EXPECT_EQ(scp->report_status, status::ProcessingFailure);  // the SCU's answer reached the SCP
}

// The other direction: the SCU sends N-EVENT-REPORT, the SCP's handler answers with a reply.
TEST(NServices, EventReportFromTheScu) {
    Fixture f;
    auto scp = std::make_shared<CommitmentScp>();
    f.dispatcher.on_n(CommandField::N_EVENT_REPORT_RQ, scp, {std::string(kCommitment)});
    f.start();
    const DataSet info = commitment_request();
    NEventReportRq rq{8, std::string(kCommitment), std::string(kCommitmentInstance), 2, false};
    auto r = n_event_report(f.pair.scu, rq, &info);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->response.status, status::Success);
    EXPECT_EQ(r->response.event_type_id, 2);
    ASSERT_TRUE(r->dataset);
    EXPECT_EQ(r->dataset->string_or(tags::TransactionUID), "2.25.1234");
    std::lock_guard lock(scp->m);
    EXPECT_EQ(scp->received_event, 2);
}

TEST(NServices, CreateGetSetDelete) {
    Fixture f;
    auto objects = std::make_shared<Objects>();
    for (auto field : {CommandField::N_CREATE_RQ, CommandField::N_GET_RQ, CommandField::N_SET_RQ,
                       CommandField::N_DELETE_RQ})
        f.dispatcher.on_n(field, objects, {std::string(kFilmSession)});
    f.start();
    DataSet attrs;
    attrs.set_string(Tag(0x2000, 0x0010), VR::IS, "2");         // Number of Copies
    attrs.set_string(Tag(0x2000, 0x0020), VR::CS, "HIGH");      // Print Priority
    auto created = n_create(f.pair.scu, NCreateRq{1, std::string(kFilmSession), "", false}, &attrs);
    ASSERT_TRUE(created) << created.error().to_string();
    EXPECT_EQ(created->response.status, status::Success);
    const std::string uid = created->response.affected_sop_instance_uid;
    EXPECT_EQ(uid, "2.25.1");
    auto got = n_get(f.pair.scu, NGetRq{2, std::string(kFilmSession), uid, {Tag(0x2000, 0x0010)}});
    ASSERT_TRUE(got) << got.error().to_string();
    EXPECT_EQ(got->response.status, status::Success);
    EXPECT_EQ(got->response.affected_sop_instance_uid, uid);
    ASSERT_TRUE(got->dataset);
    EXPECT_EQ(got->dataset->string_or(Tag(0x2000, 0x0010)), "2");
    EXPECT_EQ(got->dataset->find(Tag(0x2000, 0x0020)), nullptr);
    DataSet mods;
    mods.set_string(Tag(0x2000, 0x0010), VR::IS, "5");
    auto set = n_set(f.pair.scu, NSetRq{3, std::string(kFilmSession), uid}, mods);
    ASSERT_TRUE(set) << set.error().to_string();
    EXPECT_EQ(set->response.status, status::Success);
    auto again = n_get(f.pair.scu, NGetRq{4, std::string(kFilmSession), uid, {}});
    ASSERT_TRUE(again && again->dataset);
    EXPECT_EQ(again->dataset->string_or(Tag(0x2000, 0x0010)), "5");
    EXPECT_EQ(again->dataset->string_or(Tag(0x2000, 0x0020)), "HIGH");
    auto del = n_delete(f.pair.scu, NDeleteRq{5, std::string(kFilmSession), uid});
    ASSERT_TRUE(del) << del.error().to_string();
    EXPECT_EQ(del->response.status, status::Success);
    auto gone = n_get(f.pair.scu, NGetRq{6, std::string(kFilmSession), uid, {}});
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->response.status, status::NoSuchSOPInstance);
    EXPECT_EQ(gone->response.error_comment, "no such instance");
    // N-ACTION on a class only registered for the other commands.
    auto action = n_action(f.pair.scu, NActionRq{7, std::string(kFilmSession), uid, 1, false}, nullptr);
    ASSERT_TRUE(action);
    EXPECT_EQ(action->response.status, status::UnrecognizedOperation);
}

// ---- the transcoder seam ----

namespace {

/// Claims to convert anything; records the calls.
class FakeTranscoder final : public Transcoder {
public:
    mutable std::vector<std::pair<std::string, std::string>> calls;
    bool can_convert(const io::TransferSyntax&, const io::TransferSyntax&) const override { return true; }
    Result<void> convert(DataSet& ds, const io::TransferSyntax& from, const io::TransferSyntax& to) const override {
        calls.emplace_back(std::string(from.uid), std::string(to.uid));
        ds.remove(tags::PixelData);
        ds.set_string(tags::ImageComments, VR::LT, "converted");
        return {};
    }
};

/// Keeps the last data set it receives.
class KeepStore final : public StoreHandler {
public:
    std::mutex m;
    Bytes last;
    Result<std::unique_ptr<DataSink>> begin(const RequestContext&, const Command&) override {
        return std::unique_ptr<DataSink>(std::make_unique<MemorySink>());
    }
    Outcome end(const RequestContext&, const Command&, std::unique_ptr<DataSink> sink) override {
        std::lock_guard lock(m);
        last = static_cast<MemorySink&>(*sink).take();
        return {};
    }
};

io::DicomFile jpeg_file() {
    io::DicomFile f;
    f.transfer_syntax = *io::find_transfer_syntax("1.2.840.10008.1.2.4.50");  // JPEG Baseline
    f.dataset.set_string(tags::SOPClassUID, VR::UI, kCt);
    f.dataset.set_string(tags::SOPInstanceUID, VR::UI, "1.2.3.5");
    PixelFragments frags;
    frags.fragments.push_back(Bytes{0xFF, 0xD8, 0xFF, 0xD9});
    f.dataset.set(Element(tags::PixelData, VR::OB, std::move(frags)));
    return f;
}

}  // namespace

TEST(TranscoderSeam, InjectedTranscoderIsCalledWhenTheFileSyntaxWasNotAccepted) {
    Fixture f;
    auto keep = std::make_shared<KeepStore>();
    f.dispatcher.on_store(keep);
    f.start();
    // The context for CT accepts Explicit VR Little Endian only: without a codec nothing fits.
    auto refused = store(f.pair.scu, jpeg_file());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Unsupported);
    auto fake = std::make_shared<FakeTranscoder>();
    StoreOptions so;
    so.transcoder = fake;
    auto r = store(f.pair.scu, jpeg_file(), so);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status, status::Success);
    EXPECT_TRUE(r->converted);
    EXPECT_EQ(r->transfer_syntax, "1.2.840.10008.1.2.1");
    ASSERT_EQ(fake->calls.size(), 1u);
    EXPECT_EQ(fake->calls[0].first, "1.2.840.10008.1.2.4.50");
    EXPECT_EQ(fake->calls[0].second, "1.2.840.10008.1.2.1");
    std::lock_guard lock(keep->m);
    auto got = io::read_dataset(keep->last, io::ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(got) << got.error().to_string();
    EXPECT_EQ(got->string_or(tags::ImageComments), "converted");
    EXPECT_EQ(got->find(tags::PixelData), nullptr);
}

TEST(TranscoderSeam, UncompressedTranscoderConvertsNativeSyntaxesOnly) {
    UncompressedTranscoder t;
    const auto& jpeg = *io::find_transfer_syntax("1.2.840.10008.1.2.4.50");
    EXPECT_TRUE(t.can_convert(io::ts::ImplicitVRLittleEndian, io::ts::ExplicitVRBigEndian));
    EXPECT_TRUE(t.can_convert(io::ts::ExplicitVRLittleEndian, io::ts::DeflatedExplicitVRLittleEndian));
    EXPECT_TRUE(t.can_convert(jpeg, jpeg));
    EXPECT_FALSE(t.can_convert(jpeg, io::ts::ExplicitVRLittleEndian));
    EXPECT_FALSE(t.can_convert(io::ts::ExplicitVRLittleEndian, jpeg));
    DataSet ds;
    EXPECT_TRUE(t.convert(ds, io::ts::ImplicitVRLittleEndian, io::ts::ExplicitVRLittleEndian));
    EXPECT_FALSE(t.convert(ds, jpeg, io::ts::ExplicitVRLittleEndian));
}
