// JPEG encoding: lossless round trips at 2..16 bits with every predictor, and files we encode
// decoded by DCMTK (dcmdjpeg) and GDCM (gdcmconv --raw); baseline through libjpeg-turbo.
#include "jpeg_test_util.hpp"

#include <cmath>
#include <random>

#include <dicomkit/pixel/jpeg/jpeg_codec.hpp>
#include <dicomkit/pixel/jpeg/jpeg_decoder.hpp>
#include <dicomkit/pixel/jpeg/jpeg_encoder.hpp>

using namespace dicomkit;
using namespace dicomkit::pixel;
using namespace jpegtest;

namespace {

PixelInfo make_info(std::uint32_t rows, std::uint32_t cols, int samples, int bits, bool is_signed) {
    PixelInfo i;
    i.rows = rows;
    i.columns = cols;
    i.samples_per_pixel = static_cast<std::uint16_t>(samples);
    i.bits_allocated = bits <= 8 ? 8 : 16;
    i.bits_stored = static_cast<std::uint16_t>(bits);
    i.high_bit = static_cast<std::uint16_t>(bits - 1);
    i.is_signed = is_signed;
    i.photometric = samples == 1 ? "MONOCHROME2" : "RGB";
    return i;
}

/// Random (noise) or smooth (gradient and waves) samples within bits_stored, signed ones sign-extended.
Bytes make_frame(const PixelInfo& info, bool smooth, unsigned seed) {
    std::mt19937 gen(seed);
    const int bits = info.bits_stored;
    const long maxv = (1L << bits) - 1;
    Bytes b(info.frame_bytes());
    const std::size_t n = info.samples_per_frame();
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t px = i / info.samples_per_pixel, x = px % info.columns, y = px / info.columns;
        long v;
        if (smooth) {
            const double t = 0.5 + 0.25 * std::sin(static_cast<double>(x) / 7.0) + 0.2 * std::cos(static_cast<double>(y) / 11.0) +
                             0.05 * static_cast<double>(i % info.samples_per_pixel);
            v = std::clamp(static_cast<long>(t * static_cast<double>(maxv)), 0L, maxv);
        } else {
            v = static_cast<long>(gen() & static_cast<unsigned long>(maxv));
        }
        if (info.is_signed && (v >> (bits - 1)) & 1) v -= (1L << bits);  // as a signed value, sign-extended
        const auto u = static_cast<std::uint32_t>(v);
        if (info.bits_allocated == 8) {
            b[i] = static_cast<std::uint8_t>(u);
        } else {
            b[2 * i] = static_cast<std::uint8_t>(u);
            b[2 * i + 1] = static_cast<std::uint8_t>(u >> 8);
        }
    }
    return b;
}

/// Samples compared on their bits stored (the bits JPEG codes, PS3.5 8.2.1).
void expect_equal_stored(const PixelInfo& info, const Bytes& a, const Bytes& b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    const int mask = (1 << info.bits_stored) - 1;
    for (std::size_t k = 0; k < info.samples_per_frame(); ++k) {
        if ((sample(info, a, k) & mask) != (sample(info, b, k) & mask)) {
            FAIL() << what << ": sample " << k << " differs: " << (sample(info, a, k) & mask) << " vs "
                   << (sample(info, b, k) & mask);
        }
    }
}

}  // namespace

TEST(JpegEncode, LosslessRoundTripEveryPredictorAndDepth) {
    JpegCodec codec;
    for (int bits : {2, 8, 12, 15, 16}) {
        for (int samples : {1, 3}) {
            for (bool smooth : {false, true}) {
                for (int pred = 1; pred <= 7; ++pred) {
                    const PixelInfo info = make_info(37, 53, samples, bits, bits == 12 && !smooth);
                    EncodeOptions o;
                    o.predictor = pred;
                    const auto ts = pred == 1 ? jpeg_ts::kLosslessSV1 : jpeg_ts::kLossless;
                    const std::string what = "bits " + std::to_string(bits) + " samples " + std::to_string(samples) +
                                             (smooth ? " smooth" : " random") + " predictor " + std::to_string(pred);
                    ASSERT_TRUE(codec.can_encode(ts, info, o)) << what;
                    const Bytes frame = make_frame(info, smooth, static_cast<unsigned>(bits * 100 + pred));
                    auto enc = codec.encode(ts, frame, info, o);
                    ASSERT_TRUE(enc) << what << ": " << enc.error().to_string();
                    if (smooth && bits >= 8) {
                        EXPECT_LT(enc->size(), frame.size()) << what;
                    }
                    const PixelInfo stored = codec.encoded_info(ts, info, o);
                    EXPECT_EQ(stored.photometric, info.photometric);
                    Bytes out(codec.decoded_info(ts, stored).frame_bytes());
                    auto dec = codec.decode(ts, *enc, stored, out);
                    ASSERT_TRUE(dec) << what << ": " << dec.error().to_string();
                    expect_equal_stored(info, frame, out, what);
                    if (info.is_signed) {
                        EXPECT_EQ(out, frame) << what << ": signed samples sign-extended above Bits Stored";
                    }
                }
            }
        }
    }
}

