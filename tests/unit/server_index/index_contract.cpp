// Index contract tests: adding instances, the duplicate policy and PS3.4 C.2.2.2 matching at
// every level of both Query/Retrieve information models.
#include "index_contract.hpp"

#include <map>
#include <optional>
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
    auto n = find_identifier(ix, root, q, [&](const DataSet& m) {
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

/// Every value of `t` joined with a backslash (string_or gives the first only).
std::string joined(const DataSet& ds, Tag t) {
    const Element* e = ds.find(t);
    auto v = e ? e->strings() : Result<std::vector<std::string_view>>{};
    std::string out;
    if (v)
        for (auto s : *v) out += (out.empty() ? "" : "\\") + std::string(s);
    return out;
}

DataSet ident(const char* level, std::initializer_list<std::pair<Tag, std::pair<VR, const char*>>> keys) {
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, level);
    for (const auto& [t, v] : keys) q.set_string(t, v.first, v.second);
    return q;
}

}  // namespace

void expect_migrated_from_version_1(Index& ix) {
    auto rows = run(ix, Root::Study,
                    ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "S"}}, {tags::ModalitiesInStudy, {VR::CS, ""}},
                                    {tags::PatientName, {VR::PN, ""}}, {tags::PatientAge, {VR::AS, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(joined(rows[0], tags::ModalitiesInStudy), "CT\\MR");
    EXPECT_EQ(rows[0].string_or(tags::PatientName), "Old^Timer");
    EXPECT_EQ(rows[0].find(tags::PatientAge)->length(), 0u) << "rows of version 1 have no attributes blob";
    auto kept = ix.instance("S.1.1");
    ASSERT_TRUE(kept && *kept);
    EXPECT_EQ((*kept)->path, "S.1.1.dcm") << "a path in storage becomes the file's id in the store";
    auto other = ix.instance("S.2.1");
    ASSERT_TRUE(other && *other);
    EXPECT_EQ((*other)->path, "/elsewhere/S.2.1.dcm") << "anything else is left as it was";
    DataSet ds = make({"P", "Old^Timer", "S", "", "", "S.3", "SR", "S.3.1"});
    ds.set_string(tags::PatientAge, VR::AS, "077Y");
    ASSERT_TRUE(ix.add(ds, {"f", 1, ""}, DuplicatePolicy::Reject));
    rows = run(ix, Root::Study,
               ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "S"}}, {tags::ModalitiesInStudy, {VR::CS, ""}},
                               {tags::PatientAge, {VR::AS, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(joined(rows[0], tags::ModalitiesInStudy), "CT\\MR\\SR");
    EXPECT_EQ(rows[0].string_or(tags::PatientAge), "077Y");
}

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

TEST_P(IndexContract, AnInstanceWithoutAStudyDateKeepsTheStudys) {
    // A presentation state of study 1.1 with no Study Date, Time or Accession: the study keeps them.
    DataSet gsps = make({"P1", "Doe^John", "1.1", "", "", "1.1.9", "PR", "1.1.9.1"});
    gsps.set_string(tags::AccessionNumber, VR::SH, "");
    ASSERT_TRUE(index_->add(gsps, {"f/gsps", 1, ""}, DuplicatePolicy::Replace));
    auto studies = run(*index_, Root::Study,
                       ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "1.1"}}, {tags::StudyDate, {VR::DA, ""}},
                                       {tags::AccessionNumber, {VR::SH, ""}}}));
    ASSERT_EQ(studies.size(), 1u);
    EXPECT_EQ(studies[0].string_or(tags::StudyDate), "20200101");
    EXPECT_EQ(studies[0].string_or(tags::AccessionNumber), "A1.1");
    // A value that is there replaces the study's.
    DataSet later = make({"P1", "Doe^John", "1.1", "20200102", "090000", "1.1.9", "PR", "1.1.9.2"});
    ASSERT_TRUE(index_->add(later, {"f/later", 1, ""}, DuplicatePolicy::Replace));
    studies = run(*index_, Root::Study,
                  ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "1.1"}}, {tags::StudyDate, {VR::DA, ""}}}));
    ASSERT_EQ(studies.size(), 1u);
    EXPECT_EQ(studies[0].string_or(tags::StudyDate), "20200102");
}

TEST_P(IndexContract, ReplaceIntoAnotherStudyDropsTheEmptiedParents) {
    // 2.1.1.1 is the only instance of patient P2, study 2.1, series 2.1.1.
    DataSet moved = make({"P3", "DOLE^Bob", "3.1", "", "", "3.1.1", "MR", "2.1.1.1"});
    auto rep = index_->add(moved, {"f/moved", 1, ""}, DuplicatePolicy::Replace);
    ASSERT_TRUE(rep) << rep.error().to_string();
    EXPECT_EQ(*rep, AddStatus::Replaced);
    auto studies = run(*index_, Root::Study, ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, ""}}}));
    EXPECT_EQ(values(studies, tags::StudyInstanceUID), (std::set<std::string>{"1.1", "1.2", "3.1"}));
    auto patients = run(*index_, Root::Patient, ident("PATIENT", {{tags::PatientID, {VR::LO, ""}}}));
    EXPECT_EQ(values(patients, tags::PatientID), (std::set<std::string>{"P1", "P3"}));
}

