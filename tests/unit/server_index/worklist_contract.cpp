// WorklistStore contract tests (schema 006), run against SQLite and PostgreSQL.
#include "worklist_contract.hpp"

#include <dicomkit/dict/tags.hpp>

namespace dicomkit::server::index::test {

void WorklistContract::SetUp() {
    index_ = GetParam()();
    ASSERT_TRUE(index_);
    store_ = index_->worklist();
    ASSERT_NE(store_, nullptr);
}

namespace {

const SpecificCharacterSet& ascii() {
    static const SpecificCharacterSet cs = SpecificCharacterSet::lenient_parse("");
    return cs;
}

DataSet item(const std::string& pid, const std::string& name, const std::string& modality, const std::string& date,
             const std::string& time, const std::string& status = "SCHEDULED", const std::string& study = "1.2.3") {
    DataSet step;
    step.set_string(tags::Modality, VR::CS, modality);
    step.set_string(tags::ScheduledStationAETitle, VR::AE, "CT1");
    step.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, date);
    step.set_string(tags::ScheduledProcedureStepStartTime, VR::TM, time);
    step.set_string(tags::ScheduledPerformingPhysicianName, VR::PN, "Smith^Ann");
    step.set_string(tags::ScheduledProcedureStepID, VR::SH, "SPS-" + pid);
    step.set_string(tags::ScheduledProcedureStepStatus, VR::CS, status);
    DataSet ds;
    ds.set_string(tags::PatientID, VR::LO, pid);
    ds.set_string(tags::IssuerOfPatientID, VR::LO, "HOSP");
    ds.set_string(tags::PatientName, VR::PN, name);
    ds.set_string(tags::AccessionNumber, VR::SH, "A-" + pid);
    ds.set_string(tags::StudyInstanceUID, VR::UI, study);
    ds.set_string(tags::RequestedProcedureID, VR::SH, "RP-" + pid);
    ds.set(Element(tags::ScheduledProcedureStepSequence, VR::SQ, Sequence{{step}}));
    return ds;
}

std::vector<std::string> ids_of(WorklistStore& s, const WorklistFilter& f) {
    std::vector<std::string> out;
    auto r = s.find(f, [&](const WorklistEntry& e) {
        out.push_back(e.item.string_or(tags::PatientID));
        return true;
    });
    EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
    return out;
}

}  // namespace

TEST_P(WorklistContract, PutGetReplaceRemove) {
    auto id = store_->put("order-1", item("P1", "Doe^John", "CT", "20261206", "0800"), ascii());
    ASSERT_TRUE(id) << id.error().to_string();
    EXPECT_GT(*id, 0);
    auto got = store_->get(*id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->order_key, "order-1");
    EXPECT_EQ((*got)->item.string_or(tags::PatientName), "Doe^John");
    const Element* seq = (*got)->item.find(tags::ScheduledProcedureStepSequence);
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 1u);
    EXPECT_EQ(seq->sequence().items[0].string_or(tags::Modality), "CT");

    // The same order again: replaced, same id.
    auto again = store_->put("order-1", item("P1", "Doe^Johnny", "MR", "20261207", "0900"), ascii());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *id);
    WorklistFilter mr;
    mr.modality = "MR";
    EXPECT_EQ(ids_of(*store_, mr), std::vector<std::string>{"P1"});
    mr.modality = "CT";
    EXPECT_TRUE(ids_of(*store_, mr).empty());

    auto replaced = store_->replace(*id, item("P1", "Doe^John", "US", "20261207", "0900"), ascii());
    ASSERT_TRUE(replaced);
    EXPECT_TRUE(*replaced);
    auto none = store_->replace(*id + 1000, item("P1", "X", "US", "20261207", "0900"), ascii());
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    got = store_->get(*id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->order_key, "order-1");
    mr.modality = "US";
    EXPECT_EQ(ids_of(*store_, mr).size(), 1u);

    auto gone = store_->remove(*id);
    ASSERT_TRUE(gone);
    EXPECT_TRUE(*gone);
    gone = store_->remove(*id);
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);
    got = store_->get(*id);
    ASSERT_TRUE(got);
    EXPECT_FALSE(*got);
    EXPECT_FALSE(store_->put("", item("P1", "X", "US", "20261207", "0900"), ascii()));
}