TEST(JpegEncode, CanEncodeRefusesWhatTheSyntaxCannotHold) {
    JpegCodec codec;
    EXPECT_FALSE(codec.can_encode(jpeg_ts::kBaseline, make_info(8, 8, 1, 12, false), {}));
    EncodeOptions bad;
    bad.predictor = 8;
    EXPECT_FALSE(codec.can_encode(jpeg_ts::kLossless, make_info(8, 8, 1, 12, false), bad));
    EXPECT_FALSE(codec.can_encode(jpeg_ts::kExtended, make_info(8, 8, 1, 16, false), {}));
    EXPECT_FALSE(codec.can_encode(jpeg_ts::kExtended, make_info(8, 8, 3, 12, false), {}));
    EXPECT_TRUE(codec.can_encode(jpeg_ts::kExtended, make_info(8, 8, 1, 12, false), {}));
    EXPECT_TRUE(codec.lossy(jpeg_ts::kBaseline, {}));
    EXPECT_FALSE(codec.lossy(jpeg_ts::kLosslessSV1, {}));
}

TEST(JpegEncode, BaselineColourIsYbrFull422AndDecodesClose) {
    JpegCodec codec;
    const PixelInfo info = make_info(48, 64, 3, 8, false);
    const Bytes frame = make_frame(info, true, 7);
    EncodeOptions o;
    o.quality = 95;
    auto enc = codec.encode(jpeg_ts::kBaseline, frame, info, o);
    ASSERT_TRUE(enc) << enc.error().to_string();
    const PixelInfo stored = codec.encoded_info(jpeg_ts::kBaseline, info, o);
    EXPECT_EQ(stored.photometric, "YBR_FULL_422");
    auto h = jpeg::read_header(*enc);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->components[0].h, 2);
    EXPECT_EQ(h->components[0].v, 1);
    EXPECT_EQ(h->components[1].h, 1);
    Bytes out(codec.decoded_info(jpeg_ts::kBaseline, stored).frame_bytes());
    ASSERT_TRUE(codec.decode(jpeg_ts::kBaseline, *enc, stored, out));
    double err = 0;
    for (std::size_t i = 0; i < frame.size(); ++i) err += std::abs(int(frame[i]) - int(out[i]));
    EXPECT_LT(err / static_cast<double>(frame.size()), 4.0);
}