TEST_P(IndexContract, RemoveDropsTheInstanceAndWhatItLeavesEmpty) {
    auto r = index_->remove("1.1.1.1");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(*r);
    EXPECT_FALSE(*index_->instance("1.1.1.1"));
    auto series = run(*index_, Root::Study,
                      ident("SERIES", {{tags::StudyInstanceUID, {VR::UI, "1.1"}},
                                       {tags::SeriesInstanceUID, {VR::UI, ""}},
                                       {tags::NumberOfSeriesRelatedInstances, {VR::IS, ""}}}));
    ASSERT_EQ(series.size(), 2u) << "1.1.1 keeps 1.1.1.2";
    EXPECT_EQ(series[0].string_or(tags::NumberOfSeriesRelatedInstances), "1");

    r = index_->remove("2.1.1.1");  // the last instance of P2
    ASSERT_TRUE(r && *r);
    auto studies = run(*index_, Root::Study, ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, ""}}}));
    EXPECT_EQ(values(studies, tags::StudyInstanceUID), (std::set<std::string>{"1.1", "1.2", "3.1"}));
    auto patients = run(*index_, Root::Patient, ident("PATIENT", {{tags::PatientID, {VR::LO, ""}}}));
    EXPECT_EQ(values(patients, tags::PatientID), (std::set<std::string>{"P1", "P3"}));

    r = index_->remove("2.1.1.1");
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r) << "not indexed any more";
    // The study can come back.
    ASSERT_TRUE(index_->add(make(kData[4]), {"f/again", 1, ""}, DuplicatePolicy::Reject));
    EXPECT_EQ(index_->instance("2.1.1.1")->value().path, "f/again");
}

TEST_P(IndexContract, ForEachInstanceListsEveryFile) {
    std::map<std::string, InstanceFile> seen;
    auto n = index_->for_each_instance([&](const std::string& uid, const InstanceFile& f) {
        seen[uid] = f;
        return true;
    });
    ASSERT_TRUE(n) << n.error().to_string();
    EXPECT_EQ(*n, std::size(kData));
    ASSERT_EQ(seen.size(), std::size(kData));
    for (const Inst& i : kData) {
        ASSERT_TRUE(seen.count(i.sop)) << i.sop;
        EXPECT_EQ(seen[i.sop].path, std::string("f/") + i.sop);
        EXPECT_EQ(seen[i.sop].size, 100u);
        EXPECT_EQ(seen[i.sop].transfer_syntax, "1.2.840.10008.1.2.1");
    }
    int calls = 0;
    n = index_->for_each_instance([&](const std::string&, const InstanceFile&) { return ++calls < 2; });
    ASSERT_TRUE(n);
    EXPECT_EQ(calls, 2) << "stops when told";
}

