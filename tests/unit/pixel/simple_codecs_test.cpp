// Deflated Image Frame Compression and Encapsulated Uncompressed: round trips and test files.
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/simple/simple_codecs.hpp>

#include <filesystem>

#include <gtest/gtest.h>

#include "pixel_test_util.hpp"

using namespace dicomkit;
using namespace dicomkit::pixel;

namespace {
constexpr std::string_view kDeflated = "1.2.840.10008.1.2.8.1";
constexpr std::string_view kUncompressed = "1.2.840.10008.1.2.1.98";
}  // namespace

TEST(DeflatedFrame, FilesDecodeAsTheirNativeOriginals) {
    const std::filesystem::path dir = std::filesystem::path(DICOMKIT_TEST_DATA) / "pixel";
    CodecRegistry codecs = standard_codecs();
    for (auto [deflated, native] : {std::pair{"liver_deflate.dcm", "liver.dcm"},
                                    std::pair{"liver_nonbyte_aligned_deflate.dcm", "liver_nonbyte_aligned.dcm"}}) {
        auto a = io::read_file((dir / deflated).string());
        auto b = io::read_file((dir / native).string());
        ASSERT_TRUE(a && b);
        EXPECT_EQ(a->transfer_syntax.uid, kDeflated);
        auto fa = FrameSet::open(*a);
        auto fb = FrameSet::open(*b);
        ASSERT_TRUE(fa) << fa.error().to_string();
        ASSERT_TRUE(fb) << fb.error().to_string();
        ASSERT_EQ(fa->size(), 3u);
        ASSERT_EQ(fb->size(), 3u);
        EXPECT_EQ(fa->decoded_info(codecs).value(), fb->decoded_info(codecs).value());
        for (std::size_t f = 0; f < 3; ++f) {
            auto x = fa->decoded(f, codecs);
            ASSERT_TRUE(x) << x.error().to_string();
            EXPECT_EQ(*x, fb->decoded(f, codecs).value()) << deflated << " frame " << f;
        }
    }
}

TEST(DeflatedFrame, RoundTripAndCorruptStream) {
    simple::DeflatedFrameCodec codec;
    DataSet ds = test::image(17, 9, 1, 16, 3);
    PixelInfo info = describe(ds).value();
    Bytes frame = test::noise(info.frame_bytes(), 3);
    auto enc = codec.encode(kDeflated, frame, info, {});
    ASSERT_TRUE(enc);
    EXPECT_EQ(enc->size() % 2, 0u);
    Bytes out(info.frame_bytes());
    ASSERT_TRUE(codec.decode(kDeflated, *enc, info, out));
    EXPECT_EQ(out, frame);
    Bytes bad(enc->begin(), enc->begin() + static_cast<std::ptrdiff_t>(enc->size() / 2));
    EXPECT_FALSE(codec.decode(kDeflated, bad, info, out));
    // Too little data once inflated.
    PixelInfo bigger = info;
    bigger.rows = 40;
    Bytes big_out(bigger.frame_bytes());
    EXPECT_FALSE(codec.decode(kDeflated, *enc, bigger, big_out));
}

TEST(EncapsulatedUncompressed, RoundTripOddFramesAndPlanar) {
    simple::EncapsulatedUncompressedCodec codec;
    CodecRegistry codecs = standard_codecs();
    DataSet ds = test::image(3, 3, 2, 8, 1);
    PixelInfo info = describe(ds).value();
    PixelFragments pf;
    std::vector<Bytes> frames;
    for (int f = 0; f < 2; ++f) {
        frames.push_back(test::noise(info.frame_bytes(), 9 + f));
        pf.fragments.push_back(codec.encode(kUncompressed, frames.back(), info, {}).value());
        EXPECT_EQ(pf.fragments.back().size(), 10u);  // 9 bytes padded
    }
    ds.set(Element(test::kPixelData, VR::OB, pf));
    auto fs = FrameSet::from_dataset(ds, *io::find_transfer_syntax(kUncompressed));
    ASSERT_TRUE(fs);
    for (int f = 0; f < 2; ++f) EXPECT_EQ(fs->decoded(f, codecs).value(), frames[f]);

    DataSet rgb = test::image(1, 2, 1, 8, 3, 1);
    PixelFragments one;
    one.fragments = {Bytes{1, 2, 10, 20, 100, 200}};
    rgb.set(Element(test::kPixelData, VR::OB, one));
    auto planar = FrameSet::from_dataset(rgb, *io::find_transfer_syntax(kUncompressed));
    ASSERT_TRUE(planar);
    EXPECT_EQ(planar->decoded(0, codecs).value(), (Bytes{1, 10, 100, 2, 20, 200}));
    // A fragment shorter than the frame.
    one.fragments = {Bytes{1, 2}};
    rgb.set(Element(test::kPixelData, VR::OB, one));
    auto short_frame = FrameSet::from_dataset(rgb, *io::find_transfer_syntax(kUncompressed), "s.dcm");
    ASSERT_TRUE(short_frame);
    auto r = short_frame->decoded(0, codecs);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().file, "s.dcm");
    EXPECT_NE(r.error().message.find("frame 1 of 1"), std::string::npos) << r.error().message;
}
