// Index contract tests: adding instances, the duplicate policy and PS3.4 C.2.2.2 matching at
// every level of both Query/Retrieve information models.
#include "index_contract.hpp"

#include <set>

#include <dicomkit/dict/tags.hpp>

namespace dicomkit::server::index::test {

namespace {

using model::Root;

struct Inst {
    const char* pid;
    const char* name;
    const char* study;
    const char* date;
    const char* time;
    const char* series;
    const char* modality;
    const char* sop;
};

DataSet make(const Inst& i) {
    DataSet ds;
    ds.set_string(tags::PatientID, VR::LO, i.pid);
    ds.set_string(tags::PatientName, VR::PN, i.name);
    ds.set_string(tags::PatientSex, VR::CS, "O");
    ds.set_string(tags::StudyInstanceUID, VR::UI, i.study);
    ds.set_string(tags::StudyDate, VR::DA, i.date);
    ds.set_string(tags::StudyTime, VR::TM, i.time);
    ds.set_string(tags::AccessionNumber, VR::SH, std::string("A") + i.study);
    ds.set_string(tags::SeriesInstanceUID, VR::UI, i.series);
    ds.set_string(tags::Modality, VR::CS, i.modality);
    ds.set_string(tags::SOPInstanceUID, VR::UI, i.sop);
    ds.set_string(tags::SOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.2");
    return ds;
}

const Inst kData[] = {
    {"P1", "Doe^John", "1.1", "20200101", "083000", "1.1.1", "CT", "1.1.1.1"},
    {"P1", "Doe^John", "1.1", "20200101", "083000", "1.1.1", "CT", "1.1.1.2"},
    {"P1", "Doe^John", "1.1", "20200101", "083000", "1.1.2", "MR", "1.1.2.1"},
    {"P1", "Doe^John", "1.2", "20210615", "120000", "1.2.1", "CT", "1.2.1.1"},
    {"P2", "Smith^Jane", "2.1", "20220301", "235959", "2.1.1", "US", "2.1.1.1"},
    {"P3", "DOLE^Bob", "3.1", "", "", "3.1.1", "MR", "3.1.1.1"},
};

using Rows = std::vector<DataSet>;

Rows run(Index& ix, Root root, DataSet q) {
    Rows rows;
    auto n = ix.find(root, q, [&](const DataSet& m) {
        rows.push_back(m);
        return true;
    });
    EXPECT_TRUE(n) << (n ? "" : n.error().to_string());
    return rows;
}

std::set<std::string> values(const Rows& rows, Tag t) {
    std::set<std::string> s;
    for (const auto& r : rows) s.insert(r.string_or(t));
    return s;
}

DataSet ident(const char* level, std::initializer_list<std::pair<Tag, std::pair<VR, const char*>>> keys) {
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, level);
    for (const auto& [t, v] : keys) q.set_string(t, v.first, v.second);
    return q;
}

}  // namespace

void IndexContract::SetUp() {
    index_ = GetParam()();
    ASSERT_TRUE(index_);
    for (const Inst& i : kData) {
        auto r = index_->add(make(i), InstanceFile{std::string("f/") + i.sop, 100, "1.2.840.10008.1.2.1"},
                             DuplicatePolicy::Reject);
        ASSERT_TRUE(r) << r.error().to_string();
        ASSERT_EQ(*r, AddStatus::Added);
    }
}

TEST_P(IndexContract, DuplicatePolicies) {
    const DataSet ds = make(kData[0]);
    EXPECT_FALSE(index_->add(ds, {"other", 1, ""}, DuplicatePolicy::Reject));
    auto kept = index_->add(ds, {"other", 1, ""}, DuplicatePolicy::Keep);
    ASSERT_TRUE(kept);
    EXPECT_EQ(*kept, AddStatus::Kept);
    EXPECT_EQ(index_->instance("1.1.1.1")->value().path, "f/1.1.1.1");
    auto rep = index_->add(ds, {"other", 7, "1.2.840.10008.1.2"}, DuplicatePolicy::Replace);
    ASSERT_TRUE(rep);
    EXPECT_EQ(*rep, AddStatus::Replaced);
    auto f = index_->instance("1.1.1.1");
    ASSERT_TRUE(f && *f);
    EXPECT_EQ((*f)->path, "other");
    EXPECT_EQ((*f)->size, 7u);
    EXPECT_FALSE(*index_->instance("9.9"));
}

TEST_P(IndexContract, MissingUidsRefused) {
    DataSet ds = make(kData[0]);
    ds.remove(tags::SOPInstanceUID);
    EXPECT_FALSE(index_->add(ds, {"x", 1, ""}, DuplicatePolicy::Keep));
}

TEST_P(IndexContract, ExactPatientIdAtStudyLevel) {
    auto rows = run(*index_, Root::Study,
                    ident("STUDY", {{tags::PatientID, {VR::LO, "P1"}}, {tags::StudyInstanceUID, {VR::UI, ""}},
                                    {tags::PatientName, {VR::PN, ""}}}));
    EXPECT_EQ(values(rows, tags::StudyInstanceUID), (std::set<std::string>{"1.1", "1.2"}));
    EXPECT_EQ(values(rows, tags::PatientName), (std::set<std::string>{"Doe^John"}));
    for (const auto& r : rows) {
        EXPECT_EQ(r.string_or(tags::QueryRetrieveLevel), "STUDY");
        EXPECT_FALSE(r.contains(tags::StudyDate)) << "only the requested keys";
    }
}

TEST_P(IndexContract, PersonNameWildcardIsCaseInsensitive) {
    auto rows = run(*index_, Root::Patient, ident("PATIENT", {{tags::PatientName, {VR::PN, "do*"}}, {tags::PatientID, {VR::LO, ""}}}));
    EXPECT_EQ(values(rows, tags::PatientID), (std::set<std::string>{"P1", "P3"}));
    rows = run(*index_, Root::Patient, ident("PATIENT", {{tags::PatientName, {VR::PN, "D?E^*"}}, {tags::PatientID, {VR::LO, ""}}}));
    EXPECT_EQ(values(rows, tags::PatientID), (std::set<std::string>{"P1"}));
    rows = run(*index_, Root::Patient, ident("PATIENT", {{tags::PatientName, {VR::PN, "smith^jane"}}, {tags::PatientID, {VR::LO, ""}}}));
    EXPECT_EQ(values(rows, tags::PatientID), (std::set<std::string>{"P2"}));
}

TEST_P(IndexContract, DateRanges) {
    auto q = [&](const char* range) {
        return values(run(*index_, Root::Study, ident("STUDY", {{tags::StudyDate, {VR::DA, range}}, {tags::StudyInstanceUID, {VR::UI, ""}}})),
                      tags::StudyInstanceUID);
    };
    EXPECT_EQ(q("20200101-20211231"), (std::set<std::string>{"1.1", "1.2"}));
    EXPECT_EQ(q("-20200101"), (std::set<std::string>{"1.1"}));
    EXPECT_EQ(q("20210101-"), (std::set<std::string>{"1.2", "2.1"}));
    EXPECT_EQ(q("20220301"), (std::set<std::string>{"2.1"}));
    EXPECT_EQ(q(""), (std::set<std::string>{"1.1", "1.2", "2.1", "3.1"}));
}

TEST_P(IndexContract, TimeRangeUpperEndIsInclusive) {
    auto rows = run(*index_, Root::Study, ident("STUDY", {{tags::StudyTime, {VR::TM, "0800-1200"}}, {tags::StudyInstanceUID, {VR::UI, ""}}}));
    EXPECT_EQ(values(rows, tags::StudyInstanceUID), (std::set<std::string>{"1.1", "1.2"}));
}

TEST_P(IndexContract, ListOfUids) {
    auto rows = run(*index_, Root::Study, ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "1.2\\2.1\\7.7"}}}));
    EXPECT_EQ(values(rows, tags::StudyInstanceUID), (std::set<std::string>{"1.2", "2.1"}));
}

