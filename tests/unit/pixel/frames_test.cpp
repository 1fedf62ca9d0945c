// FrameSet: native and encapsulated frames, offset tables, splitting, and headers that lie.
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/layout.hpp>

#include <gtest/gtest.h>

#include "pixel_test_util.hpp"

using namespace dicomkit;
using namespace dicomkit::pixel;
using dicomkit::test::image;
using dicomkit::test::kPixelData;

namespace {

const io::TransferSyntax& syntax(std::string_view uid) { return *io::find_transfer_syntax(uid); }
constexpr std::string_view kJpegBaseline = "1.2.840.10008.1.2.4.50";
constexpr std::string_view kJ2k = "1.2.840.10008.1.2.4.90";
constexpr std::string_view kRle = "1.2.840.10008.1.2.5";

Bytes sequence(std::size_t n, std::uint8_t start = 0) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + i * 7);
    return b;
}

void bot(PixelFragments& pf, std::initializer_list<std::uint32_t> offsets) {
    pf.basic_offset_table.clear();
    for (std::uint32_t o : offsets)
        for (int i = 0; i < 4; ++i) pf.basic_offset_table.push_back(static_cast<std::uint8_t>(o >> (8 * i)));
}

Bytes u64s(std::initializer_list<std::uint64_t> values) {
    Bytes b;
    for (std::uint64_t v : values)
        for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return b;
}

}  // namespace

TEST(Describe, RejectsHeadersThatLieAboutSizes) {
    DataSet ds = image(65535, 65535, 1, 64, 4);
    ds.set_string(Tag(0x0028, 0x0008), VR::IS, "4000000000");
    auto r = describe(ds, "big.dcm");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
    EXPECT_EQ(r.error().file, "big.dcm");

    ds = image(16, 16, 1, 16);
    ds.set(Element::from_number<std::uint16_t>(Tag(0x0028, 0x0101), VR::US, 17));
    r = describe(ds, "a.dcm");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("Bits Stored"), std::string::npos) << r.error().message;

    ds = image(16, 16, 1, 16);
    ds.set(Element::from_number<std::uint16_t>(Tag(0x0028, 0x0102), VR::US, 16));
    r = describe(ds);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("High Bit"), std::string::npos);

    ds = image(16, 16, 1, 12);
    EXPECT_FALSE(describe(ds));  // bits allocated 12

    ds = image(16, 16, 1, 8);
    ds.set_string(Tag(0x0028, 0x0008), VR::IS, "abc");
    EXPECT_FALSE(describe(ds));

    // The frame set reports describe()'s error with the source.
    ds = image(16, 16, 1, 16);
    ds.set(Element::from_number<std::uint16_t>(Tag(0x0028, 0x0101), VR::US, 20));
    ds.set(Element(kPixelData, VR::OW, Bytes(512)));
    auto fs = FrameSet::from_dataset(ds, io::ts::ExplicitVRLittleEndian, "x.dcm");
    ASSERT_FALSE(fs);
    EXPECT_EQ(fs.error().file, "x.dcm");
}

TEST(FrameSet, NativeFramesAndShortPixelData) {
    DataSet ds = image(2, 3, 3, 16);
    Bytes px = sequence(2 * 3 * 2 * 3);
    ds.set(Element(kPixelData, VR::OW, px));
    auto fs = FrameSet::from_dataset(ds, io::ts::ExplicitVRLittleEndian, "n.dcm");
    ASSERT_TRUE(fs) << fs.error().to_string();
    ASSERT_EQ(fs->size(), 3u);
    EXPECT_EQ(fs->stored(1).value(), Bytes(px.begin() + 12, px.begin() + 24));
    EXPECT_EQ(fs->decoded(2, CodecRegistry{}).value(), Bytes(px.begin() + 24, px.end()));
    EXPECT_FALSE(fs->stored(3));

    px.resize(30);
    ds.set(Element(kPixelData, VR::OW, px));
    auto shorter = FrameSet::from_dataset(ds, io::ts::ExplicitVRLittleEndian, "n.dcm");
    ASSERT_FALSE(shorter);
    EXPECT_EQ(shorter.error().code, ErrorCode::Truncated);
    EXPECT_EQ(shorter.error().file, "n.dcm");
    EXPECT_NE(shorter.error().message.find("Pixel Data (7FE0,0010) holds 30 bytes"), std::string::npos)
        << shorter.error().message;
}