namespace {

struct Case {
    PixelInfo info;
    std::string ts;
    EncodeOptions options;
    Bytes frame;
};

std::vector<Case> interop_cases() {
    std::vector<Case> cases;
    unsigned seed = 1;
    for (int bits : {2, 8, 12, 15, 16}) {
        for (int pred : {1, 4, 7}) {
            Case c;
            c.info = make_info(29, 41, 1, bits, bits == 12);
            c.ts = std::string(pred == 1 ? jpeg_ts::kLosslessSV1 : jpeg_ts::kLossless);
            c.options.predictor = pred;
            c.frame = make_frame(c.info, pred != 4, seed++);
            cases.push_back(std::move(c));
        }
    }
    for (int bits : {8, 16}) {
        Case c;
        c.info = make_info(17, 23, 3, bits, false);
        c.ts = std::string(jpeg_ts::kLossless);
        c.options.predictor = 6;
        c.frame = make_frame(c.info, false, seed++);
        cases.push_back(std::move(c));
    }
    return cases;
}

/// `min_bits`: GDCM 3.0 aborts (assertion BitsAllocated == BitsStored) on a 2-bit image in an
/// 8-bit container, whatever its encoding, so its check starts at 8 bits.
void check_peer(const char* tool, const std::string& command_prefix, int min_bits) {
    if (!have(tool)) GTEST_SKIP() << tool << " not installed";
    JpegCodec codec;
    const fs::path tmp = temp_dir(tool);
    int n = 0;
    for (const Case& c : interop_cases()) {
        if (c.info.bits_stored < min_bits) continue;
        const std::string what = std::string(tool) + " case " + std::to_string(n) + " bits " + std::to_string(c.info.bits_stored) +
                                 " predictor " + std::to_string(c.options.predictor);
        auto enc = codec.encode(c.ts, c.frame, c.info, c.options);
        ASSERT_TRUE(enc) << what;
        const std::string in = (tmp / ("in" + std::to_string(n) + ".dcm")).string();
        const std::string out = (tmp / ("out" + std::to_string(n) + ".dcm")).string();
        write_encapsulated(in, codec.encoded_info(c.ts, c.info, c.options), c.ts, {*enc});
        ASSERT_EQ(run(command_prefix + " '" + in + "' '" + out + "'"), 0) << what;
        Frames ref = load(out);
        ASSERT_EQ(ref.frames.size(), 1u) << what;
        const Bytes peer = interleaved(ref.info, ref.frames[0]);
        expect_equal_stored(c.info, c.frame, peer, what);
        ++n;
    }
    fs::remove_all(tmp);
}

}  // namespace

TEST(JpegEncode, LosslessFilesDecodeEqualWithDcmdjpeg) { check_peer("dcmdjpeg", "dcmdjpeg", 2); }

TEST(JpegEncode, LosslessFilesDecodeEqualWithGdcm) { check_peer("gdcmconv", "gdcmconv --raw", 8); }

// Streams DCMTK writes with the processes it has (extended 12-bit, spectral selection,
// progressive, 4:1:1, lossless with a point transform and other predictors), decoded by our own
// decoder and compared with DCMTK's decoding of the same stream.
TEST(JpegDecodeOwn, DcmcjpegProcessesDecodeLikeDcmdjpeg) {
    if (!have("dcmcjpeg") || !have("dcmdjpeg")) GTEST_SKIP() << "DCMTK not installed";
    struct Run {
        const char* options;
        int bits;
        int samples;
        int tolerance;
    };
    const Run runs[] = {
        {"+ee", 12, 1, 1}, {"+ee", 8, 3, 2},  {"+es", 12, 1, 1},       {"+ep", 12, 1, 1},           {"+ep", 8, 1, 1},
        {"+ep", 8, 3, 2},  {"+eb +n1", 8, 3, 2}, {"+eb +s4", 8, 3, 2}, {"+el +sv 6 +pt 2", 16, 1, 0}, {"+el +sv 3", 12, 1, 0},
    };
    JpegCodec own(false);
    const fs::path tmp = temp_dir("dcmcjpeg");
    int n = 0;
    for (const Run& r : runs) {
        const std::string what = std::string(r.options) + " bits " + std::to_string(r.bits) + " samples " + std::to_string(r.samples);
        PixelInfo info = make_info(45, 67, r.samples, r.bits, false);
        const Bytes frame = make_frame(info, true, static_cast<unsigned>(n + 99));
        const std::string native = (tmp / ("n" + std::to_string(n) + ".dcm")).string();
        const std::string enc = (tmp / ("e" + std::to_string(n) + ".dcm")).string();
        const std::string dec = (tmp / ("d" + std::to_string(n) + ".dcm")).string();
        write_native(native, info, frame);
        ASSERT_EQ(run(std::string("dcmcjpeg ") + r.options + " '" + native + "' '" + enc + "'"), 0) << what;
        ASSERT_EQ(run("dcmdjpeg '" + enc + "' '" + dec + "'"), 0) << what;
        Frames e = load(enc);
        Frames d = load(dec);
        ASSERT_EQ(e.frames.size(), 1u) << what;
        ASSERT_EQ(d.frames.size(), 1u) << what;
        auto header = jpeg::read_header(e.frames[0]);
        ASSERT_TRUE(header) << what;
        // The codec's decode for the stream's process (.55 and others decode the same way).
        const std::string ts(header->lossless() ? jpeg_ts::kLossless : jpeg_ts::kExtended);
        const PixelInfo out_info = own.decoded_info(ts, e.info);
        Bytes ours(out_info.frame_bytes());
        auto ok = own.decode(ts, e.frames[0], e.info, ours);
        ASSERT_TRUE(ok) << what << ": " << ok.error().to_string();
        EXPECT_EQ(out_info.photometric, d.info.photometric) << what;
        const Bytes ref = interleaved(d.info, d.frames[0]);
        int maxdiff = 0;
        for (std::size_t k = 0; k < out_info.samples_per_frame(); ++k)
            maxdiff = std::max(maxdiff, std::abs(sample(out_info, ours, k) - sample(d.info, ref, k)));
        std::printf("  dcmcjpeg %-18s bits %2d samples %d SOF%d: max |own - dcmdjpeg| = %d\n", r.options, r.bits, r.samples,
                    header->sof - 0xC0, maxdiff);
        EXPECT_LE(maxdiff, r.tolerance) << what;
        ++n;
    }
    fs::remove_all(tmp);
}

