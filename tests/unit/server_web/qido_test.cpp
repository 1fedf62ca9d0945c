// QIDO-RS: query parameters to identifiers, and searches run against a real SQLite index holding
// a few instances (synthetic ones and tests/data/pixel/CT_small.dcm).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/server/web/qido.hpp>
#include <filesystem>
#include <set>

namespace dicomkit::server::web {
namespace {

namespace fs = std::filesystem;
using model::Level;

/// All values of `t`, backslash-separated as encoded.
std::string value(const DataSet& ds, Tag t) {
    const Element* e = ds.find(t);
    if (!e) return "(absent)";
    auto v = e->strings();
    if (!v) return "(not text)";
    std::string out;
    for (std::size_t i = 0; i < v->size(); ++i) out += (i ? "\\" : "") + std::string((*v)[i]);
    return out;
}

TEST(QidoParse, KeysValuesAndLevel) {
    auto q = parse_qido(
        Level::Study,
        "PatientName=DOE%5E*&StudyDate=20000101-20201231&limit=5&offset=2&fuzzymatching=true");
    ASSERT_TRUE(q) << q.error().to_string();
    EXPECT_EQ(q->level, Level::Study);
    EXPECT_EQ(value(q->identifier, tags::QueryRetrieveLevel), "STUDY");
    EXPECT_EQ(value(q->identifier, tags::PatientName), "DOE^*");
    EXPECT_EQ(value(q->identifier, tags::StudyDate), "20000101-20201231");
    EXPECT_EQ(q->limit, 5u);
    EXPECT_EQ(q->offset, 2u);
    EXPECT_TRUE(q->fuzzy);
    // Default return keys of Table 10.6.3-3, empty.
    for (Tag t :
         {tags::StudyInstanceUID, tags::AccessionNumber, tags::ModalitiesInStudy, tags::PatientID,
          tags::NumberOfStudyRelatedInstances, tags::RetrieveURL, tags::InstanceAvailability}) {
        const Element* e = q->identifier.find(t);
        ASSERT_NE(e, nullptr) << t.str();
        EXPECT_EQ(e->length(), 0u) << t.str();
    }
    EXPECT_FALSE(q->identifier.contains(tags::SeriesInstanceUID));
    EXPECT_FALSE(q->identifier.contains(tags::SpecificCharacterSet));
}

TEST(QidoParse, TagNumbersPlusAndUidLists) {
    auto q =
        parse_qido(Level::Series, "0020000D=1.2.3,1.2.4&SeriesDescription=chest+pa&00080060=CT");
    ASSERT_TRUE(q) << q.error().to_string();
    EXPECT_EQ(value(q->identifier, tags::StudyInstanceUID), "1.2.3\\1.2.4");
    EXPECT_EQ(value(q->identifier, tags::SeriesDescription), "chest pa");
    EXPECT_EQ(value(q->identifier, tags::Modality), "CT");
    EXPECT_EQ(value(q->identifier, tags::QueryRetrieveLevel), "SERIES");
    // All series: the study table too (10.6.3.3.2).
    EXPECT_TRUE(q->identifier.contains(tags::PatientName));
    EXPECT_TRUE(q->identifier.contains(tags::NumberOfSeriesRelatedInstances));
    const Element* ras = q->identifier.find(tags::RequestAttributesSequence);
    ASSERT_NE(ras, nullptr);
    ASSERT_TRUE(ras->is_sequence());
    ASSERT_EQ(ras->sequence().items.size(), 1u);
    EXPECT_TRUE(ras->sequence().items[0].contains(tags::RequestedProcedureID));
}

TEST(QidoParse, PathUidsIncludeFieldsAndNonAscii) {
    auto q = parse_qido(
        Level::Image,
        "includefield=StudyDescription,00181030&includefield=Modality&PatientName=M%C3%BCller",
        "1.2.840.1", "1.2.840.1.2");
    ASSERT_TRUE(q) << q.error().to_string();
    EXPECT_EQ(value(q->identifier, tags::StudyInstanceUID), "1.2.840.1");
    EXPECT_EQ(value(q->identifier, tags::SeriesInstanceUID), "1.2.840.1.2");
    EXPECT_EQ(value(q->identifier, tags::QueryRetrieveLevel), "IMAGE");
    EXPECT_EQ(value(q->identifier, tags::SpecificCharacterSet), "ISO_IR 192");
    EXPECT_EQ(value(q->identifier, tags::PatientName), "M\xC3\xBCller");
    ASSERT_EQ(q->include.size(), 3u);
    EXPECT_EQ(q->include[1], (Tag{0x0018, 0x1030}));
    EXPECT_TRUE(q->identifier.contains(tags::StudyDescription));
    EXPECT_TRUE(q->identifier.contains(
        Tag(0x0018, 0x1030)));  // ProtocolName: series, returned when present
    EXPECT_TRUE(q->identifier.contains(tags::Rows));
    EXPECT_FALSE(q->identifier.contains(tags::NumberOfStudyRelatedSeries))
        << "a series' instances: no study table";

    auto all = parse_qido(Level::Study, "includefield=all");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->include_all);
    EXPECT_TRUE(all->identifier.contains(tags::StudyDescription));
    EXPECT_TRUE(all->identifier.contains(tags::SOPClassesInStudy));
    EXPECT_FALSE(all->identifier.contains(tags::SeriesDescription));
}

TEST(QidoParse, StudyLevelModalityBecomesModalitiesInStudy) {
    auto q = parse_qido(Level::Study, "Modality=CT,MR");
    ASSERT_TRUE(q) << q.error().to_string();
    EXPECT_EQ(value(q->identifier, tags::ModalitiesInStudy), "CT\\MR");
    EXPECT_FALSE(q->identifier.contains(tags::Modality));
    auto s = parse_qido(Level::Study, "SOPClassUID=1.2.840.10008.5.1.4.1.1.2");
    ASSERT_TRUE(s) << s.error().to_string();
    EXPECT_EQ(value(s->identifier, tags::SOPClassesInStudy), "1.2.840.10008.5.1.4.1.1.2");
}

TEST(QidoParse, SequenceKeysBuildOneItem) {
    auto q = parse_qido(Level::Study,
                        "ReferencedStudySequence.ReferencedSOPInstanceUID=9.9.1&"
                        "ReferencedStudySequence.ReferencedSOPClassUID=");
    ASSERT_TRUE(q) << q.error().to_string();
    const Element* e = q->identifier.find(tags::ReferencedStudySequence);
    ASSERT_NE(e, nullptr);
    ASSERT_TRUE(e->is_sequence());
    ASSERT_EQ(e->sequence().items.size(), 1u);
    const DataSet& item = e->sequence().items[0];
    EXPECT_EQ(item.string_or(tags::ReferencedSOPInstanceUID), "9.9.1");
    ASSERT_TRUE(item.contains(tags::ReferencedSOPClassUID));
    EXPECT_EQ(item.find(tags::ReferencedSOPClassUID)->length(), 0u);
}

TEST(QidoParse, ErrorsNameTheParameter) {
    struct Case {
        Level level;
        std::string_view query;
        ErrorCode code;
        std::string_view mentions;
    };
    for (const Case& c : {
             Case{Level::Study, "PatientNam=DOE", ErrorCode::InvalidArgument, "PatientNam"},
             Case{Level::Study, "00991234=x", ErrorCode::InvalidArgument, "private"},
             Case{Level::Study, "12345678=x", ErrorCode::InvalidArgument, "12345678"},
             Case{Level::Study, "StudyDate=2020-13", ErrorCode::InvalidArgument, "StudyDate"},
             Case{Level::Study, "StudyDate=yesterday", ErrorCode::InvalidArgument, "StudyDate"},
             Case{Level::Study, "StudyInstanceUID=1.2.x", ErrorCode::InvalidArgument,
                  "StudyInstanceUID"},
             Case{Level::Study, "PatientID=A%5CB", ErrorCode::InvalidArgument, "PatientID"},
             Case{Level::Study, "PatientID=%4", ErrorCode::InvalidArgument, "percent"},
             Case{Level::Study, "limit=ten", ErrorCode::InvalidArgument, "limit"},
             Case{Level::Study, "limit=1&limit=2", ErrorCode::InvalidArgument, "limit"},
             Case{Level::Study, "fuzzymatching=maybe", ErrorCode::InvalidArgument, "fuzzymatching"},
             Case{Level::Study, "includefield=all&includefield=PatientAge",
                  ErrorCode::InvalidArgument, "all"},
             Case{Level::Study, "includefield=Nonsense", ErrorCode::InvalidArgument, "Nonsense"},
             Case{Level::Study, "SeriesDescription=x", ErrorCode::InvalidArgument,
                  "SERIES attribute"},
             Case{Level::Study, "PatientName=A&PatientName=B", ErrorCode::InvalidArgument, "twice"},
             Case{Level::Study, "PatientName.PatientID=A", ErrorCode::InvalidArgument,
                  "not a sequence"},
             Case{Level::Study, "Rows=5", ErrorCode::InvalidArgument, "Rows"},
             Case{Level::Series, "StudyInstanceUID=1.2.3", ErrorCode::Ok, ""},
         }) {
        auto q = parse_qido(c.level, c.query);
        if (c.code == ErrorCode::Ok) {
            EXPECT_TRUE(q) << c.query;
            continue;
        }
        ASSERT_FALSE(q) << c.query;
        EXPECT_EQ(q.error().code, c.code) << c.query << ": " << q.error().message;
        EXPECT_NE(q.error().message.find(c.mentions), std::string::npos)
            << c.query << ": " << q.error().message;
    }
    auto conflict = parse_qido(Level::Series, "StudyInstanceUID=1.2.4", "1.2.3");
    ASSERT_FALSE(conflict);
    EXPECT_NE(conflict.error().message.find("path"), std::string::npos);
    EXPECT_FALSE(parse_qido(Level::Series, "", "not-a-uid"));
    EXPECT_FALSE(parse_qido(Level::Patient, ""));
}

TEST(QidoParse, Limits) {
    std::string many;
    for (int i = 0; i < 300; ++i) many += "includefield=PatientAge&";
    auto q = parse_qido(Level::Study, many);
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().code, ErrorCode::LimitExceeded);
    auto big = parse_qido(Level::Study, "PatientID=" + std::string(5000, 'x'));
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, ErrorCode::LimitExceeded);
    auto deep =
        parse_qido(Level::Study,
                   "ReferencedStudySequence.ReferencedStudySequence.ReferencedStudySequence."
                   "ReferencedStudySequence.ReferencedStudySequence.StudyInstanceUID=1");
    ASSERT_FALSE(deep);
    EXPECT_NE(deep.error().message.find("deep"), std::string::npos);
}

