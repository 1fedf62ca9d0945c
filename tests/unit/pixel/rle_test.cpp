// RLE Lossless: round trips, header checks, and DCMTK's dcmdrle on the RLE test files.
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/layout.hpp>
#include <dicomkit/pixel/rle/rle_codec.hpp>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "pixel_test_util.hpp"

using namespace dicomkit;
using namespace dicomkit::pixel;

namespace {
constexpr std::string_view kRle = "1.2.840.10008.1.2.5";

PixelInfo layout(std::uint32_t rows, std::uint32_t cols, std::uint16_t bits, std::uint16_t samples) {
    PixelInfo i;
    i.rows = rows;
    i.columns = cols;
    i.bits_allocated = i.bits_stored = bits;
    i.high_bit = static_cast<std::uint16_t>(bits - 1);
    i.samples_per_pixel = samples;
    i.photometric = samples == 1 ? "MONOCHROME2" : "RGB";
    return i;
}
}  // namespace

TEST(Rle, RoundTripsRandomImages) {
    rle::RleCodec codec;
    std::uint32_t seed = 1;
    for (std::uint16_t bits : {8, 16, 32})
        for (std::uint16_t samples : {1, 3})
            for (auto [rows, cols] : {std::pair{1u, 1u}, {7u, 13u}, {64u, 64u}, {3u, 300u}, {33u, 1u}}) {
                PixelInfo info = layout(rows, cols, bits, samples);
                Bytes frame = test::noise(info.frame_bytes(), seed++);
                ASSERT_TRUE(codec.can_encode(kRle, info, {}));
                auto enc = codec.encode(kRle, frame, info, {});
                ASSERT_TRUE(enc) << enc.error().to_string();
                EXPECT_EQ(enc->size() % 2, 0u);
                Bytes out(info.frame_bytes());
                auto ok = codec.decode(kRle, *enc, info, out);
                ASSERT_TRUE(ok) << ok.error().to_string();
                EXPECT_EQ(out, frame) << bits << " bits, " << samples << " samples, " << rows << "x" << cols;
            }
}

TEST(Rle, ConstantImageCompresses) {
    rle::RleCodec codec;
    PixelInfo info = layout(256, 256, 16, 1);
    Bytes frame(info.frame_bytes(), 0x42);
    auto enc = codec.encode(kRle, frame, info, {});
    ASSERT_TRUE(enc);
    EXPECT_LT(enc->size(), 64u + 2 * 256 * 6);
}

TEST(Rle, RejectsBadHeaders) {
    rle::RleCodec codec;
    PixelInfo info = layout(4, 4, 16, 1);
    Bytes frame = test::noise(info.frame_bytes(), 7);
    Bytes enc = codec.encode(kRle, frame, info, {}).value();
    Bytes out(info.frame_bytes());
    Bytes bad = enc;
    bad[0] = 3;  // segment count
    auto r = codec.decode(kRle, bad, info, out);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("3 segments"), std::string::npos) << r.error().message;
    bad = enc;
    bad[8] = 0xFF;  // second segment's offset far outside
    bad[9] = 0xFF;
    EXPECT_FALSE(codec.decode(kRle, bad, info, out));
    bad = enc;
    bad[4] = 10;  // first segment inside the header
    EXPECT_FALSE(codec.decode(kRle, bad, info, out));
    EXPECT_FALSE(codec.decode(kRle, Bytes(enc.begin(), enc.begin() + 40), info, out));
    // A segment that ends early.
    bad = Bytes(enc.begin(), enc.end() - 6);
    EXPECT_FALSE(codec.decode(kRle, bad, info, out));
    EXPECT_FALSE(codec.can_encode(kRle, layout(4, 4, 1, 1), {}));
    EXPECT_FALSE(codec.can_encode(kRle, layout(4, 4, 64, 3), {}));
}

TEST(Rle, MultiFrameThroughFrameSet) {
    rle::RleCodec codec;
    DataSet ds = test::image(5, 9, 3, 16, 3);
    PixelInfo info = describe(ds).value();
    PixelFragments pf;
    std::vector<Bytes> frames;
    for (int f = 0; f < 3; ++f) {
        frames.push_back(test::noise(info.frame_bytes(), 100 + f));
        pf.fragments.push_back(codec.encode(kRle, frames.back(), info, {}).value());
    }
    ds.set(Element(test::kPixelData, VR::OB, pf));
    auto fs = FrameSet::from_dataset(ds, *io::find_transfer_syntax(kRle));
    ASSERT_TRUE(fs);
    CodecRegistry codecs = standard_codecs();
    for (int f = 0; f < 3; ++f) EXPECT_EQ(fs->decoded(f, codecs).value(), frames[f]);
    // Fragments split in two: each RLE header begins a frame.
    PixelFragments split;
    for (const Bytes& b : pf.fragments) {
        split.fragments.emplace_back(b.begin(), b.begin() + 70);
        split.fragments.emplace_back(b.begin() + 70, b.end());
    }
    ds.set(Element(test::kPixelData, VR::OB, split));
    auto fs2 = FrameSet::from_dataset(ds, *io::find_transfer_syntax(kRle));
    ASSERT_TRUE(fs2) << fs2.error().to_string();
    for (int f = 0; f < 3; ++f) EXPECT_EQ(fs2->decoded(f, codecs).value(), frames[f]);
}

TEST(Rle, FilesDecodeAsDcmdrle) {
    if (std::system("command -v dcmdrle >/dev/null 2>&1") != 0) GTEST_SKIP() << "dcmdrle not installed";
    const std::filesystem::path dir = std::filesystem::path(DICOMKIT_TEST_DATA) / "pixel";
    const std::filesystem::path tmp = std::filesystem::path(::testing::TempDir()) / "dicomkit_rle_peer";
    std::filesystem::create_directories(tmp);
    CodecRegistry codecs = standard_codecs();
    int files = 0;
    for (const char* name : {"MR_small_RLE.dcm", "OBXXXX1A_rle.dcm", "OBXXXX1A_rle_2frame.dcm", "emri_small_RLE.dcm"}) {
        const auto in = dir / name;
        const auto out = tmp / name;
        const std::string cmd = "dcmdrle '" + in.string() + "' '" + out.string() + "'";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        auto ours = io::read_file(in.string());
        auto peer = io::read_file(out.string());
        ASSERT_TRUE(ours && peer);
        auto a = FrameSet::open(*ours);
        auto b = FrameSet::open(*peer);
        ASSERT_TRUE(a) << a.error().to_string();
        ASSERT_TRUE(b) << b.error().to_string();
        ASSERT_EQ(a->size(), b->size());
        for (std::size_t f = 0; f < a->size(); ++f) {
            auto x = a->decoded(f, codecs);
            ASSERT_TRUE(x) << x.error().to_string();
            // dcmdrle may write colour planar; compare the values interleaved.
            EXPECT_EQ(*x, b->decoded(f, codecs).value()) << name << " frame " << f;
        }
        ++files;
    }
    EXPECT_EQ(files, 4);
}