TEST_P(IndexContract, FilesUnderAStudySeriesOrInstance) {
    auto uids = [&](const std::string& study, const std::string& series, const std::string& sop) {
        std::vector<std::string> out;
        auto r = index_->files_under(study, series, sop);
        EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
        if (!r || !*r) return out;
        for (const Index::LocatedFile& f : **r) {
            EXPECT_EQ(f.file.path, "f/" + f.sop_instance_uid);
            EXPECT_EQ(f.file.size, 100u);
            EXPECT_EQ(f.file.transfer_syntax, "1.2.840.10008.1.2.1");
            EXPECT_EQ(f.sop_class_uid, "1.2.840.10008.5.1.4.1.1.2");
            out.push_back(f.sop_instance_uid);
        }
        return out;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(uids("1.1", "", ""), (V{"1.1.1.1", "1.1.1.2", "1.1.2.1"})) << "series by series, as indexed";
    EXPECT_EQ(uids("1.1", "1.1.2", ""), (V{"1.1.2.1"}));
    EXPECT_EQ(uids("1.1", "1.1.1", "1.1.1.2"), (V{"1.1.1.2"}));
    EXPECT_EQ(uids("1.1", "", "1.1.2.1"), (V{"1.1.2.1"}));
    EXPECT_EQ(uids("1.1", "1.2.1", ""), V{}) << "a series of another study";
    EXPECT_EQ(uids("1.2", "", "1.1.1.1"), V{}) << "an instance of another study";
    EXPECT_EQ(uids("9.9", "", ""), V{});
    EXPECT_EQ(uids("1.1%", "", ""), V{}) << "UIDs are matched literally";
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
    EXPECT_FALSE(find_identifier(*index_, Root::Study, q, [](const DataSet&) { return true; }));
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
    auto n = find_identifier(*index_, Root::Study, ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, ""}}}), [&](const DataSet&) {
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

namespace {

/// An instance with optional attributes at every level, in ISO 8859-1.
DataSet rich_instance() {
    DataSet ds = make({"P7", "Rich^Ann", "7.1", "20240102", "101500", "7.1.1", "MR", "7.1.1.1"});
    ds.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 100");
    auto latin1 = [&](Tag t, VR vr, std::string_view text) {
        ds.set(Element::from_bytes(t, vr, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
    };
    // Patient level
    ds.set_string(tags::IssuerOfPatientID, VR::LO, "HOSP");
    ds.set_string(tags::PatientBirthTime, VR::TM, "0630");
    latin1(tags::PatientComments, VR::LT, "f\xfc" "r Tests");  // u umlaut in ISO 8859-1
    DataSet other_id;
    other_id.set_string(tags::PatientID, VR::LO, "OTHER-7");
    other_id.set_string(tags::IssuerOfPatientID, VR::LO, "CLINIC");
    ds.set(Element(tags::OtherPatientIDsSequence, VR::SQ, Sequence{{other_id}}));
    // Study level (General Study, Patient Study)
    ds.set_string(tags::PatientAge, VR::AS, "042Y");
    ds.set_string(tags::PatientWeight, VR::DS, "70.5");
    ds.set_string(tags::NameOfPhysiciansReadingStudy, VR::PN, "Reader^One\\Reader^Two");
    DataSet code;
    code.set_string(tags::CodeValue, VR::SH, "RPID1");
    code.set_string(tags::CodingSchemeDesignator, VR::SH, "RADLEX");
    code.set_string(tags::CodeMeaning, VR::LO, "MR Head");
    ds.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{{code}}));
    // Series level (General Series, Equipment)
    ds.set_string(tags::BodyPartExamined, VR::CS, "HEAD");
    ds.set_string(tags::SeriesDate, VR::DA, "20240102");
    ds.set_string(tags::Manufacturer, VR::LO, "ACME");
    ds.set_string(tags::ProtocolName, VR::LO, "T1 axial");
    // Image level
    ds.set_string(tags::ImageType, VR::CS, "ORIGINAL\\PRIMARY\\AXIAL");
    ds.set_string(tags::ContentDate, VR::DA, "20240103");
    ds.set(Element::from_number<std::uint16_t>(tags::Rows, VR::US, 512));
    ds.set_string(Tag{0x0009, 0x0010}, VR::LO, "PRIVATE CREATOR");
    ds.set_string(Tag{0x0009, 0x1010}, VR::LO, "private value");
    return ds;
}

}  // namespace

TEST_P(IndexContract, OptionalKeysOfEveryLevelAreReturned) {
    ASSERT_TRUE(index_->add(rich_instance(), {"f7", 1, "1.2.840.10008.1.2.4.50"}, DuplicatePolicy::Reject));
    // Patient Root, PATIENT level: the patient's attributes; a study's are below the level.
    auto rows = run(*index_, Root::Patient,
                    ident("PATIENT", {{tags::PatientID, {VR::LO, "P7"}}, {tags::IssuerOfPatientID, {VR::LO, ""}},
                                      {tags::PatientBirthTime, {VR::TM, ""}}, {tags::PatientAge, {VR::AS, ""}},
                                      {tags::EthnicGroup, {VR::SH, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].string_or(tags::IssuerOfPatientID), "HOSP");
    EXPECT_EQ(rows[0].string_or(tags::PatientBirthTime), "0630");
    ASSERT_TRUE(rows[0].contains(tags::PatientAge));
    EXPECT_EQ(rows[0].find(tags::PatientAge)->length(), 0u) << "a study-level key at the PATIENT level";
    ASSERT_TRUE(rows[0].contains(tags::EthnicGroup));
    EXPECT_EQ(rows[0].find(tags::EthnicGroup)->length(), 0u) << "not in the instance";
    EXPECT_FALSE(rows[0].contains(tags::SpecificCharacterSet)) << "all ASCII";

    // Study Root, STUDY level: patient and study attributes, sequences, text decoded to UTF-8.
    DataSet q = ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "7.1"}}, {tags::PatientComments, {VR::LT, ""}},
                                {tags::PatientAge, {VR::AS, ""}}, {tags::PatientWeight, {VR::DS, ""}},
                                {tags::NameOfPhysiciansReadingStudy, {VR::PN, ""}},
                                {tags::BodyPartExamined, {VR::CS, ""}}});
    q.set(Element(tags::OtherPatientIDsSequence, VR::SQ, Sequence{}));
    q.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{{DataSet{}}}));
    rows = run(*index_, Root::Study, q);
    ASSERT_EQ(rows.size(), 1u);
    const DataSet& st = rows[0];
    EXPECT_EQ(st.string_or(tags::PatientComments), "f\xc3\xbc" "r Tests");
    EXPECT_EQ(st.string_or(tags::SpecificCharacterSet), "ISO_IR 192");
    EXPECT_EQ(st.string_or(tags::PatientAge), "042Y");
    EXPECT_EQ(st.string_or(tags::PatientWeight), "70.5");
    auto readers = st.find(tags::NameOfPhysiciansReadingStudy)->strings();
    ASSERT_TRUE(readers);
    EXPECT_EQ(readers->size(), 2u);
    const Element* codes = st.find(tags::ProcedureCodeSequence);
    ASSERT_TRUE(codes && codes->is_sequence());
    ASSERT_EQ(codes->sequence().items.size(), 1u);
    EXPECT_EQ(codes->sequence().items[0].string_or(tags::CodeMeaning), "MR Head");
    const Element* ids = st.find(tags::OtherPatientIDsSequence);
    ASSERT_TRUE(ids && ids->is_sequence());
    ASSERT_EQ(ids->sequence().items.size(), 1u);
    EXPECT_EQ(ids->sequence().items[0].string_or(tags::PatientID), "OTHER-7");
    EXPECT_EQ(st.find(tags::BodyPartExamined)->length(), 0u) << "a series-level key at the STUDY level";

    // SERIES level: General Series and Equipment attributes.
    rows = run(*index_, Root::Study,
               ident("SERIES", {{tags::StudyInstanceUID, {VR::UI, "7.1"}}, {tags::SeriesInstanceUID, {VR::UI, ""}},
                                {tags::BodyPartExamined, {VR::CS, ""}}, {tags::SeriesDate, {VR::DA, ""}},
                                {tags::Manufacturer, {VR::LO, ""}}, {tags::ProtocolName, {VR::LO, ""}},
                                {tags::ImageType, {VR::CS, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].string_or(tags::BodyPartExamined), "HEAD");
    EXPECT_EQ(rows[0].string_or(tags::SeriesDate), "20240102");
    EXPECT_EQ(rows[0].string_or(tags::Manufacturer), "ACME");
    EXPECT_EQ(rows[0].string_or(tags::ProtocolName), "T1 axial");
    EXPECT_EQ(rows[0].find(tags::ImageType)->length(), 0u);

    // IMAGE level: any other attribute, binary ones too; the stored transfer syntax.
    DataSet iq = ident("IMAGE", {{tags::StudyInstanceUID, {VR::UI, "7.1"}}, {tags::SeriesInstanceUID, {VR::UI, "7.1.1"}},
                                 {tags::SOPInstanceUID, {VR::UI, ""}}, {tags::ImageType, {VR::CS, ""}},
                                 {tags::ContentDate, {VR::DA, ""}}, {tags::AvailableTransferSyntaxUID, {VR::UI, ""}},
                                 {Tag{0x0009, 0x1010}, {VR::LO, ""}}});
    iq.set(Element::from_bytes(tags::Rows, VR::US, {}));
    rows = run(*index_, Root::Study, iq);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].string_or(tags::ContentDate), "20240103");
    EXPECT_EQ(rows[0].find(tags::ImageType)->strings()->size(), 3u);
    auto rows_value = rows[0].get_number<std::uint16_t>(tags::Rows);
    ASSERT_TRUE(rows_value);
    EXPECT_EQ(*rows_value, 512);
    EXPECT_EQ(rows[0].string_or(tags::AvailableTransferSyntaxUID), "1.2.840.10008.1.2.4.50");
    EXPECT_EQ(rows[0].find(Tag{0x0009, 0x1010})->length(), 0u) << "private attributes are not kept";
}

