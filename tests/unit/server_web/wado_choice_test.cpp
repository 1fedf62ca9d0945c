// The representation WADO-RS frames are sent in (PS3.18 8.7.3), for the Accept headers clients send.
#include <gtest/gtest.h>

#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/transcode.hpp>
#include <dicomkit/server/web/wado_support.hpp>

namespace dicomkit::server::web {
namespace {

const io::TransferSyntax& syntax(std::string_view uid) {
    const io::TransferSyntax* ts = pixel::find_syntax(uid);
    EXPECT_NE(ts, nullptr) << uid;
    return *ts;
}

constexpr std::string_view kRle = "1.2.840.10008.1.2.5";
constexpr std::string_view kJpegLsLossless = "1.2.840.10008.1.2.4.80";
constexpr std::string_view kJpegBaseline = "1.2.840.10008.1.2.4.50";
constexpr std::string_view kJpegLosslessSv1 = "1.2.840.10008.1.2.4.70";

TEST(FrameChoice, StandardRleNameAsStored) {
    const auto codecs = pixel::standard_codecs();
    auto c = choose_frame_syntax("multipart/related; type=\"image/dicom-rle\"; transfer-syntax=1.2.840.10008.1.2.5",
                                 syntax(kRle), codecs);
    ASSERT_TRUE(c) << c.error().body;
    EXPECT_TRUE(c->as_stored);
    EXPECT_EQ(c->media_type, "image/dicom-rle");
    EXPECT_EQ(c->part_content_type, "image/dicom-rle; transfer-syntax=1.2.840.10008.1.2.5");
}

// dicomweb-client's frame tables name RLE image/x-dicom-rle and JPEG-LS image/x-jls: the stored
// bitstream, under the registered name.
TEST(FrameChoice, PreRegistrationNamesAsStored) {
    const auto codecs = pixel::standard_codecs();
    auto rle = choose_frame_syntax(
        "multipart/related; type=\"image/x-dicom-rle\"; transfer-syntax=1.2.840.10008.1.2.5", syntax(kRle), codecs);
    ASSERT_TRUE(rle) << rle.error().body;
    EXPECT_TRUE(rle->as_stored);
    EXPECT_EQ(rle->media_type, "image/dicom-rle");
    auto jls = choose_frame_syntax(
        "multipart/related; type=\"image/x-jls\"; transfer-syntax=1.2.840.10008.1.2.4.80", syntax(kJpegLsLossless),
        codecs);
    ASSERT_TRUE(jls) << jls.error().body;
    EXPECT_TRUE(jls->as_stored);
    EXPECT_EQ(jls->media_type, "image/jls");
}

// A compressed type without transfer-syntax means its default syntax (PS3.18 Table 8.7.3-5): RLE
// for image/dicom-rle; for image/jpeg JPEG Lossless SV1, or the stored lossy JPEG (8.7.3: what the
// server has).
TEST(FrameChoice, TypeWithoutTransferSyntax) {
    const auto codecs = pixel::standard_codecs();
    auto rle = choose_frame_syntax("multipart/related; type=\"image/dicom-rle\"", syntax(kRle), codecs);
    ASSERT_TRUE(rle) << rle.error().body;
    EXPECT_TRUE(rle->as_stored);
    EXPECT_EQ(rle->transfer_syntax, kRle);
    auto baseline = choose_frame_syntax("multipart/related; type=\"image/jpeg\"", syntax(kJpegBaseline), codecs);
    ASSERT_TRUE(baseline) << baseline.error().body;
    EXPECT_TRUE(baseline->as_stored);
    EXPECT_EQ(baseline->part_content_type, "image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50");
    auto sv1 = choose_frame_syntax("multipart/related; type=\"image/jpeg\"", syntax(kJpegLosslessSv1), codecs);
    ASSERT_TRUE(sv1) << sv1.error().body;
    EXPECT_EQ(sv1->transfer_syntax, kJpegLosslessSv1);
    // Another compressed type than the stored one's, without a transfer syntax: not as stored.
    auto other = choose_frame_syntax("multipart/related; type=\"image/jls\"", syntax(kRle), codecs);
    EXPECT_FALSE(other && other->as_stored);
}

TEST(FrameChoice, OtherTypesStillRefused) {
    const auto codecs = pixel::standard_codecs();
    auto c = choose_frame_syntax("multipart/related; type=\"image/x-dicom-rle\"; transfer-syntax=1.2.840.10008.1.2.5",
                                 syntax(kJpegLsLossless), codecs);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().status, 406);
    auto jp2 = choose_frame_syntax("multipart/related; type=\"image/jp2\"; transfer-syntax=1.2.840.10008.1.2.4.90",
                                   syntax(kRle), codecs);
    ASSERT_FALSE(jp2);
    EXPECT_EQ(jp2.error().status, 406);
}

// RFC 7231 5.3.2: the most specific range decides, so a q=0 range refuses what it names while a
// wild card takes the rest.
TEST(FrameChoice, ZeroWeightRefusesWhatItNames) {
    const auto codecs = pixel::standard_codecs();
    // Uncompressed refused: the stored RLE through transfer-syntax=*.
    auto c = choose_frame_syntax(
        "multipart/related; type=\"application/octet-stream\"; q=0, multipart/related; type=\"image/dicom-rle\"; "
        "transfer-syntax=*",
        syntax(kRle), codecs);
    ASSERT_TRUE(c) << c.error().body;
    EXPECT_EQ(c->media_type, "image/dicom-rle");
    // Everything refused but what is not there: 406.
    auto none = choose_frame_syntax(
        "multipart/related; type=\"application/octet-stream\"; q=0, multipart/related; type=\"image/dicom-rle\"; q=0, "
        "*/*; transfer-syntax=*",
        syntax(kRle), codecs);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().status, 406);
}

