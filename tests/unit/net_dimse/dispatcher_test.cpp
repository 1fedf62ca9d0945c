// The SCP side over in-memory channels: routing statuses (PS3.7 C.4), failing handlers becoming
// failure statuses, release/abort handling, and the SCU helpers (C-ECHO, C-STORE of files with
// and without conversion) against it.
#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/serve.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>

#include "fake_channel.hpp"

using namespace dicomkit;
using namespace dicomkit::net;
using namespace dicomkit::net::dimse;

namespace {

constexpr std::string_view kCt = "1.2.840.10008.5.1.4.1.1.2";
constexpr std::string_view kMr = "1.2.840.10008.5.1.4.1.1.4";

std::vector<ul::AcceptedContext> contexts() {
    return {
        {1, std::string(kVerificationSopClass), "1.2.840.10008.1.2", true, false},
        {3, std::string(kCt), "1.2.840.10008.1.2.1", true, false},
        {5, std::string(kMr), "1.2.840.10008.1.2", true, false},
        {7, "1.2.840.10008.5.1.4.1.2.2.1", "1.2.840.10008.1.2", true, false},  // Study Root FIND
    };
}

/// Keeps data sets in memory; behaviour switchable per test.
class TestStore final : public StoreHandler {
public:
    enum class Mode { Ok, BeginFails, Throws, Warn };
    Mode mode = Mode::Ok;
    std::vector<Bytes> stored;
    std::vector<std::string> transfer_syntaxes;
    int aborted_count = 0;

    Result<std::unique_ptr<DataSink>> begin(const RequestContext&, const Command&) override {
        if (mode == Mode::BeginFails) return make_error(ErrorCode::IoError, "no space left");
        return std::unique_ptr<DataSink>(std::make_unique<MemorySink>());
    }
    Outcome end(const RequestContext& rc, const Command&, std::unique_ptr<DataSink> sink) override {
        if (mode == Mode::Throws) throw std::runtime_error("handler bug");
        stored.push_back(static_cast<MemorySink&>(*sink).take());
        transfer_syntaxes.push_back(rc.context->transfer_syntax);
        if (mode == Mode::Warn) return Outcome{status::ElementsDiscarded, {}};
        return {};
    }
    void aborted(const RequestContext&, const Command&) noexcept override { ++aborted_count; }
};

struct Fixture {
    test::ChannelPair pair{contexts()};
    Dispatcher dispatcher;
    std::shared_ptr<TestStore> store = std::make_shared<TestStore>();
    std::thread scp;
    Result<ServeSummary> summary = make_error(ErrorCode::Ok, "not run");
    ServeOptions options;

    explicit Fixture(bool with_store = true, std::vector<std::string> classes = {std::string(kCt), std::string(kMr)}) {
        dispatcher.on_echo(std::make_shared<SuccessEchoHandler>());
        if (with_store) dispatcher.on_store(store, std::move(classes));
    }
    void start() {
        scp = std::thread([this] { summary = serve(pair.scp, dispatcher, options); });
    }
    void release_and_join() {
        pair.scp.inject(ul::Incoming::Kind::ReleaseRequested);
        scp.join();
    }
    ~Fixture() {
        if (scp.joinable()) release_and_join();
    }
};

Command request(CommandField f, std::string_view cls, bool dataset = false) {
    Command c;
    c.field = f;
    c.message_id = 42;
    c.affected_sop_class_uid = std::string(cls);
    c.affected_sop_instance_uid = f == CommandField::C_STORE_RQ ? "1.2.3" : "";
    if (f == CommandField::C_STORE_RQ || f == CommandField::C_FIND_RQ) c.priority = 0;
    c.has_dataset = dataset;
    return c;
}

Result<Command> exchange(test::FakeChannel& ch, std::uint8_t ctx, const Command& rq, const Bytes* data = nullptr) {
    std::optional<MemorySource> src;
    if (data) src.emplace(std::span<const std::uint8_t>(*data));
    if (auto r = send_message(ch, ctx, rq, src ? &*src : nullptr); !r) return tl::unexpected(r.error());
    auto m = receive_message(ch, ul::Millis(5000));
    if (!m) return tl::unexpected(m.error());
    return m->command;
}

std::string data_dir() { return std::string(DICOMKIT_TEST_DATA) + "/interop"; }

}  // namespace

