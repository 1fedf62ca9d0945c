// Reassembly of messages from PDVs (PS3.8 Annex E) and the data sinks: limits, protocol errors,
// and the sink aborted (no temporary file left behind) when a message does not complete.
#include <dicomkit/net/dimse/assembler.hpp>
#include <dicomkit/net/dimse/fragmenter.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

using namespace dicomkit;
using namespace dicomkit::net;
using namespace dicomkit::net::dimse;
namespace fs = std::filesystem;

namespace {

Command store_rq(std::uint16_t id = 1) {
    Command c;
    c.field = CommandField::C_STORE_RQ;
    c.message_id = id;
    c.affected_sop_class_uid = "1.2.840.10008.5.1.4.1.1.7";
    c.affected_sop_instance_uid = "1.2.3.4";
    c.priority = 0;
    c.has_dataset = true;
    return c;
}

/// The PDVs of one message, fragmented for `peer_max`.
std::vector<pdu::Pdv> fragments(const Command& c, const Bytes* data, std::uint32_t peer_max) {
    std::vector<pdu::Pdv> out;
    PdvSender cap = [&](std::span<const pdu::PdvView> vs) {
        for (const auto& v : vs) out.push_back({v.context_id, v.command, v.last, Bytes(v.data.begin(), v.data.end())});
        return Result<void>{};
    };
    std::optional<MemorySource> src;
    if (data) src.emplace(std::span<const std::uint8_t>(*data));
    auto r = send_message(cap, 1, c, src ? &*src : nullptr, peer_max);
    EXPECT_TRUE(r);
    return out;
}

pdu::PdvView view(const pdu::Pdv& p) { return {p.context_id, p.command, p.last, p.data}; }

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("dk_assembler_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    std::size_t count() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {})); }
};

/// A sink writing to a file of `dir`, created with the first bytes and removed by abort(): what
/// a receiver's file sink does, to show that the assembler aborts it.
class TempFileSink final : public DataSink {
public:
    explicit TempFileSink(fs::path path) : path_(std::move(path)) {}
    ~TempFileSink() override { abort(); }
    [[nodiscard]] Result<void> write(std::span<const std::uint8_t> bytes) override {
        std::ofstream out(path_, std::ios::binary | std::ios::app);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        size_ += bytes.size();
        return {};
    }
    [[nodiscard]] Result<void> finish() override { return {}; }
    void abort() noexcept override {
        std::error_code ec;
        fs::remove(path_, ec);
    }
    [[nodiscard]] std::uint64_t size() const noexcept override { return size_; }

private:
    fs::path path_;
    std::uint64_t size_ = 0;
};

MessageAssembler::SinkChooser memory(std::uint64_t limit = 1 << 20) {
    return [limit](std::uint8_t, const Command&) {
        return Result<std::unique_ptr<DataSink>>(std::make_unique<MemorySink>(limit));
    };
}

}  // namespace

TEST(Assembler, ReassemblesAtSeveralPduSizes) {
    Bytes data(5000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
    for (std::uint32_t max : {8u, 30u, 1000u, 16384u}) {
        SCOPED_TRACE(max);
        MessageAssembler a(memory());
        std::optional<Message> done;
        auto pdvs = fragments(store_rq(), &data, max);
        for (std::size_t i = 0; i < pdvs.size(); ++i) {
            auto r = a.push(view(pdvs[i]));
            ASSERT_TRUE(r) << r.error().to_string();
            EXPECT_EQ(r->has_value(), i + 1 == pdvs.size());
            if (*r) done = std::move(**r);
        }
        ASSERT_TRUE(done);
        EXPECT_EQ(done->command, store_rq());
        ASSERT_TRUE(done->dataset);
        EXPECT_EQ(static_cast<MemorySink&>(*done->dataset).bytes(), data);
        EXPECT_FALSE(done->dataset_error);
        EXPECT_FALSE(a.in_message());
    }
}

TEST(Assembler, CommandOnlyMessagesAndCancel) {
    MessageAssembler a(memory());
    Command cancel;
    cancel.field = CommandField::C_CANCEL_RQ;
    cancel.message_id_being_responded_to = 9;
    auto pdvs = fragments(cancel, nullptr, 16384);
    ASSERT_EQ(pdvs.size(), 1u);
    auto r = a.push(view(pdvs[0]));
    ASSERT_TRUE(r && *r);
    EXPECT_EQ((*r)->command.field, CommandField::C_CANCEL_RQ);
    EXPECT_EQ((*r)->command.message_id_being_responded_to, 9);
    EXPECT_FALSE((*r)->dataset);
}

TEST(Assembler, DataBeforeCommandIsAProtocolError) {
    MessageAssembler a(memory());
    Bytes d(4, 0);
    auto r = a.push(pdu::PdvView{1, false, true, d});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidValue);
    EXPECT_NE(r.error().message.find("without a command"), std::string::npos);
}

