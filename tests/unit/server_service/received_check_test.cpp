// Ingest refuses, before anything is stored, a received file that it could not keep findable or
// that is not what its request said: cut short, followed by garbage, UIDs missing, invalid (PS3.5
// 9.1) or other than the request's; and keeps what devices send that DCMTK reads too (odd
// lengths), and non-patient objects, which have no study.
#include <mutex>

#include <dicomkit/server/model/uid_check.hpp>

#include "archive_fixture.hpp"

namespace dicomkit::server::service::test {
namespace {

constexpr const char* kSecondaryCapture = "1.2.840.10008.5.1.4.1.1.7";
constexpr const char* kColorPalette = "1.2.840.10008.5.1.4.39.1";

DataSet instance(const std::string& uid, std::size_t pixels = 0) {
    DataSet ds;
    ds.set_string(tags::SOPClassUID, VR::UI, kSecondaryCapture);
    ds.set_string(tags::SOPInstanceUID, VR::UI, uid);
    ds.set_string(tags::PatientID, VR::LO, "P1");
    ds.set_string(tags::StudyInstanceUID, VR::UI, "1.2");
    ds.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3");
    if (pixels) ds.insert(Element(tags::PixelData, VR::OB, Bytes(pixels, 0x55)));
    return ds;
}

Bytes encode(const DataSet& ds) {
    io::DicomFile f;
    f.dataset = ds;
    f.meta = io::make_meta(f.dataset, io::ts::ExplicitVRLittleEndian);
    auto b = io::encode_file(f);
    EXPECT_TRUE(b) << b.error().to_string();
    return b ? *b : Bytes{};
}

class ReceivedCheck : public IngestModes {
protected:
    /// Submits `bytes` as a received file with the request's UIDs `received` (none when null).
    Result<Stored> submit(const Bytes& bytes, const Received* received = nullptr) {
        static std::atomic<int> n{0};
        const std::string p = put("storage/.incoming/.dk-r" + std::to_string(n++) + "xxxx.part", bytes);
        std::mutex m;
        std::condition_variable cv;
        std::optional<Result<Stored>> out;
        ingest_->submit(p, [&](Result<Stored> r) {
            std::lock_guard lock(m);
            out = std::move(r);
            cv.notify_all();
        }, true, std::nullopt, received);
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return out.has_value(); });
        return std::move(*out);
    }
    void expect_refused(const Result<Stored>& r, ErrorCode code, const std::string& says) {
        ASSERT_FALSE(r) << "stored as " << r->path;
        EXPECT_EQ(r.error().code, code) << r.error().to_string();
        EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
        EXPECT_TRUE(names().empty()) << "nothing stored, no temporary file left";
    }
};

TEST_P(ReceivedCheck, PixelDataCutShortIsRefusedNamingTheTagAndOffset) {
    Bytes b = encode(instance("1.2.3.4", 4096));
    b.resize(b.size() - 1000);
    const auto r = submit(b);
    expect_refused(r, ErrorCode::Truncated, "(7FE0,0010) at offset ");
    if (!r) {
        EXPECT_NE(r.error().message.find("value of 4096 bytes with only 3096 left"), std::string::npos)
            << r.error().message;
    }
    EXPECT_FALSE(index_->instance("1.2.3.4")->has_value());
}

TEST_P(ReceivedCheck, FragmentsInANativeTransferSyntaxAreRefused) {
    // A compressed image whose data set says Explicit VR Little Endian (as some writers leave
    // it): PS3.5 A.4 allows fragments only in an encapsulated syntax.
    Bytes b = encode(instance("1.2.3.4"));
    const std::uint8_t pixel_data[] = {
        0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,  // (7FE0,0010) OB, undefined length
        0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0,                              // Basic Offset Table, empty
        0xFE, 0xFF, 0x00, 0xE0, 4, 0, 0, 0, 0xFF, 0xD8, 0xFF, 0xD9,      // one fragment
        0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0};                             // Sequence Delimitation Item
    b.insert(b.end(), std::begin(pixel_data), std::end(pixel_data));
    expect_refused(submit(b), ErrorCode::InvalidValue, "encapsulated pixel data (fragments) in ExplicitVRLittleEndian");
    EXPECT_FALSE(index_->instance("1.2.3.4")->has_value());
}