TEST_P(IndexContract, ModalitiesInStudyFollowsItsSeries) {
    auto modalities = [&](const char* study) {
        auto rows = run(*index_, Root::Study,
                        ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, study}}, {tags::ModalitiesInStudy, {VR::CS, ""}}}));
        return rows.size() == 1 ? joined(rows[0], tags::ModalitiesInStudy) : std::string("?");
    };
    EXPECT_EQ(modalities("1.1"), "CT\\MR");
    ASSERT_TRUE(index_->add(make({"P1", "Doe^John", "1.1", "20200101", "083000", "1.1.3", "SR", "1.1.3.1"}),
                            {"f", 1, ""}, DuplicatePolicy::Reject));
    EXPECT_EQ(modalities("1.1"), "CT\\MR\\SR");
    // The study's only MR series becomes an OT series.
    ASSERT_TRUE(index_->add(make({"P1", "Doe^John", "1.1", "20200101", "083000", "1.1.2", "OT", "1.1.2.1"}),
                            {"f", 1, ""}, DuplicatePolicy::Replace));
    EXPECT_EQ(modalities("1.1"), "CT\\OT\\SR");
    // A series that turns up in another study leaves the first one.
    ASSERT_TRUE(index_->add(make({"P2", "Smith^Jane", "2.1", "20220301", "235959", "1.1.3", "SR", "1.1.3.2"}),
                            {"f", 1, ""}, DuplicatePolicy::Reject));
    EXPECT_EQ(modalities("1.1"), "CT\\OT");
    EXPECT_EQ(modalities("2.1"), "SR\\US");
    auto uids = [&](const char* value) {
        return values(run(*index_, Root::Study,
                          ident("STUDY", {{tags::ModalitiesInStudy, {VR::CS, value}}, {tags::StudyInstanceUID, {VR::UI, ""}}})),
                      tags::StudyInstanceUID);
    };
    EXPECT_EQ(uids("US\\SR"), (std::set<std::string>{"2.1"}));
    EXPECT_EQ(uids("CT\\MR"), (std::set<std::string>{"1.1", "1.2", "3.1"}));
    EXPECT_EQ(uids("O?"), (std::set<std::string>{"1.1"}));
}

