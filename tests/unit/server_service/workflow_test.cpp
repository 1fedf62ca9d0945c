// service::Mpps (PS3.4 F.7.2: what N-CREATE must carry, what N-SET may change, final states) and
// service::Commitment (PS3.4 J.3: the request's checks, instances present / missing / of another
// SOP class, the event information), over a SQLite index and its workflow store.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/server/index/sqlite/sqlite_workflow_store.hpp>
#include <dicomkit/server/service/commitment.hpp>
#include <dicomkit/server/service/mpps.hpp>

using namespace dicomkit;
namespace svc = dicomkit::server::service;
namespace ix = dicomkit::server::index;

namespace {

constexpr const char* kCt = "1.2.840.10008.5.1.4.1.1.2";
constexpr const char* kMr = "1.2.840.10008.5.1.4.1.1.4";

struct Workflow {
    std::filesystem::path path;
    std::unique_ptr<ix::sqlite::SqliteIndex> index;
    std::unique_ptr<ix::sqlite::SqliteWorkflowStore> store;
    Workflow() {
        static std::atomic<int> n{0};
        path = std::filesystem::temp_directory_path() /
               ("dk-wf-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".db");
        std::filesystem::remove(path);
        auto i = ix::sqlite::SqliteIndex::open(path.string());
        EXPECT_TRUE(i) << i.error().to_string();
        index = std::move(*i);
        auto s = ix::sqlite::SqliteWorkflowStore::open(path.string());
        EXPECT_TRUE(s) << s.error().to_string();
        store = std::move(*s);
    }
    ~Workflow() {
        store.reset();
        index.reset();
        std::filesystem::remove(path);
    }
    void add_instance(const std::string& uid, const std::string& sop_class) {
        DataSet ds;
        ds.set_string(tags::PatientID, VR::LO, "P1");
        ds.set_string(tags::StudyInstanceUID, VR::UI, "1.2.3");
        ds.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3.4");
        ds.set_string(tags::SOPInstanceUID, VR::UI, uid);
        ds.set_string(tags::SOPClassUID, VR::UI, sop_class);
        auto r = index->add(ds, {uid + ".dcm", 10, "1.2.840.10008.1.2.1"}, ix::DuplicatePolicy::Replace);
        ASSERT_TRUE(r) << r.error().to_string();
    }
};

DataSet create_attributes() {
    DataSet ds;
    DataSet step;
    step.set_string(tags::StudyInstanceUID, VR::UI, "1.2.3");
    step.set_string(tags::ScheduledProcedureStepID, VR::SH, "SPS1");
    Sequence s;
    s.items.push_back(step);
    ds.set(Element(tags::ScheduledStepAttributesSequence, VR::SQ, std::move(s)));
    ds.set_string(tags::PatientName, VR::PN, "Doe^Jane");
    ds.set_string(tags::PatientID, VR::LO, "P1");
    ds.set_string(tags::PerformedProcedureStepID, VR::SH, "PPS1");
    ds.set_string(tags::PerformedStationAETitle, VR::AE, "CT1");
    ds.set_string(tags::PerformedProcedureStepStartDate, VR::DA, "20260101");
    ds.set_string(tags::PerformedProcedureStepStartTime, VR::TM, "101010");
    ds.set(Element(tags::PerformedProcedureStepEndDate, VR::DA));
    ds.set(Element(tags::PerformedProcedureStepEndTime, VR::TM));
    ds.set_string(tags::PerformedProcedureStepStatus, VR::CS, "IN PROGRESS");
    ds.set_string(tags::Modality, VR::CS, "CT");
    ds.set(Element(tags::PerformedSeriesSequence, VR::SQ, Sequence{}));
    return ds;
}

DataSet completion(std::string_view status, bool with_series) {
    DataSet m;
    m.set_string(tags::PerformedProcedureStepStatus, VR::CS, status);
    m.set_string(tags::PerformedProcedureStepEndDate, VR::DA, "20260101");
    m.set_string(tags::PerformedProcedureStepEndTime, VR::TM, "111111");
    if (with_series) {
        DataSet ref;
        ref.set_string(tags::ReferencedSOPClassUID, VR::UI, kCt);
        ref.set_string(tags::ReferencedSOPInstanceUID, VR::UI, "1.2.3.4.1");
        DataSet ref2 = ref;
        ref2.set_string(tags::ReferencedSOPInstanceUID, VR::UI, "1.2.3.4.2");
        Sequence refs;
        refs.items = {ref, ref2};
        DataSet series;
        series.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3.4");
        series.set(Element(tags::ReferencedImageSequence, VR::SQ, std::move(refs)));
        Sequence ps;
        ps.items.push_back(series);
        m.set(Element(tags::PerformedSeriesSequence, VR::SQ, std::move(ps)));
    }
    return m;
}

}  // namespace

TEST(MppsRules, CreateNeedsTheTypeOneAttributes) {
    EXPECT_TRUE(svc::check_mpps_create(create_attributes()));
    for (Tag t : {tags::ScheduledStepAttributesSequence, tags::PerformedProcedureStepID, tags::PerformedStationAETitle,
                  tags::PerformedProcedureStepStartDate, tags::PerformedProcedureStepStartTime,
                  tags::PerformedProcedureStepStatus, tags::Modality}) {
        DataSet ds = create_attributes();
        ds.remove(t);
        auto r = svc::check_mpps_create(ds);
        ASSERT_FALSE(r) << t.str();
        EXPECT_EQ(r.error().status, 0x0120) << t.str();
        EXPECT_NE(r.error().comment.find(t.str()), std::string::npos) << r.error().comment;
    }
    DataSet empty_id = create_attributes();
    empty_id.set(Element(tags::PerformedProcedureStepID, VR::SH));
    auto r = svc::check_mpps_create(empty_id);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, 0x0121);
    DataSet no_study = create_attributes();
    no_study.find(tags::ScheduledStepAttributesSequence)->sequence().items[0].remove(tags::StudyInstanceUID);
    ASSERT_FALSE(svc::check_mpps_create(no_study));
}