TEST(AcceptsAny, ZeroWeightRefusesOnlyItsType) {
    EXPECT_TRUE(accepts_any("application/dicom+json; q=0, */*", {"application/json", "application/dicom+json"}));
    auto refused = accepts_any("application/dicom+json; q=0, text/html", {"application/dicom+json"});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().status, 406);
    auto wild = accepts_any("*/*; q=0", {"application/dicom+json"});
    ASSERT_FALSE(wild);
    EXPECT_EQ(wild.error().status, 406);
}

TEST(DicomChoice, ZeroWeightOnTheDefaultSyntax) {
    const auto codecs = pixel::standard_codecs();
    std::vector<service::RetrieveItem> items(1);
    items[0].transfer_syntax = std::string(kRle);
    // Explicit VR LE refused, as stored allowed: as stored.
    auto c = choose_dicom_syntax(
        "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1; q=0, "
        "multipart/related; type=\"application/dicom\"; transfer-syntax=*; q=0.5",
        items, codecs);
    ASSERT_TRUE(c) << c.error().body;
    EXPECT_EQ(c->transfer_syntax, "");
    auto none = choose_dicom_syntax("multipart/related; type=\"application/dicom\"; q=0, */*", items, codecs);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().status, 406);
}

TEST(RenderedChoice, ZeroWeightJpegGivesPng) {
    RenderRequest r;
    ASSERT_TRUE(r.read({}, "image/jpeg;q=0, */*"));
    EXPECT_TRUE(r.png);
    RenderRequest j;
    ASSERT_TRUE(j.read({}, "image/png;q=0.5, image/*"));
    EXPECT_FALSE(j.png);
    RenderRequest p;
    ASSERT_TRUE(p.read({}, "image/png, image/jpeg;q=0.9"));
    EXPECT_TRUE(p.png);
    RenderRequest n;
    EXPECT_FALSE(n.read({}, "image/jpeg;q=0, image/png;q=0, */*"));
    RenderRequest t;
    EXPECT_FALSE(t.read({}, "text/html"));
}

}  // namespace
}  // namespace dicomkit::server::web
