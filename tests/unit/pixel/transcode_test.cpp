// transcode(): frames, offset tables, attributes and errors, with stand-in codecs.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/io/dataset_writer.hpp>

#include <dicomkit/pixel/transcode.hpp>
#include <dicomkit/pixel/transcode_frames.hpp>
#include <dicomkit/server/dimse/codec_transcoder.hpp>

#include "transcode_support.hpp"

namespace dicomkit::pixel {
namespace {

using testing::IdentityCodec;
using testing::LossyCodec;

const io::TransferSyntax& ts(std::string_view uid) { return *io::find_transfer_syntax(uid); }
const io::TransferSyntax& kExplicit = io::ts::ExplicitVRLittleEndian;

CodecRegistry toy_registry() {
    CodecRegistry r;
    r.add(std::make_shared<IdentityCodec>());
    r.add(std::make_shared<LossyCodec>());
    return r;
}

std::vector<std::uint8_t> pixel_bytes(const DataSet& ds) {
    auto b = ds.find(Tag{0x7FE0, 0x0010})->bytes();
    return {b.begin(), b.end()};
}

/// Every value of a string element, as stored.
std::string all_values(const DataSet& ds, Tag tag) {
    const Element* e = ds.find(tag);
    if (!e) return {};
    std::string s(e->bytes().begin(), e->bytes().end());
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

std::uint32_t le32(const Bytes& b, std::size_t at) {
    return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24;
}

TEST(Transcode, NothingToDoWithoutPixelData) {
    DataSet ds;
    ds.set_string(Tag{0x0010, 0x0010}, VR::PN, "Doe^J");
    const DataSet before = ds;
    auto r = transcode(ds, kExplicit, ts(IdentityCodec::kUid), toy_registry());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(ds, before);
}

TEST(Transcode, NativeToNativeLeavesTheDataSet) {
    DataSet ds = testing::make_image(testing::mono(16, 12), 2);
    const DataSet before = ds;
    ASSERT_TRUE(transcode(ds, kExplicit, io::ts::ImplicitVRLittleEndian, CodecRegistry{}));
    EXPECT_EQ(ds, before);
}

TEST(Transcode, MultiFrameRoundTripWithOffsetTableAndEvenFragments) {
    for (unsigned threads : {1u, 3u, 0u}) {
        DataSet ds = testing::make_image(testing::mono(16, 12, 5, 7), 9);  // 70-byte frames
        const auto original = pixel_bytes(ds);
        TranscodeOptions o;
        o.threads = threads;
        ASSERT_TRUE(transcode(ds, kExplicit, ts(IdentityCodec::kUid), toy_registry(), o));
        const Element* px = ds.find(Tag{0x7FE0, 0x0010});
        ASSERT_TRUE(px && px->is_fragments());
        const auto& f = px->fragments();
        ASSERT_EQ(f.fragments.size(), 9u);
        ASSERT_EQ(f.basic_offset_table.size(), 36u);
        std::uint32_t pos = 0;
        for (std::size_t i = 0; i < 9; ++i) {
            EXPECT_EQ(f.fragments[i].size() % 2, 0u);
            EXPECT_EQ(le32(f.basic_offset_table, 4 * i), pos) << "frame " << i;
            pos += 8 + static_cast<std::uint32_t>(f.fragments[i].size());
        }
        ASSERT_TRUE(transcode(ds, ts(IdentityCodec::kUid), kExplicit, toy_registry(), o));
        EXPECT_FALSE(ds.find(Tag{0x7FE0, 0x0010})->is_fragments());
        EXPECT_EQ(ds.find(Tag{0x7FE0, 0x0010})->vr(), VR::OW);
        EXPECT_EQ(pixel_bytes(ds), original) << threads << " threads";
    }
}

TEST(Transcode, PlanarConfigurationOneBecomesZero) {
    PixelInfo info = testing::rgb(4, 3);
    DataSet ds = testing::make_image(info, 2);
    const auto interleaved = pixel_bytes(ds);
    // The same samples written one plane per sample.
    Bytes planar(interleaved.size());
    const std::size_t pixels = 12, fb = 36;
    for (std::size_t f = 0; f < 2; ++f)
        for (std::size_t p = 0; p < pixels; ++p)
            for (std::size_t s = 0; s < 3; ++s) planar[f * fb + s * pixels + p] = interleaved[f * fb + p * 3 + s];
    ds.set(Element(Tag{0x7FE0, 0x0010}, VR::OB, planar));
    ds.set(Element::from_numbers<std::uint16_t>(Tag{0x0028, 0x0006}, VR::US, std::vector<std::uint16_t>{1}));
    ASSERT_TRUE(transcode(ds, kExplicit, ts(IdentityCodec::kUid), toy_registry()));
    EXPECT_EQ(ds.get_number<std::uint16_t>(Tag{0x0028, 0x0006}).value(), 0);
    ASSERT_TRUE(transcode(ds, ts(IdentityCodec::kUid), kExplicit, toy_registry()));
    EXPECT_EQ(pixel_bytes(ds), interleaved);
}

TEST(Transcode, OneBitFramesKeepTheirBits) {
    DataSet ds = testing::make_image(testing::mono(1, 1, 3, 5), 5);  // 15 bits a frame
    const auto original = pixel_bytes(ds);
    TranscodeOptions o;
    o.threads = 2;
    ASSERT_TRUE(transcode(ds, kExplicit, ts(IdentityCodec::kUid), toy_registry(), o));
    ASSERT_EQ(ds.find(Tag{0x7FE0, 0x0010})->fragments().fragments.size(), 5u);
    ASSERT_TRUE(transcode(ds, ts(IdentityCodec::kUid), kExplicit, toy_registry(), o));
    const auto back = pixel_bytes(ds);
    ASSERT_GE(back.size(), 10u);
    for (std::size_t bit = 0; bit < 75; ++bit)
        EXPECT_EQ(back[bit / 8] >> (bit % 8) & 1, original[bit / 8] >> (bit % 8) & 1) << "bit " << bit;
}

TEST(Transcode, LossyIsRefusedUnlessAllowed) {
    DataSet ds = testing::make_image(testing::rgb(), 1);
    const DataSet before = ds;
    auto r = transcode(ds, kExplicit, ts(LossyCodec::kUid), toy_registry());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
    EXPECT_NE(r.error().message.find("JPEG Baseline"), std::string::npos) << r.error().message;
    EXPECT_EQ(ds, before);
    EXPECT_TRUE(transcode_is_lossy(ts(LossyCodec::kUid), toy_registry(), {}));
    EXPECT_FALSE(transcode_is_lossy(ts(IdentityCodec::kUid), toy_registry(), {}));
}

TEST(Transcode, LossyAttributesKeepTheirHistory) {
    DataSet ds = testing::make_image(testing::rgb(), 3);
    TranscodeOptions o;
    o.allow_lossy = true;
    ASSERT_TRUE(transcode(ds, kExplicit, ts(LossyCodec::kUid), toy_registry(), o));
    EXPECT_EQ(ds.string_or(Tag{0x0028, 0x2110}), "01");
    EXPECT_EQ(ds.string_or(Tag{0x0028, 0x2114}), "ISO_10918_1");
    const std::string ratio = all_values(ds, Tag{0x0028, 0x2112});
    EXPECT_FALSE(ratio.empty());
    EXPECT_EQ(ratio.find('\\'), std::string::npos);
    EXPECT_GT(std::stod(ratio), 0.9);
    EXPECT_EQ(ds.string_or(Tag{0x0028, 0x0004}), "YBR_FULL_422");
    // Decoded: still lossy, and RGB.
    ASSERT_TRUE(transcode(ds, ts(LossyCodec::kUid), kExplicit, toy_registry(), o));
    EXPECT_EQ(ds.string_or(Tag{0x0028, 0x2110}), "01");
    EXPECT_EQ(ds.string_or(Tag{0x0028, 0x0004}), "RGB");
    // Compressed again: the ratio and method are appended.
    ASSERT_TRUE(transcode(ds, kExplicit, ts(LossyCodec::kUid), toy_registry(), o));
    EXPECT_NE(all_values(ds, Tag{0x0028, 0x2112}).find('\\'), std::string::npos);
    EXPECT_EQ(all_values(ds, Tag{0x0028, 0x2114}), "ISO_10918_1\\ISO_10918_1");
    // Encapsulated to encapsulated, lossless: the lossy history stays.
    ASSERT_TRUE(transcode(ds, ts(LossyCodec::kUid), ts(IdentityCodec::kUid), toy_registry(), o));
    EXPECT_EQ(ds.string_or(Tag{0x0028, 0x2110}), "01");
    EXPECT_EQ(all_values(ds, Tag{0x0028, 0x2114}), "ISO_10918_1\\ISO_10918_1");
}

TEST(Transcode, EncoderRefusalNamesTheSyntax) {
    DataSet ds = testing::make_image(testing::mono(16, 16), 1);
    TranscodeOptions o;
    o.allow_lossy = true;
    auto r = transcode(ds, kExplicit, ts(LossyCodec::kUid), toy_registry(), o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("JPEG Baseline (Process 1)"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("16"), std::string::npos) << r.error().message;
}

TEST(Transcode, DecodeErrorsNameTheFrameAndSyntax) {
    DataSet ds = testing::make_image(testing::mono(8, 8), 5);
    TranscodeOptions o;
    o.allow_lossy = true;
    o.threads = 4;
    ASSERT_TRUE(transcode(ds, kExplicit, ts(LossyCodec::kUid), toy_registry(), o));
    auto& frags = ds.find(Tag{0x7FE0, 0x0010})->fragments().fragments;
    frags[2][0] = 0;  // frame 3's marker broken
    const DataSet before = ds;
    o.source = "broken.dcm";
    auto r = transcode(ds, ts(LossyCodec::kUid), kExplicit, toy_registry(), o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("frame 3 of 5"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("1.2.840.10008.1.2.4.50"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().file, "broken.dcm") << r.error().to_string();
    EXPECT_EQ(ds, before);
}

TEST(Transcode, MissingCodecNamesTheSyntax) {
    DataSet ds = testing::make_image(testing::mono(8, 8), 1);
    ds.set(Element(Tag{0x7FE0, 0x0010}, VR::OB, PixelFragments{{}, {Bytes{1, 2}}}));
    auto r = transcode(ds, ts("1.2.840.10008.1.2.4.80"), kExplicit, CodecRegistry{});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("1.2.840.10008.1.2.4.80"), std::string::npos) << r.error().message;
    EXPECT_FALSE(can_transcode(ts("1.2.840.10008.1.2.4.80"), kExplicit, CodecRegistry{}));
    EXPECT_TRUE(can_transcode(kExplicit, io::ts::ExplicitVRBigEndian, CodecRegistry{}));
}

TEST(Transcode, FloatPixelDataRoundTrip) {
    PixelInfo info = testing::mono(32, 32, 4, 6);
    DataSet ds = testing::make_image(info, 2);
    const auto original = pixel_bytes(ds);
    ds.remove(Tag{0x7FE0, 0x0010});
    ds.remove(Tag{0x0028, 0x0101});
    ds.remove(Tag{0x0028, 0x0102});
    ds.remove(Tag{0x0028, 0x0103});
    ds.set(Element(Tag{0x7FE0, 0x0008}, VR::OF, original));
    auto described = describe(ds);
    ASSERT_TRUE(described) << described.error().to_string();
    ASSERT_EQ(described->format, SampleFormat::Float32);
    ASSERT_TRUE(transcode(ds, kExplicit, ts(IdentityCodec::kUid), toy_registry()));
    ASSERT_TRUE(transcode(ds, ts(IdentityCodec::kUid), kExplicit, toy_registry()));
    const Element* f = ds.find(Tag{0x7FE0, 0x0008});
    ASSERT_TRUE(f);
    EXPECT_EQ(f->vr(), VR::OF);
    EXPECT_EQ(std::vector<std::uint8_t>(f->bytes().begin(), f->bytes().end()), original);
    EXPECT_FALSE(ds.contains(Tag{0x7FE0, 0x0010}));
}

TEST(TranscodeFrames, BasicOffsetTable) {
    const std::vector<std::uint64_t> sizes{10, 4, 6};
    auto t = detail::offset_tables(sizes);
    ASSERT_EQ(t.basic.size(), 12u);
    EXPECT_EQ(le32(t.basic, 0), 0u);
    EXPECT_EQ(le32(t.basic, 4), 18u);
    EXPECT_EQ(le32(t.basic, 8), 30u);
    EXPECT_TRUE(t.extended_offsets.empty());
}

TEST(TranscodeFrames, ExtendedOffsetTablePast4GiB) {
    // Three frames of 2 GiB: the third starts past 4 GiB, where the Basic Offset Table cannot point.
    const std::uint64_t g2 = std::uint64_t{2} << 30;
    const std::vector<std::uint64_t> sizes{g2, g2, 100};
    auto t = detail::offset_tables(sizes);
    EXPECT_TRUE(t.basic.empty());
    EXPECT_EQ(t.extended_offsets, (std::vector<std::uint64_t>{0, g2 + 8, 2 * (g2 + 8)}));
    EXPECT_EQ(t.extended_lengths, sizes);
    // Two frames: the second starts below 4 GiB, the Basic table suffices.
    const std::vector<std::uint64_t> two{g2, g2};
    EXPECT_EQ(detail::offset_tables(two).basic.size(), 8u);
}

TEST(TranscodeNames, KeywordsUidsAndAliases) {
    EXPECT_EQ(find_syntax("JPEGLSLossless")->uid, "1.2.840.10008.1.2.4.80");
    EXPECT_EQ(find_syntax("jpeg-ls")->uid, "1.2.840.10008.1.2.4.80");
    EXPECT_EQ(find_syntax("RLE")->uid, "1.2.840.10008.1.2.5");
    EXPECT_EQ(find_syntax("rlelossless")->uid, "1.2.840.10008.1.2.5");
    EXPECT_EQ(find_syntax("j2k")->uid, "1.2.840.10008.1.2.4.90");
    EXPECT_EQ(find_syntax("htj2k")->uid, "1.2.840.10008.1.2.4.201");
    EXPECT_EQ(find_syntax("HTJ2KLossless")->uid, "1.2.840.10008.1.2.4.201");
    EXPECT_EQ(find_syntax("jpeg")->uid, "1.2.840.10008.1.2.4.50");
    EXPECT_EQ(find_syntax("JPEGBaseline8Bit")->uid, "1.2.840.10008.1.2.4.50");
    EXPECT_EQ(find_syntax("jpeg-lossless")->uid, "1.2.840.10008.1.2.4.70");
    EXPECT_EQ(find_syntax("JPEGLosslessSV1")->uid, "1.2.840.10008.1.2.4.70");
    EXPECT_EQ(find_syntax("explicit")->uid, "1.2.840.10008.1.2.1");
    EXPECT_EQ(find_syntax("1.2.840.10008.1.2.4.91")->uid, "1.2.840.10008.1.2.4.91");
    EXPECT_EQ(find_syntax("nonsense"), nullptr);
}

TEST(CodecTranscoder, AnswersFromTheRegistry) {
    auto reg = std::make_shared<const CodecRegistry>(toy_registry());
    server::dimse::CodecTranscoder tc(reg);
    EXPECT_TRUE(tc.can_convert(kExplicit, io::ts::ImplicitVRLittleEndian));
    EXPECT_TRUE(tc.can_convert(kExplicit, ts(IdentityCodec::kUid)));
    EXPECT_TRUE(tc.can_convert(ts(LossyCodec::kUid), kExplicit));
    EXPECT_FALSE(tc.can_convert(kExplicit, ts(LossyCodec::kUid)));  // lossy not allowed
    EXPECT_FALSE(tc.can_convert(ts("1.2.840.10008.1.2.4.80"), kExplicit));
    TranscodeOptions lossy;
    lossy.allow_lossy = true;
    server::dimse::CodecTranscoder lossy_tc(reg, lossy);
    EXPECT_TRUE(lossy_tc.can_convert(kExplicit, ts(LossyCodec::kUid)));

    DataSet ds = testing::make_image(testing::mono(8, 8), 2);
    const auto original = pixel_bytes(ds);
    ASSERT_TRUE(tc.convert(ds, kExplicit, ts(IdentityCodec::kUid)));
    EXPECT_TRUE(ds.find(Tag{0x7FE0, 0x0010})->is_fragments());
    ASSERT_TRUE(tc.convert(ds, ts(IdentityCodec::kUid), kExplicit));
    EXPECT_EQ(pixel_bytes(ds), original);
    EXPECT_FALSE(tc.convert(ds, kExplicit, ts(LossyCodec::kUid)));
}

/// Files of the streaming tests, in a folder of their own that goes away with the test.
struct TempFolder {
    std::filesystem::path dir;
    TempFolder() {
        dir = std::filesystem::temp_directory_path() / ("dk_transcode_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
    }
    ~TempFolder() { std::filesystem::remove_all(dir); }
    [[nodiscard]] std::string path(const std::string& name) const { return (dir / name).string(); }
};

/// Writes `ds` in `ts` as a Part 10 file (its pixel data encapsulated through the toy codecs).
std::string write_encapsulated(const TempFolder& t, DataSet ds, const std::string& name) {
    const auto& to = ts(IdentityCodec::kUid);
    EXPECT_TRUE(transcode(ds, kExplicit, to, toy_registry()));
    io::DicomFile f;
    f.dataset = std::move(ds);
    io::FileWriteOptions wo;
    wo.transfer_syntax = &to;
    const std::string p = t.path(name);
    EXPECT_TRUE(io::write_file(p, f, wo));
    return p;
}

/// The file transcode() and write_file() make of `in` in `to`.
Bytes whole_path(const std::string& in, const io::TransferSyntax& to, const std::string& out) {
    auto f = io::read_file(in);
    EXPECT_TRUE(f);
    EXPECT_TRUE(transcode(f->dataset, f->transfer_syntax, to, toy_registry()));
    io::FileWriteOptions wo;
    wo.transfer_syntax = &to;
    EXPECT_TRUE(io::write_file(out, *f, wo));
    return read_whole_file(out).value();
}

Result<bool> streamed(const std::string& in, const io::TransferSyntax& to, const std::string& out, unsigned threads) {
    io::ReadOptions ro;
    ro.stop_before = Tag{0x7FE0, 0x0010};
    auto f = io::read_file(in, ro);
    EXPECT_TRUE(f);
    TranscodeOptions o;
    o.threads = threads;
    return transcode_to_file(*f, to, toy_registry(), o, out);
}

TEST(TranscodeToFile, WritesTheFileTheWholeDataSetPathWrites) {
    TempFolder t;
    struct Case {
        PixelInfo info;
        std::uint32_t frames;
    };
    // 16-bit multi-frame; 8-bit frames of odd size (the value is padded); colour.
    for (const Case& c : {Case{testing::mono(16, 12), 7}, Case{testing::mono(8, 8, 5, 3), 3}, Case{testing::rgb(), 4}}) {
        const std::string in = write_encapsulated(t, testing::make_image(c.info, c.frames), "in.dcm");
        for (const io::TransferSyntax* to : {&kExplicit, &io::ts::ImplicitVRLittleEndian}) {
            SCOPED_TRACE(std::string(to->uid) + " " + std::to_string(c.frames) + " frames");
            const Bytes expected = whole_path(in, *to, t.path("whole.dcm"));
            for (unsigned threads : {1u, 3u}) {
                auto r = streamed(in, *to, t.path("streamed.dcm"), threads);
                ASSERT_TRUE(r) << r.error().to_string();
                EXPECT_TRUE(*r);
                EXPECT_EQ(read_whole_file(t.path("streamed.dcm")).value(), expected);
            }
        }
    }
}

TEST(TranscodeToFile, LeavesWhatItCannotWriteExactly) {
    TempFolder t;
    const std::string out = t.path("out.dcm");
    // An element after the pixel data.
    DataSet ds = testing::make_image(testing::mono(16, 12), 2);
    ds.set(Element::from_bytes(Tag{0xFFFC, 0xFFFC}, VR::OB, Bytes(4, 0)));
    const std::string trailing = write_encapsulated(t, ds, "trailing.dcm");
    auto r = streamed(trailing, kExplicit, out, 2);
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r);
    EXPECT_FALSE(std::filesystem::exists(out));
    // Big endian target, and an encapsulated one.
    const std::string plain = write_encapsulated(t, testing::make_image(testing::mono(16, 12), 2), "plain.dcm");
    for (const io::TransferSyntax* to : {&io::ts::ExplicitVRBigEndian, &ts(IdentityCodec::kUid)}) {
        auto r2 = streamed(plain, *to, out, 2);
        ASSERT_TRUE(r2);
        EXPECT_FALSE(*r2);
    }
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(TranscodeToFile, ADecodingErrorNamesTheFrameAndLeavesNoFile) {
    TempFolder t;
    DataSet ds = testing::make_image(testing::mono(16, 12), 3);
    ASSERT_TRUE(transcode(ds, kExplicit, ts(IdentityCodec::kUid), toy_registry()));
    // Frame 2 cut short: the identity decoder refuses it.
    Element px = *ds.find(Tag{0x7FE0, 0x0010});
    PixelFragments f = px.fragments();
    f.fragments[1].resize(4);
    ds.set(Element(Tag{0x7FE0, 0x0010}, VR::OB, f));
    io::DicomFile file;
    file.dataset = std::move(ds);
    io::FileWriteOptions wo;
    wo.transfer_syntax = &ts(IdentityCodec::kUid);
    ASSERT_TRUE(io::write_file(t.path("bad.dcm"), file, wo));
    auto r = streamed(t.path("bad.dcm"), kExplicit, t.path("out.dcm"), 2);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("frame 2 of 3"), std::string::npos) << r.error().message;
    EXPECT_FALSE(std::filesystem::exists(t.path("out.dcm")));
    for (const auto& e : std::filesystem::directory_iterator(t.dir))
        EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

}  // namespace
}  // namespace dicomkit::pixel
