// service::Worklist: item validation, the Modality Worklist C-FIND matching (PS3.4 K, C.2.2.2)
// and the changes orders, patients and procedure steps make, over a SQLite index.
#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/server/service/worklist.hpp>

namespace dicomkit::server::service {
namespace {

namespace fs = std::filesystem;

DataSet step(const std::string& modality, const std::string& date, const std::string& time,
             const std::string& ae = "CT1", const std::string& status = "") {
    DataSet s;
    s.set_string(tags::Modality, VR::CS, modality);
    s.set_string(tags::ScheduledStationAETitle, VR::AE, ae);
    s.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, date);
    s.set_string(tags::ScheduledProcedureStepStartTime, VR::TM, time);
    s.set_string(tags::ScheduledPerformingPhysicianName, VR::PN, "Smith^Ann");
    s.set_string(tags::ScheduledProcedureStepDescription, VR::LO, "Chest " + modality);
    if (!status.empty()) s.set_string(tags::ScheduledProcedureStepStatus, VR::CS, status);
    return s;
}

DataSet order(const std::string& pid, const std::string& name, DataSet sps) {
    DataSet ds;
    ds.set_string(tags::PatientID, VR::LO, pid);
    ds.set_string(tags::PatientName, VR::PN, name);
    ds.set_string(tags::PatientBirthDate, VR::DA, "19700101");
    ds.set_string(tags::AccessionNumber, VR::SH, "ACC" + pid);
    ds.set_string(tags::RequestedProcedureDescription, VR::LO, "Chest");
    ds.set(Element(tags::ScheduledProcedureStepSequence, VR::SQ, Sequence{{std::move(sps)}}));
    return ds;
}

class WorklistTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = fs::temp_directory_path() / ("dk-worklist-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        auto ix = index::sqlite::SqliteIndex::open((dir_ / "index.db").string());
        ASSERT_TRUE(ix) << ix.error().to_string();
        index_ = std::move(*ix);
        worklist_ = std::make_unique<Worklist>(*index_);
        put("o1", order("P1", "Doe^John", step("CT", "20261206", "080000")));
        put("o2", order("P2", "Doe^Jane", step("MR", "20261206", "143000", "MR1")));
        put("o3", order("P3", "Roe^Rich", step("CT", "20261207", "090000")));
        put("o4", order("P4", "Poe^Edgar", step("CT", "20261206", "100000", "CT2", "COMPLETED")));
    }
    void TearDown() override {
        worklist_.reset();
        index_.reset();
        fs::remove_all(dir_);
    }
    void put(const std::string& key, DataSet ds) {
        auto id = worklist_->put(key, std::move(ds));
        ASSERT_TRUE(id) << id.error().message;
    }
    /// The Patient IDs of the matches, in order; `answers` gets the response identifiers.
    std::vector<std::string> find(const DataSet& identifier, std::vector<DataSet>* answers = nullptr) {
        std::vector<std::string> out;
        auto r = worklist_->find(identifier, [&](const DataSet& m) {
            out.push_back(m.string_or(tags::PatientID));
            if (answers) answers->push_back(m);
            return true;
        });
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
        return out;
    }
    /// An identifier with Patient ID and a Scheduled Procedure Step Sequence of `sps` keys.
    static DataSet query(DataSet sps, DataSet top = {}) {
        top.set_string(tags::PatientID, VR::LO, top.string_or(tags::PatientID));
        top.set(Element(tags::ScheduledProcedureStepSequence, VR::SQ, Sequence{{std::move(sps)}}));
        return top;
    }
    fs::path dir_;
    std::unique_ptr<index::Index> index_;
    std::unique_ptr<Worklist> worklist_;
};

TEST_F(WorklistTest, PutValidatesAndCompletesItems) {
    DataSet no_step;
    no_step.set_string(tags::PatientID, VR::LO, "X");
    auto r = worklist_->put("x", no_step);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::BadIdentifier);
    DataSet two = order("X", "X", step("CT", "20261206", "0800"));
    two.find(tags::ScheduledProcedureStepSequence)->sequence().items.push_back(step("CT", "20261206", "0900"));
    EXPECT_FALSE(worklist_->put("x", two));
    DataSet no_modality = order("X", "X", step("", "20261206", "0800"));
    r = worklist_->put("x", no_modality);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("(0008,0060)"), std::string::npos) << r.error().message;
    EXPECT_FALSE(worklist_->put("", order("X", "X", step("CT", "20261206", "0800"))));

    auto items = worklist_->list({});
    ASSERT_TRUE(items);
    ASSERT_EQ(items->size(), 4u);  // the filter is the caller's: COMPLETED ones too
    const DataSet& it = items->front().item;
    EXPECT_EQ(it.string_or(tags::StudyInstanceUID).rfind("2.25.", 0), 0u);
    const DataSet& s = it.find(tags::ScheduledProcedureStepSequence)->sequence().items[0];
    EXPECT_EQ(s.string_or(tags::ScheduledProcedureStepStatus), "SCHEDULED");
    EXPECT_EQ(s.string_or(tags::ScheduledProcedureStepID).size(), 16u);
}