/// A SQLite index in a temporary folder with three studies:
/// 1.2.1 DOE^JOHN 20100315 A1, series 1.2.1.1 CT (2 instances) and 1.2.1.2 MR (1), Referenced
///   Study Sequence item 9.9.1;
/// 1.2.2 DOE^JANE 19990101, series 1.2.2.1 CT (1);
/// 1.2.3 SMITH^ANN 20210601, series 1.2.3.1 MR (1);
/// plus CT_small.dcm (CompressedSamples^CT1, 20040119, CT, Rows 128).
class QidoIndex : public ::testing::Test {
  protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        root_ = fs::temp_directory_path() /
                ("dk-qido-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::remove_all(root_);
        fs::create_directories(root_);
        auto ix = index::sqlite::SqliteIndex::open((root_ / "index.db").string());
        ASSERT_TRUE(ix) << ix.error().to_string();
        index_ = std::move(*ix);
        add("P1", "DOE^JOHN", "1.2.1", "20100315", "A1", "1.2.1.1", "CT", "1.2.1.1.1", 1, true);
        add("P1", "DOE^JOHN", "1.2.1", "20100315", "A1", "1.2.1.1", "CT", "1.2.1.1.2", 2, true);
        add("P1", "DOE^JOHN", "1.2.1", "20100315", "A1", "1.2.1.2", "MR", "1.2.1.2.1", 1, true);
        add("P2", "DOE^JANE", "1.2.2", "19990101", "A2", "1.2.2.1", "CT", "1.2.2.1.1", 1, false);
        add("P3", "SMITH^ANN", "1.2.3", "20210601", "A3", "1.2.3.1", "MR", "1.2.3.1.1", 1, false);
        auto ct = io::read_file(std::string(DICOMKIT_TEST_DATA) + "/pixel/CT_small.dcm",
                                io::ReadOptions{.stop_before = tags::PixelData});
        ASSERT_TRUE(ct) << ct.error().to_string();
        auto r = index_->add(ct->dataset, index::InstanceFile{"ct_small", 1, "1.2.840.10008.1.2.1"},
                             index::DuplicatePolicy::Replace);
        ASSERT_TRUE(r) << r.error().to_string();
        service_ = std::make_unique<service::Query>(*index_);
    }
    void TearDown() override {
        service_.reset();
        index_.reset();
        fs::remove_all(root_);
    }

