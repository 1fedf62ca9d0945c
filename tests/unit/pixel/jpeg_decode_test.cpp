// JPEG decoding: the corpus against DCMTK's dcmdjpeg, our decoder against libjpeg-turbo, and
// malformed streams.
#include "jpeg_test_util.hpp"

#include <algorithm>
#include <cstdio>

#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/jpeg/jpeg_codec.hpp>
#include <dicomkit/pixel/jpeg/jpeg_decoder.hpp>
#include <dicomkit/pixel/jpeg/jpeg_encoder.hpp>

using namespace dicomkit;
using namespace dicomkit::pixel;
using namespace jpegtest;

namespace {

/// The shared corpus of compressed files when present, else the copies in tests/data/pixel/jpeg.
const fs::path kShared = "/work/shared/data/dicom/compressed";
const fs::path kLocal = fs::path(DICOMKIT_TEST_DATA) / "pixel" / "jpeg";

std::vector<fs::path> corpus_files(std::initializer_list<const char*> dirs = {"jpeg_baseline", "jpeg_extended",
                                                                              "jpeg_lossless"}) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (fs::exists(kShared)) {
        for (const char* d : dirs)
            for (const auto& e : fs::directory_iterator(kShared / d, ec)) out.push_back(e.path());
    } else {
        for (const auto& e : fs::directory_iterator(kLocal, ec)) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<Bytes> decode_all(const PixelCodec& codec, const Frames& f) {
    std::vector<Bytes> out;
    const PixelInfo info = codec.decoded_info(f.ts, f.info);
    for (std::size_t i = 0; i < f.frames.size(); ++i) {
        Bytes b(info.frame_bytes());
        auto r = codec.decode(f.ts, f.frames[i], f.info, b);
        EXPECT_TRUE(r) << "frame " << i << ": " << r.error().to_string();
        out.push_back(std::move(b));
    }
    return out;
}

}  // namespace

TEST(JpegDecode, RegisteredForTheFourSyntaxes) {
    auto reg = standard_codecs();
    for (auto ts : {jpeg_ts::kBaseline, jpeg_ts::kExtended, jpeg_ts::kLossless, jpeg_ts::kLosslessSV1})
        EXPECT_NE(reg.decoder(ts), nullptr) << ts;
    for (auto ts : {jpeg_ts::kBaseline, jpeg_ts::kExtended, jpeg_ts::kLossless, jpeg_ts::kLosslessSV1})
        EXPECT_NE(reg.encoder(ts), nullptr) << ts;
}

TEST(JpegDecode, CorpusMatchesDcmdjpeg) {
    if (!have("dcmdjpeg")) GTEST_SKIP() << "dcmdjpeg not installed";
    auto reg = standard_codecs();
    const fs::path tmp = temp_dir("corpus");
    int checked = 0;
    for (const auto& path : corpus_files()) {
        SCOPED_TRACE(path.string());
        Frames f = load(path.string());
        if (!f.has_pixels) continue;  // e.g. UN_sequence.dcm has no Pixel Data
        const PixelCodec* codec = reg.decoder(f.ts);
        ASSERT_NE(codec, nullptr) << f.ts;
        auto ours = decode_all(*codec, f);
        const std::string out = (tmp / path.filename()).string();
        ASSERT_EQ(run("dcmdjpeg '" + path.string() + "' '" + out + "'"), 0);
        Frames ref = load(out);
        ASSERT_EQ(ref.frames.size(), ours.size());
        const PixelInfo dinfo = codec->decoded_info(f.ts, f.info);
        EXPECT_EQ(dinfo.photometric, ref.info.photometric);
        const bool lossy = codec->lossy(f.ts, {});
        int maxdiff = 0;
        for (std::size_t i = 0; i < ours.size(); ++i) {
            const Bytes r = interleaved(ref.info, ref.frames[i]);
            ASSERT_EQ(r.size(), ours[i].size());
            for (std::size_t k = 0; k < dinfo.samples_per_frame(); ++k)
                maxdiff = std::max(maxdiff, std::abs(sample(dinfo, ours[i], k) - sample(ref.info, r, k)));
        }
        std::printf("  %-40s %s frames=%zu max |ours - dcmdjpeg| = %d\n", path.filename().c_str(), f.ts.c_str(),
                    ours.size(), maxdiff);
        // Extended (.51) is our decoder, with IJG's integer inverse DCT: the same samples. Baseline
        // (libjpeg-turbo) may round its upsampling differently by 1-2.
        EXPECT_LE(maxdiff, lossy && f.ts != "1.2.840.10008.1.2.4.51" ? 2 : 0);
        ++checked;
    }
    EXPECT_GE(checked, fs::exists(kShared) ? 8 : 5);
    fs::remove_all(tmp);
}

TEST(JpegDecode, OwnDecoderAgreesWithLibjpegTurboOnBaseline) {
    JpegCodec turbo(true), own(false);
    int files = 0;
    {
        for (const auto& e : corpus_files({"jpeg_baseline", "jpeg_extended"})) {
            Frames f = load(e.string());
            if (!f.has_pixels || f.frames.empty()) continue;
            auto h = jpeg::read_header(f.frames[0]);
            ASSERT_TRUE(h);
            if (h->precision != 8) continue;
            auto a = decode_all(turbo, f);
            auto b = decode_all(own, f);
            int maxdiff = 0;
            const PixelInfo info = turbo.decoded_info(f.ts, f.info);
            for (std::size_t i = 0; i < a.size(); ++i)
                for (std::size_t k = 0; k < info.samples_per_frame(); ++k)
                    maxdiff = std::max(maxdiff, std::abs(sample(info, a[i], k) - sample(info, b[i], k)));
            std::printf("  %-40s max |own - libjpeg-turbo| = %d\n", e.filename().c_str(), maxdiff);
            EXPECT_LE(maxdiff, 2) << e;
            ++files;
        }
    }
    EXPECT_GE(files, 2);
}

namespace {

Frames lossless_sample() { return load((kLocal / "JPEG-LL.dcm").string()); }
Frames baseline_sample() { return load((kLocal / "SC_jpeg_no_color_transform.dcm").string()); }

Result<void> decode_own(const Frames& f, std::span<const std::uint8_t> stream) {
    JpegCodec own(false);
    Bytes out(own.decoded_info(f.ts, f.info).frame_bytes());
    return own.decode(f.ts, stream, f.info, out);
}

std::size_t find_marker(const Bytes& b, std::uint8_t m) {
    for (std::size_t i = 0; i + 1 < b.size(); ++i)
        if (b[i] == 0xFF && b[i + 1] == m) return i;
    return b.size();
}

}  // namespace

TEST(JpegDecode, TruncatedStreamsAreErrors) {
    for (const Frames& f : {lossless_sample(), baseline_sample()}) {
        ASSERT_FALSE(f.frames.empty());
        const Bytes& s = f.frames[0];
        ASSERT_TRUE(decode_own(f, s)) << decode_own(f, s).error().to_string();
        const std::size_t sos = find_marker(s, 0xDA);
        for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{20}, sos + 3, sos + 40, s.size() / 2,
                                s.size() - 40}) {
            auto r = decode_own(f, std::span<const std::uint8_t>(s.data(), std::min(cut, s.size())));
            EXPECT_FALSE(r) << "cut at " << cut;
            if (!r) {
                EXPECT_NE(r.error().message.find("JPEG"), std::string::npos) << r.error().to_string();
            }
        }
    }
}