TEST(Dispatcher, Routes) {
    Dispatcher d;
    EXPECT_EQ(d.route(CommandField::C_ECHO_RQ, kVerificationSopClass).status, status::UnrecognizedOperation);
    d.on_echo(std::make_shared<SuccessEchoHandler>());
    d.on_store(std::make_shared<TestStore>(), {std::string(kCt)});
    EXPECT_NE(d.route(CommandField::C_ECHO_RQ, kVerificationSopClass).echo, nullptr);
    EXPECT_EQ(d.route(CommandField::C_ECHO_RQ, kCt).status, status::SOPClassNotSupported);
    EXPECT_NE(d.route(CommandField::C_STORE_RQ, kCt).store, nullptr);
    EXPECT_EQ(d.route(CommandField::C_STORE_RQ, kMr).status, status::SOPClassNotSupported);
    EXPECT_EQ(d.route(CommandField::C_FIND_RQ, kCt).status, status::UnrecognizedOperation);
    Dispatcher any;
    any.on_store(std::make_shared<TestStore>());
    EXPECT_NE(any.route(CommandField::C_STORE_RQ, "1.2.3.4.5").store, nullptr);
}

TEST(Serve, EchoAndRelease) {
    Fixture f;
    f.start();
    auto r = echo(f.pair.scu, 5);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status, status::Success);
    EXPECT_EQ(r->response.message_id_being_responded_to, 5);
    f.release_and_join();
    ASSERT_TRUE(f.summary) << f.summary.error().to_string();
    EXPECT_EQ(f.summary->end, ServeSummary::End::Released);
    EXPECT_EQ(f.summary->requests, 1u);
    EXPECT_TRUE(f.pair.scp.released);
}

TEST(Serve, UnknownCommandGets0211AndUnsupportedClassGets0122) {
    Fixture f(true, {std::string(kCt)});
    f.start();
    Bytes query(8, 0);
    auto find = exchange(f.pair.scu, 7, request(CommandField::C_FIND_RQ, "1.2.840.10008.5.1.4.1.2.2.1", true), &query);
    ASSERT_TRUE(find) << find.error().to_string();
    EXPECT_EQ(find->field, CommandField::C_FIND_RSP);
    EXPECT_EQ(find->status, status::UnrecognizedOperation);
    Bytes ds(16, 0);
    auto mr = exchange(f.pair.scu, 5, request(CommandField::C_STORE_RQ, kMr, true), &ds);
    ASSERT_TRUE(mr);
    EXPECT_EQ(mr->status, status::SOPClassNotSupported);
    // A C-STORE whose SOP class is not the context's abstract syntax.
    auto wrong_ctx = exchange(f.pair.scu, 5, request(CommandField::C_STORE_RQ, kCt, true), &ds);
    ASSERT_TRUE(wrong_ctx);
    EXPECT_EQ(wrong_ctx->status, status::SOPClassNotSupported);
    auto ok = exchange(f.pair.scu, 3, request(CommandField::C_STORE_RQ, kCt, true), &ds);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, status::Success);
    EXPECT_EQ(ok->affected_sop_instance_uid, "1.2.3");
    f.release_and_join();
    EXPECT_EQ(f.summary->failures, 3u);
}

// The event hook sees every answered request (a refusal by the dispatcher with its reason), the
// stores the StoreHandler answered flagged as such; the summary counts requests per command.
TEST(Serve, RequestEventsFollowEachResponse) {
    struct Seen {
        CommandField field;
        std::uint16_t status;
        std::string comment;
        bool by_store;
    };
    std::mutex m;
    std::vector<Seen> seen;
    Fixture f(true, {std::string(kCt)});
    f.options.on_request = [&](const RequestEvent& e) {
        std::lock_guard lock(m);
        seen.push_back({e.rq.field, e.rsp.status.value_or(0xFFFF), e.rsp.error_comment, e.by_store_handler});
    };
    f.start();
    ASSERT_TRUE(echo(f.pair.scu, 1));
    Bytes ds(16, 0);
    auto mr = exchange(f.pair.scu, 5, request(CommandField::C_STORE_RQ, kMr, true), &ds);
    ASSERT_TRUE(mr);
    EXPECT_EQ(mr->status, status::SOPClassNotSupported);
    EXPECT_EQ(mr->error_comment, "SOP Class " + std::string(kMr) + " not supported for C-STORE");
    auto ct = exchange(f.pair.scu, 3, request(CommandField::C_STORE_RQ, kCt, true), &ds);
    ASSERT_TRUE(ct);
    f.release_and_join();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].field, CommandField::C_ECHO_RQ);
    EXPECT_EQ(seen[0].status, status::Success);
    EXPECT_EQ(seen[1].status, status::SOPClassNotSupported);
    EXPECT_FALSE(seen[1].by_store);
    EXPECT_EQ(seen[1].comment, mr->error_comment);
    EXPECT_EQ(seen[2].status, status::Success);
    EXPECT_TRUE(seen[2].by_store);
    ASSERT_TRUE(f.summary);
    EXPECT_EQ(f.summary->by_command.at("C-ECHO"), 1u);
    EXPECT_EQ(f.summary->by_command.at("C-STORE"), 2u);
}

