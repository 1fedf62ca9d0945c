// serve's C-STORE path in process, on 127.0.0.1: what it refuses (with a status and a reason, in
// the response and the log) and what it keeps, including a non-patient object (a Color Palette)
// found with its own C-FIND model, retrieved with its C-GET model, and still there after a
// restart.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <vector>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/data_source.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/app/server_app.hpp>

namespace dicomkit::server::app::test {
namespace {

namespace fs = std::filesystem;
namespace nd = net::dimse;

constexpr const char* kExplicitLE = "1.2.840.10008.1.2.1";
constexpr const char* kColorPaletteStorage = "1.2.840.10008.5.1.4.39.1";
constexpr const char* kColorPaletteFind = "1.2.840.10008.5.1.4.39.2";
constexpr const char* kColorPaletteGet = "1.2.840.10008.5.1.4.39.4";
constexpr const char* kPaletteUid = "1.2.840.10008.1.5.2";  // PS3.6 Annex A: the well-known PET palette

class ServeStore : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        data_ = (fs::temp_directory_path() / ("dk-serve-store-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(n++))).string();
        fs::remove_all(data_);
        config_.ae_title = "ARCHIVE";
        config_.port = 0;
        config_.http.port = 0;
        config_.data = data_;
        config_.peers.push_back({"STORER", "127.0.0.1", 1, {"store", "query", "retrieve"}});
        config_.peers.push_back({"LOOKER", "127.0.0.1", 2, {"query"}});
        start();
    }
    void TearDown() override {
        app_.reset();
        fs::remove_all(data_);
    }
    void start() {
        ServerAppOptions o;
        o.bind = "127.0.0.1";
        o.durable = false;
        o.log = [this](const std::string& line) {
            std::lock_guard lock(log_mutex_);
            log_.push_back(line);
        };
        auto a = ServerApp::start(config_, std::move(o));
        ASSERT_TRUE(a) << a.error().to_string();
        app_ = std::move(*a);
    }
    std::vector<std::string> log() {
        std::lock_guard lock(log_mutex_);
        return log_;
    }
    Result<net::ul::Association> associate(const std::string& ae, std::vector<std::string> classes,
                                           bool scp_role = false) {
        net::ul::AssociationRequest rq;
        rq.calling_ae = ae;
        rq.called_ae = "ARCHIVE";
        for (const auto& c : classes) {
            rq.contexts.push_back({0, c, {kExplicitLE}});
            if (scp_role) rq.role_selections.push_back({c, false, true});
        }
        return net::ul::Association::request({"127.0.0.1", app_->port()}, rq, {});
    }
    /// Stores `file` as `ae` and returns the response.
    nd::StoreResult store(const io::DicomFile& file, const std::string& ae = "STORER") {
        const std::string sop_class(file.dataset.string_or(tags::SOPClassUID));
        auto a = associate(ae, {sop_class});
        EXPECT_TRUE(a) << a.error().to_string();
        if (!a) return {};
        auto r = nd::store(*a, file);
        EXPECT_TRUE(r) << r.error().to_string();
        (void)a->release();
        return r ? *r : nd::StoreResult{};
    }
    /// C-FIND on the Color Palette model; the matches.
    std::vector<DataSet> find_palettes(const DataSet& q) {
        auto a = associate("STORER", {kColorPaletteFind});
        EXPECT_TRUE(a);
        if (!a) return {};
        nd::AssociationChannel ch(*a);
        const auto* ctx = ch.find_context(kColorPaletteFind, kExplicitLE);
        EXPECT_TRUE(ctx) << "the Color Palette FIND model is accepted";
        if (!ctx) return {};
        nd::Command rq;
        rq.field = nd::CommandField::C_FIND_RQ;
        rq.message_id = 1;
        rq.affected_sop_class_uid = kColorPaletteFind;
        rq.has_dataset = true;
        nd::MemorySource src(*io::encode_dataset(q, io::ts::ExplicitVRLittleEndian));
        EXPECT_TRUE(nd::send_message(ch, ctx->id, rq, &src));
        std::vector<DataSet> out;
        for (int i = 0; i < 100; ++i) {
            auto m = nd::receive_message(ch, std::chrono::milliseconds(10000));
            if (!m) break;
            const auto st = m->command.status.value_or(0xFFFF);
            if (nd::status_kind(st) != nd::StatusKind::Pending) {
                EXPECT_EQ(st, nd::status::Success) << m->command.error_comment;
                break;
            }
            auto* sink = dynamic_cast<nd::MemorySink*>(m->dataset.get());
            if (sink) out.push_back(*io::read_dataset(sink->bytes(), io::ts::ExplicitVRLittleEndian));
        }
        (void)a->release();
        return out;
    }
    /// C-GET on the Color Palette model of `uid`; the SOP Instance UIDs stored back to us.
    std::vector<std::string> get_palette(const std::string& uid, std::uint16_t* final_status) {
        auto a = associate("STORER", {kColorPaletteGet, kColorPaletteStorage}, true);
        EXPECT_TRUE(a);
        if (!a) return {};
        nd::AssociationChannel ch(*a);
        const auto* ctx = ch.find_context(kColorPaletteGet, kExplicitLE);
        EXPECT_TRUE(ctx) << "the Color Palette GET model is accepted";
        if (!ctx) return {};
        DataSet q;
        q.set_string(tags::SOPInstanceUID, VR::UI, uid);
        nd::Command rq;
        rq.field = nd::CommandField::C_GET_RQ;
        rq.message_id = 1;
        rq.affected_sop_class_uid = kColorPaletteGet;
        rq.has_dataset = true;
        nd::MemorySource src(*io::encode_dataset(q, io::ts::ExplicitVRLittleEndian));
        EXPECT_TRUE(nd::send_message(ch, ctx->id, rq, &src));
        std::vector<std::string> got;
        for (int i = 0; i < 100; ++i) {
            auto m = nd::receive_message(ch, std::chrono::milliseconds(10000));
            if (!m) break;
            if (m->command.field == nd::CommandField::C_STORE_RQ) {
                got.push_back(m->command.affected_sop_instance_uid);
                nd::Command rsp;
                rsp.field = nd::CommandField::C_STORE_RSP;
                rsp.message_id_being_responded_to = m->command.message_id;
                rsp.affected_sop_class_uid = m->command.affected_sop_class_uid;
                rsp.affected_sop_instance_uid = m->command.affected_sop_instance_uid;
                rsp.status = nd::status::Success;
                EXPECT_TRUE(nd::send_message(ch, m->context_id, rsp, nullptr));
                continue;
            }
            const auto st = m->command.status.value_or(0xFFFF);
            if (nd::status_kind(st) != nd::StatusKind::Pending) {
                *final_status = st;
                break;
            }
        }
        (void)a->release();
        return got;
    }

    static io::DicomFile instance(const std::string& sop_class, const std::string& uid) {
        io::DicomFile f;
        f.dataset.set_string(tags::SOPClassUID, VR::UI, sop_class);
        f.dataset.set_string(tags::SOPInstanceUID, VR::UI, uid);
        f.dataset.set_string(tags::PatientID, VR::LO, "P1");
        f.dataset.set_string(tags::StudyInstanceUID, VR::UI, "1.2.9");
        f.dataset.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.9.1");
        f.meta = io::make_meta(f.dataset, io::ts::ExplicitVRLittleEndian);
        f.transfer_syntax = io::ts::ExplicitVRLittleEndian;
        return f;
    }
    bool logged(const std::string& what) {
        for (const auto& l : log())
            if (l.find(what) != std::string::npos) return true;
        return false;
    }

    std::string data_;
    Config config_;
    std::unique_ptr<ServerApp> app_;
    std::mutex log_mutex_;
    std::vector<std::string> log_;
};

TEST_F(ServeStore, APaletteIsStoredFoundRetrievedAndStillThereAfterARestart) {
    auto pet = io::read_file(std::string(DICOMKIT_TEST_DATA) + "/non_patient/pet.dcm");
    ASSERT_TRUE(pet) << pet.error().to_string();
    const auto r = store(*pet);
    ASSERT_EQ(r.status, nd::status::Success) << r.error_comment;
    for (int round = 0; round < 2; ++round) {
        SCOPED_TRACE(round == 0 ? "before the restart" : "after the restart");
        DataSet q;
        q.set_string(tags::SOPInstanceUID, VR::UI, "");
        q.set_string(tags::ContentLabel, VR::CS, "P*");
        auto matches = find_palettes(q);
        ASSERT_EQ(matches.size(), 1u);
        EXPECT_EQ(matches[0].string_or(tags::SOPInstanceUID), kPaletteUid);
        EXPECT_EQ(matches[0].string_or(tags::ContentLabel), "PET");
        q.set_string(tags::ContentLabel, VR::CS, "HOT*");
        EXPECT_TRUE(find_palettes(q).empty());
        std::uint16_t st = 0xFFFF;
        EXPECT_EQ(get_palette(kPaletteUid, &st), std::vector<std::string>{kPaletteUid});
        EXPECT_EQ(st, nd::status::Success);
        if (round == 0) {
            app_.reset();  // a clean stop, then a start that must succeed
            start();
            ASSERT_TRUE(app_);
        }
    }
}

TEST_F(ServeStore, ARetiredStorageClassIsStored) {
    const auto r = store(instance("1.2.840.10008.5.1.4.1.1.6", "1.2.9.1.1"));  // Ultrasound Image Storage (Retired)
    EXPECT_EQ(r.status, nd::status::Success) << r.error_comment;
}

TEST_F(ServeStore, ANonStorageClassIsRefusedAtNegotiation) {
    const char* kNotStorage = "1.2.840.10008.5.1.4.1.1.9999";
    auto a = associate("STORER", {kNotStorage, "1.2.840.10008.5.1.4.1.1.6"});
    ASSERT_TRUE(a) << a.error().to_string();
    nd::AssociationChannel ch(*a);
    EXPECT_FALSE(ch.find_context(kNotStorage, {})) << "no context for what serve would not store";
    EXPECT_TRUE(ch.find_context("1.2.840.10008.5.1.4.1.1.6", {})) << "a retired storage class is accepted";
    (void)a->release();
}

TEST_F(ServeStore, AStoreNamingAnotherClassThanItsContextIsRefused) {
    // A C-STORE naming a class that is not a storage one, sent on an accepted storage context.
    const char* kSc = "1.2.840.10008.5.1.4.1.1.7";
    auto a = associate("STORER", {kSc});
    ASSERT_TRUE(a) << a.error().to_string();
    nd::AssociationChannel ch(*a);
    const auto* ctx = ch.find_context(kSc, kExplicitLE);
    ASSERT_TRUE(ctx);
    nd::Command rq;
    rq.field = nd::CommandField::C_STORE_RQ;
    rq.message_id = 3;
    rq.affected_sop_class_uid = "1.2.840.10008.5.1.4.1.1.9999";
    rq.affected_sop_instance_uid = "1.2.9.1.2";
    rq.has_dataset = true;
    nd::MemorySource src(*io::encode_dataset(instance(kSc, "1.2.9.1.2").dataset, io::ts::ExplicitVRLittleEndian));
    ASSERT_TRUE(nd::send_message(ch, ctx->id, rq, &src));
    auto m = nd::receive_message(ch, std::chrono::milliseconds(10000));
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->command.status.value_or(0), nd::status::SOPClassNotSupported);
    (void)a->release();
}

TEST_F(ServeStore, AQueryOnlyPeerIsRefusedAsNotAuthorized) {
    const auto r = store(instance("1.2.840.10008.5.1.4.1.1.7", "1.2.9.1.3"), "LOOKER");
    EXPECT_EQ(r.status, nd::status::NotAuthorized) << "0x0124, final; not A7xx, which senders retry";
    EXPECT_NE(r.error_comment.find("LOOKER"), std::string::npos) << r.error_comment;
    EXPECT_NE(r.error_comment.find("store permission"), std::string::npos) << r.error_comment;
}

TEST_F(ServeStore, AnInvalidUidIsRefusedAndCannotForgeALogLine) {
    const auto r = store(instance("1.2.840.10008.5.1.4.1.1.7", "1.2\r\nI: forged"));
    EXPECT_EQ(r.status, nd::status::DataSetDoesNotMatchSOPClass);
    EXPECT_NE(r.error_comment.find("invalid SOP Instance UID"), std::string::npos) << r.error_comment;
    bool seen = false;
    for (const auto& l : log()) {
        EXPECT_EQ(l.find_first_of("\r\n"), std::string::npos) << l;
        EXPECT_NE(l.rfind("I: forged", 0), 0u);
        seen = seen || l.find("1.2\\x0d\\x0aI: forged") != std::string::npos;
    }
    EXPECT_TRUE(seen) << "the UID is logged escaped";
}

TEST_F(ServeStore, AnInstanceWithoutStudyIsRefusedAndTheNextStartSucceeds) {
    io::DicomFile f = instance("1.2.840.10008.5.1.4.1.1.7", "1.2.9.1.4");
    f.dataset.remove(tags::StudyInstanceUID);
    const auto r = store(f);
    EXPECT_EQ(r.status, nd::status::DataSetDoesNotMatchSOPClass);
    EXPECT_NE(r.error_comment.find("no Study Instance UID"), std::string::npos) << r.error_comment;
    app_.reset();
    start();
    EXPECT_TRUE(app_) << "nothing unindexable was kept";
}

TEST_F(ServeStore, ADataSetOtherThanTheRequestSaysIsRefused) {
    const char* kSc = "1.2.840.10008.5.1.4.1.1.7";
    auto a = associate("STORER", {kSc});
    ASSERT_TRUE(a) << a.error().to_string();
    nd::AssociationChannel ch(*a);
    const auto* ctx = ch.find_context(kSc, kExplicitLE);
    ASSERT_TRUE(ctx);
    nd::Command rq;
    rq.field = nd::CommandField::C_STORE_RQ;
    rq.message_id = 7;
    rq.affected_sop_class_uid = kSc;
    rq.affected_sop_instance_uid = "1.2.9.1.5";  // the data set says 1.2.9.1.6
    rq.has_dataset = true;
    nd::MemorySource src(*io::encode_dataset(instance(kSc, "1.2.9.1.6").dataset, io::ts::ExplicitVRLittleEndian));
    ASSERT_TRUE(nd::send_message(ch, ctx->id, rq, &src));
    auto m = nd::receive_message(ch, std::chrono::milliseconds(10000));
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->command.status.value_or(0), nd::status::DataSetDoesNotMatchSOPClass);
    EXPECT_EQ(m->command.error_comment, "SOP Instance UID (0008,0018) differs from the request's");
    (void)a->release();
    for (const char* uid : {"1.2.9.1.5", "1.2.9.1.6"})
        EXPECT_FALSE(fs::exists(data_ + "/storage/" + uid + ".dcm")) << "filed under neither";
}

}  // namespace
}  // namespace dicomkit::server::app::test