TEST_P(ReceivedCheck, GarbageAfterTheDataSetIsRefused) {
    Bytes b = encode(instance("1.2.3.4", 64));
    const std::string garbage = "GARBAGE AFTER THE DATA SET";
    b.insert(b.end(), garbage.begin(), garbage.end());
    expect_refused(submit(b), ErrorCode::Truncated, "garbage");
    Bytes c = encode(instance("1.2.3.5", 64));
    c.insert(c.end(), 5, 0xAB);  // too short for an element header
    expect_refused(submit(c), ErrorCode::Truncated, "trailing bytes");
}

TEST_P(ReceivedCheck, AnOddLengthIsADeviceQuirkAndKept) {
    DataSet ds = instance("1.2.3.4", 64);
    ds.insert(Element(tags::ImageComments, VR::LT, Bytes{'o', 'd', 'd'}));  // 3 bytes: odd, as some devices write
    auto r = submit(encode(ds));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(path_of("1.2.3.4"), r->path);
}

TEST_P(ReceivedCheck, UidsOtherThanTheRequestsAreRefused) {
    const Received other_instance{kSecondaryCapture, "1.2.3.99", {}};
    expect_refused(submit(encode(instance("1.2.3.4")), &other_instance), ErrorCode::InvalidValue,
                   "SOP Instance UID (0008,0018) differs from the request's");
    const Received other_class{"1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", {}};
    expect_refused(submit(encode(instance("1.2.3.4")), &other_class), ErrorCode::InvalidValue,
                   "SOP Class UID (0008,0016) differs");
    const Received same{kSecondaryCapture, "1.2.3.4", {}};
    auto r = submit(encode(instance("1.2.3.4")), &same);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->sop_class_uid, kSecondaryCapture);
    EXPECT_EQ(r->study_instance_uid, "1.2");
    EXPECT_EQ(r->series_instance_uid, "1.2.3");
}

TEST_P(ReceivedCheck, AStoreToAStudyTakesThatStudysInstancesOnly) {
    const Received other_study{"", "", "1.9"};
    expect_refused(submit(encode(instance("1.2.3.5")), &other_study), ErrorCode::InvalidValue,
                   "Study Instance UID (0020,000D) 1.2 is not the 1.9 of the request");
    const Received its_study{"", "", "1.2"};
    auto r = submit(encode(instance("1.2.3.5")), &its_study);
    ASSERT_TRUE(r) << r.error().to_string();
}

TEST_P(ReceivedCheck, HostileOrInvalidUidsAreRefused) {
    for (const std::string& uid : {std::string("../../etc/x"), std::string(200, '1'), std::string("1.2\0.3", 6),
                                  std::string("1.2\r\nI: forged"), std::string("1.2.\xc3\xa9"), std::string("1.02.3"),
                                  std::string("1..2"), std::string(".1.2"), std::string(65, '1')}) {
        SCOPED_TRACE(uid);
        expect_refused(submit(encode(instance(uid))), ErrorCode::InvalidValue, "invalid SOP Instance UID (0008,0018)");
    }
    DataSet bad_study = instance("1.2.3.4");
    bad_study.set_string(tags::StudyInstanceUID, VR::UI, "1.2.03");
    expect_refused(submit(encode(bad_study)), ErrorCode::InvalidValue, "invalid Study Instance UID (0020,000D)");
    DataSet bad_class = instance("1.2.3.4");
    bad_class.set_string(tags::SOPClassUID, VR::UI, "1.2.x");
    expect_refused(submit(encode(bad_class)), ErrorCode::InvalidValue, "invalid SOP Class UID (0008,0016)");
    auto zero = submit(encode(instance("1.0.3.4")));  // "0" alone is a component
    ASSERT_TRUE(zero) << zero.error().to_string();
    io::DicomFile no_class;  // the meta names the class, as serve's header does from the request
    no_class.dataset = instance("1.2.3.5");
    no_class.meta = io::make_meta(no_class.dataset, io::ts::ExplicitVRLittleEndian);
    no_class.dataset.remove(tags::SOPClassUID);
    auto kept = submit(*io::encode_file(no_class));
    ASSERT_TRUE(kept) << "a data set without its SOP Class UID is kept, as storescp keeps it";
    ingest_->wait_indexed();
    std::string indexed_class;
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "IMAGE");
    q.set_string(tags::StudyInstanceUID, VR::UI, "1.2");
    q.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3");
    q.set_string(tags::SOPInstanceUID, VR::UI, "1.2.3.5");
    q.set_string(tags::SOPClassUID, VR::UI, "");
    ASSERT_TRUE(service::Query(*index_).find(model::Root::Study, q, [&](const DataSet& m) {
        indexed_class = std::string(m.string_or(tags::SOPClassUID));
        return true;
    }));
    EXPECT_EQ(indexed_class, kSecondaryCapture) << "indexed with the class the meta names, for retrieval";
}