TEST(FrameSet, OneBitFramesNotOnByteBoundaries) {
    // 3 x 3 pixels: 9 bits a frame, frames packed one after the other.
    const int frames = 5;
    DataSet ds = image(3, 3, frames, 1);
    Bytes bits(frames * 9);
    for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = (i * 5 + i / 3) % 3 == 0;
    Bytes packed((bits.size() + 7) / 8 + 1);
    pack_bits(bits, packed);
    ds.set(Element(kPixelData, VR::OB, packed));
    auto fs = FrameSet::from_dataset(ds, io::ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(fs) << fs.error().to_string();
    for (int f = 0; f < frames; ++f) {
        Bytes frame = fs->stored(f).value();
        ASSERT_EQ(frame.size(), 2u);
        Bytes unpacked(9);
        unpack_bits(frame, unpacked, 9);
        EXPECT_EQ(unpacked, Bytes(bits.begin() + f * 9, bits.begin() + f * 9 + 9)) << "frame " << f;
        EXPECT_EQ(frame[1] & 0xFE, 0);  // bits after the frame are zero
    }
}

TEST(FrameSet, FloatAndDoubleFloatPixelData) {
    for (auto [tag, width] : {std::pair{Tag(0x7FE0, 0x0008), 4}, std::pair{Tag(0x7FE0, 0x0009), 8}}) {
        DataSet ds = image(2, 2, 2, static_cast<std::uint16_t>(width * 8));
        ds.remove(Tag(0x0028, 0x0101));
        ds.remove(Tag(0x0028, 0x0102));
        ds.remove(Tag(0x0028, 0x0103));
        Bytes px = sequence(2 * 2 * 2 * width);
        ds.set(Element(tag, width == 4 ? VR::OF : VR::OD, px));
        auto fs = FrameSet::from_dataset(ds, io::ts::ExplicitVRLittleEndian);
        ASSERT_TRUE(fs) << fs.error().to_string();
        EXPECT_EQ(fs->info().format, width == 4 ? SampleFormat::Float32 : SampleFormat::Float64);
        EXPECT_EQ(fs->stored(1).value(), Bytes(px.begin() + 4 * width, px.end()));
    }
}

TEST(FrameSet, PlanarConfigurationOneDecodesInterleaved) {
    DataSet ds = image(1, 2, 1, 8, 3, 1);
    ds.set(Element(kPixelData, VR::OB, Bytes{1, 2, 10, 20, 100, 200}));
    auto fs = FrameSet::from_dataset(ds, io::ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(fs);
    EXPECT_EQ(fs->stored(0).value(), (Bytes{1, 2, 10, 20, 100, 200}));
    EXPECT_EQ(fs->decoded(0, CodecRegistry{}).value(), (Bytes{1, 10, 100, 2, 20, 200}));
    EXPECT_EQ(fs->decoded_info(CodecRegistry{}).value().planar_configuration, 0);
    EXPECT_EQ(to_planar(Bytes{1, 10, 100, 2, 20, 200}, fs->info()), (Bytes{1, 2, 10, 20, 100, 200}));
}

TEST(FrameSet, BigEndianFileReadDeferredAndStopped) {
    io::DicomFile f;
    f.dataset = image(2, 2, 2, 16);
    Bytes px = sequence(16);
    f.dataset.set(Element(kPixelData, VR::OW, px));
    io::FileWriteOptions wo;
    wo.transfer_syntax = &io::ts::ExplicitVRBigEndian;
    auto bytes = io::encode_file(f, wo);
    ASSERT_TRUE(bytes) << bytes.error().to_string();
    for (int mode = 0; mode < 3; ++mode) {
        io::ReadOptions o;
        if (mode == 1) o.defer_larger_than = 4;
        if (mode == 2) o.stop_before = kPixelData;
        auto file = io::read_bytes(*bytes, o, "be.dcm");
        ASSERT_TRUE(file) << file.error().to_string();
        auto fs = FrameSet::open(*file);
        ASSERT_TRUE(fs) << fs.error().to_string();
        EXPECT_EQ(fs->stored(0).value(), Bytes(px.begin(), px.begin() + 8)) << mode;
        EXPECT_EQ(fs->stored(1).value(), Bytes(px.begin() + 8, px.end())) << mode;
    }
}

TEST(FrameSet, EncapsulatedByOffsetTables) {
    DataSet ds = image(2, 2, 3, 8);
    PixelFragments pf;
    // Frame 0 in two fragments, frames 1 and 2 in one each: 0, (8+4)+(8+2)=22, 22+(8+4)=34.
    pf.fragments = {Bytes{1, 1, 1, 1}, Bytes{2, 2}, Bytes{3, 3, 3, 3}, Bytes{4, 4}};
    bot(pf, {0, 22, 34});
    ds.set(Element(kPixelData, VR::OB, pf));
    io::DicomFile file;
    file.dataset = ds;
    io::FileWriteOptions wo;
    wo.transfer_syntax = &syntax(kRle);
    auto bytes = io::encode_file(file, wo);
    ASSERT_TRUE(bytes);
    auto read = io::read_bytes(*bytes, io::ReadOptions{.stop_before = kPixelData});
    for (bool from_file : {false, true}) {
        auto fs = from_file ? FrameSet::open(*read) : FrameSet::from_dataset(ds, syntax(kRle));
        ASSERT_TRUE(fs) << fs.error().to_string();
        EXPECT_EQ(fs->stored(0).value(), (Bytes{1, 1, 1, 1, 2, 2}));
        EXPECT_EQ(fs->stored(1).value(), (Bytes{3, 3, 3, 3}));
        EXPECT_EQ(fs->stored(2).value(), (Bytes{4, 4}));
    }

    // The Extended Offset Table, with its lengths.
    pf.basic_offset_table.clear();
    ds.set(Element(kPixelData, VR::OB, pf));
    ds.set(Element(Tag(0x7FE0, 0x0001), VR::OV, u64s({0, 22, 34})));
    ds.set(Element(Tag(0x7FE0, 0x0002), VR::OV, u64s({6, 4, 2})));
    auto fs = FrameSet::from_dataset(ds, syntax(kRle));
    ASSERT_TRUE(fs) << fs.error().to_string();
    EXPECT_EQ(fs->stored(1).value(), (Bytes{3, 3, 3, 3}));
    ds.set(Element(Tag(0x7FE0, 0x0002), VR::OV, u64s({6, 5, 2})));
    auto bad_lengths = FrameSet::from_dataset(ds, syntax(kRle));
    ASSERT_FALSE(bad_lengths);
    EXPECT_NE(bad_lengths.error().message.find("Extended Offset Table Lengths"), std::string::npos);
    ds.remove(Tag(0x7FE0, 0x0002));
    ds.set(Element(Tag(0x7FE0, 0x0001), VR::OV, u64s({0, 22, 400})));
    auto outside = FrameSet::from_dataset(ds, syntax(kRle), "eot.dcm");
    ASSERT_FALSE(outside);
    EXPECT_NE(outside.error().message.find("entry 3 (400) points past"), std::string::npos) << outside.error().message;
    EXPECT_EQ(outside.error().file, "eot.dcm");
    ds.remove(Tag(0x7FE0, 0x0001));

    // Basic Offset Table errors: outside, not at an item, wrong count.
    for (auto offsets : {std::initializer_list<std::uint32_t>{0, 22, 1000}, {0, 20, 34}, {0, 22}}) {
        bot(pf, offsets);
        ds.set(Element(kPixelData, VR::OB, pf));
        auto r = FrameSet::from_dataset(ds, syntax(kRle), "bot.dcm");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().file, "bot.dcm");
        EXPECT_NE(r.error().message.find("Basic Offset Table"), std::string::npos) << r.error().message;
    }
}

TEST(FrameSet, EncapsulatedWithoutOffsetTable) {
    DataSet ds = image(2, 2, 1, 8);
    PixelFragments pf;
    pf.fragments = {Bytes{1, 2}, Bytes{3, 4}, Bytes{5, 6}};
    ds.set(Element(kPixelData, VR::OB, pf));
    // One frame in many fragments.
    auto one = FrameSet::from_dataset(ds, syntax(kJpegBaseline));
    ASSERT_TRUE(one);
    EXPECT_EQ(one->stored(0).value(), (Bytes{1, 2, 3, 4, 5, 6}));

    // One fragment per frame.
    ds.set_string(Tag(0x0028, 0x0008), VR::IS, "3");
    auto three = FrameSet::from_dataset(ds, syntax(kJpegBaseline));
    ASSERT_TRUE(three);
    EXPECT_EQ(three->stored(2).value(), (Bytes{5, 6}));

    // Fewer fragments than frames.
    ds.set_string(Tag(0x0028, 0x0008), VR::IS, "4");
    auto fewer = FrameSet::from_dataset(ds, syntax(kJpegBaseline), "few.dcm");
    ASSERT_FALSE(fewer);
    EXPECT_NE(fewer.error().message.find("4 frames in 3 fragments"), std::string::npos);

    // Several fragments a frame, split where a JPEG SOI begins a fragment.
    ds.set_string(Tag(0x0028, 0x0008), VR::IS, "2");
    pf.fragments = {Bytes{0xFF, 0xD8, 0xFF, 0xE0}, Bytes{9, 9}, Bytes{0xFF, 0xD9}, Bytes{0xFF, 0xD8, 0xFF, 0xDB}, Bytes{7, 7}};
    ds.set(Element(kPixelData, VR::OB, pf));
    auto jpeg = FrameSet::from_dataset(ds, syntax(kJpegBaseline));
    ASSERT_TRUE(jpeg) << jpeg.error().to_string();
    EXPECT_EQ(jpeg->stored(0).value(), (Bytes{0xFF, 0xD8, 0xFF, 0xE0, 9, 9, 0xFF, 0xD9}));
    EXPECT_EQ(jpeg->stored(1).value(), (Bytes{0xFF, 0xD8, 0xFF, 0xDB, 7, 7}));
    // A missing decoder names the syntax.
    auto no_codec = jpeg->decoded(0, CodecRegistry{});
    ASSERT_FALSE(no_codec);
    EXPECT_EQ(no_codec.error().code, ErrorCode::UnsupportedTransferSyntax);
    EXPECT_NE(no_codec.error().message.find("JPEG Baseline"), std::string::npos) << no_codec.error().message;
    EXPECT_FALSE(jpeg->decoded_info(CodecRegistry{}));

    // JPEG 2000 codestreams and JP2 files.
    pf.fragments = {Bytes{0xFF, 0x4F, 0xFF, 0x51}, Bytes{1, 1}, Bytes{0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20}, Bytes{2, 2}};
    ds.set(Element(kPixelData, VR::OB, pf));
    auto j2k = FrameSet::from_dataset(ds, syntax(kJ2k));
    ASSERT_TRUE(j2k) << j2k.error().to_string();
    EXPECT_EQ(j2k->stored(1).value(), (Bytes{0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 2, 2}));

    // Frame starts that do not match the number of frames.
    pf.fragments = {Bytes{0xFF, 0xD8, 0xFF, 0xE0}, Bytes{9, 9}, Bytes{7, 7}};
    ds.set(Element(kPixelData, VR::OB, pf));
    auto unclear = FrameSet::from_dataset(ds, syntax(kJpegBaseline), "u.dcm");
    ASSERT_FALSE(unclear);
    EXPECT_NE(unclear.error().message.find("2 frames in 3 fragments without an offset table, and 1 fragment"),
              std::string::npos) << unclear.error().message;

    // Native data under an encapsulated syntax, and no fragments at all.
    ds.set(Element(kPixelData, VR::OB, Bytes(8)));
    EXPECT_FALSE(FrameSet::from_dataset(ds, syntax(kJpegBaseline)));
    ds.set(Element(kPixelData, VR::OB, PixelFragments{}));
    EXPECT_FALSE(FrameSet::from_dataset(ds, syntax(kJpegBaseline)));
}