    void add(const std::string& pid, const std::string& name, const std::string& study,
             const std::string& date, const std::string& accession, const std::string& series,
             const std::string& modality, const std::string& sop, int number, bool referenced) {
        DataSet ds;
        ds.set_string(tags::SOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.7");
        ds.set_string(tags::SOPInstanceUID, VR::UI, sop);
        ds.set_string(tags::PatientID, VR::LO, pid);
        ds.set_string(tags::PatientName, VR::PN, name);
        ds.set_string(tags::StudyInstanceUID, VR::UI, study);
        ds.set_string(tags::StudyDate, VR::DA, date);
        ds.set_string(tags::AccessionNumber, VR::SH, accession);
        ds.set_string(tags::SeriesInstanceUID, VR::UI, series);
        ds.set_string(tags::Modality, VR::CS, modality);
        ds.set_string(tags::SeriesNumber, VR::IS, series.substr(series.rfind('.') + 1));
        ds.set_string(tags::InstanceNumber, VR::IS, std::to_string(number));
        ds.set(Element::from_number<std::uint16_t>(tags::Rows, VR::US, 64));
        if (referenced) {
            DataSet item;
            item.set_string(tags::ReferencedSOPClassUID, VR::UI, "1.2.840.10008.3.1.2.3.1");
            item.set_string(tags::ReferencedSOPInstanceUID, VR::UI, "9.9.1");
            ds.set(Element(tags::ReferencedStudySequence, VR::SQ, Sequence({item})));
        }
        auto r = index_->add(ds, index::InstanceFile{sop, 100, "1.2.840.10008.1.2.1"},
                             index::DuplicatePolicy::Replace);
        ASSERT_TRUE(r) << r.error().to_string();
    }

    struct Found {
        QidoOutcome outcome;
        std::vector<DataSet> objects;
        std::vector<std::string> json;
    };
    /// Parses, runs and reads back each emitted JSON object.
    Found search(Level level, std::string_view query, std::string_view study = {},
                 std::string_view series = {}) {
        Found f;
        auto q = parse_qido(level, query, study, series);
        EXPECT_TRUE(q) << query << ": " << (q ? "" : q.error().to_string());
        if (!q) return f;
        auto r =
            run_qido(*service_, *q, "http://127.0.0.1:8042/dicom-web", [&](std::string_view js) {
                f.json.emplace_back(js);
                auto ds = json::from_json(js);
                EXPECT_TRUE(ds) << js;
                if (ds) f.objects.push_back(std::move(*ds));
                return true;
            });
        EXPECT_TRUE(r) << query << ": " << (r ? "" : r.error().message);
        if (r) f.outcome = *r;
        return f;
    }
    static std::set<std::string> uids(const Found& f, Tag t) {
        std::set<std::string> out;
        for (const DataSet& d : f.objects) out.insert(d.string_or(t));
        return out;
    }

    fs::path root_;
    std::unique_ptr<index::sqlite::SqliteIndex> index_;
    std::unique_ptr<service::Query> service_;
};

const std::string kCtSmallStudy = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";

TEST_F(QidoIndex, AllStudiesWithDefaultAttributes) {
    auto f = search(Level::Study, "");
    EXPECT_EQ(f.outcome.matched, 4u);
    EXPECT_EQ(f.outcome.returned, 4u);
    EXPECT_FALSE(f.outcome.truncated);
    EXPECT_EQ(uids(f, tags::StudyInstanceUID),
              (std::set<std::string>{"1.2.1", "1.2.2", "1.2.3", kCtSmallStudy}));
    for (const DataSet& d : f.objects) {
        if (d.string_or(tags::StudyInstanceUID) != "1.2.1") continue;
        EXPECT_EQ(d.string_or(tags::PatientName), "DOE^JOHN");
        EXPECT_EQ(d.string_or(tags::AccessionNumber), "A1");
        EXPECT_EQ(d.string_or(tags::StudyDate), "20100315");
        EXPECT_EQ(d.get_number<std::int32_t>(tags::NumberOfStudyRelatedSeries).value_or(-1), 2);
        EXPECT_EQ(d.get_number<std::int32_t>(tags::NumberOfStudyRelatedInstances).value_or(-1), 3);
        auto mods = d.find(tags::ModalitiesInStudy)->strings();
        ASSERT_TRUE(mods);
        EXPECT_EQ(std::set<std::string_view>(mods->begin(), mods->end()),
                  (std::set<std::string_view>{"CT", "MR"}));
        EXPECT_EQ(d.string_or(tags::RetrieveURL), "http://127.0.0.1:8042/dicom-web/studies/1.2.1");
        EXPECT_EQ(d.string_or(tags::InstanceAvailability), "ONLINE");
        EXPECT_FALSE(d.contains(tags::QueryRetrieveLevel));
    }
    // One JSON object each, keyed by tag.
    ASSERT_FALSE(f.json.empty());
    EXPECT_EQ(f.json[0].front(), '{');
    EXPECT_NE(f.json[0].find("\"00081190\""), std::string::npos);
}

TEST_F(QidoIndex, WildcardsDateRangesAndUidLists) {
    EXPECT_EQ(uids(search(Level::Study, "PatientName=DOE*"), tags::StudyInstanceUID),
              (std::set<std::string>{"1.2.1", "1.2.2"}));
    EXPECT_EQ(uids(search(Level::Study, "PatientName=doe%5Ej*"), tags::StudyInstanceUID),
              (std::set<std::string>{"1.2.1", "1.2.2"}));  // PN: case-insensitive
    EXPECT_EQ(uids(search(Level::Study, "StudyDate=20000101-20201231"), tags::StudyInstanceUID),
              (std::set<std::string>{"1.2.1", kCtSmallStudy}));
    EXPECT_EQ(uids(search(Level::Study, "StudyDate=20200101-"), tags::StudyInstanceUID),
              (std::set<std::string>{"1.2.3"}));
    EXPECT_EQ(
        uids(search(Level::Study, "StudyInstanceUID=1.2.2,1.2.3,7.7"), tags::StudyInstanceUID),
        (std::set<std::string>{"1.2.2", "1.2.3"}));
    EXPECT_EQ(uids(search(Level::Study, "PatientID=1CT1"), tags::PatientName),
              (std::set<std::string>{"CompressedSamples^CT1"}));
}

TEST_F(QidoIndex, ModalityOnStudiesMatchesStudiesWithSuchASeries) {
    EXPECT_EQ(uids(search(Level::Study, "Modality=MR"), tags::StudyInstanceUID),
              (std::set<std::string>{"1.2.1", "1.2.3"}));
    EXPECT_EQ(
        uids(search(Level::Study, "ModalitiesInStudy=CT&PatientName=DOE*"), tags::StudyInstanceUID),
        (std::set<std::string>{"1.2.1", "1.2.2"}));
    EXPECT_EQ(uids(search(Level::Study, "Modality=CT,MR"), tags::StudyInstanceUID).size(), 4u);
}

TEST_F(QidoIndex, SeriesAndInstances) {
    auto series = search(Level::Series, "", "1.2.1");
    EXPECT_EQ(uids(series, tags::SeriesInstanceUID), (std::set<std::string>{"1.2.1.1", "1.2.1.2"}));
    for (const DataSet& d : series.objects) {
        const std::string uid = d.string_or(tags::SeriesInstanceUID);
        EXPECT_EQ(d.string_or(tags::RetrieveURL),
                  "http://127.0.0.1:8042/dicom-web/studies/1.2.1/series/" + uid);
        EXPECT_EQ(d.string_or(tags::Modality), uid == "1.2.1.1" ? "CT" : "MR");
        EXPECT_EQ(d.get_number<std::int32_t>(tags::NumberOfSeriesRelatedInstances).value_or(-1),
                  uid == "1.2.1.1" ? 2 : 1);
    }
    // All series, relational: a study key and a series key.
    auto ct = search(Level::Series, "Modality=CT&PatientName=DOE*");
    EXPECT_EQ(uids(ct, tags::SeriesInstanceUID), (std::set<std::string>{"1.2.1.1", "1.2.2.1"}));
    for (const DataSet& d : ct.objects)
        EXPECT_FALSE(d.string_or(tags::PatientID).empty()) << "study table returned";

    auto inst = search(Level::Image, "InstanceNumber=2", "1.2.1", "1.2.1.1");
    ASSERT_EQ(inst.objects.size(), 1u);
    EXPECT_EQ(inst.objects[0].string_or(tags::SOPInstanceUID), "1.2.1.1.2");
    EXPECT_EQ(inst.objects[0].string_or(tags::RetrieveURL),
              "http://127.0.0.1:8042/dicom-web/studies/1.2.1/series/1.2.1.1/instances/1.2.1.1.2");
    EXPECT_EQ(inst.objects[0].string_or(tags::SOPClassUID), "1.2.840.10008.5.1.4.1.1.7");
    EXPECT_EQ(inst.objects[0].get_number<std::uint16_t>(tags::Rows).value_or(0), 64);

    auto mr = search(Level::Image, "Modality=MR");
    EXPECT_EQ(uids(mr, tags::SOPInstanceUID), (std::set<std::string>{"1.2.1.2.1", "1.2.3.1.1"}));
    auto ct_small = search(Level::Image, "PatientName=Compressed*&includefield=StudyTime");
    ASSERT_EQ(ct_small.objects.size(), 1u);
    EXPECT_EQ(ct_small.objects[0].get_number<std::uint16_t>(tags::Rows).value_or(0), 128);
    EXPECT_EQ(ct_small.objects[0].string_or(tags::StudyTime), "072730");
}

TEST_F(QidoIndex, IncludeFieldReturnsStoredAttributes) {
    auto f = search(Level::Study, "StudyInstanceUID=1.2.1&includefield=ReferencedStudySequence");
    ASSERT_EQ(f.objects.size(), 1u);
    const Element* e = f.objects[0].find(tags::ReferencedStudySequence);
    ASSERT_NE(e, nullptr);
    ASSERT_TRUE(e->is_sequence());
    ASSERT_EQ(e->sequence().items.size(), 1u);
    EXPECT_EQ(e->sequence().items[0].string_or(tags::ReferencedSOPInstanceUID), "9.9.1");
    // Without includefield the attribute is not asked for.
    auto g = search(Level::Study, "StudyInstanceUID=1.2.1");
    ASSERT_EQ(g.objects.size(), 1u);
    EXPECT_FALSE(g.objects[0].contains(tags::ReferencedStudySequence));
}

TEST_F(QidoIndex, SequenceKeysMatch) {
    EXPECT_EQ(uids(search(Level::Study, "ReferencedStudySequence.ReferencedSOPInstanceUID=9.9.1"),
                   tags::StudyInstanceUID),
              (std::set<std::string>{"1.2.1"}));
    EXPECT_EQ(uids(search(Level::Study, "OtherPatientIDsSequence.PatientID=ABCD1234"),
                   tags::StudyInstanceUID),
              (std::set<std::string>{kCtSmallStudy}));
    EXPECT_TRUE(search(Level::Study, "ReferencedStudySequence.ReferencedSOPInstanceUID=9.9.2")
                    .objects.empty());
}

TEST_F(QidoIndex, LimitOffsetAndTruncation) {
    auto all = search(Level::Image, "");
    ASSERT_EQ(all.objects.size(), 6u);
    auto page = search(Level::Image, "limit=2&offset=1");
    EXPECT_EQ(page.outcome.returned, 2u);
    EXPECT_TRUE(page.outcome.truncated);
    ASSERT_EQ(page.objects.size(), 2u);
    // The index answers in a stable order: the page is the second and third of the whole list.
    EXPECT_EQ(page.objects[0].string_or(tags::SOPInstanceUID),
              all.objects[1].string_or(tags::SOPInstanceUID));
    EXPECT_EQ(page.objects[1].string_or(tags::SOPInstanceUID),
              all.objects[2].string_or(tags::SOPInstanceUID));
    auto last = search(Level::Image, "limit=2&offset=4");
    EXPECT_EQ(last.outcome.returned, 2u);
    EXPECT_FALSE(last.outcome.truncated);
    EXPECT_EQ(last.outcome.matched, 6u);
    auto past = search(Level::Image, "offset=10");
    EXPECT_EQ(past.outcome.returned, 0u);
    EXPECT_EQ(past.outcome.matched, 6u);
    auto exact = search(Level::Study, "limit=4");
    EXPECT_EQ(exact.outcome.returned, 4u);
    EXPECT_FALSE(exact.outcome.truncated);
}

TEST_F(QidoIndex, EmptyResultAndEmitStopping) {
    auto none = search(Level::Study, "PatientName=NOBODY");
    EXPECT_EQ(none.outcome.matched, 0u);
    EXPECT_EQ(none.outcome.returned, 0u);
    EXPECT_TRUE(none.objects.empty());

    auto q = parse_qido(Level::Image, "");
    ASSERT_TRUE(q);
    int calls = 0;
    auto r = run_qido(*service_, *q, "", [&](std::string_view) { return ++calls < 2; });
    ASSERT_TRUE(r);
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(r->returned, 2u);
    EXPECT_FALSE(r->truncated);
}

}  // namespace
}  // namespace dicomkit::server::web