TEST(MppsRules, ASequenceKeyOfAnotherVrIsRefused) {
    // Found by fuzz_workflow_request: (0040,0270) sent with VR SS in an explicit VR data set.
    DataSet ds = create_attributes();
    ds.set(Element::from_number<std::int16_t>(tags::ScheduledStepAttributesSequence, VR::SS, 1));
    auto r = svc::check_mpps_create(ds);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, 0x0106);
    EXPECT_NE(r.error().comment.find("not a sequence"), std::string::npos) << r.error().comment;
    DataSet mods = completion(svc::kCompleted, false);
    mods.set(Element::from_string(tags::PerformedSeriesSequence, VR::LO, "x"));
    auto s = svc::apply_mpps_set(create_attributes(), mods);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().status, 0x0106);
}

TEST(MppsRules, CreateMustBeInProgress) {
    DataSet ds = create_attributes();
    ds.set_string(tags::PerformedProcedureStepStatus, VR::CS, "COMPLETED");
    auto r = svc::check_mpps_create(ds);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, 0x0106);
    EXPECT_NE(r.error().comment.find("IN PROGRESS"), std::string::npos);
}

TEST(MppsRules, SetTakesOnlyTheSettableAttributes) {
    const DataSet current = create_attributes();
    DataSet patient;
    patient.set_string(tags::PatientID, VR::LO, "OTHER");
    auto r = svc::apply_mpps_set(current, patient);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, 0x0106);
    EXPECT_NE(r.error().comment.find("(0010,0020)"), std::string::npos) << r.error().comment;
    DataSet desc;
    desc.set_string(tags::PerformedProcedureStepDescription, VR::LO, "chest");
    auto ok = svc::apply_mpps_set(current, desc);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->string_or(tags::PerformedProcedureStepDescription), "chest");
    EXPECT_EQ(ok->string_or(tags::PatientID), "P1");
    DataSet bogus;
    bogus.set_string(tags::PerformedProcedureStepStatus, VR::CS, "PAUSED");
    auto b = svc::apply_mpps_set(current, bogus);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().status, 0x0106);
}