TEST(JpegDecode, LengthPastTheEndNamesMarkerAndOffset) {
    Frames f = lossless_sample();
    Bytes s = f.frames[0];
    const std::size_t dht = find_marker(s, 0xC4);
    ASSERT_LT(dht, s.size());
    s[dht + 2] = 0xFF;  // DHT length far past the end
    s[dht + 3] = 0xF0;
    s.resize(std::min<std::size_t>(s.size(), 60000));
    auto r = decode_own(f, s);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("DHT"), std::string::npos) << r.error().to_string();
    ASSERT_TRUE(r.error().offset.has_value());
    EXPECT_EQ(*r.error().offset, dht);
}

TEST(JpegDecode, BadHuffmanCodesAreErrors) {
    for (const Frames& f : {lossless_sample(), baseline_sample()}) {
        Bytes s = f.frames[0];
        const std::size_t sos = find_marker(s, 0xDA);
        const std::size_t data = sos + 2 + ((s[sos + 2] << 8) | s[sos + 3]);
        // All-ones codes (never assigned by T.81 C.2 tables) for the whole entropy-coded segment.
        for (std::size_t i = data; i + 4 < s.size(); i += 2) {
            s[i] = 0xFF;
            s[i + 1] = 0x00;
        }
        auto r = decode_own(f, s);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find("SOS"), std::string::npos) << r.error().to_string();
    }
}