TEST_P(IndexContract, SopClassesInStudy) {
    DataSet ds = make({"P1", "Doe^John", "1.2", "20210615", "120000", "1.2.2", "SR", "1.2.2.1"});
    ds.set_string(tags::SOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.88.11");
    ASSERT_TRUE(index_->add(ds, {"f", 1, ""}, DuplicatePolicy::Reject));
    auto rows = run(*index_, Root::Study,
                    ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "1.2"}}, {tags::SOPClassesInStudy, {VR::UI, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(joined(rows[0], tags::SOPClassesInStudy), "1.2.840.10008.5.1.4.1.1.2\\1.2.840.10008.5.1.4.1.1.88.11");
    rows = run(*index_, Root::Study,
               ident("STUDY", {{tags::SOPClassesInStudy, {VR::UI, "1.2.840.10008.5.1.4.1.1.88.11"}},
                               {tags::StudyInstanceUID, {VR::UI, ""}}}));
    EXPECT_EQ(values(rows, tags::StudyInstanceUID), (std::set<std::string>{"1.2"}));
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


namespace {

/// Studies 8.1 and 8.2 of patient P8 with procedure codes, 8.3 without; series with a Request
/// Attributes Sequence; the patient with two other IDs.
void add_coded_studies(Index& ix) {
    auto code = [](const char* value, const char* scheme, const char* meaning) {
        DataSet item;
        item.set_string(tags::CodeValue, VR::SH, value);
        item.set_string(tags::CodingSchemeDesignator, VR::SH, scheme);
        item.set_string(tags::CodeMeaning, VR::LO, meaning);
        return item;
    };
    auto other_id = [](const char* id, const char* issuer) {
        DataSet item;
        item.set_string(tags::PatientID, VR::LO, id);
        item.set_string(tags::IssuerOfPatientID, VR::LO, issuer);
        return item;
    };
    DataSet a = make({"P8", "Coded^Pat", "8.1", "20230101", "100000", "8.1.1", "CT", "8.1.1.1"});
    a.set(Element(tags::ProcedureCodeSequence, VR::SQ,
                  Sequence{{code("CT-HEAD", "LOCAL", "CT head"), code("CT-NECK", "LOCAL", "CT neck")}}));
    a.set(Element(tags::OtherPatientIDsSequence, VR::SQ, Sequence{{other_id("X-1", "NORTH"), other_id("Y-2", "SOUTH")}}));
    DataSet req;
    req.set_string(tags::RequestedProcedureID, VR::SH, "RP-77");
    req.set_string(tags::ScheduledProcedureStepID, VR::SH, "SPS-1");
    a.set(Element(tags::RequestAttributesSequence, VR::SQ, Sequence{{req}}));
    DataSet b = make({"P8", "Coded^Pat", "8.2", "20230202", "100000", "8.2.1", "MR", "8.2.1.1"});
    b.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{{code("MR-KNEE", "LOCAL", "MR knee")}}));
    b.set(Element(tags::OtherPatientIDsSequence, VR::SQ, Sequence{{other_id("X-1", "NORTH"), other_id("Y-2", "SOUTH")}}));
    DataSet c = make({"P8", "Coded^Pat", "8.3", "20230303", "100000", "8.3.1", "MR", "8.3.1.1"});
    c.set(Element(tags::OtherPatientIDsSequence, VR::SQ, Sequence{{other_id("X-1", "NORTH"), other_id("Y-2", "SOUTH")}}));
    for (const DataSet* ds : {&a, &b, &c})
        ASSERT_TRUE(ix.add(*ds, {"f/" + ds->string_or(tags::SOPInstanceUID), 1, ""}, DuplicatePolicy::Reject));
}

DataSet with_item(DataSet q, Tag sequence, std::initializer_list<std::pair<Tag, std::pair<VR, const char*>>> keys) {
    DataSet item;
    for (const auto& [t, v] : keys) item.set_string(t, v.first, v.second);
    q.set(Element(sequence, VR::SQ, Sequence{{item}}));
    return q;
}

}  // namespace

TEST_P(IndexContract, SequenceMatchingReturnsTheMatchingItems) {
    add_coded_studies(*index_);
    const DataSet studies = ident("STUDY", {{tags::PatientID, {VR::LO, "P8"}}, {tags::StudyInstanceUID, {VR::UI, ""}}});
    // Single value inside the item: one study, with the matching item only and the keys asked.
    auto rows = run(*index_, Root::Study,
                    with_item(studies, tags::ProcedureCodeSequence,
                              {{tags::CodeValue, {VR::SH, "CT-NECK"}}, {tags::CodeMeaning, {VR::LO, ""}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].string_or(tags::StudyInstanceUID), "8.1");
    const Element* seq = rows[0].find(tags::ProcedureCodeSequence);
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 1u);
    EXPECT_EQ(seq->sequence().items[0].string_or(tags::CodeValue), "CT-NECK");
    EXPECT_EQ(seq->sequence().items[0].string_or(tags::CodeMeaning), "CT neck");
    EXPECT_FALSE(seq->sequence().items[0].contains(tags::CodingSchemeDesignator));

    // Wild card: both studies with a code starting with a letter range; all keys in one item.
    rows = run(*index_, Root::Study,
               with_item(studies, tags::ProcedureCodeSequence,
                         {{tags::CodeValue, {VR::SH, "*-*"}}, {tags::CodingSchemeDesignator, {VR::SH, "LOCAL"}}}));
    EXPECT_EQ(values(rows, tags::StudyInstanceUID), (std::set<std::string>{"8.1", "8.2"}));
    for (const auto& r : rows) {
        if (r.string_or(tags::StudyInstanceUID) == "8.1") {
            EXPECT_EQ(r.find(tags::ProcedureCodeSequence)->sequence().items.size(), 2u);
        }
    }
    rows = run(*index_, Root::Study,
               with_item(studies, tags::ProcedureCodeSequence,
                         {{tags::CodeValue, {VR::SH, "MR-KNEE"}}, {tags::CodeMeaning, {VR::LO, "CT*"}}}));
    EXPECT_TRUE(rows.empty()) << "the keys must match in the same item";

    // Universal (empty sequence): every study, with its whole sequence (zero items for 8.3).
    DataSet all = studies;
    all.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{}));
    rows = run(*index_, Root::Study, all);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].find(tags::ProcedureCodeSequence)->sequence().items.size(), 2u);
    EXPECT_EQ(rows[0].find(tags::ProcedureCodeSequence)->sequence().items[0].string_or(tags::CodingSchemeDesignator),
              "LOCAL");
    const Element* none = rows[2].find(tags::ProcedureCodeSequence);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->is_sequence() ? none->sequence().items.empty() : none->length() == 0u);

    // Patient level in the Patient Root (Other Patient IDs), series level (Request Attributes).
    rows = run(*index_, Root::Patient,
               with_item(ident("PATIENT", {{tags::PatientID, {VR::LO, ""}}}), tags::OtherPatientIDsSequence,
                         {{tags::PatientID, {VR::LO, "Y-2"}}, {tags::IssuerOfPatientID, {VR::LO, "SOUTH"}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].string_or(tags::PatientID), "P8");
    rows = run(*index_, Root::Study,
               with_item(ident("SERIES", {{tags::StudyInstanceUID, {VR::UI, "8.1"}}, {tags::SeriesInstanceUID, {VR::UI, ""}}}),
                         tags::RequestAttributesSequence, {{tags::RequestedProcedureID, {VR::SH, "RP-77"}}}));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].find(tags::RequestAttributesSequence)->sequence().items.at(0).string_or(tags::RequestedProcedureID),
              "RP-77");
    rows = run(*index_, Root::Study,
               with_item(ident("SERIES", {{tags::StudyInstanceUID, {VR::UI, "8.1"}}, {tags::SeriesInstanceUID, {VR::UI, ""}}}),
                         tags::RequestAttributesSequence, {{tags::RequestedProcedureID, {VR::SH, "RP-78"}}}));
    EXPECT_TRUE(rows.empty());
}

