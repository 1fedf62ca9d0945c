// Every JPEG 2000 and HTJ2K file of the shared corpus decodes; lossless ones equal GDCM's
// decoding sample for sample, lossy ones are compared with it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/htj2k/htj2k_codec.hpp>
#include <dicomkit/pixel/j2k/j2k_codec.hpp>
#include <dicomkit/pixel/j2k/samples.hpp>

#include "j2k_support.hpp"

namespace dicomkit::pixel::test {
namespace {

const char* corpus_root() {
    const char* env = std::getenv("DICOMKIT_SHARED_DATA");
    return env != nullptr ? env : "/work/shared/data/dicom";
}

std::vector<std::string> corpus_files() {
    std::vector<std::string> out;
    for (const char* sub : {"compressed/jpeg2000", "compressed/htj2k"}) {
        const auto dir = std::filesystem::path(corpus_root()) / sub;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.path().extension() == ".dcm") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

/// The JPEG 2000 files kept with the tests (tests/data/pixel), which run without the corpus.
std::vector<std::string> local_files() {
    std::vector<std::string> out;
    for (const char* name : {"MR_small_jp2klossless.dcm", "693_J2KI.dcm", "GDCMJ2K_TextGBR.dcm"})
        out.push_back(std::string(DICOMKIT_TEST_DATA) + "/pixel/" + name);
    return out;
}

bool lossless_syntax(const std::string& ts) {
    return ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.201" || ts == "1.2.840.10008.1.2.4.202";
}

std::int64_t sample_at(const Bytes& b, std::size_t i, const PixelInfo& info) {
    if (info.bits_allocated <= 8) return info.is_signed ? static_cast<std::int8_t>(b[i]) : b[i];
    const auto u = static_cast<std::uint16_t>(b[2 * i] | (b[2 * i + 1] << 8));
    return info.is_signed ? static_cast<std::int16_t>(u) : u;
}

/// The largest difference between two decoded frames of `info`, -1 when their sizes differ.
std::int64_t max_difference(const Bytes& a, const Bytes& b, const PixelInfo& info) {
    if (a.size() != b.size()) return -1;
    std::int64_t worst = 0;
    const std::size_t n = a.size() / info.bytes_per_sample();
    for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(sample_at(a, i, info) - sample_at(b, i, info)));
    return worst;
}

/// pydicom's JPEG2000-embedded-sequence-delimiter.dcm tests fragment parsing: its codestream has
/// FFFE E0DD written over the SIZ marker's Rsiz and Xsiz, so that no decoder (GDCM neither) can
/// read it. It must fail with an error naming the bad header.
bool corrupt_by_design(const std::string& path) {
    return std::filesystem::path(path).filename() == "JPEG2000-embedded-sequence-delimiter.dcm";
}

void decode_and_compare(const std::vector<std::string>& files) {
    const auto codecs = standard_codecs();
    for (const auto& path : files) {
        SCOPED_TRACE(path);
        auto f = load_frames(path);
        ASSERT_TRUE(f) << "unreadable";
        const PixelCodec* codec = codecs.decoder(f->ts);
        ASSERT_NE(codec, nullptr) << f->ts;
        const PixelInfo out_info = codec->decoded_info(f->ts, f->info);
        std::vector<Bytes> ours;
        if (corrupt_by_design(path)) {
            Bytes out(out_info.frame_bytes());
            auto r = codec->decode(f->ts, f->frames.at(0), f->info, out);
            ASSERT_FALSE(r);
            EXPECT_NE(r.error().message.find("tiles"), std::string::npos) << r.error().message;
            EXPECT_FALSE(gdcm_raw(path)) << "GDCM decodes it: the file is not as corrupt as thought";
            continue;
        }
        for (std::size_t i = 0; i < f->frames.size(); ++i) {
            Bytes out(out_info.frame_bytes());
            auto r = codec->decode(f->ts, f->frames[i], f->info, out);
            ASSERT_TRUE(r) << "frame " << i << ": " << r.error().to_string();
            ours.push_back(std::move(out));
        }
        auto gdcm = gdcm_raw(path);
        if (!gdcm) {
            std::cout << "[ info ] " << path << ": gdcmconv unavailable or refused the file\n";
            continue;
        }
        ASSERT_EQ(gdcm->frames.size(), ours.size());
        std::int64_t worst = 0;
        for (std::size_t i = 0; i < ours.size(); ++i) {
            const auto d = max_difference(ours[i], gdcm->frames[i], out_info);
            ASSERT_GE(d, 0) << "frame " << i << " sizes differ: " << ours[i].size() << " vs " << gdcm->frames[i].size();
            worst = std::max(worst, d);
        }
        if (lossless_syntax(f->ts)) {
            EXPECT_EQ(worst, 0) << "lossless frames differ from GDCM's";
        } else {
            std::cout << "[ info ] " << std::filesystem::path(path).filename().string() << " (" << f->ts
                      << ", lossy): max difference from GDCM " << worst << "\n";
            EXPECT_LE(worst, std::int64_t{1} << (out_info.bits_stored > 4 ? out_info.bits_stored - 4 : 0));
        }
    }
}

TEST(J2kCorpus, EveryFileDecodesAndMatchesGdcm) {
    const auto files = corpus_files();
    if (files.empty()) GTEST_SKIP() << "no JPEG 2000 corpus under " << corpus_root();
    decode_and_compare(files);
}

TEST(J2kCorpus, TestDataFilesDecodeAndMatchGdcm) { decode_and_compare(local_files()); }

/// GDCM does not read HTJ2K: the HTJ2K files are checked against OpenJPEG's HTJ2K decoder (an
/// independent implementation of ISO/IEC 15444-15).
TEST(J2kCorpus, Htj2kFilesAgreeWithOpenJpeg) {
    const auto root = std::filesystem::path(corpus_root());
    const auto lossless = load_frames((root / "compressed/htj2k/HTJ2KLossless_08_RGB.dcm").string());
    const auto lossy = load_frames((root / "compressed/htj2k/HTJ2K_08_RGB.dcm").string());
    if (!lossless || !lossy) GTEST_SKIP() << "no HTJ2K corpus";
    for (const auto* f : {&*lossless, &*lossy}) {
        SCOPED_TRACE(f->ts);
        const PixelInfo out_info = j2k::decoded_layout(f->info);
        Bytes ojph(out_info.frame_bytes()), opj(out_info.frame_bytes());
        auto a = htj2k::openjph_decode(f->frames.at(0), f->info, ojph);
        ASSERT_TRUE(a) << a.error().to_string();
        auto b = j2k::openjpeg_decode(f->frames.at(0), f->info, opj);
        ASSERT_TRUE(b) << b.error().to_string();
        const auto d = max_difference(ojph, opj, out_info);
        std::cout << "[ info ] " << f->ts << ": OpenJPH vs OpenJPEG max difference " << d << "\n";
        if (lossless_syntax(f->ts)) {
            EXPECT_EQ(d, 0);
        } else {
            EXPECT_LE(d, 1);
        }
    }
}

}  // namespace
}  // namespace dicomkit::pixel::test