TEST(Serve, NoStoreHandlerGets0211) {
    Fixture f(false);
    f.start();
    Bytes ds(16, 0);
    auto r = exchange(f.pair.scu, 3, request(CommandField::C_STORE_RQ, kCt, true), &ds);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status::UnrecognizedOperation);
}

TEST(Serve, FailingHandlersBecomeFailureStatuses) {
    Fixture f;
    f.start();
    Bytes ds(16, 0);
    f.store->mode = TestStore::Mode::BeginFails;
    auto a = exchange(f.pair.scu, 3, request(CommandField::C_STORE_RQ, kCt, true), &ds);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, status::OutOfResources);
    EXPECT_EQ(a->error_comment, "no space left");
    f.store->mode = TestStore::Mode::Throws;
    auto b = exchange(f.pair.scu, 3, request(CommandField::C_STORE_RQ, kCt, true), &ds);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status, status::ProcessingFailure);
    EXPECT_EQ(b->error_comment, "handler bug");
    f.store->mode = TestStore::Mode::Warn;
    auto c = exchange(f.pair.scu, 3, request(CommandField::C_STORE_RQ, kCt, true), &ds);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->status, status::ElementsDiscarded);
    EXPECT_TRUE(c->error_comment.empty());
}

TEST(Serve, PdvOnAContextNotAcceptedAborts) {
    Fixture f;
    f.start();
    Command rq = request(CommandField::C_ECHO_RQ, kVerificationSopClass);
    ASSERT_TRUE(send_message(f.pair.scu, 9, rq));
    auto m = receive_message(f.pair.scu, ul::Millis(5000));
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("aborted"), std::string::npos);
    f.scp.join();
    ASSERT_FALSE(f.summary);
    EXPECT_NE(f.summary.error().message.find("not accepted"), std::string::npos);
    EXPECT_TRUE(f.pair.scp.aborted);
}

TEST(Serve, AbortMidDataSetTellsTheHandler) {
    Fixture f;
    f.start();
    Command rq = request(CommandField::C_STORE_RQ, kCt, true);
    auto cmd = encode(rq);
    ASSERT_TRUE(cmd);
    ASSERT_TRUE(f.pair.scu.send(std::vector<pdu::PdvView>{{3, true, true, *cmd}}));
    Bytes part(100, 0);
    ASSERT_TRUE(f.pair.scu.send(std::vector<pdu::PdvView>{{3, false, false, part}}));
    f.pair.scp.inject(ul::Incoming::Kind::Aborted);
    f.scp.join();
    ASSERT_TRUE(f.summary);
    EXPECT_EQ(f.summary->end, ServeSummary::End::Aborted);
    EXPECT_EQ(f.store->aborted_count, 1);
    EXPECT_TRUE(f.store->stored.empty());
}

TEST(Serve, CancelGetsNoResponse) {
    Fixture f;
    f.start();
    ASSERT_TRUE(cancel(f.pair.scu, 1, 42));
    auto r = echo(f.pair.scu, 43);  // the next answer is the echo's, not one for the cancel
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->response.message_id_being_responded_to, 43);
    f.release_and_join();
    EXPECT_EQ(f.summary->requests, 1u);
}