TEST_P(IndexContract, SequenceMatchingCountsAndStopsOnlyOnMatches) {
    add_coded_studies(*index_);
    const DataSet q = with_item(ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, ""}}}), tags::ProcedureCodeSequence,
                                {{tags::CodeValue, {VR::SH, "MR-KNEE"}}});
    int seen = 0;
    auto n = find_identifier(*index_, Root::Study, q, [&](const DataSet& m) {
        ++seen;
        EXPECT_EQ(m.string_or(tags::StudyInstanceUID), "8.2");
        return false;  // C-CANCEL after the first match
    });
    ASSERT_TRUE(n) << n.error().to_string();
    EXPECT_EQ(*n, 1u);
    EXPECT_EQ(seen, 1);
    n = find_identifier(*index_, Root::Study, q, [](const DataSet&) { return true; });
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 1u) << "candidates that fail the sequence are not counted";
}

TEST_P(IndexContract, RelationalQueries) {
    add_coded_studies(*index_);
    const model::ParseOptions relational{.relational = true};
    auto find = [&](Root root, const DataSet& q, model::ParseOptions o) {
        Rows rows;
        auto n = find_identifier(*index_, root, q, [&](const DataSet& m) {
            rows.push_back(m);
            return true;
        }, o);
        return n ? std::optional<Rows>(rows) : std::nullopt;
    };
    // SERIES level by Modality without a Study Instance UID.
    const DataSet series = ident("SERIES", {{tags::Modality, {VR::CS, "MR"}}, {tags::SeriesInstanceUID, {VR::UI, ""}},
                                            {tags::StudyInstanceUID, {VR::UI, ""}}});
    EXPECT_FALSE(find(Root::Study, series, {})) << "hierarchical: refused";
    auto rows = find(Root::Study, series, relational);
    ASSERT_TRUE(rows);
    EXPECT_EQ(values(*rows, tags::SeriesInstanceUID), (std::set<std::string>{"1.1.2", "3.1.1", "8.2.1", "8.3.1"}));
    EXPECT_EQ(values(*rows, tags::StudyInstanceUID), (std::set<std::string>{"1.1", "3.1", "8.2", "8.3"}));

    // IMAGE level by Patient ID alone (Patient Root) and by a study attribute (Study Root).
    rows = find(Root::Patient, ident("IMAGE", {{tags::PatientID, {VR::LO, "P1"}}, {tags::SOPInstanceUID, {VR::UI, ""}}}),
                relational);
    ASSERT_TRUE(rows);
    EXPECT_EQ(values(*rows, tags::SOPInstanceUID), (std::set<std::string>{"1.1.1.1", "1.1.1.2", "1.1.2.1", "1.2.1.1"}));
    rows = find(Root::Study, ident("IMAGE", {{tags::StudyDate, {VR::DA, "20230101-20230202"}}, {tags::SOPInstanceUID, {VR::UI, ""}}}),
                relational);
    ASSERT_TRUE(rows);
    EXPECT_EQ(values(*rows, tags::SOPInstanceUID), (std::set<std::string>{"8.1.1.1", "8.2.1.1"}));

    // A non-unique key of a level above is matched (hierarchical: only returned).
    const DataSet by_name = ident("SERIES", {{tags::StudyInstanceUID, {VR::UI, "1.1"}}, {tags::PatientName, {VR::PN, "smith*"}},
                                             {tags::SeriesInstanceUID, {VR::UI, ""}}});
    rows = find(Root::Study, by_name, {});
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 2u);
    rows = find(Root::Study, by_name, relational);
    ASSERT_TRUE(rows);
    EXPECT_TRUE(rows->empty());

    // Relational with a sequence key of a level above: series of the studies with a CT code.
    rows = find(Root::Study,
                with_item(ident("SERIES", {{tags::SeriesInstanceUID, {VR::UI, ""}}}), tags::ProcedureCodeSequence,
                          {{tags::CodeValue, {VR::SH, "CT-*"}}}),
                relational);
    ASSERT_TRUE(rows);
    EXPECT_EQ(values(*rows, tags::SeriesInstanceUID), (std::set<std::string>{"8.1.1"}));
}

}  // namespace dicomkit::server::index::test