TEST(Assembler, CommandInsideDataSetAbortsAndRemovesTheTempFile) {
    TempDir dir;
    MessageAssembler a([&](std::uint8_t, const Command&) -> Result<std::unique_ptr<DataSink>> {
        return Result<std::unique_ptr<DataSink>>(std::make_unique<TempFileSink>(dir.path / "data.part"));
    });
    Bytes data(4000, 0x11);
    auto pdvs = fragments(store_rq(), &data, 1000);
    ASSERT_GT(pdvs.size(), 3u);
    ASSERT_TRUE(a.push(view(pdvs[0])));
    ASSERT_TRUE(a.push(view(pdvs[1])));  // first data fragment: the temp file exists
    EXPECT_EQ(dir.count(), 1u);
    auto r = a.push(view(pdvs[0]));  // a command fragment while the data set is open
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidValue);
    EXPECT_EQ(dir.count(), 0u);
    EXPECT_FALSE(a.in_message());
}

TEST(Assembler, ContextChangeWithinAMessageIsAnError) {
    MessageAssembler a(memory());
    Bytes data(100, 0);
    auto pdvs = fragments(store_rq(), &data, 16384);
    ASSERT_TRUE(a.push(view(pdvs[0])));
    pdu::PdvView v = view(pdvs[1]);
    v.context_id = 3;
    auto r = a.push(v);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("context changed"), std::string::npos);
}

TEST(Assembler, OversizedCommandSetIsRefused) {
    MessageAssembler a(memory(), AssemblerLimits{64});
    Bytes chunk(40, 0);
    ASSERT_TRUE(a.push(pdu::PdvView{1, true, false, chunk}));
    auto r = a.push(pdu::PdvView{1, true, false, chunk});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
}

TEST(Assembler, UndecodableCommandIsAnError) {
    MessageAssembler a(memory());
    Bytes junk = {0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0x7F};
    auto r = a.push(pdu::PdvView{1, true, true, junk});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("command set"), std::string::npos);
}

TEST(Assembler, SinkOverItsLimitStillCompletesTheMessageWithAnError) {
    MessageAssembler a(memory(1000));
    Bytes data(3000, 1);
    std::optional<Message> done;
    for (const auto& p : fragments(store_rq(), &data, 512)) {
        auto r = a.push(view(p));
        ASSERT_TRUE(r) << r.error().to_string();
        if (*r) done = std::move(**r);
    }
    ASSERT_TRUE(done);
    ASSERT_TRUE(done->dataset_error);
    EXPECT_EQ(done->dataset_error->code, ErrorCode::LimitExceeded);
}

TEST(Assembler, ChooserErrorDiscardsTheDataSet) {
    MessageAssembler a([](std::uint8_t, const Command&) -> Result<std::unique_ptr<DataSink>> {
        return make_error(ErrorCode::IoError, "disk full");
    });
    Bytes data(100, 1);
    std::optional<Message> done;
    for (const auto& p : fragments(store_rq(), &data, 16384)) {
        auto r = a.push(view(p));
        ASSERT_TRUE(r);
        if (*r) done = std::move(**r);
    }
    ASSERT_TRUE(done && done->dataset_error);
    EXPECT_EQ(done->dataset_error->message, "disk full");
    EXPECT_EQ(done->dataset->size(), 100u);
}

TEST(Assembler, TwoMessagesInARow) {
    MessageAssembler a(memory());
    Bytes d1(10, 1), d2(20, 2);
    std::vector<Message> got;
    for (auto* d : {&d1, &d2})
        for (const auto& p : fragments(store_rq(static_cast<std::uint16_t>(d->size())), d, 16384)) {
            auto r = a.push(view(p));
            ASSERT_TRUE(r);
            if (*r) got.push_back(std::move(**r));
        }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].command.message_id, 10);
    EXPECT_EQ(got[1].dataset->size(), 20u);
}

TEST(Sinks, MemorySinkLimit) {
    MemorySink s(8);
    Bytes six(6, 1);
    ASSERT_TRUE(s.write(six));
    auto r = s.write(six);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
    EXPECT_EQ(s.size(), 6u);
}

