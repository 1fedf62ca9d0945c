// JPEG 2000 and HTJ2K encoders and decoders: round trips (exact when lossless), GDCM decoding our
// files, JP2-wrapped frames, the OpenJPEG fallback, and malformed streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/htj2k/htj2k_codec.hpp>
#include <dicomkit/pixel/j2k/j2k_codec.hpp>
#include <dicomkit/pixel/j2k/library_checks.hpp>

#include "j2k_support.hpp"

// The C library's assertion handler (declared by <assert.h> only without NDEBUG).
extern "C" void __assert_fail(const char*, const char*, unsigned int, const char*) noexcept;

namespace dicomkit::pixel::test {
namespace {

constexpr const char* kJ2kLossless = "1.2.840.10008.1.2.4.90";
constexpr const char* kJ2k = "1.2.840.10008.1.2.4.91";
constexpr const char* kHtLossless = "1.2.840.10008.1.2.4.201";
constexpr const char* kHtRpcl = "1.2.840.10008.1.2.4.202";
constexpr const char* kHt = "1.2.840.10008.1.2.4.203";

PixelInfo image(std::uint32_t rows, std::uint32_t cols, std::uint16_t spp, std::uint16_t allocated,
                std::uint16_t stored, bool is_signed) {
    PixelInfo i;
    i.rows = rows;
    i.columns = cols;
    i.samples_per_pixel = spp;
    i.bits_allocated = allocated;
    i.bits_stored = stored;
    i.high_bit = static_cast<std::uint16_t>(stored - 1);
    i.is_signed = is_signed;
    i.photometric = spp == 3 ? "RGB" : "MONOCHROME2";
    return i;
}

std::int64_t value(const Bytes& b, std::size_t i, const PixelInfo& info) {
    if (info.bits_allocated == 8) return info.is_signed ? static_cast<std::int8_t>(b[i]) : b[i];
    const auto u = static_cast<std::uint16_t>(b[2 * i] | (b[2 * i + 1] << 8));
    return info.is_signed ? static_cast<std::int16_t>(u) : u;
}

std::int64_t max_diff(const Bytes& a, const Bytes& b, const PixelInfo& info) {
    std::int64_t worst = 0;
    const std::size_t n = info.samples_per_frame();
    for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(value(a, i, info) - value(b, i, info)));
    return worst;
}

struct Case {
    const char* ts;
    double ratio;   ///< EncodeOptions::compression_ratio; <= 1 asks .91/.203 for lossless
    PixelInfo info;
    bool smooth;
};

std::string case_name(const Case& c) {
    std::string ts = c.ts;
    std::string n = ts.substr(ts.rfind('.') + 1) + "_r" + std::to_string(static_cast<int>(c.ratio)) + "_" +
                    std::to_string(c.info.bits_stored) + (c.info.is_signed ? "s" : "u") + "_" +
                    (c.info.samples_per_pixel == 3 ? "rgb" : "grey") + (c.smooth ? "_smooth" : "_random");
    return n;
}

class RoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(RoundTrip, DecodesToTheImageAndGdcmAgrees) {
    const Case& c = GetParam();
    const auto codecs = standard_codecs();
    const PixelCodec* enc = codecs.encoder(c.ts);
    ASSERT_NE(enc, nullptr);
    EncodeOptions options;
    options.compression_ratio = c.ratio;
    ASSERT_TRUE(enc->can_encode(c.ts, c.info, options));
    const bool lossy = enc->lossy(c.ts, options);
    const PixelInfo stored = enc->encoded_info(c.ts, c.info, options);
    if (c.info.samples_per_pixel == 3) {
        EXPECT_EQ(stored.photometric, lossy ? "YBR_ICT" : "YBR_RCT");
    }

    const Bytes original = make_image(c.info, c.smooth, 7);
    auto encoded = enc->encode(c.ts, original, c.info, options);
    ASSERT_TRUE(encoded) << encoded.error().to_string();
    ASSERT_GE(encoded->size(), 2u);
    EXPECT_EQ((*encoded)[0], 0xFF);
    EXPECT_EQ((*encoded)[1], 0x4F);

