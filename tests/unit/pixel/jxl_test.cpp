// JPEG XL codec: lossless round trips exact, lossy ones close, JPEG recompression decodes, bad streams.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>

#include <jxl/encode.h>

#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/jxl/jxl_codec.hpp>

#include "pixel_test_support.hpp"

namespace dicomkit::pixel {
namespace {

constexpr std::string_view kLossless = "1.2.840.10008.1.2.4.110";
constexpr std::string_view kRecompression = "1.2.840.10008.1.2.4.111";
constexpr std::string_view kJpegXl = "1.2.840.10008.1.2.4.112";

struct Case {
    const char* name;
    PixelInfo info;
    bool smooth;
};

std::vector<Case> cases() {
    return {
        {"grey8_random", test::grey(37, 41, 8, 8), false},  {"grey8_smooth", test::grey(64, 80, 8, 8), true},
        {"grey16_random", test::grey(33, 29, 16, 16), false}, {"grey16_smooth", test::grey(64, 64, 16, 16), true},
        {"grey12_smooth", test::grey(50, 60, 16, 12), true}, {"rgb8_random", test::rgb(20, 30, 8, 8), false},
        {"rgb8_smooth", test::rgb(64, 48, 8, 8), true},      {"rgb16_smooth", test::rgb(32, 32, 16, 16), true},
    };
}

TEST(JpegXl, RegisteredInStandardCodecs) {
    const CodecRegistry r = standard_codecs();
    for (const auto ts : {kLossless, kRecompression, kJpegXl}) ASSERT_NE(r.decoder(ts), nullptr) << ts;
    EXPECT_NE(r.encoder(kLossless), nullptr);
    EXPECT_NE(r.encoder(kJpegXl), nullptr);
    EXPECT_EQ(r.encoder(kRecompression), nullptr);
    EXPECT_TRUE(r.decoder(kJpegXl)->name().starts_with("libjxl "));
}

TEST(JpegXl, LosslessRoundTripsAreExact) {
    const JxlCodec codec;
    for (const Case& c : cases()) {
        SCOPED_TRACE(c.name);
        const Bytes frame = test::make_frame(c.info, c.smooth, 21);
        for (const auto ts : {kLossless, kJpegXl}) {
            EncodeOptions o;
            o.quality = 100;  // .112 at quality 100 is lossless too
            EXPECT_FALSE(codec.lossy(ts, o));
            auto encoded = codec.encode(ts, frame, c.info, o);
            ASSERT_TRUE(encoded) << encoded.error().to_string();
            const PixelInfo info = codec.encoded_info(ts, c.info, o);
            Bytes back(codec.decoded_info(ts, info).frame_bytes());
            auto r = codec.decode(ts, *encoded, info, back);
            ASSERT_TRUE(r) << r.error().to_string();
            EXPECT_EQ(back, frame);
        }
    }
}

TEST(JpegXl, LossyRoundTripsAreClose) {
    const JxlCodec codec;
    for (const Case& c : cases()) {
        if (!c.smooth) continue;
        SCOPED_TRACE(c.name);
        // Smooth without the sawtooth edges of make_frame: a product of sines.
        Bytes frame(c.info.frame_bytes());
        const double top = double((1u << c.info.bits_stored) - 1);
        for (std::size_t i = 0; i < c.info.samples_per_frame(); ++i) {
            const std::size_t p = i / c.info.samples_per_pixel, x = p % c.info.columns, y = p / c.info.columns;
            const double v = top * (0.5 + 0.4 * std::sin(double(x) / 9.0 + double(i % c.info.samples_per_pixel)) *
                                              std::cos(double(y) / 13.0));
            const auto u = static_cast<std::uint32_t>(std::lround(v));
            if (c.info.bits_allocated == 8) {
                frame[i] = static_cast<std::uint8_t>(u);
            } else {
                frame[2 * i] = static_cast<std::uint8_t>(u);
                frame[2 * i + 1] = static_cast<std::uint8_t>(u >> 8);
            }
        }
        double previous_error = -1;
        for (const int quality : {95, 60}) {
            EncodeOptions o;
            o.quality = quality;
            EXPECT_TRUE(codec.lossy(kJpegXl, o));
            auto encoded = codec.encode(kJpegXl, frame, c.info, o);
            ASSERT_TRUE(encoded) << encoded.error().to_string();
            EXPECT_LT(encoded->size(), frame.size());
            Bytes back(c.info.frame_bytes());
            ASSERT_TRUE(codec.decode(kJpegXl, *encoded, c.info, back));
            // Mean absolute error relative to the container's range.
            double sum = 0;
            const std::size_t n = c.info.samples_per_frame();
            for (std::size_t i = 0; i < n; ++i) {
                const auto a = test::sample(c.info, frame, i / c.info.samples_per_pixel, i % c.info.samples_per_pixel);
                const auto b = test::sample(c.info, back, i / c.info.samples_per_pixel, i % c.info.samples_per_pixel);
                sum += std::abs(double(a) - double(b));
            }
            const double error = sum / double(n) / double((1u << c.info.bits_allocated) - 1);
            EXPECT_LT(error, 0.02) << "quality " << quality;
            if (previous_error >= 0) {
                EXPECT_GE(error, previous_error * 0.5) << "lower quality should not be much better";
            }
            previous_error = error;
        }
    }
}

TEST(JpegXl, JpegRecompressionDecodes) {
    // A baseline JPEG frame (YBR_FULL_422) stored as a JPEG XL JPEG-reconstruction codestream
    // (what .111 holds) decodes to the pixels of the JPEG, with DCMTK's dcmdjpeg output as the
    // reference: equal but for chroma upsampling, which the two libraries do differently.
    const std::string jpg = std::string(DICOMKIT_TEST_DATA) + "/pixel/jpeg_baseline_examples_ybr_color_frame0.jpg";
    std::ifstream in(jpg, std::ios::binary);
    const Bytes jpeg_stream((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(jpeg_stream.size(), 1000u);
    PixelInfo stored = test::rgb(240, 320, 8, 8);
    stored.photometric = "YBR_FULL_422";

    JxlEncoder* enc = JxlEncoderCreate(nullptr);
    ASSERT_EQ(JxlEncoderStoreJPEGMetadata(enc, JXL_TRUE), JXL_ENC_SUCCESS);
    JxlEncoderFrameSettings* fs = JxlEncoderFrameSettingsCreate(enc, nullptr);
    ASSERT_EQ(JxlEncoderAddJPEGFrame(fs, jpeg_stream.data(), jpeg_stream.size()), JXL_ENC_SUCCESS);
    JxlEncoderCloseInput(enc);
    Bytes jxl(jpeg_stream.size() * 2 + 4096);
    std::uint8_t* next = jxl.data();
    std::size_t avail = jxl.size();
    ASSERT_EQ(JxlEncoderProcessOutput(enc, &next, &avail), JXL_ENC_SUCCESS);
    jxl.resize(static_cast<std::size_t>(next - jxl.data()));
    JxlEncoderDestroy(enc);
    EXPECT_LT(jxl.size(), jpeg_stream.size());

    const JxlCodec codec;
    const PixelInfo out_info = codec.decoded_info(kRecompression, stored);
    EXPECT_EQ(out_info.photometric, "RGB");
    Bytes ours(out_info.frame_bytes());
    auto r = codec.decode(kRecompression, jxl, stored, ours);
    ASSERT_TRUE(r) << r.error().to_string();
    if (!test::have_tool("dcmdjpeg")) GTEST_SKIP() << "dcmdjpeg not installed";
    test::TempDir tmp;
    const io::TransferSyntax* baseline = io::find_transfer_syntax("1.2.840.10008.1.2.4.50");
    ASSERT_NE(baseline, nullptr);
    ASSERT_TRUE(test::write_frames(tmp.file("j.dcm"), stored, *baseline, {jpeg_stream}));
    ASSERT_TRUE(test::run("dcmdjpeg '" + tmp.file("j.dcm") + "' '" + tmp.file("d.dcm") + "'"));
    const test::LoadedFrames ref = test::load_frames(tmp.file("d.dcm"));
    ASSERT_TRUE(ref.error.empty()) << ref.error;
    ASSERT_EQ(ref.info.photometric, "RGB");
    double sum = 0;
    long worst = 0;
    for (std::size_t p = 0; p < std::size_t{240} * 320; ++p) {
        for (std::size_t c = 0; c < 3; ++c) {
            const long d = std::labs(long(test::sample(out_info, ours, p, c)) - long(test::sample(ref.info, ref.frames[0], p, c)));
            sum += double(d);
            worst = std::max(worst, d);
        }
    }
    EXPECT_LT(sum / (240.0 * 320 * 3), 1.0);
    EXPECT_LE(worst, 16);
}

TEST(JpegXl, RefusesWhatItCannotEncode) {
    const JxlCodec codec;
    EXPECT_FALSE(codec.can_encode(kRecompression, test::grey(8, 8, 8, 8), {}));
    EXPECT_FALSE(codec.can_encode(kLossless, test::grey(8, 8, 16, 16, true), {}));
    EXPECT_FALSE(codec.can_encode(kLossless, test::grey(8, 8, 32, 32), {}));
    PixelInfo ybr = test::rgb(8, 8, 8, 8);
    ybr.photometric = "YBR_FULL";
    EXPECT_FALSE(codec.can_encode(kLossless, ybr, {}));
    EncodeOptions o;
    o.quality = 0;
    EXPECT_FALSE(codec.can_encode(kJpegXl, test::grey(8, 8, 8, 8), o));
}

TEST(JpegXl, MalformedStreamsGiveErrors) {
    const JxlCodec codec;
    const PixelInfo info = test::grey(32, 32, 16, 16);
    const Bytes frame = test::make_frame(info, true, 3);
    auto encoded = codec.encode(kLossless, frame, info, {});
    ASSERT_TRUE(encoded);
    Bytes out(info.frame_bytes());
    EXPECT_FALSE(codec.decode(kLossless, {}, info, out));
    EXPECT_FALSE(codec.decode(kLossless, Bytes(100, 0x42), info, out));
    Bytes truncated(encoded->begin(), encoded->begin() + static_cast<std::ptrdiff_t>(encoded->size() / 2));
    EXPECT_FALSE(codec.decode(kLossless, truncated, info, out));
    PixelInfo wrong = info;
    wrong.columns = 31;
    Bytes out2(wrong.frame_bytes());
    EXPECT_FALSE(codec.decode(kLossless, *encoded, wrong, out2));
    PixelInfo colour = test::rgb(32, 32, 16, 16);
    Bytes out3(colour.frame_bytes());
    EXPECT_FALSE(codec.decode(kLossless, *encoded, colour, out3));
    for (std::size_t i = 0; i < encoded->size(); i += 5) {
        Bytes bad = *encoded;
        bad[i] ^= 0x5A;
        (void)codec.decode(kLossless, bad, info, out);
    }
}

TEST(JpegXl, MissingLibraryIsAClearErrorOnlyWhenUsed) {
    // The library is opened at the first frame: a codec whose libjxl is absent is still made,
    // registered and named, and its frames fail with an error naming the library.
    const JxlCodec codec("libjxl-not-installed.so.0");
    EXPECT_TRUE(codec.name().starts_with("libjxl "));
    const PixelInfo info = test::grey(8, 8, 8, 8);
    const Bytes frame = test::make_frame(info, true, 1);
    auto encoded = codec.encode(kLossless, frame, info, {});
    ASSERT_FALSE(encoded);
    EXPECT_EQ(encoded.error().code, ErrorCode::Unsupported);
    EXPECT_NE(encoded.error().message.find("libjxl-not-installed.so.0"), std::string::npos) << encoded.error().message;
    Bytes out(info.frame_bytes());
    auto decoded = codec.decode(kLossless, Bytes(16, 0x42), info, out);
    ASSERT_FALSE(decoded);
    EXPECT_NE(decoded.error().message.find("libjxl-not-installed.so.0"), std::string::npos);
    EXPECT_TRUE(codec.can_encode(kLossless, info, {}));  // no library needed to say what it could do
}

}  // namespace
}  // namespace dicomkit::pixel