TEST_P(ReceivedCheck, LenientUidsKeepsThem) {
    options_.lenient_uids = true;
    use(index::DuplicatePolicy::Replace);
    auto r = submit(encode(instance("1.02.3")));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(path_of("1.02.3"), r->path);
}

TEST_P(ReceivedCheck, AnInstanceWithoutStudyOrSeriesIsRefusedBeforeItIsAnswered) {
    DataSet no_study = instance("1.2.3.4");
    no_study.remove(tags::StudyInstanceUID);
    expect_refused(submit(encode(no_study)), ErrorCode::InvalidValue, "no Study Instance UID (0020,000D)");
    DataSet no_series = instance("1.2.3.4");
    no_series.remove(tags::SeriesInstanceUID);
    expect_refused(submit(encode(no_series)), ErrorCode::InvalidValue, "no Series Instance UID (0020,000E)");
    EXPECT_EQ(ingest_->unindexed(), 0u) << "nothing answered and left unindexed";
}

TEST_P(ReceivedCheck, ANonPatientObjectIsStoredAndIndexedAsOne) {
    DataSet ds;
    ds.set_string(tags::SOPClassUID, VR::UI, kColorPalette);
    ds.set_string(tags::SOPInstanceUID, VR::UI, "1.2.3.7");
    ds.set_string(tags::ContentLabel, VR::CS, "PALETTE");
    auto r = submit(encode(ds));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(path_of("1.2.3.7"), r->path);
    ingest_->wait_indexed();
    EXPECT_EQ(ingest_->unindexed(), 0u);
    int n = 0;
    ASSERT_TRUE(index_->for_each_object(kColorPalette, [&](const std::string& uid, const DataSet& attrs) {
        EXPECT_EQ(uid, "1.2.3.7");
        EXPECT_EQ(attrs.string_or(tags::ContentLabel), "PALETTE");
        return ++n > 0;
    }));
    EXPECT_EQ(n, 1);
}

INSTANTIATE_TEST_SUITE_P(Answer, ReceivedCheck, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "WhenPlaced" : "WhenIndexed"; });

TEST(UidProblem, FollowsPs35Section91) {
    EXPECT_FALSE(model::uid_problem("1.2.840.10008.5.1.4.1.1.7"));
    EXPECT_FALSE(model::uid_problem("0"));
    EXPECT_FALSE(model::uid_problem("1.0.2"));
    EXPECT_FALSE(model::uid_problem(std::string(64, '1')));
    EXPECT_TRUE(model::uid_problem(""));
    EXPECT_TRUE(model::uid_problem(std::string(65, '1')));
    EXPECT_TRUE(model::uid_problem("1.02"));
    EXPECT_TRUE(model::uid_problem("01"));
    EXPECT_TRUE(model::uid_problem("1..2"));
    EXPECT_TRUE(model::uid_problem("1.2."));
    EXPECT_TRUE(model::uid_problem("1.2 "));
    EXPECT_TRUE(model::uid_problem(std::string("1\0", 2)));
    const auto why = model::uid_problem("1.2\nX");
    ASSERT_TRUE(why);
    EXPECT_EQ(why->find('\n'), std::string::npos) << "the reason quotes nothing of the UID";
}

}  // namespace
}  // namespace dicomkit::server::service::test