    const PixelCodec* dec = codecs.decoder(c.ts);
    ASSERT_NE(dec, nullptr);
    const PixelInfo out_info = dec->decoded_info(c.ts, stored);
    EXPECT_EQ(out_info.photometric, c.info.photometric);
    Bytes decoded(out_info.frame_bytes());
    auto r = dec->decode(c.ts, *encoded, stored, decoded);
    ASSERT_TRUE(r) << r.error().to_string();
    const std::int64_t diff = max_diff(original, decoded, c.info);
    if (!lossy) {
        EXPECT_EQ(diff, 0);
    } else {
        std::cout << "[ info ] " << case_name(c) << ": " << original.size() << " -> " << encoded->size()
                  << " bytes, max difference " << diff << "\n";
        if (c.smooth) {
            EXPECT_LE(diff, std::int64_t{1} << (c.info.bits_stored - 2));
        }
    }

    // The codec decodes HTJ2K with OpenJPEG by default; OpenJPH, independent of it, reads the
    // stream to the same samples (GDCM 3.0 does not read HTJ2K).
    if (std::string(c.ts).find(".4.20") != std::string::npos) {
        Bytes other(out_info.frame_bytes());
        auto o = htj2k::openjph_decode(*encoded, stored, other);
        ASSERT_TRUE(o) << o.error().to_string();
        // Lossy: the two decoders' floating point 9/7 wavelets round apart by a few units of 2^-14 of
        // the range at most.
        EXPECT_LE(max_diff(other, decoded, c.info), lossy ? std::max(1, 1 << (c.info.bits_stored - 14 > 0 ? c.info.bits_stored - 14 : 0)) : 0);
    }
    // GDCM decodes what we wrote to the same samples (as ours, for lossy syntaxes).
    const auto path = (scratch_dir() / (case_name(c) + ".dcm")).string();
    ASSERT_TRUE(write_encapsulated(path, stored, c.ts, {*encoded}));
    auto gdcm = gdcm_raw(path);
    std::filesystem::remove(path);
    if (!gdcm) {
        std::cout << "[ info ] gdcmconv did not decode " << case_name(c) << "\n";
        return;
    }
    ASSERT_EQ(gdcm->frames.size(), 1u);
    ASSERT_EQ(gdcm->frames[0].size(), decoded.size());
    EXPECT_EQ(max_diff(gdcm->frames[0], decoded, c.info), 0);
}

std::vector<Case> cases() {
    std::vector<Case> out;
    const std::vector<PixelInfo> layouts = {
        image(67, 45, 1, 8, 8, false),   image(64, 80, 1, 16, 12, false), image(40, 33, 1, 16, 16, false),
        image(40, 33, 1, 16, 16, true),  image(50, 61, 1, 16, 12, true),  image(30, 31, 1, 8, 8, true),
        image(48, 40, 3, 8, 8, false),   image(35, 29, 3, 16, 12, false),
    };
    for (const char* ts : {kJ2kLossless, kJ2k, kHtLossless, kHtRpcl, kHt})
        for (const auto& info : layouts)
            for (bool smooth : {false, true}) {
                const bool may_be_lossy = std::string(ts) == kJ2k || std::string(ts) == kHt;
                out.push_back({ts, may_be_lossy ? 1.0 : 10.0, info, smooth});
                if (may_be_lossy) out.push_back({ts, 10.0, info, smooth});
            }
    out.push_back({kJ2kLossless, 10.0, image(1, 1, 1, 16, 16, false), false});
    out.push_back({kHtLossless, 10.0, image(1, 7, 3, 8, 8, false), false});
    return out;
}

INSTANTIATE_TEST_SUITE_P(J2k, RoundTrip, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& p) {
                             return case_name(p.param) + "_" + std::to_string(p.index);
                         });

TEST(J2kCodec, RegistryHasEverySyntax) {
    const auto codecs = standard_codecs();
    for (const char* ts : {kJ2kLossless, kJ2k, kHtLossless, kHtRpcl, kHt}) {
        EXPECT_NE(codecs.decoder(ts), nullptr) << ts;
        EXPECT_NE(codecs.encoder(ts), nullptr) << ts;
    }
    J2kCodec j2k;
    EncodeOptions o;
    EXPECT_FALSE(j2k.lossy(kJ2kLossless, o));
    EXPECT_TRUE(j2k.lossy(kJ2k, o));
    o.compression_ratio = 1;
    EXPECT_FALSE(j2k.lossy(kJ2k, o));
    PixelInfo ybr = image(4, 4, 3, 8, 8, false);
    ybr.photometric = "YBR_ICT";
    ybr.planar_configuration = 1;
    EXPECT_EQ(j2k.decoded_info(kJ2k, ybr).photometric, "RGB");
    EXPECT_EQ(j2k.decoded_info(kJ2k, ybr).planar_configuration, 0);
}

