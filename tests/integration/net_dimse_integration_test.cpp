// DIMSE over real associations on 127.0.0.1: C-ECHO, C-STORE of every storage instance in
// tests/data/interop with the received data set equal to the sent one, an abort mid-store leaving
// nothing behind, and 100 associations at once against one server.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/server/storage/naming.hpp>

#include "folder_store.hpp"
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/net/ul/server.hpp>

using namespace dicomkit;
using namespace dicomkit::net;
namespace fs = std::filesystem;

namespace {

constexpr const char* kExplicit = "1.2.840.10008.1.2.1";
constexpr const char* kImplicit = "1.2.840.10008.1.2";

struct Receiver {
    fs::path dir;
    dimse::Dispatcher dispatcher;
    std::unique_ptr<ul::Server> server;
    std::atomic<int> stored{0};

    explicit Receiver(std::size_t max_associations = 16, std::uint16_t max_operations_invoked = 1) {
        dir = fs::temp_directory_path() /
              ("dk_dimse_it_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        dispatcher.on_echo(std::make_shared<dimse::SuccessEchoHandler>());
        dispatcher.on_store(std::make_shared<cli::FolderStoreHandler>(
            dir.string(), [this](const cli::FolderStoreHandler::StoredEvent&) { ++stored; }));
        ul::ServerOptions so;
        so.bind_address = "127.0.0.1";
        so.port = 0;
        so.max_associations = max_associations;
        so.policy.ae_title = "RECEIVER";
        so.policy.accept_any_called_ae = true;
        so.policy.accept_any_abstract_syntax = true;
        so.policy.max_operations_invoked = max_operations_invoked;
        so.association.timeouts.idle = ul::Millis(20'000);
        so.association.timeouts.dimse = ul::Millis(20'000);
        auto s = ul::Server::start(so, [this](ul::Association& a) { (void)dimse::serve(a, dispatcher); });
        EXPECT_TRUE(s) << s.error().to_string();
        if (s) server = std::move(*s);
    }
    ~Receiver() {
        if (server) server->stop();
        fs::remove_all(dir);
    }
    std::size_t files() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {})); }
    /// Waits (bounded) until no association is open.
    void settle() const {
        for (int i = 0; i < 500 && server->active() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
};

Result<ul::Association> connect(std::uint16_t port, std::vector<pdu::PresentationContextRq> contexts,
                                 std::uint32_t max_pdu = 16384,
                                 std::optional<pdu::AsynchronousOperationsWindow> window = std::nullopt) {
    ul::AssociationRequest rq;
    rq.async_window = window;
    rq.calling_ae = "ITEST";
    rq.called_ae = "RECEIVER";
    rq.contexts = std::move(contexts);
    ul::AssociationOptions o;
    o.max_pdu_receive = max_pdu;
    o.timeouts.dimse = ul::Millis(20'000);
    return ul::Association::request({"127.0.0.1", port}, rq, o);
}

pdu::PresentationContextRq verification() {
    return {0, std::string(dimse::kVerificationSopClass), {kExplicit, kImplicit}};
}

/// The storage instances of the sample data: path, SOP class, transfer syntax.
struct Sample {
    std::string path, sop_class, sop_instance, ts;
};
std::vector<Sample> samples() {
    std::vector<Sample> out;
    for (const auto& e : fs::recursive_directory_iterator(std::string(DICOMKIT_TEST_DATA) + "/interop")) {
        // Damaged files are not instances whose round trip can be exact.
        if (!e.is_regular_file() || e.path().string().find("/malformed/") != std::string::npos) continue;
        auto f = io::read_file(e.path().string());
        if (!f) continue;
        std::string cls(trim_padding(f->dataset.string_or(tags::SOPClassUID)));
        std::string inst(trim_padding(f->dataset.string_or(tags::SOPInstanceUID)));
        if (!dict::is_storage_sop_class(cls) || inst.empty()) continue;
        out.push_back({e.path().string(), cls, inst, std::string(f->transfer_syntax.uid)});
    }
    return out;
}

}  // namespace

TEST(Network, Echo) {
    Receiver r;
    ASSERT_TRUE(r.server);
    auto a = connect(r.server->port(), {verification()});
    ASSERT_TRUE(a) << a.error().to_string();
    for (std::uint16_t i = 1; i <= 3; ++i) {
        auto e = dimse::echo(*a, i);
        ASSERT_TRUE(e) << e.error().to_string();
        EXPECT_EQ(e->status, dimse::status::Success);
        EXPECT_GT(e->round_trip.count(), 0);
    }
    EXPECT_TRUE(a->release());
}

TEST(Network, StoreEveryInteropSampleAndCompare) {
    Receiver r;
    ASSERT_TRUE(r.server);
    auto all = samples();
    ASSERT_GE(all.size(), 8u);
    std::vector<pdu::PresentationContextRq> contexts;
    for (const auto& s : all) contexts.push_back({0, s.sop_class, {s.ts}});
    auto a = connect(r.server->port(), contexts, 4096);  // small PDUs: many fragments each way
    ASSERT_TRUE(a) << a.error().to_string();
    std::uint16_t id = 0;
    for (const auto& s : all) {
        SCOPED_TRACE(s.path);
        fs::remove_all(r.dir);
        fs::create_directories(r.dir);
        dimse::StoreOptions so;
        so.message_id = ++id;
        auto st = dimse::store(*a, s.path, so);
        ASSERT_TRUE(st) << st.error().to_string();
        EXPECT_EQ(st->status, dimse::status::Success) << st->error_comment;
        EXPECT_FALSE(st->converted);
        auto sent = io::read_file(s.path);
        auto got = io::read_file((r.dir / server::storage::instance_file_name(s.sop_instance)).string());
        ASSERT_TRUE(sent && got) << (got ? "" : got.error().to_string());
        DataSet expected = sent->dataset;
        expected.remove_range(Tag(0x0002, 0), Tag(0x0002, 0xFFFF));
        EXPECT_EQ(got->dataset, expected);
        EXPECT_EQ(got->transfer_syntax.uid, s.ts);
        EXPECT_EQ(got->meta.string_or(tags::SourceApplicationEntityTitle), "ITEST");
    }
    EXPECT_TRUE(a->release());
}

TEST(Network, AbortMidStoreLeavesNoFile) {
    Receiver r;
    ASSERT_TRUE(r.server);
    const std::string cls = "1.2.840.10008.5.1.4.1.1.2";
    auto a = connect(r.server->port(), {{0, cls, {kExplicit}}});
    ASSERT_TRUE(a) << a.error().to_string();
    dimse::Command rq;
    rq.field = dimse::CommandField::C_STORE_RQ;
    rq.message_id = 1;
    rq.affected_sop_class_uid = cls;
    rq.affected_sop_instance_uid = "1.2.3.4.5";
    rq.priority = 0;
    rq.has_dataset = true;
    auto cmd = dimse::encode(rq);
    ASSERT_TRUE(cmd);
    const std::uint8_t ctx = a->contexts().front().id;
    std::vector<pdu::PdvView> c{{ctx, true, true, *cmd}};
    ASSERT_TRUE(a->send(c));
    Bytes part(8000, 0x42);
    std::vector<pdu::PdvView> d{{ctx, false, false, part}};
    ASSERT_TRUE(a->send(d));
    // The receiver has the temporary file open now; wait (bounded) until it exists.
    for (int i = 0; i < 200 && r.files() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(r.files(), 1u);
    a->abort();
    r.settle();
    EXPECT_EQ(r.server->active(), 0u);
    EXPECT_EQ(r.files(), 0u);
    EXPECT_EQ(r.stored.load(), 0);
}

TEST(Network, HundredAssociationsAtOnce) {
    Receiver r(128);
    ASSERT_TRUE(r.server);
    auto all = samples();
    ASSERT_FALSE(all.empty());
    const Sample s = all.front();
    constexpr int kAssociations = 100;
    std::atomic<int> ok{0};
    std::vector<std::string> errors(kAssociations);
    std::vector<std::thread> threads;
    for (int i = 0; i < kAssociations; ++i)
        threads.emplace_back([&, i] {
            auto a = connect(r.server->port(), {verification(), {0, s.sop_class, {s.ts}}});
            if (!a) {
                errors[i] = a.error().to_string();
                return;
            }
            auto e = dimse::echo(*a);
            auto st = dimse::store(*a, s.path);
            if (e && e->status == 0 && st && st->status == 0 && a->release()) ++ok;
            else errors[i] = st ? "status" : st.error().to_string();
        });
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_TRUE(e.empty()) << e;
    EXPECT_EQ(ok.load(), kAssociations);
    EXPECT_EQ(r.stored.load(), kAssociations);
    EXPECT_EQ(r.files(), 1u);  // the same instance each time
}

// PS3.7 D.3.3.3: with a negotiated window, C-STOREs go out before the earlier ones are answered;
// every response is matched to its request and every instance arrives.
TEST(Network, StoreWindowKeepsSeveralStoresOutstanding) {
    for (std::uint16_t limit : {std::uint16_t{1}, std::uint16_t{3}}) {
        SCOPED_TRACE(limit);
        Receiver r(16, limit);
        ASSERT_TRUE(r.server);
        auto all = samples();
        ASSERT_GE(all.size(), 8u);
        std::vector<pdu::PresentationContextRq> contexts;
        for (const auto& s : all) contexts.push_back({0, s.sop_class, {s.ts}});
        auto a = connect(r.server->port(), contexts, 16384, pdu::AsynchronousOperationsWindow{8, 1});
        ASSERT_TRUE(a) << a.error().to_string();
        const auto& w = a->accept_pdu().user_information.asynchronous_operations_window;
        ASSERT_TRUE(w.has_value());
        EXPECT_EQ(w->max_operations_invoked, limit);
        dimse::AssociationChannel ch(*a);
        dimse::StoreWindow window(ch, w->max_operations_invoked);
        std::vector<dimse::StoreWindow::Completion> done;
        auto take = [&](std::vector<dimse::StoreWindow::Completion> c) {
            for (auto& x : c) done.push_back(std::move(x));
        };
        std::uint16_t id = 0;
        std::set<std::string> sops;
        for (std::size_t i = 0; i < all.size(); ++i) {
            auto f = dimse::inspect_for_store(all[i].path);
            ASSERT_TRUE(f) << f.error().to_string();
            dimse::StoreOptions so;
            so.message_id = ++id;
            take(window.submit(i, *f, so));
            sops.insert(all[i].sop_instance);
        }
        take(window.drain());
        EXPECT_FALSE(window.broken().has_value());
        ASSERT_EQ(done.size(), all.size());
        std::set<std::size_t> tags;
        for (const auto& c : done) {
            ASSERT_TRUE(c.result) << c.result.error().to_string();
            EXPECT_EQ(c.result->status, dimse::status::Success);
            EXPECT_EQ(c.result->sop_instance_uid, all[c.tag].sop_instance);
            EXPECT_EQ(c.result->response.message_id_being_responded_to, c.result->message_id);
            tags.insert(c.tag);
        }
        EXPECT_EQ(tags.size(), all.size());
        EXPECT_TRUE(a->release());
        EXPECT_EQ(r.files(), sops.size());
    }
}

// A file that cannot be sent (no accepted context) fails alone; the window goes on.
TEST(Network, StoreWindowFileErrorsDoNotEndTheAssociation) {
    Receiver r(16, 4);
    ASSERT_TRUE(r.server);
    auto all = samples();
    ASSERT_GE(all.size(), 2u);
    auto a = connect(r.server->port(), {{0, all[0].sop_class, {all[0].ts}}}, 16384,
                     pdu::AsynchronousOperationsWindow{4, 1});
    ASSERT_TRUE(a) << a.error().to_string();
    dimse::AssociationChannel ch(*a);
    dimse::StoreWindow window(ch, 4);
    std::vector<dimse::StoreWindow::Completion> done;
    std::uint16_t id = 0;
    auto options = [](std::uint16_t id) {
        dimse::StoreOptions so;
        so.message_id = id;
        return so;
    };
    dimse::StoreFile missing;
    missing.path = "/nonexistent/file.dcm";
    missing.sop_class_uid = "1.2.3.4.5.6.7";  // not negotiated
    missing.sop_instance_uid = "1.2.3";
    for (auto& c : window.submit(0, missing, options(++id))) done.push_back(std::move(c));
    auto f = dimse::inspect_for_store(all[0].path);
    ASSERT_TRUE(f);
    for (auto& c : window.submit(1, *f, options(++id))) done.push_back(std::move(c));
    for (auto& c : window.drain()) done.push_back(std::move(c));
    EXPECT_FALSE(window.broken().has_value());
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].tag, 0u);
    EXPECT_FALSE(done[0].result);
    EXPECT_EQ(done[1].tag, 1u);
    ASSERT_TRUE(done[1].result) << done[1].result.error().to_string();
    EXPECT_EQ(done[1].result->status, dimse::status::Success);
    EXPECT_TRUE(a->release());
}