TEST(MppsRules, FinalStatesNeedEndAndPerformedSeries) {
    const DataSet current = create_attributes();
    for (std::string_view s : {svc::kCompleted, svc::kDiscontinued}) {
        auto no_series = svc::apply_mpps_set(current, completion(s, false));
        ASSERT_FALSE(no_series) << s;
        EXPECT_EQ(no_series.error().status, 0x0121) << no_series.error().comment;
        EXPECT_NE(no_series.error().comment.find("Performed Series Sequence"), std::string::npos);
        DataSet no_end = completion(s, true);
        no_end.remove(tags::PerformedProcedureStepEndTime);
        auto e = svc::apply_mpps_set(current, no_end);
        ASSERT_FALSE(e);
        EXPECT_NE(e.error().comment.find("End Time"), std::string::npos);
        EXPECT_TRUE(svc::apply_mpps_set(current, completion(s, true))) << s;
    }
}

TEST(MppsRules, NothingChangesAfterAFinalState) {
    auto done = svc::apply_mpps_set(create_attributes(), completion(svc::kCompleted, true));
    ASSERT_TRUE(done);
    DataSet desc;
    desc.set_string(tags::PerformedProcedureStepDescription, VR::LO, "late");
    auto r = svc::apply_mpps_set(*done, desc);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().status, 0x0110);
    EXPECT_NE(r.error().comment.find("COMPLETED"), std::string::npos);
}

TEST(MppsService, CreateSetGetWithTheHook) {
    Workflow w;
    w.add_instance("1.2.3.4.1", kCt);
    int calls = 0;
    std::string last_status;
    svc::MppsOptions o;
    o.on_state_change = [&](const DataSet& ds) {
        ++calls;
        last_status = ds.string_or(tags::PerformedProcedureStepStatus);
        const Element* s = ds.find(tags::ScheduledStepAttributesSequence);
        ASSERT_TRUE(s && s->is_sequence());
        EXPECT_EQ(s->sequence().items.at(0).string_or(tags::ScheduledProcedureStepID), "SPS1");
    };
    svc::Mpps mpps(*w.store, w.index.get(), o);
    auto c = mpps.create("", create_attributes());
    ASSERT_TRUE(c) << c.error().comment;
    EXPECT_EQ(c->sop_instance_uid.rfind("2.25.", 0), 0u);
    EXPECT_EQ(last_status, "IN PROGRESS");
    auto dup = mpps.create(c->sop_instance_uid, create_attributes());
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().status, 0x0111);
    auto unknown = mpps.set("1.2.999", completion(svc::kCompleted, true));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().status, 0x0112);
    auto s = mpps.set(c->sop_instance_uid, completion(svc::kCompleted, true));
    ASSERT_TRUE(s) << s.error().comment;
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(last_status, "COMPLETED");
    auto late = mpps.set(c->sop_instance_uid, completion(svc::kDiscontinued, true));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().status, 0x0110);
    EXPECT_EQ(calls, 2);
    auto v = mpps.get(c->sop_instance_uid);
    ASSERT_TRUE(v && v->has_value());
    EXPECT_EQ((*v)->record.status, "COMPLETED");
    EXPECT_EQ((*v)->record.study_uids, std::vector<std::string>{"1.2.3"});
    ASSERT_EQ((*v)->performed.size(), 2u);
    EXPECT_TRUE((*v)->performed[0].stored);   // 1.2.3.4.1 is in the archive
    EXPECT_FALSE((*v)->performed[1].stored);  // 1.2.3.4.2 is not
    auto list = mpps.list(10);
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 1u);
}