TEST(J2kCodec, RefusesWhatItCannotEncode) {
    J2kCodec j2k;
    Htj2kCodec ht;
    EncodeOptions o;
    PixelInfo wide = image(4, 4, 1, 32, 32, false);
    EXPECT_FALSE(j2k.can_encode(kJ2kLossless, wide, o));
    EXPECT_FALSE(ht.can_encode(kHtLossless, wide, o));
    PixelInfo two = image(4, 4, 2, 8, 8, false);
    EXPECT_FALSE(j2k.can_encode(kJ2kLossless, two, o));
    Bytes frame(10);
    EXPECT_FALSE(j2k.encode(kJ2kLossless, frame, image(4, 4, 1, 8, 8, false), o));
    EXPECT_FALSE(ht.encode(kHtLossless, frame, image(4, 4, 1, 8, 8, false), o));
}

/// The progression order byte of a codestream's COD (ISO/IEC 15444-1 A.6.1, 2 = RPCL).
int progression_order(const Bytes& cs) {
    const std::uint8_t marker[] = {0xFF, 0x52};
    const auto cod = std::search(cs.begin(), cs.end(), std::begin(marker), std::end(marker));
    return cod == cs.end() || cs.end() - cod < 6 ? -1 : cod[5];
}

TEST(J2kCodec, Htj2kLosslessRpclIsInRpclOrder) {
    Htj2kCodec ht;
    const PixelInfo info = image(40, 50, 1, 16, 12, false);
    const Bytes original = make_image(info, true, 2);
    auto rpcl = ht.encode(kHtRpcl, original, info, {});
    auto plain = ht.encode(kHtLossless, original, info, {});
    ASSERT_TRUE(rpcl && plain);
    EXPECT_EQ(progression_order(*rpcl), 2);
    EXPECT_EQ(progression_order(*plain), 0);
}

TEST(J2kCodec, Htj2kLossyMeetsTheRatio) {
    Htj2kCodec ht;
    const PixelInfo info = image(128, 128, 1, 16, 12, false);
    const Bytes original = make_image(info, false, 4);  // noise: a gradient is smaller lossless
    for (double ratio : {5.0, 10.0, 20.0}) {
        EncodeOptions o;
        o.compression_ratio = ratio;
        auto cs = ht.encode(kHt, original, info, o);
        ASSERT_TRUE(cs);
        const double target = 128.0 * 128.0 * 12 / 8 / ratio;
        EXPECT_LE(static_cast<double>(cs->size()), target * 1.02) << ratio;
        EXPECT_GE(static_cast<double>(cs->size()), target * 0.5) << ratio;
    }
}

double mean_diff(const Bytes& a, const Bytes& b, const PixelInfo& info) {
    double sum = 0;
    const std::size_t n = info.samples_per_frame();
    for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(std::abs(value(a, i, info) - value(b, i, info)));
    return sum / static_cast<double>(n);
}

// OpenJPH 0.9's irreversible path codes a resolution two rows high wrongly (a mean error of about
// 30 of 255 at any step); the encoder stops its levels before one. The 16-, 4- and 32-row frames
// have one at the levels the lossless path uses (16 rows: 16, 8, 4, 2); OpenJPEG and OpenJPH
// decode the streams alike.
TEST(J2kCodec, Htj2kLossySmallFramesStayClose) {
    Htj2kCodec ht;
    for (const PixelInfo& info : {image(16, 20, 3, 8, 8, false), image(9, 256, 1, 8, 8, false),
                                  image(7, 256, 1, 8, 8, false), image(4, 256, 1, 8, 8, false),
                                  image(3, 256, 1, 8, 8, false), image(32, 33, 1, 16, 16, false),
                                  image(24, 64, 1, 16, 12, true)}) {
        SCOPED_TRACE(std::to_string(info.columns) + "x" + std::to_string(info.rows));
        const Bytes original = make_image(info, true, 3);
        EncodeOptions o;
        o.compression_ratio = 2;
        auto cs = ht.encode(kHt, original, info, o);
        ASSERT_TRUE(cs) << cs.error().to_string();
        const PixelInfo stored = ht.encoded_info(kHt, info, o);
        Bytes a(info.frame_bytes()), b(info.frame_bytes());
        ASSERT_TRUE(ht.decode(kHt, *cs, stored, a));
        ASSERT_TRUE(htj2k::openjph_decode(*cs, stored, b));
        const double range = static_cast<double>((1u << info.bits_stored) - 1);
        std::cout << "[ info ] " << info.columns << "x" << info.rows << ": mean difference " << mean_diff(a, original, info)
                  << " of " << range << "\n";
        EXPECT_LE(mean_diff(a, original, info), range / 32);
        EXPECT_LE(mean_diff(b, original, info), range / 32);
    }
}