TEST_P(IndexContract, UniversalMatchingReturnsEverything) {
    auto rows = run(*index_, Root::Study,
                    ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, ""}}, {tags::ModalitiesInStudy, {VR::CS, ""}},
                                    {tags::NumberOfStudyRelatedInstances, {VR::IS, ""}}}));
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].string_or(tags::StudyInstanceUID), "1.1");
    EXPECT_EQ(rows[0].string_or(tags::ModalitiesInStudy), "CT");
    auto mods = rows[0].find(tags::ModalitiesInStudy)->strings();
    ASSERT_TRUE(mods);
    EXPECT_EQ(mods->size(), 2u);
    EXPECT_EQ(rows[0].string_or(tags::NumberOfStudyRelatedInstances), "3");
}

TEST_P(IndexContract, ModalitiesInStudyMatchesAnySeries) {
    auto rows = run(*index_, Root::Study, ident("STUDY", {{tags::ModalitiesInStudy, {VR::CS, "MR"}}, {tags::StudyInstanceUID, {VR::UI, ""}}}));
    EXPECT_EQ(values(rows, tags::StudyInstanceUID), (std::set<std::string>{"1.1", "3.1"}));
}

TEST_P(IndexContract, SeriesLevelUnderAStudy) {
    auto rows = run(*index_, Root::Study,
                    ident("SERIES", {{tags::StudyInstanceUID, {VR::UI, "1.1"}}, {tags::SeriesInstanceUID, {VR::UI, ""}},
                                     {tags::Modality, {VR::CS, ""}}, {tags::NumberOfSeriesRelatedInstances, {VR::IS, ""}}}));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].string_or(tags::SeriesInstanceUID), "1.1.1");
    EXPECT_EQ(rows[0].string_or(tags::NumberOfSeriesRelatedInstances), "2");
    EXPECT_EQ(rows[1].string_or(tags::Modality), "MR");
    EXPECT_EQ(rows[0].string_or(tags::StudyInstanceUID), "1.1");
}

TEST_P(IndexContract, SeriesLevelNeedsTheStudyUid) {
    DataSet q = ident("SERIES", {{tags::Modality, {VR::CS, "CT"}}});
    EXPECT_FALSE(index_->find(Root::Study, q, [](const DataSet&) { return true; }));
}