// Our Extended (SOF1) encoder: 8- and 12-bit grey, decoded close to the original by our decoder
// and by DCMTK and GDCM.
TEST(JpegEncode, Extended12BitDecodesCloseAndPeersAgree) {
    JpegCodec codec(false);
    const fs::path tmp = temp_dir("extended");
    int n = 0;
    for (int bits : {8, 12}) {
        for (int quality : {75, 95}) {
            const PixelInfo info = make_info(51, 77, 1, bits, false);
            const Bytes frame = make_frame(info, true, static_cast<unsigned>(bits + quality));
            EncodeOptions o;
            o.quality = quality;
            const std::string what = "bits " + std::to_string(bits) + " quality " + std::to_string(quality);
            auto enc = codec.encode(jpeg_ts::kExtended, frame, info, o);
            ASSERT_TRUE(enc) << what << ": " << enc.error().to_string();
            auto h = jpeg::read_header(*enc);
            ASSERT_TRUE(h);
            EXPECT_EQ(h->sof, 0xC1);
            EXPECT_EQ(h->precision, bits);
            Bytes ours(info.frame_bytes());
            ASSERT_TRUE(codec.decode(jpeg_ts::kExtended, *enc, info, ours)) << what;
            double err = 0;
            for (std::size_t k = 0; k < info.samples_per_frame(); ++k) err += std::abs(sample(info, ours, k) - sample(info, frame, k));
            err /= static_cast<double>(info.samples_per_frame());
            std::printf("  extended %s: %zu bytes from %zu, mean |error| %.2f\n", what.c_str(), enc->size(), frame.size(), err);
            EXPECT_LT(err, (1 << bits) / 200.0) << what;
            const std::string in = (tmp / ("x" + std::to_string(n) + ".dcm")).string();
            write_encapsulated(in, codec.encoded_info(jpeg_ts::kExtended, info, o), std::string(jpeg_ts::kExtended), {*enc});
            for (const char* peer : {"dcmdjpeg", "gdcmconv --raw"}) {
                if (!have(std::string(peer).substr(0, std::string(peer).find(' ')).c_str())) continue;
                const std::string out = (tmp / ("y" + std::to_string(n) + ".dcm")).string();
                ASSERT_EQ(run(std::string(peer) + " '" + in + "' '" + out + "'"), 0) << what << " " << peer;
                Frames ref = load(out);
                ASSERT_EQ(ref.frames.size(), 1u);
                int maxdiff = 0;
                for (std::size_t k = 0; k < info.samples_per_frame(); ++k)
                    maxdiff = std::max(maxdiff, std::abs(sample(info, ours, k) - sample(ref.info, ref.frames[0], k)));
                EXPECT_LE(maxdiff, 1) << what << " " << peer;
            }
            ++n;
        }
    }
    fs::remove_all(tmp);
}