// No decomposition level avoids that fault in frames of fewer than three rows, and OpenJPH 0.9 can
// stop the process on an assertion without one: lossy .203 refuses them, lossless codes them.
TEST(J2kCodec, Htj2kLossyRefusesFramesUnderThreeRows) {
    Htj2kCodec ht;
    EncodeOptions lossy, lossless;
    lossy.compression_ratio = 4;
    lossless.compression_ratio = 1;
    for (const PixelInfo& info : {image(2, 64, 1, 8, 8, false), image(1, 64, 1, 16, 16, false),
                                  image(40, 1, 1, 16, 12, false), image(2, 30, 3, 8, 8, false)}) {
        SCOPED_TRACE(std::to_string(info.columns) + "x" + std::to_string(info.rows));
        const Bytes original = make_image(info, false, 5);
        auto ok = ht.can_encode(kHt, info, lossy);
        ASSERT_FALSE(ok);
        EXPECT_NE(ok.error().message.find(kHt), std::string::npos) << ok.error().message;
        EXPECT_NE(ok.error().message.find("3 rows"), std::string::npos) << ok.error().message;
        EXPECT_FALSE(ht.encode(kHt, original, info, lossy));
        ASSERT_TRUE(ht.can_encode(kHt, info, lossless));
        auto cs = ht.encode(kHt, original, info, lossless);
        ASSERT_TRUE(cs) << cs.error().to_string();
        Bytes decoded(info.frame_bytes());
        ASSERT_TRUE(ht.decode(kHt, *cs, ht.encoded_info(kHt, info, lossless), decoded));
        EXPECT_EQ(decoded, original);
    }
}

/// A JP2 file (ISO/IEC 15444-1 Annex I) around a codestream of a greyscale image.
Bytes wrap_jp2(const Bytes& codestream, const PixelInfo& info) {
    Bytes out;
    auto u32 = [&](std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
    };
    auto tag = [&](const char* t) { out.insert(out.end(), t, t + 4); };
    u32(12), tag("jP  "), u32(0x0D0A870A);
    u32(20), tag("ftyp"), tag("jp2 "), u32(0), tag("jp2 ");
    u32(8 + 22 + 15), tag("jp2h");
    u32(22), tag("ihdr"), u32(info.rows), u32(info.columns);
    out.push_back(0), out.push_back(static_cast<std::uint8_t>(info.samples_per_pixel));
    out.push_back(static_cast<std::uint8_t>((info.bits_stored - 1) | (info.is_signed ? 0x80 : 0)));
    out.push_back(7), out.push_back(0), out.push_back(0);
    u32(15), tag("colr"), out.push_back(1), out.push_back(0), out.push_back(0), u32(17);
    u32(static_cast<std::uint32_t>(8 + codestream.size())), tag("jp2c");
    out.insert(out.end(), codestream.begin(), codestream.end());
    return out;
}

TEST(J2kCodec, DecodesJp2WrappedFrames) {
    J2kCodec j2k;
    const PixelInfo info = image(32, 24, 1, 16, 12, false);
    const Bytes original = make_image(info, true, 3);
    auto cs = j2k.encode(kJ2kLossless, original, info, {});
    ASSERT_TRUE(cs);
    const Bytes jp2 = wrap_jp2(*cs, info);
    Bytes out(info.frame_bytes());
    auto r = j2k.decode(kJ2kLossless, jp2, info, out);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(out, original);
}