TEST(CommitmentRules, RequestChecks) {
    auto wrong_type = svc::parse_commitment_request(2, nullptr);
    ASSERT_FALSE(wrong_type);
    EXPECT_EQ(wrong_type.error().status, 0x0123);
    DataSet info;
    auto no_tx = svc::parse_commitment_request(1, &info);
    ASSERT_FALSE(no_tx);
    EXPECT_EQ(no_tx.error().status, 0x0120);
    info.set_string(tags::TransactionUID, VR::UI, "2.25.1");
    auto no_refs = svc::parse_commitment_request(1, &info);
    ASSERT_FALSE(no_refs);
    EXPECT_NE(no_refs.error().comment.find("Referenced SOP Sequence"), std::string::npos);
    DataSet half;
    half.set_string(tags::ReferencedSOPInstanceUID, VR::UI, "1.2");
    Sequence s;
    s.items.push_back(half);
    info.set(Element(tags::ReferencedSOPSequence, VR::SQ, s));
    auto bad_item = svc::parse_commitment_request(1, &info);
    ASSERT_FALSE(bad_item);
    EXPECT_EQ(bad_item.error().status, 0x0121);
}

TEST(CommitmentService, PresentMissingAndClassMismatch) {
    Workflow w;
    w.add_instance("1.2.3.4.1", kCt);
    w.add_instance("1.2.3.4.2", kCt);
    svc::Commitment commitment(*w.store, *w.index);
    DataSet info;
    info.set_string(tags::TransactionUID, VR::UI, "2.25.77");
    Sequence refs;
    for (auto [cls, uid] : {std::pair{kCt, "1.2.3.4.1"}, std::pair{kMr, "1.2.3.4.2"}, std::pair{kCt, "1.2.3.4.3"}}) {
        DataSet d;
        d.set_string(tags::ReferencedSOPClassUID, VR::UI, cls);
        d.set_string(tags::ReferencedSOPInstanceUID, VR::UI, uid);
        refs.items.push_back(d);
    }
    info.set(Element(tags::ReferencedSOPSequence, VR::SQ, refs));
    auto r = commitment.request("MOD", 1, &info);
    ASSERT_TRUE(r) << r.error().comment;
    ASSERT_EQ(r->committed.size(), 1u);
    EXPECT_EQ(r->committed[0].sop_instance_uid, "1.2.3.4.1");
    ASSERT_EQ(r->failed.size(), 2u);
    EXPECT_EQ(r->failed[0].failure_reason, svc::kFailureClassMismatch);
    EXPECT_EQ(r->failed[1].failure_reason, svc::kFailureNoSuchObject);
    EXPECT_EQ(svc::event_type(*r), 2);
    const DataSet ev = svc::event_information(*r);
    EXPECT_EQ(ev.string_or(tags::TransactionUID), "2.25.77");
    const auto back = svc::parse_event_information(ev);
    EXPECT_EQ(back.committed, r->committed);
    EXPECT_EQ(back.failed, r->failed);

    auto kept = commitment.get("2.25.77");
    ASSERT_TRUE(kept && kept->has_value());
    EXPECT_EQ((*kept)->state, ix::CommitmentState::Pending);
    auto failed_once = commitment.report_done("2.25.77", false, "refused", false);
    ASSERT_TRUE(failed_once);
    EXPECT_EQ(failed_once->state, ix::CommitmentState::Pending);
    EXPECT_EQ(failed_once->attempts, 1);
    auto done = commitment.report_done("2.25.77", true, "", false);
    ASSERT_TRUE(done);
    EXPECT_EQ(done->state, ix::CommitmentState::Reported);
    EXPECT_EQ(done->attempts, 2);
    auto pending = commitment.list(ix::CommitmentState::Pending, 10);
    ASSERT_TRUE(pending);
    EXPECT_TRUE(pending->empty());
}
