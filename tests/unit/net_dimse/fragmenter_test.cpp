// P-DATA-TF fragmentation: PDU sizes against the peer's maximum (PS3.8 D.1), even fragments and
// control header bits (PS3.8 E.1/E.2), bounded reads from the data source.
#include <dicomkit/net/dimse/fragmenter.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace dicomkit;
using namespace dicomkit::net;
using namespace dicomkit::net::dimse;

namespace {

struct Captured {
    std::vector<pdu::Pdv> pdvs;
    std::vector<std::size_t> pdu_fields;  ///< variable field length of each PDU
};

PdvSender capture(Captured& c) {
    return [&c](std::span<const pdu::PdvView> views) {
        std::size_t field = 0;
        for (const auto& v : views) {
            c.pdvs.push_back(pdu::Pdv{v.context_id, v.command, v.last, Bytes(v.data.begin(), v.data.end())});
            field += 4 + 2 + v.data.size();
        }
        c.pdu_fields.push_back(field);
        // The PDU encoder agrees with the arithmetic above.
        auto encoded = pdu::encode_p_data_tf(views);
        EXPECT_TRUE(encoded);
        if (encoded) {
            EXPECT_EQ(encoded->size(), field + pdu::kPduHeaderSize);
        }
        return Result<void>{};
    };
}

Command store_rq() {
    Command c;
    c.field = CommandField::C_STORE_RQ;
    c.message_id = 7;
    c.affected_sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
    c.affected_sop_instance_uid = "1.2.3.4.5.6.7.8.9";
    c.priority = 0;
    c.has_dataset = true;
    return c;
}

Bytes pattern(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 31 + 7);
    return b;
}

/// A source that records the largest read asked of it.
class CountingSource final : public DataSource {
public:
    explicit CountingSource(std::uint64_t n) : n_(n) {}
    std::uint64_t size() const noexcept override { return n_; }
    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        largest = std::max(largest, out.size());
        std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), n_ - pos_));
        std::fill_n(out.data(), k, std::uint8_t{0xAB});
        pos_ += k;
        return k;
    }
    std::size_t largest = 0;

private:
    std::uint64_t n_;
    std::uint64_t pos_ = 0;
};

}  // namespace

TEST(Fragmenter, MaxFragmentSizeFromPeerMaximum) {
    EXPECT_EQ(*max_fragment_size(16384), 16378u);  // 16384 - (4 length + 1 context + 1 header)
    EXPECT_EQ(*max_fragment_size(16385), 16378u);  // 16379 rounded down to even
    EXPECT_EQ(*max_fragment_size(0), kDefaultMaxFragment);
    EXPECT_EQ(*max_fragment_size(8), 2u);
    EXPECT_EQ(*max_fragment_size(9), 2u);
    EXPECT_EQ(*max_fragment_size(1u << 30, 4096), 4096u);
    auto tiny = max_fragment_size(7);
    ASSERT_FALSE(tiny);
    EXPECT_EQ(tiny.error().code, ErrorCode::InvalidArgument);
}