TEST_F(WorklistTest, SingleValueAndWildcardMatching) {
    DataSet sps;
    sps.set_string(tags::Modality, VR::CS, "CT");
    EXPECT_EQ(find(query(sps)), (std::vector<std::string>{"P1", "P3"}));  // P4 is COMPLETED
    sps.set_string(tags::Modality, VR::CS, "MR");
    EXPECT_EQ(find(query(sps)), std::vector<std::string>{"P2"});
    DataSet top;
    top.set_string(tags::PatientName, VR::PN, "doe*");  // person names: case-insensitive
    EXPECT_EQ(find(query({}, top)), (std::vector<std::string>{"P1", "P2"}));
    top.set_string(tags::PatientName, VR::PN, "D?E^J*N*");
    EXPECT_EQ(find(query({}, top)), (std::vector<std::string>{"P1", "P2"}));
    top.set_string(tags::PatientName, VR::PN, "Doe^Jane");
    EXPECT_EQ(find(query({}, top)), std::vector<std::string>{"P2"});
    top = {};
    top.set_string(tags::AccessionNumber, VR::SH, "ACCP3");
    EXPECT_EQ(find(query({}, top)), std::vector<std::string>{"P3"});
    DataSet ae;
    ae.set_string(tags::ScheduledStationAETitle, VR::AE, "MR1");
    EXPECT_EQ(find(query(ae)), std::vector<std::string>{"P2"});
    DataSet phys;
    phys.set_string(tags::ScheduledPerformingPhysicianName, VR::PN, "SMITH*");
    EXPECT_EQ(find(query(phys)).size(), 3u);
    phys.set_string(tags::ScheduledPerformingPhysicianName, VR::PN, "Jones*");
    EXPECT_TRUE(find(query(phys)).empty());
}

TEST_F(WorklistTest, DateAndDateTimeRanges) {
    DataSet sps;
    sps.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, "20261206");
    EXPECT_EQ(find(query(sps)), (std::vector<std::string>{"P1", "P2"}));
    sps.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, "20261207-");
    EXPECT_EQ(find(query(sps)), std::vector<std::string>{"P3"});
    sps.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, "-20261206");
    EXPECT_EQ(find(query(sps)), (std::vector<std::string>{"P1", "P2"}));
    // Time alone: a range over every day.
    DataSet t;
    t.set_string(tags::ScheduledProcedureStepStartTime, VR::TM, "0800-0900");
    EXPECT_EQ(find(query(t)), (std::vector<std::string>{"P1", "P3"}));
    // Date and time together: one date-time range (PS3.4 C.2.2.2.5), from 20261206 1200 to
    // 20261207 0900 (the upper end includes 0900xx).
    DataSet dt;
    dt.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, "20261206-20261207");
    dt.set_string(tags::ScheduledProcedureStepStartTime, VR::TM, "1200-0900");
    EXPECT_EQ(find(query(dt)), (std::vector<std::string>{"P2", "P3"}));
    dt.set_string(tags::ScheduledProcedureStepStartTime, VR::TM, "1200-0859");
    EXPECT_EQ(find(query(dt)), std::vector<std::string>{"P2"});
    // A single date with a time range: that day between the times.
    dt.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, "20261206");
    dt.set_string(tags::ScheduledProcedureStepStartTime, VR::TM, "0700-1000");
    EXPECT_EQ(find(query(dt)), std::vector<std::string>{"P1"});
}

TEST_F(WorklistTest, StatusAndUidListMatching) {
    DataSet sps;
    sps.set_string(tags::ScheduledProcedureStepStatus, VR::CS, "COMPLETED");
    EXPECT_EQ(find(query(sps)), std::vector<std::string>{"P4"});
    auto items = worklist_->list({});
    ASSERT_TRUE(items);
    std::vector<std::string> uids;
    for (const auto& i : *items)
        if (i.item.string_or(tags::PatientID) != "P2") uids.push_back(i.item.string_or(tags::StudyInstanceUID));
    DataSet top;
    top.set(Element::from_strings(tags::StudyInstanceUID, VR::UI, uids));
    EXPECT_EQ(find(query({}, top)), (std::vector<std::string>{"P1", "P3"}));
}