namespace dicomkit::server::index::test {

namespace {

constexpr const char* kColorPalette = "1.2.840.10008.5.1.4.39.1";
constexpr const char* kHangingProtocol = "1.2.840.10008.5.1.4.38.1";

/// A Color Palette (PS3.3 A.58): no Patient, Study or Series.
DataSet palette(const char* sop, const char* label, const char* creator) {
    DataSet ds;
    ds.set_string(tags::SOPClassUID, VR::UI, kColorPalette);
    ds.set_string(tags::SOPInstanceUID, VR::UI, sop);
    ds.set_string(tags::ContentLabel, VR::CS, label);
    ds.set_string(tags::ContentCreatorName, VR::PN, creator);
    ds.set_string(tags::InstanceCreationDate, VR::DA, "20240102");
    return ds;
}

std::map<std::string, DataSet> objects(Index& ix, const char* sop_class) {
    std::map<std::string, DataSet> out;
    auto n = ix.for_each_object(sop_class, [&](const std::string& uid, const DataSet& attrs) {
        out[uid] = attrs;
        return true;
    });
    EXPECT_TRUE(n) << n.error().to_string();
    return out;
}

}  // namespace

TEST_P(IndexContract, NonPatientObjectsAreIndexedApartAndFoundByUid) {
    auto r = index_->add(palette("9.1", "HOT_IRON", "Smith^Ann"), {"f/9.1", 77, "1.2.840.10008.1.2.1"},
                         DuplicatePolicy::Reject);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, AddStatus::Added);
    auto f = index_->instance("9.1");
    ASSERT_TRUE(f && *f) << "retrieval by SOP Instance UID finds the object";
    EXPECT_EQ((*f)->path, "f/9.1");
    EXPECT_EQ((*f)->size, 77u);
    auto all = objects(*index_, kColorPalette);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all["9.1"].string_or(tags::ContentLabel), "HOT_IRON");
    EXPECT_EQ(all["9.1"].string_or(tags::ContentCreatorName), "Smith^Ann");
    EXPECT_TRUE(objects(*index_, kHangingProtocol).empty());
    // Not in the patient hierarchy: no study, no instance of a study.
    EXPECT_EQ(run(*index_, Root::Study, ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, ""}}})).size(), 4u)
        << "the four studies of kData, nothing more";
    std::set<std::string> listed;
    ASSERT_TRUE(index_->for_each_instance([&](const std::string& uid, const InstanceFile&) {
        listed.insert(uid);
        return true;
    }));
    EXPECT_TRUE(listed.count("9.1")) << "reconciliation sees objects too";
    EXPECT_EQ(listed.size(), std::size(kData) + 1);
}

TEST_P(IndexContract, NonPatientObjectsFollowTheDuplicatePolicyAndAreRemoved) {
    ASSERT_TRUE(index_->add(palette("9.2", "A", "X"), {"f/a", 1, ""}, DuplicatePolicy::Reject));
    EXPECT_FALSE(index_->add(palette("9.2", "B", "X"), {"f/b", 1, ""}, DuplicatePolicy::Reject));
    auto kept = index_->add(palette("9.2", "B", "X"), {"f/b", 1, ""}, DuplicatePolicy::Keep);
    ASSERT_TRUE(kept);
    EXPECT_EQ(*kept, AddStatus::Kept);
    EXPECT_EQ(objects(*index_, kColorPalette)["9.2"].string_or(tags::ContentLabel), "A");
    auto replaced = index_->add(palette("9.2", "C", "X"), {"f/c", 1, ""}, DuplicatePolicy::Replace);
    ASSERT_TRUE(replaced);
    EXPECT_EQ(*replaced, AddStatus::Replaced);
    EXPECT_EQ(objects(*index_, kColorPalette)["9.2"].string_or(tags::ContentLabel), "C");
    EXPECT_EQ(index_->instance("9.2")->value().path, "f/c");
    // A UID names one entry: an instance of the same UID replaces the object, and back.
    DataSet ds = make({"P9", "N^N", "9.9", "", "", "9.9.9", "OT", "9.2"});
    auto as_instance = index_->add(ds, {"f/i", 1, ""}, DuplicatePolicy::Replace);
    ASSERT_TRUE(as_instance) << as_instance.error().to_string();
    EXPECT_EQ(*as_instance, AddStatus::Replaced);
    EXPECT_TRUE(objects(*index_, kColorPalette).empty());
    EXPECT_EQ(index_->instance("9.2")->value().path, "f/i");
    ASSERT_TRUE(index_->add(palette("9.2", "D", "X"), {"f/d", 1, ""}, DuplicatePolicy::Replace));
    EXPECT_TRUE(run(*index_, Root::Study, ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "9.9"}}})).empty())
        << "the study the instance left behind is gone";
    auto removed = index_->remove("9.2");
    ASSERT_TRUE(removed);
    EXPECT_TRUE(*removed);
    EXPECT_FALSE(index_->instance("9.2")->has_value());
    EXPECT_TRUE(objects(*index_, kColorPalette).empty());
}