TEST(Scu, StoreStreamsTheFileBytesWhenItsSyntaxIsAccepted) {
    Fixture f(true, {});  // any SOP class
    for (const char* name : {"/implicit_vr/MR_small_implicit.dcm", "/edge_no_meta/ExplVR_LitEndNoMeta.dcm"}) {
        SCOPED_TRACE(name);
        const std::string path = data_dir() + name;
        auto file = io::read_file(path);
        ASSERT_TRUE(file);
        std::string cls(trim_padding(file->dataset.string_or(tags::SOPClassUID)));
        // Only the file's own syntax is accepted; a small peer maximum makes many PDUs.
        f.pair = test::ChannelPair({{3, cls, std::string(file->transfer_syntax.uid), true, false}}, 300);
        f.store->stored.clear();
        f.start();
        auto r = store(f.pair.scu, path);
        ASSERT_TRUE(r) << r.error().to_string();
        EXPECT_EQ(r->status, status::Success);
        EXPECT_FALSE(r->converted);
        EXPECT_FALSE(f.pair.scu.oversized);
        EXPECT_GE(f.pair.scu.pdus_sent, 3u);  // command, then at least two data fragments
        f.release_and_join();
        ASSERT_EQ(f.store->stored.size(), 1u);
        auto back = io::read_dataset(f.store->stored[0], file->transfer_syntax);
        ASSERT_TRUE(back) << back.error().to_string();
        EXPECT_EQ(*back, file->dataset);
    }
}

TEST(Scu, StoreConvertsWhenOnlyAnotherUncompressedSyntaxIsAccepted) {
    Fixture f(true, {});
    const std::string path = data_dir() + "/big_endian/MR_small_bigendian.dcm";
    auto file = io::read_file(path);
    ASSERT_TRUE(file) << file.error().to_string();
    std::string cls(trim_padding(file->dataset.string_or(tags::SOPClassUID)));
    f.pair = test::ChannelPair({{1, cls, "1.2.840.10008.1.2", true, false}}, 1024);
    f.start();
    auto r = store(f.pair.scu, path);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status, status::Success);
    EXPECT_TRUE(r->converted);
    EXPECT_EQ(r->transfer_syntax, "1.2.840.10008.1.2");
    ASSERT_EQ(f.store->stored.size(), 1u);
    auto back = io::read_dataset(f.store->stored[0], io::ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(back) << back.error().to_string();
    DataSet expected = file->dataset;
    expected.remove_range(Tag(0x0002, 0), Tag(0x0002, 0xFFFF));
    EXPECT_EQ(back->size(), expected.size());
    EXPECT_EQ(back->string_or(tags::SOPInstanceUID), expected.string_or(tags::SOPInstanceUID));
}