TEST_F(WorklistTest, ReturnKeysAreFilledAndReduced) {
    DataSet sps;
    sps.set_string(tags::Modality, VR::CS, "MR");
    sps.set_string(tags::ScheduledStationAETitle, VR::AE, "");
    sps.set_string(tags::ScheduledProcedureStepLocation, VR::SH, "");
    DataSet top;
    top.set_string(tags::PatientName, VR::PN, "");
    top.set_string(tags::ReferringPhysicianName, VR::PN, "");
    top.set(Element(tags::ReferencedStudySequence, VR::SQ, Sequence{}));
    std::vector<DataSet> answers;
    ASSERT_EQ(find(query(sps, top), &answers), std::vector<std::string>{"P2"});
    const DataSet& a = answers[0];
    EXPECT_EQ(a.string_or(tags::PatientName), "Doe^Jane");
    ASSERT_TRUE(a.find(tags::ReferringPhysicianName));  // requested, unknown: zero length
    EXPECT_TRUE(a.find(tags::ReferringPhysicianName)->bytes().empty());
    ASSERT_TRUE(a.find(tags::ReferencedStudySequence));
    EXPECT_FALSE(a.find(tags::PatientBirthDate));  // not requested
    const Element* seq = a.find(tags::ScheduledProcedureStepSequence);
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 1u);
    const DataSet& s = seq->sequence().items[0];
    EXPECT_EQ(s.string_or(tags::Modality), "MR");
    EXPECT_EQ(s.string_or(tags::ScheduledStationAETitle), "MR1");
    EXPECT_TRUE(s.contains(tags::ScheduledProcedureStepLocation));
    EXPECT_FALSE(s.contains(tags::ScheduledProcedureStepDescription));  // not requested in the item
    EXPECT_FALSE(a.contains(tags::SpecificCharacterSet));               // all ASCII
}

TEST_F(WorklistTest, NonAsciiAnswersSayUtf8) {
    DataSet ds = order("P9", "", step("US", "20261209", "0800"));
    ds.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 100");
    ds.set_string(tags::PatientName, VR::PN, "M\xfcller^J");
    put("o9", ds);
    DataSet top;
    top.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 100");
    top.set_string(tags::PatientName, VR::PN, "M\xfc*");
    std::vector<DataSet> answers;
    ASSERT_EQ(find(query({}, top), &answers), std::vector<std::string>{"P9"});
    EXPECT_EQ(answers[0].string_or(tags::SpecificCharacterSet), "ISO_IR 192");
    EXPECT_EQ(answers[0].string_or(tags::PatientName), "M\xc3\xbcller^J");
}

TEST_F(WorklistTest, CancelUpdateMergeAndStepStatus) {
    auto n = worklist_->cancel("o1", "CANCELED");
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1u);
    DataSet sps;
    sps.set_string(tags::Modality, VR::CS, "CT");
    EXPECT_EQ(find(query(sps)), std::vector<std::string>{"P3"});
    EXPECT_EQ(*worklist_->cancel("nope", "CANCELED"), 0u);

    DataSet patient;
    patient.set_string(tags::PatientID, VR::LO, "P3");
    patient.set_string(tags::PatientName, VR::PN, "Roe^Richard");
    patient.set_string(tags::PatientSex, VR::CS, "M");
    EXPECT_EQ(*worklist_->update_patient(patient), 1u);
    DataSet top;
    top.set_string(tags::PatientName, VR::PN, "");
    top.set_string(tags::PatientSex, VR::CS, "");
    std::vector<DataSet> answers;
    ASSERT_EQ(find(query(sps, top), &answers), std::vector<std::string>{"P3"});
    EXPECT_EQ(answers[0].string_or(tags::PatientName), "Roe^Richard");
    EXPECT_EQ(answers[0].string_or(tags::PatientSex), "M");

    DataSet merged;
    merged.set_string(tags::PatientID, VR::LO, "P1");
    merged.set_string(tags::PatientName, VR::PN, "Doe^John");
    EXPECT_EQ(*worklist_->merge_patient("P3", "", merged), 1u);
    answers.clear();
    ASSERT_EQ(find(query(sps, top), &answers), std::vector<std::string>{"P1"});
    EXPECT_EQ(answers[0].string_or(tags::PatientName), "Doe^John");

    const std::string study = [&] {
        auto items = worklist_->list({});
        for (const auto& i : *items)
            if (i.order_key == "o3") return i.item.string_or(tags::StudyInstanceUID);
        return std::string();
    }();
    ASSERT_FALSE(study.empty());
    EXPECT_EQ(*worklist_->set_step_status(study, "", "STARTED"), 1u);
    EXPECT_EQ(find(query(sps)), std::vector<std::string>{"P1"});  // STARTED is still listed
    EXPECT_EQ(*worklist_->set_step_status(study, "", "COMPLETED"), 1u);
    EXPECT_TRUE(find(query(sps)).empty());
}

TEST_F(WorklistTest, CancelledFindAndBadIdentifier) {
    std::size_t seen = 0;
    auto r = worklist_->find(query({}), [&](const DataSet&) { return ++seen < 1; });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Cancelled);
    EXPECT_EQ(seen, 1u);
    DataSet bad;
    bad.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, "-");
    auto b = worklist_->find(query(bad), [](const DataSet&) { return true; });
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().kind, ErrorKind::BadIdentifier);
}

TEST_F(WorklistTest, GetAndRemoveById) {
    auto items = worklist_->list({});
    ASSERT_TRUE(items && !items->empty());
    const std::string id = items->front().id;
    auto one = worklist_->get(id);
    ASSERT_TRUE(one && *one);
    EXPECT_EQ((*one)->id, id);
    EXPECT_TRUE(*worklist_->remove(id));
    EXPECT_FALSE(*worklist_->remove(id));
    EXPECT_FALSE(worklist_->get(id)->has_value());
    EXPECT_FALSE(*worklist_->remove("abc"));
}

}  // namespace
}  // namespace dicomkit::server::service