// The integer inverse DCT and the Huffman look-ups (codes with their extra bits in one entry, codes
// longer than the look-up, values past it): 12-bit noise and smooth frames at three qualities, so
// that every coefficient category occurs, decode sample for sample as dcmdjpeg decodes them.
TEST(JpegEncode, Extended12BitDecodesExactlyAsDcmdjpeg) {
    if (!have("dcmdjpeg")) GTEST_SKIP() << "dcmdjpeg not installed";
    JpegCodec codec(false);
    const fs::path tmp = temp_dir("exact");
    int n = 0;
    for (bool smooth : {false, true}) {
        for (int quality : {30, 90, 100}) {
            const PixelInfo info = make_info(67, 45, 1, 12, false);
            const Bytes frame = make_frame(info, smooth, static_cast<unsigned>(quality * 3 + smooth));
            EncodeOptions o;
            o.quality = quality;
            const std::string what = std::string(smooth ? "smooth" : "noise") + " quality " + std::to_string(quality);
            auto enc = codec.encode(jpeg_ts::kExtended, frame, info, o);
            ASSERT_TRUE(enc) << what << ": " << enc.error().to_string();
            Bytes ours(info.frame_bytes());
            ASSERT_TRUE(codec.decode(jpeg_ts::kExtended, *enc, info, ours)) << what;
            const std::string in = (tmp / ("e" + std::to_string(n) + ".dcm")).string();
            const std::string out = (tmp / ("f" + std::to_string(n) + ".dcm")).string();
            write_encapsulated(in, codec.encoded_info(jpeg_ts::kExtended, info, o), std::string(jpeg_ts::kExtended), {*enc});
            ASSERT_EQ(run("dcmdjpeg '" + in + "' '" + out + "'"), 0) << what;
            Frames ref = load(out);
            ASSERT_EQ(ref.frames.size(), 1u);
            int maxdiff = 0;
            for (std::size_t k = 0; k < info.samples_per_frame(); ++k)
                maxdiff = std::max(maxdiff, std::abs(sample(info, ours, k) - sample(ref.info, ref.frames[0], k)));
            EXPECT_EQ(maxdiff, 0) << what;
            ++n;
        }
    }
    fs::remove_all(tmp);
}

// Restart intervals (DRI, RSTn): lossless every 5 lines and extended DCT every 7 blocks, decoded
// by our decoder (lossless exactly) and by dcmdjpeg as ours decodes them.
TEST(JpegEncode, RestartIntervalsDecodeHereAndInDcmtk) {
    JpegCodec codec(false);
    const fs::path tmp = temp_dir("restart");
    for (int kind = 0; kind < 2; ++kind) {
        const PixelInfo info = make_info(43, 61, 1, 12, false);
        const Bytes frame = make_frame(info, kind == 1, 77);
        Result<Bytes> enc;
        std::string ts;
        if (kind == 0) {
            jpeg::LosslessParams p;
            p.rows = info.rows;
            p.columns = info.columns;
            p.bytes_per_sample = 2;
            p.precision = 12;
            p.predictor = 5;
            p.restart_rows = 5;
            enc = jpeg::encode_lossless(frame, p);
            ts = std::string(jpeg_ts::kLossless);
        } else {
            jpeg::DctParams p;
            p.rows = info.rows;
            p.columns = info.columns;
            p.restart_interval = 7;
            enc = jpeg::encode_extended(frame, p);
            ts = std::string(jpeg_ts::kExtended);
        }
        ASSERT_TRUE(enc) << kind;
        int rst = 0;
        for (std::size_t i = 0; i + 1 < enc->size(); ++i)
            if ((*enc)[i] == 0xFF && (*enc)[i + 1] >= 0xD0 && (*enc)[i + 1] <= 0xD7) ++rst;
        EXPECT_EQ(rst, kind == 0 ? 8 : 6) << kind;  // after lines 5, 10 .. 40; after blocks 7 .. 42 of 8 x 6
        Bytes ours(info.frame_bytes());
        auto ok = codec.decode(ts, *enc, info, ours);
        ASSERT_TRUE(ok) << kind << ": " << ok.error().to_string();
        if (kind == 0) {
            EXPECT_EQ(ours, frame);
        }
        if (!have("dcmdjpeg")) continue;
        const std::string in = (tmp / ("r" + std::to_string(kind) + ".dcm")).string();
        const std::string out = (tmp / ("s" + std::to_string(kind) + ".dcm")).string();
        write_encapsulated(in, info, ts, {*enc});
        ASSERT_EQ(run("dcmdjpeg '" + in + "' '" + out + "'"), 0);
        Frames ref = load(out);
        ASSERT_EQ(ref.frames.size(), 1u);
        int maxdiff = 0;
        for (std::size_t k = 0; k < info.samples_per_frame(); ++k)
            maxdiff = std::max(maxdiff, std::abs(sample(info, ours, k) - sample(ref.info, ref.frames[0], k)));
        EXPECT_EQ(maxdiff, 0) << kind;
    }
    fs::remove_all(tmp);
}