TEST(J2kCodec, Htj2kFallsBackToOpenJpegForPart1Streams) {
    J2kCodec j2k;
    Htj2kCodec ht(Htj2kCodec::Decoder::OpenJph);
    const PixelInfo info = image(40, 30, 3, 8, 8, false);
    const Bytes original = make_image(info, false, 5);
    auto cs = j2k.encode(kJ2kLossless, original, info, {});
    ASSERT_TRUE(cs);
    PixelInfo stored = info;
    stored.photometric = "YBR_RCT";
    Bytes out(info.frame_bytes());
    auto r = ht.decode(kHtLossless, *cs, stored, out);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(out, original);
    // OpenJPEG reads the HTJ2K streams OpenJPH writes.
    auto htcs = ht.encode(kHtLossless, original, info, {});
    ASSERT_TRUE(htcs);
    Bytes out2(info.frame_bytes());
    auto r2 = j2k::openjpeg_decode(*htcs, stored, out2);
    ASSERT_TRUE(r2) << r2.error().to_string();
    EXPECT_EQ(out2, original);
}

// An HTJ2K codestream (24 rows, 17 columns, 16-bit) whose one HT code-block breaks the bit
// stuffing of its MEL segment (ISO/IEC 15444-15 7.1.3), found by fuzz_htj2k_decode: OpenJPEG 2.5.0
// and OpenJPH 0.9 as Debian builds them assert on it.
const std::uint8_t kCorruptHtCodeBlock[] = {
    0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, 0x40, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x18,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x18,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x0B, 0x01, 0x01, 0xFF, 0x50, 0x00,
    0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x20, 0xFF, 0x52, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x04, 0x04, 0x04, 0x40, 0x00, 0xFF, 0x5C, 0x00, 0x1D, 0x22, 0x2D, 0x9B, 0x2D, 0x80, 0x2D, 0x80,
    0x2D, 0x65, 0x25, 0xC5, 0x25, 0xC5, 0x25, 0xDA, 0x1E, 0x6C, 0x1E, 0x6C, 0x1E, 0xE4, 0x16, 0x3D,
    0x16, 0x3D, 0x15, 0xD7, 0xFF, 0x64, 0x00, 0x16, 0x00, 0x01, 0x4F, 0x70, 0x65, 0x6E, 0x4A, 0x50,
    0x48, 0x20, 0x56, 0x65, 0x72, 0x20, 0x30, 0x2E, 0x39, 0x2E, 0x30, 0x2E, 0xFF, 0x90, 0x00, 0x0A,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x00, 0x01, 0xFF, 0x93, 0xC2, 0x50, 0xDD, 0xFA, 0x10, 0xD3,
    0x00, 0xC2, 0x38, 0x47, 0x08, 0xC0, 0x80, 0x03, 0x00, 0x80, 0x03, 0x00, 0x80, 0x03, 0x00, 0xC4,
    0x71, 0x1C, 0x46, 0xC0, 0x03, 0x00, 0xF0, 0x03, 0x00, 0xC0, 0x03, 0x00, 0xC8, 0xC0, 0xF8, 0x03,
    0x00, 0xA9, 0x00, 0xFF, 0xA6, 0x04, 0x00, 0xFF, 0xD9,
};

TEST(J2kCodec, ACorruptHtCodeBlockIsAnErrorNotAnAbort) {
    PixelInfo info = image(24, 17, 1, 16, 16, false);
    Bytes out(info.frame_bytes());
    const std::span<const std::uint8_t> stream(kCorruptHtCodeBlock);
    const auto checks_before = j2k::library_checks_failed();
    for (const char* ts : {kHtLossless, kHt}) {
        auto r = Htj2kCodec().decode(ts, stream, info, out);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find("corrupt"), std::string::npos) << r.error().message;
        EXPECT_FALSE(Htj2kCodec(Htj2kCodec::Decoder::OpenJph).decode(ts, stream, info, out));
    }
    // The same stream under a JPEG 2000 syntax (OpenJPEG reads HT code-blocks there too).
    EXPECT_FALSE(J2kCodec().decode(kJ2kLossless, stream, info, out));
    EXPECT_GT(j2k::library_checks_failed(), checks_before);
    // Good frames still decode afterwards.
    const Bytes original = make_image(info, false, 5);
    auto good = Htj2kCodec(Htj2kCodec::Decoder::OpenJph).encode(kHtLossless, original, info, {});
    ASSERT_TRUE(good);
    ASSERT_TRUE(Htj2kCodec().decode(kHtLossless, *good, info, out));
    EXPECT_EQ(out, original);
}