TEST(Scu, StoreStripsMetaElementsInsideTheDataSet) {
    Fixture f(true, {});
    const std::string path = data_dir() + "/implicit_vr/MR_small_implicit.dcm";
    auto file = io::read_file(path);
    ASSERT_TRUE(file);
    DataSet polluted = file->dataset;
    polluted.set_string(Tag(0x0002, 0x0013), VR::SH, "POLLUTED");
    io::DicomFile in_memory;
    in_memory.dataset = polluted;
    in_memory.transfer_syntax = io::ts::ImplicitVRLittleEndian;
    std::string cls(trim_padding(file->dataset.string_or(tags::SOPClassUID)));
    f.pair = test::ChannelPair({{1, cls, "1.2.840.10008.1.2", true, false}});
    f.start();
    auto r = store(f.pair.scu, in_memory);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(f.store->stored.size(), 1u);
    auto back = io::read_dataset(f.store->stored[0], io::ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(back);
    EXPECT_FALSE(back->contains(Tag(0x0002, 0x0013)));
    EXPECT_EQ(*back, file->dataset);
}

TEST(Scu, StoreWithoutUsableContextIsUnsupported) {
    Fixture f(true, {});
    f.pair = test::ChannelPair({{1, "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.1.2", true, false}});
    auto r = store(f.pair.scu, data_dir() + "/implicit_vr/MR_small_implicit.dcm");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
}

namespace {

/// Answers every query with two matches carrying the identifier's PatientID back.
class TwoMatches final : public FindHandler {
public:
    std::string seen_patient_id;
    Outcome find(const RequestContext&, const Command&, const DataSet& identifier, const Emit& emit) override {
        seen_patient_id = identifier.string_or(tags::PatientID);
        for (const char* uid : {"1.1", "1.2"}) {
            DataSet m;
            m.set_string(tags::StudyInstanceUID, VR::UI, uid);
            if (!emit(m)) return Outcome{status::Cancel, {}};
        }
        return {};
    }
};

}  // namespace

TEST(Serve, FindSendsOnePendingResponsePerMatchThenSuccess) {
    Fixture f;
    auto handler = std::make_shared<TwoMatches>();
    f.dispatcher.on_find(handler, {"1.2.840.10008.5.1.4.1.2.2.1"});
    EXPECT_EQ(f.dispatcher.route(CommandField::C_FIND_RQ, kCt).status, status::SOPClassNotSupported);
    f.start();
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    q.set_string(tags::PatientID, VR::LO, "P1");
    auto bytes = io::encode_dataset(q, io::ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(bytes);
    MemorySource src{std::span<const std::uint8_t>(*bytes)};
    ASSERT_TRUE(send_message(f.pair.scu, 7, request(CommandField::C_FIND_RQ, "1.2.840.10008.5.1.4.1.2.2.1", true), &src));
    std::vector<std::string> uids;
    for (int i = 0; i < 3; ++i) {
        auto m = receive_message(f.pair.scu, ul::Millis(5000));
        ASSERT_TRUE(m) << m.error().to_string();
        EXPECT_EQ(m->command.field, CommandField::C_FIND_RSP);
        if (i < 2) {
            EXPECT_EQ(m->command.status, status::Pending);
            auto* sink = dynamic_cast<MemorySink*>(m->dataset.get());
            ASSERT_NE(sink, nullptr);
            auto ds = io::read_dataset(sink->bytes(), io::ts::ImplicitVRLittleEndian);
            ASSERT_TRUE(ds);
            uids.push_back(ds->string_or(tags::StudyInstanceUID));
        } else {
            EXPECT_EQ(m->command.status, status::Success);
            EXPECT_FALSE(m->command.has_dataset);
        }
    }
    EXPECT_EQ(uids, (std::vector<std::string>{"1.1", "1.2"}));
    EXPECT_EQ(handler->seen_patient_id, "P1");
}

namespace {

/// Emits up to 2000 matches, slowly, so that a C-CANCEL-RQ arrives while it runs.
class SlowMatches final : public FindHandler {
public:
    std::atomic<int> emitted{0};
    Outcome find(const RequestContext&, const Command&, const DataSet&, const Emit& emit) override {
        for (int i = 0; i < 2000; ++i) {
            DataSet m;
            m.set_string(tags::StudyInstanceUID, VR::UI, "1." + std::to_string(i));
            if (!emit(m)) return {};
            ++emitted;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return {};
    }
};

}  // namespace

TEST(Serve, CancelStopsAFindUnderWay) {
    Fixture f;
    auto handler = std::make_shared<SlowMatches>();
    f.dispatcher.on_find(handler, {"1.2.840.10008.5.1.4.1.2.2.1"});
    f.start();
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    auto bytes = io::encode_dataset(q, io::ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(bytes);
    MemorySource src{std::span<const std::uint8_t>(*bytes)};
    ASSERT_TRUE(send_message(f.pair.scu, 7, request(CommandField::C_FIND_RQ, "1.2.840.10008.5.1.4.1.2.2.1", true), &src));
    auto first = receive_message(f.pair.scu, ul::Millis(5000));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->command.status, status::Pending);
    ASSERT_TRUE(cancel(f.pair.scu, 7, 42));
    std::optional<std::uint16_t> final_status;
    for (int i = 0; i < 2100 && !final_status; ++i) {
        auto m = receive_message(f.pair.scu, ul::Millis(5000));
        ASSERT_TRUE(m) << m.error().to_string();
        if (m->command.status != status::Pending) final_status = m->command.status;
    }
    ASSERT_TRUE(final_status);
    EXPECT_EQ(*final_status, status::Cancel);
    EXPECT_LT(handler->emitted.load(), 1999);
    // The association goes on: an echo after the cancelled find is answered.
    auto e = echo(f.pair.scu, 9);
    ASSERT_TRUE(e) << e.error().to_string();
    EXPECT_EQ(e->status, status::Success);
}