TEST_P(WorklistContract, TextIsKeptInUtf8) {
    DataSet ds = item("P2", "", "CT", "20261206", "0800");
    const std::string latin1 = "M\xfcller^J\xf6rg";  // ISO 8859-1
    ds.set_string(tags::PatientName, VR::PN, latin1);
    auto id = store_->put("o", ds, SpecificCharacterSet::lenient_parse("ISO_IR 100"));
    ASSERT_TRUE(id);
    auto got = store_->get(*id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->item.string_or(tags::PatientName), "M\xc3\xbcller^J\xc3\xb6rg");
    WorklistFilter f;
    f.patient_name = "M\xc3\xbc*";
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P2"});
}

TEST_P(WorklistContract, FiltersSelectRows) {
    std::vector<std::pair<std::string, DataSet>> items{
        {"o1", item("P1", "Doe^John", "CT", "20261206", "0800")},
        {"o2", item("P2", "Doe^Jane", "MR", "20261206", "0700")},
        {"o3", item("P3", "Roe^Rich", "CT", "20261207", "0900", "COMPLETED", "1.2.4")},
        {"o4", item("P4", "Poe^Edgar", "CT", "20261208", "1000", "STARTED", "1.2.5")},
    };
    auto ids = store_->put_many(items, ascii());
    ASSERT_TRUE(ids) << ids.error().to_string();
    ASSERT_EQ(ids->size(), 4u);

    WorklistFilter all;
    // By start date and time.
    EXPECT_EQ(ids_of(*store_, all), (std::vector<std::string>{"P2", "P1", "P3", "P4"}));
    WorklistFilter f;
    f.modality = "CT";
    f.date_low = "20261206";
    f.date_high = "20261207";
    EXPECT_EQ(ids_of(*store_, f), (std::vector<std::string>{"P1", "P3"}));
    f = {};
    f.date_low = "20261207";
    EXPECT_EQ(ids_of(*store_, f), (std::vector<std::string>{"P3", "P4"}));
    f = {};
    f.patient_name = "doe*";  // names compared upper-cased
    EXPECT_EQ(ids_of(*store_, f), (std::vector<std::string>{"P2", "P1"}));
    f.patient_name = "?oe^*";
    EXPECT_EQ(ids_of(*store_, f).size(), 4u);
    f.patient_name = "DOE^JANE";
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P2"});
    f = {};
    f.statuses = {"COMPLETED", "CANCELED", "DISCONTINUED"};
    f.exclude_statuses = true;
    EXPECT_EQ(ids_of(*store_, f), (std::vector<std::string>{"P2", "P1", "P4"}));
    f.exclude_statuses = false;
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P3"});
    f = {};
    f.study_uids = {"1.2.4", "1.2.5"};
    EXPECT_EQ(ids_of(*store_, f), (std::vector<std::string>{"P3", "P4"}));
    f = {};
    f.study_uid = "1.2.3";
    f.sps_id = "SPS-P1";
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P1"});
    f = {};
    f.patient_id = "P4";
    f.issuer = "HOSP";
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P4"});
    f.issuer = "OTHER";
    EXPECT_TRUE(ids_of(*store_, f).empty());
    f = {};
    f.accession = "A-P*";
    f.station_ae = "CT1";
    f.performing = "smith^ann";
    f.requested_procedure_id = "RP-P3";
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P3"});
    f = {};
    f.order_key = "o2";
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P2"});
    // Characters special to GLOB or LIKE are matched as themselves.
    f = {};
    f.patient_name = "%";
    EXPECT_TRUE(ids_of(*store_, f).empty());
    f.patient_name = "[D]*";
    EXPECT_TRUE(ids_of(*store_, f).empty());
    // Limit and offset.
    f = {};
    f.limit = 2;
    f.offset = 1;
    EXPECT_EQ(ids_of(*store_, f), (std::vector<std::string>{"P1", "P3"}));
    f.limit = 0;
    f.offset = 3;
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P4"});
    // Stopping.
    std::size_t seen = 0;
    auto n = store_->find(all, [&](const WorklistEntry&) { return ++seen < 2; });
    ASSERT_TRUE(n);
    EXPECT_EQ(seen, 2u);
}

TEST_P(WorklistContract, FindCallbackMayChangeTheStore) {
    auto id = store_->put("o1", item("P1", "Doe^John", "CT", "20261206", "0800"), ascii());
    ASSERT_TRUE(id);
    auto n = store_->find({}, [&](const WorklistEntry& e) {
        auto r = store_->replace(e.id, item("P1", "Doe^John", "CT", "20261206", "0800", "STARTED"), ascii());
        EXPECT_TRUE(r && *r);
        return true;
    });
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1u);
    WorklistFilter f;
    f.statuses = {"STARTED"};
    EXPECT_EQ(ids_of(*store_, f), std::vector<std::string>{"P1"});
}

}  // namespace dicomkit::server::index::test