TEST(J2kCodecDeathTest, AFailedAssertionOutsideALibraryDecodeStillAborts) {
    EXPECT_DEATH(__assert_fail("1 == 2", "elsewhere.c", 7, "f"), "elsewhere.c:7: f: Assertion `1 == 2' failed");
}

TEST(J2kCodec, MalformedStreamsGiveErrors) {
    J2kCodec j2k;
    Htj2kCodec ht(Htj2kCodec::Decoder::OpenJph);
    Htj2kCodec ht_default;
    const PixelInfo info = image(32, 32, 1, 16, 16, true);
    const Bytes original = make_image(info, false, 9);
    auto cs = j2k.encode(kJ2kLossless, original, info, {});
    auto hcs = ht.encode(kHtLossless, original, info, {});
    ASSERT_TRUE(cs && hcs);
    Bytes out(info.frame_bytes());
    const Bytes empty;
    const Bytes junk = {0x12, 0x34, 0x56, 0x78, 0x9A};
    for (const auto* stream : {&empty, &junk}) {
        EXPECT_FALSE(j2k.decode(kJ2kLossless, *stream, info, out));
        EXPECT_FALSE(ht.decode(kHtLossless, *stream, info, out));
        EXPECT_FALSE(ht_default.decode(kHtLossless, *stream, info, out));
    }
    // A header that contradicts the data set.
    PixelInfo bigger = info;
    bigger.rows = 64;
    Bytes big_out(bigger.frame_bytes());
    auto r = j2k.decode(kJ2kLossless, *cs, bigger, big_out);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("32x32"), std::string::npos) << r.error().message;
    EXPECT_FALSE(ht.decode(kHtLossless, *hcs, bigger, big_out));
    EXPECT_FALSE(ht_default.decode(kHtLossless, *hcs, bigger, big_out));
    PixelInfo colour = info;
    colour.samples_per_pixel = 3;
    Bytes colour_out(colour.frame_bytes());
    EXPECT_FALSE(j2k.decode(kJ2kLossless, *cs, colour, colour_out));
    EXPECT_FALSE(ht.decode(kHtLossless, *hcs, colour, colour_out));
    // A COD asking for 110 decomposition levels (OpenJPH would allocate gigabytes for it).
    {
        Bytes bad = *hcs;
        const std::uint8_t marker[] = {0xFF, 0x52};
        const auto cod = std::search(bad.begin(), bad.end(), std::begin(marker), std::end(marker));
        ASSERT_NE(cod, bad.end());
        cod[9] = 110;
        auto e = htj2k::openjph_decode(bad, info, out);
        ASSERT_FALSE(e);
        EXPECT_NE(e.error().message.find("decomposition levels"), std::string::npos) << e.error().message;
    }
    // Headers cut short, and every truncation and corruption of the streams: an error or a
    // frame, never a crash.
    for (const Bytes* s : {&*cs, &*hcs}) {
        for (std::size_t n : {std::size_t{2}, std::size_t{20}, std::size_t{40}}) {
            const Bytes cut(s->begin(), s->begin() + static_cast<std::ptrdiff_t>(std::min(n, s->size())));
            EXPECT_FALSE(j2k.decode(kJ2kLossless, cut, info, out));
            EXPECT_FALSE(ht.decode(kHtLossless, cut, info, out));
        }
        for (std::size_t n = 0; n < s->size(); n += 97) {
            const Bytes cut(s->begin(), s->begin() + static_cast<std::ptrdiff_t>(n));
            (void)j2k.decode(kJ2kLossless, cut, info, out);
            (void)ht.decode(kHtLossless, cut, info, out);
            Bytes bad = *s;
            bad[n] ^= 0x5A;
            (void)j2k.decode(kJ2kLossless, bad, info, out);
            (void)ht.decode(kHtLossless, bad, info, out);
            (void)ht_default.decode(kHtLossless, bad, info, out);
        }
    }
}

}  // namespace
}  // namespace dicomkit::pixel::test