TEST(Fragmenter, EveryPduWithinThePeerMaximum) {
    const Bytes data = pattern(10'002);
    for (std::uint32_t max : {8u, 9u, 10u, 64u, 101u, 1000u, 16384u, 0u}) {
        SCOPED_TRACE("peer max " + std::to_string(max));
        Captured cap;
        MemorySource src(data);
        auto stats = send_message(capture(cap), 3, store_rq(), &src, max);
        ASSERT_TRUE(stats) << stats.error().to_string();
        ASSERT_FALSE(cap.pdvs.empty());
        for (std::size_t f : cap.pdu_fields)
            if (max != 0) {
                EXPECT_LE(f, max);
            }
        // Command fragments first, then data fragments; last bit on the last of each stream.
        Bytes command, dataset;
        bool in_data = false;
        for (std::size_t i = 0; i < cap.pdvs.size(); ++i) {
            const auto& p = cap.pdvs[i];
            EXPECT_EQ(p.context_id, 3);
            EXPECT_EQ(p.data.size() % 2, 0u);
            if (p.command) {
                EXPECT_FALSE(in_data);
                command.insert(command.end(), p.data.begin(), p.data.end());
                bool next_is_data = i + 1 < cap.pdvs.size() && !cap.pdvs[i + 1].command;
                EXPECT_EQ(p.last, next_is_data);
            } else {
                in_data = true;
                dataset.insert(dataset.end(), p.data.begin(), p.data.end());
                EXPECT_EQ(p.last, i + 1 == cap.pdvs.size());
            }
        }
        EXPECT_EQ(dataset, data);
        auto back = decode(command);
        ASSERT_TRUE(back) << back.error().to_string();
        EXPECT_EQ(*back, store_rq());
        EXPECT_EQ(stats->pdus, cap.pdvs.size());
        EXPECT_EQ(stats->dataset_bytes, data.size());
    }
}

TEST(Fragmenter, CommandWithoutDataSetEndsWithLastCommandFragment) {
    Command c;
    c.field = CommandField::C_ECHO_RQ;
    c.message_id = 1;
    c.affected_sop_class_uid = "1.2.840.10008.1.1";
    Captured cap;
    ASSERT_TRUE(send_message(capture(cap), 1, c, nullptr, 20));
    ASSERT_GT(cap.pdvs.size(), 1u);  // 68 bytes in 14-byte fragments
    for (std::size_t i = 0; i < cap.pdvs.size(); ++i) {
        EXPECT_TRUE(cap.pdvs[i].command);
        EXPECT_EQ(cap.pdvs[i].last, i + 1 == cap.pdvs.size());
        EXPECT_LE(cap.pdvs[i].data.size(), 14u);
    }
}

TEST(Fragmenter, MismatchedDataSetTypeAndOddLengthsAreRefused) {
    Captured cap;
    Command c = store_rq();
    auto r = send_message(capture(cap), 1, c, nullptr, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    Bytes odd(11, 0);
    MemorySource src(odd);
    auto r2 = send_message(capture(cap), 1, c, &src, 0);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, ErrorCode::InvalidArgument);
}

TEST(Fragmenter, ReadsTheSourceInBoundedChunks) {
    CountingSource src(50u * 1024u * 1024u);
    std::uint64_t pdus = 0, bytes = 0;
    PdvSender count = [&](std::span<const pdu::PdvView> v) {
        ++pdus;
        bytes += v[0].data.size();
        return Result<void>{};
    };
    auto stats = send_message(count, 1, store_rq(), &src, 65536);
    ASSERT_TRUE(stats);
    EXPECT_LE(src.largest, 65530u);
    EXPECT_EQ(stats->dataset_bytes, 50u * 1024u * 1024u);
    EXPECT_EQ(pdus, stats->pdus);
    EXPECT_EQ(pdus, 1 + (50u * 1024u * 1024u + 65529u) / 65530u);  // one command PDV, then data
}

TEST(Fragmenter, FileRegionSourceSendsTheRegionOnly) {
    auto dir = std::filesystem::temp_directory_path() / "dk_fragmenter_test";
    std::filesystem::create_directories(dir);
    auto path = (dir / "region.bin").string();
    Bytes all = pattern(300'000);
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(all.data()), static_cast<std::streamsize>(all.size()));
    }
    auto src = FileRegionSource::open(path, 1000);
    ASSERT_TRUE(src) << src.error().to_string();
    EXPECT_EQ(src->size(), all.size() - 1000);
    Captured cap;
    ASSERT_TRUE(send_dataset(capture(cap), 5, *src, 4096));
    Bytes got;
    for (const auto& p : cap.pdvs) got.insert(got.end(), p.data.begin(), p.data.end());
    EXPECT_EQ(got, Bytes(all.begin() + 1000, all.end()));
    EXPECT_EQ(cap.pdvs.size(), (all.size() - 1000 + 4095) / 4096);
    auto missing = FileRegionSource::open((dir / "absent.bin").string(), 0);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::IoError);
    std::filesystem::remove_all(dir);
}
