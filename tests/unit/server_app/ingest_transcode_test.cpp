// serve's [storage] ingest_transfer_syntax in process: native instances stored in the syntax when a
// codec of the build encodes it losslessly, kept as received (and logged) when it would be lossy
// or there is no codec; never a refused store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <vector>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/transcode.hpp>
#include <dicomkit/server/app/server_app.hpp>

namespace dicomkit::server::app::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMrStorage = "1.2.840.10008.5.1.4.1.1.4";

io::DicomFile mr_image() {
    io::DicomFile f;
    DataSet& ds = f.dataset;
    ds.set_string(Tag{0x0008, 0x0016}, VR::UI, kMrStorage);
    ds.set_string(Tag{0x0008, 0x0018}, VR::UI, "1.2.826.0.1.3680043.2.1125.7.1");
    ds.set_string(Tag{0x0008, 0x0060}, VR::CS, "MR");
    ds.set_string(Tag{0x0010, 0x0010}, VR::PN, "Ingest^Test");
    ds.set_string(Tag{0x0010, 0x0020}, VR::LO, "ING1");
    ds.set_string(Tag{0x0020, 0x000D}, VR::UI, "1.2.826.0.1.3680043.2.1125.7.2");
    ds.set_string(Tag{0x0020, 0x000E}, VR::UI, "1.2.826.0.1.3680043.2.1125.7.3");
    pixel::PixelInfo info;
    info.rows = 24;
    info.columns = 31;
    info.bits_allocated = 16;
    info.bits_stored = 12;
    info.high_bit = 11;
    info.photometric = "MONOCHROME2";
    pixel::apply(info, ds);
    Bytes px(info.frame_bytes());
    for (std::size_t i = 0; i < px.size() / 2; ++i) {
        const unsigned v = (i * 37 + (i / 31) * 11) & 0xFFF;
        px[2 * i] = static_cast<std::uint8_t>(v);
        px[2 * i + 1] = static_cast<std::uint8_t>(v >> 8);
    }
    ds.set(Element(Tag{0x7FE0, 0x0010}, VR::OW, px));
    f.transfer_syntax = io::ts::ExplicitVRLittleEndian;
    return f;
}

/// The first syntax the build encodes (lossy or not, as asked) for `info`; empty when none.
std::string encodable(bool lossy) {
    const pixel::CodecRegistry r = pixel::standard_codecs();
    const auto info = pixel::describe(mr_image().dataset).value();
    for (const auto& c : r.codecs())
        for (auto uid : c->encodes())
            if (c->lossy(uid, {}) == lossy && c->can_encode(uid, info, {})) return std::string(uid);
    return {};
}

class IngestTranscode : public ::testing::Test {
protected:
    void start(const std::string& syntax, bool allow_lossy) {
        static std::atomic<int> n{0};
        data_ = (fs::temp_directory_path() / ("dk-ingest-tc-" + std::to_string(::getpid()) + "-" + std::to_string(n++)))
                    .string();
        fs::remove_all(data_);
        Config c;
        c.ae_title = "ARCHIVE";
        c.port = 0;
        c.http.port = 0;
        c.data = data_;
        c.peers.push_back({"STORER", "127.0.0.1", 1, {"store", "query", "retrieve"}});
        c.ingest_transfer_syntax = syntax;
        c.ingest_allow_lossy = allow_lossy;
        ServerAppOptions o;
        o.bind = "127.0.0.1";
        o.durable = false;
        o.log = [this](const std::string& line) {
            std::lock_guard lock(log_mutex_);
            log_.push_back(line);
        };
        auto a = ServerApp::start(c, std::move(o));
        ASSERT_TRUE(a) << a.error().to_string();
        app_ = std::move(*a);
    }
    void TearDown() override {
        app_.reset();
        if (!data_.empty()) fs::remove_all(data_);
    }
    /// Stores the image; the stored file as read back.
    io::DicomFile store_and_read() {
        net::ul::AssociationRequest rq;
        rq.calling_ae = "STORER";
        rq.called_ae = "ARCHIVE";
        rq.contexts.push_back({1, kMrStorage, {"1.2.840.10008.1.2.1"}});
        auto a = net::ul::Association::request({"127.0.0.1", app_->port()}, rq, {});
        EXPECT_TRUE(a) << a.error().to_string();
        if (!a) return {};
        auto r = net::dimse::store(*a, mr_image());
        EXPECT_TRUE(r) << r.error().to_string();
        if (r) {
            EXPECT_EQ(r->status, net::dimse::status::Success) << r->error_comment;
        }
        (void)a->release();
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(fs::path(data_) / "storage"))
            if (e.path().extension() == ".dcm") files.push_back(e.path());
        EXPECT_EQ(files.size(), 1u);
        if (files.empty()) return {};
        auto f = io::read_file(files.front().string());
        EXPECT_TRUE(f) << f.error().to_string();
        return f ? std::move(*f) : io::DicomFile{};
    }
    bool logged(std::string_view what) {
        std::lock_guard lock(log_mutex_);
        for (const auto& l : log_)
            if (l.find(what) != std::string::npos) return true;
        return false;
    }
    std::string data_;
    std::unique_ptr<ServerApp> app_;
    std::mutex log_mutex_;
    std::vector<std::string> log_;
};

TEST_F(IngestTranscode, WithoutACodecTheInstanceIsKeptAsReceived) {
    // MPEG-2: no pixel codec of this build encodes it.
    start("1.2.840.10008.1.2.4.100", false);
    const io::DicomFile f = store_and_read();
    EXPECT_EQ(f.transfer_syntax, io::ts::ExplicitVRLittleEndian);
    EXPECT_EQ(f.dataset.find(Tag{0x7FE0, 0x0010})->bytes().size(), mr_image().dataset.find(Tag{0x7FE0, 0x0010})->bytes().size());
    EXPECT_TRUE(logged("W: ingest: 1.2.826.0.1.3680043.2.1125.7.1 kept in ExplicitVRLittleEndian"));
}

TEST_F(IngestTranscode, LosslessSyntaxIsStoredAndDecodesToTheOriginal) {
    const std::string uid = encodable(false);
    if (uid.empty()) GTEST_SKIP() << "no lossless encoder in this build";
    start(uid, false);
    io::DicomFile f = store_and_read();
    ASSERT_EQ(f.transfer_syntax.uid, uid);
    const pixel::CodecRegistry r = pixel::standard_codecs();
    ASSERT_TRUE(pixel::transcode(f.dataset, f.transfer_syntax, io::ts::ExplicitVRLittleEndian, r));
    const auto a = f.dataset.find(Tag{0x7FE0, 0x0010})->bytes();
    const io::DicomFile original = mr_image();
    const auto b = original.dataset.find(Tag{0x7FE0, 0x0010})->bytes();
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));

}

TEST_F(IngestTranscode, LossySyntaxOnlyWhenAllowed) {
    const std::string uid = encodable(true);
    if (uid.empty()) GTEST_SKIP() << "no lossy encoder in this build takes 12-bit images";
    start(uid, false);
    io::DicomFile kept = store_and_read();
    EXPECT_EQ(kept.transfer_syntax, io::ts::ExplicitVRLittleEndian);
    EXPECT_TRUE(logged("is lossy and ingest_allow_lossy is false"));
    app_.reset();
    fs::remove_all(data_);
    start(uid, true);
    io::DicomFile lossy = store_and_read();
    EXPECT_EQ(lossy.transfer_syntax.uid, uid);
    EXPECT_EQ(lossy.dataset.string_or(Tag{0x0028, 0x2110}), "01");
}

}  // namespace
}  // namespace dicomkit::server::app::test