TEST_P(IndexContract, AnInstanceWithoutStudyOrSeriesIsRefused) {
    DataSet ds = make(kData[0]);
    ds.set_string(tags::SOPInstanceUID, VR::UI, "8.1");
    ds.remove(tags::StudyInstanceUID);
    EXPECT_FALSE(index_->add(ds, {"x", 1, ""}, DuplicatePolicy::Replace)) << "a patient's instance needs its study";
    DataSet object = palette("8.2", "L", "C");
    object.remove(tags::SOPClassUID);
    EXPECT_FALSE(index_->add(object, {"x", 1, ""}, DuplicatePolicy::Replace)) << "no SOP class: not an object either";
}

TEST_P(IndexContract, SqlMetacharactersAreLiteral) {
    // PS3.4 C.2.2.2.4: only '*' and '?' are wild cards; '%', '_', '[', quotes and ';--' in stored
    // values and in keys are characters like any other, in both backends.
    const char* names[][2] = {{"Q1", "100%"},      {"Q2", "1000"},      {"Q3", "A_B"},
                              {"Q4", "AXB"},       {"Q5", "O'Brien"},   {"Q6", "x\"; DROP TABLE instance;--"},
                              {"Q7", "[AB]C"},     {"Q8", "AC"},        {"Q9", "'); DELETE FROM patient;--"}};
    int n = 0;
    for (const auto& [pid, name] : names) {
        std::string k = std::to_string(++n);
        Inst i{pid, name, "", "20240101", "", "", "OT", ""};
        std::string study = "8." + k, series = study + ".1", sop = series + ".1";
        i.study = study.c_str();
        i.series = series.c_str();
        i.sop = sop.c_str();
        auto r = index_->add(make(i), {"q/" + k, 1, ""}, DuplicatePolicy::Reject);
        ASSERT_TRUE(r) << name << ": " << r.error().to_string();
    }
    auto patients = [&](const char* key) {
        return values(run(*index_, Root::Patient,
                          ident("PATIENT", {{tags::PatientName, {VR::PN, key}}, {tags::PatientID, {VR::LO, ""}}})),
                      tags::PatientID);
    };
    using S = std::set<std::string>;
    EXPECT_EQ(patients("100%"), (S{"Q1"})) << "'%' is not a wild card";
    EXPECT_EQ(patients("10%"), S{});
    EXPECT_EQ(patients("A_B"), (S{"Q3"})) << "'_' is not a wild card";
    EXPECT_EQ(patients("A_*"), (S{"Q3"}));
    EXPECT_EQ(patients("O'Brien"), (S{"Q5"}));
    EXPECT_EQ(patients("O'Brien*"), (S{"Q5"}));
    EXPECT_EQ(patients("o'b?ien"), (S{"Q5"}));
    EXPECT_EQ(patients("x\"; DROP TABLE instance;--"), (S{"Q6"}));
    EXPECT_EQ(patients("*;--"), (S{"Q6", "Q9"}));
    EXPECT_EQ(patients("[AB]C"), (S{"Q7"})) << "'[' is not a character class";
    EXPECT_EQ(patients("[AB]*"), (S{"Q7"}));
    EXPECT_EQ(patients("'); DELETE FROM patient;--"), (S{"Q9"}));
    EXPECT_EQ(patients("' OR '1'='1"), S{});
    EXPECT_EQ(patients("%"), S{});
    EXPECT_EQ(patients("_"), S{});
    // Other keys too: a patient ID and a study UID list of quotes and percents match nothing.
    EXPECT_TRUE(run(*index_, Root::Patient, ident("PATIENT", {{tags::PatientID, {VR::LO, "Q%"}}})).empty());
    EXPECT_TRUE(run(*index_, Root::Patient, ident("PATIENT", {{tags::PatientID, {VR::LO, "Q_"}}})).empty());
    EXPECT_TRUE(run(*index_, Root::Study, ident("STUDY", {{tags::StudyInstanceUID, {VR::UI, "1.1' OR '1'='1"}}})).empty());
    EXPECT_TRUE(run(*index_, Root::Study, ident("STUDY", {{tags::AccessionNumber, {VR::SH, "A%"}}})).empty());
    // The tables survive: every instance, old and new, is still found.
    std::size_t instances = 0;
    auto counted = find_identifier(*index_, Root::Patient, ident("IMAGE", {{tags::SOPInstanceUID, {VR::UI, ""}}}),
                                [&](const DataSet&) { return ++instances, true; }, model::ParseOptions{.relational = true});
    ASSERT_TRUE(counted) << counted.error().to_string();
    EXPECT_EQ(instances, std::size(kData) + std::size(names));
    EXPECT_EQ(patients("*").size(), 3u + std::size(names));
}

}  // namespace dicomkit::server::index::test