TEST(JpegDecode, RandomCorruptionNeverCrashes) {
    std::uint32_t seed = 12345;
    auto rnd = [&] { return seed = seed * 1664525u + 1013904223u; };
    for (const Frames& f : {lossless_sample(), baseline_sample()}) {
        for (int t = 0; t < 60; ++t) {
            Bytes s = f.frames[0];
            const int flips = 1 + static_cast<int>(rnd() % 8);
            for (int k = 0; k < flips; ++k) s[rnd() % std::min<std::size_t>(s.size(), 700)] = static_cast<std::uint8_t>(rnd());
            (void)decode_own(f, s);
            JpegCodec turbo(true);
            Bytes out(turbo.decoded_info(f.ts, f.info).frame_bytes());
            (void)turbo.decode(f.ts, s, f.info, out);
        }
    }
}

TEST(JpegDecode, ReusedImageGivesTheSameSamplesAsAFreshOne) {
    // Frames of different sizes and component counts, and a broken one, through one Image: each
    // decodes as it does alone.
    auto frame = [](std::uint32_t rows, std::uint32_t cols, int comps, int predictor, std::uint32_t seed) {
        std::vector<std::uint8_t> px(std::size_t{rows} * cols * static_cast<std::size_t>(comps));
        for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>((i * 7 + seed * 13 + (i / cols) * seed) & 0xFF);
        jpeg::LosslessParams p;
        p.rows = rows;
        p.columns = cols;
        p.components = comps;
        p.predictor = predictor;
        auto enc = jpeg::encode_lossless(px, p);
        EXPECT_TRUE(enc);
        return std::pair{px, enc ? *enc : std::vector<std::uint8_t>{}};
    };
    const auto a = frame(40, 56, 3, 1, 1);
    const auto b = frame(64, 72, 1, 7, 2);
    const auto c = frame(17, 23, 3, 5, 3);
    std::vector<std::uint8_t> broken = b.second;
    broken.resize(broken.size() / 2);
    jpeg::Image img;
    for (const auto* f : {&a, &b, &a, &c, &b, &c}) {
        ASSERT_TRUE(jpeg::decode(f->second, {}, img));
        auto fresh = jpeg::decode(f->second);
        ASSERT_TRUE(fresh);
        ASSERT_EQ(img.components.size(), fresh->components.size());
        const std::size_t n = img.components.size();
        for (std::size_t k = 0; k < n; ++k) {
            const auto& r = img.components[k];
            ASSERT_EQ(r.width, fresh->components[k].width);
            ASSERT_EQ(r.height, fresh->components[k].height);
            EXPECT_EQ(r.plane, fresh->components[k].plane) << "component " << k;
            for (std::uint32_t y = 0; y < r.height; ++y)
                for (std::uint32_t x = 0; x < r.width; ++x)
                    ASSERT_EQ(r.plane[std::size_t{y} * r.stride + x], f->first[(std::size_t{y} * r.width + x) * n + k]);
        }
        EXPECT_FALSE(jpeg::decode(broken, {}, img));  // leaves img for the next call to take
    }
}