TEST_P(IndexContract, ImageLevelPatientRoot) {
    auto rows = run(*index_, Root::Patient,
                    ident("IMAGE", {{tags::PatientID, {VR::LO, "P1"}}, {tags::StudyInstanceUID, {VR::UI, "1.1"}},
                                    {tags::SeriesInstanceUID, {VR::UI, "1.1.1"}}, {tags::SOPInstanceUID, {VR::UI, ""}}}));
    EXPECT_EQ(values(rows, tags::SOPInstanceUID), (std::set<std::string>{"1.1.1.1", "1.1.1.2"}));
    rows = run(*index_, Root::Patient,
               ident("IMAGE", {{tags::PatientID, {VR::LO, "P2"}}, {tags::StudyInstanceUID, {VR::UI, "1.1"}},
                               {tags::SeriesInstanceUID, {VR::UI, "1.1.1"}}, {tags::SOPInstanceUID, {VR::UI, ""}}}));
    EXPECT_TRUE(rows.empty()) << "the patient ID does not own that study";
}

TEST_P(IndexContract, StopsWhenTheCallbackSaysSo) {
    int seen = 0;
    auto n = index_->find(Root::Study, ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, ""}}}), [&](const DataSet&) {
        ++seen;
        return false;
    });
    ASSERT_TRUE(n);
    EXPECT_EQ(seen, 1);
}

TEST_P(IndexContract, UnknownKeysComeBackEmpty) {
    auto rows = run(*index_, Root::Study,
                    ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "2.1"}}, {tags::InstitutionName, {VR::LO, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    ASSERT_TRUE(rows[0].contains(tags::InstitutionName));
    EXPECT_EQ(rows[0].find(tags::InstitutionName)->length(), 0u);
}

TEST_P(IndexContract, NonAsciiNamesMatchAndDeclareUtf8) {
    DataSet ds = make({"P9", "", "9.1", "20230101", "", "9.1.1", "CT", "9.1.1.1"});
    ds.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 100");
    const std::string latin1_name = "M\xfcller^Hans";  // ü in ISO 8859-1
    ds.set(Element::from_bytes(tags::PatientName, VR::PN,
                               std::span(reinterpret_cast<const std::uint8_t*>(latin1_name.data()), latin1_name.size())));
    ASSERT_TRUE(index_->add(ds, {"f9", 1, ""}, DuplicatePolicy::Reject));
    auto rows = run(*index_, Root::Patient, ident("PATIENT", {{tags::PatientName, {VR::PN, "M*"}}, {tags::PatientID, {VR::LO, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].string_or(tags::SpecificCharacterSet), "ISO_IR 192");
    EXPECT_EQ(rows[0].string_or(tags::PatientName), "M\xc3\xbcller^Hans");
}

TEST_P(IndexContract, LaterInstancesUpdateTheirPatientStudyAndSeries) {
    // Another instance of study 1.1 with changed patient, study and series attributes: the rows
    // are updated in place (no second patient, study or series); an unchanged one leaves them.
    ASSERT_TRUE(index_->add(make({"P1", "Doe^Johnny", "1.1", "20200102", "090000", "1.1.1", "MR", "1.1.1.3"}),
                            {"f/1.1.1.3", 1, ""}, DuplicatePolicy::Reject));
    ASSERT_TRUE(index_->add(make({"P1", "Doe^Johnny", "1.1", "20200102", "090000", "1.1.1", "MR", "1.1.1.4"}),
                            {"f/1.1.1.4", 1, ""}, DuplicatePolicy::Reject));
    auto rows = run(*index_, Root::Patient,
                    ident("PATIENT", {{tags::PatientID, {VR::LO, "P1"}}, {tags::PatientName, {VR::PN, ""}},
                                      {tags::NumberOfPatientRelatedStudies, {VR::IS, ""}},
                                      {tags::NumberOfPatientRelatedInstances, {VR::IS, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].string_or(tags::PatientName), "Doe^Johnny");
    EXPECT_EQ(rows[0].string_or(tags::NumberOfPatientRelatedStudies), "2");
    EXPECT_EQ(rows[0].string_or(tags::NumberOfPatientRelatedInstances), "6");
    rows = run(*index_, Root::Study,
               ident("SERIES", {{tags::StudyInstanceUID, {VR::UI, "1.1"}}, {tags::SeriesInstanceUID, {VR::UI, ""}},
                                {tags::StudyDate, {VR::DA, ""}}, {tags::Modality, {VR::CS, ""}},
                                {tags::NumberOfSeriesRelatedInstances, {VR::IS, ""}}}));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(values(rows, tags::StudyDate), (std::set<std::string>{"20200102"}));
    EXPECT_EQ(values(rows, tags::Modality), (std::set<std::string>{"MR"}));
    EXPECT_EQ(values(rows, tags::NumberOfSeriesRelatedInstances), (std::set<std::string>{"1", "4"}));
}

}  // namespace dicomkit::server::index::test
