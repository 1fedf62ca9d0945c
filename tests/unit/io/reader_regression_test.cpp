// Regression tests for reader and writer bugs found by comparing dicomkit with DCMTK's dcmdump
// and pydicom (tests/interop).
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/token_reader.hpp>

#include <gtest/gtest.h>

#include "bytes_builder.hpp"

using namespace dicomkit;
using namespace dicomkit::io;
using test::BytesBuilder;

namespace {
constexpr Tag kPixelRepresentation{0x0028, 0x0103};
constexpr Tag kSmallestImagePixelValue{0x0028, 0x0106};
constexpr Tag kRedPaletteDescriptor{0x0028, 0x1101};
constexpr Tag kRealWorldValueMappingSeq{0x0040, 0x9096};
constexpr Tag kRealWorldValueFirstValueMapped{0x0040, 0x9216};
constexpr Tag kPixelData{0x7FE0, 0x0010};

ReadOptions strict_options() {
    ReadOptions o;
    o.strict = true;
    return o;
}
}  // namespace

// Implicit VR "US or SS": SS when Pixel Representation is 1 (PS3.5 A.1), also inside items;
// LUT descriptors stay US. Was: always US.
TEST(ReaderRegression, ImplicitUsOrSsFollowsPixelRepresentation) {
    BytesBuilder b;
    b.tag(kPixelRepresentation).u32(2).u16(1)                  // signed pixels
        .tag(kSmallestImagePixelValue).u32(2).u16(0xFFF0)      // -16
        .tag(kRedPaletteDescriptor).u32(6).u16(0).u16(0).u16(16)
        .tag(kRealWorldValueMappingSeq).u32(0xFFFFFFFF)
        .item()
        .tag(kRealWorldValueFirstValueMapped).u32(2).u16(0xFFFE)  // -2
        .item_end()
        .seq_end();
    auto ds = read_dataset(b.get(), ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->find(kSmallestImagePixelValue)->vr(), VR::SS);
    EXPECT_EQ(ds->get_number<int>(kSmallestImagePixelValue).value(), -16);
    EXPECT_EQ(ds->find(kRedPaletteDescriptor)->vr(), VR::US);
    const auto& item = ds->find(kRealWorldValueMappingSeq)->sequence().items.at(0);
    EXPECT_EQ(item.find(kRealWorldValueFirstValueMapped)->vr(), VR::SS);
    EXPECT_EQ(item.get_number<int>(kRealWorldValueFirstValueMapped).value(), -2);
}

TEST(ReaderRegression, ImplicitUsOrSsIsUsForUnsignedPixels) {
    BytesBuilder b;
    b.tag(kPixelRepresentation).u32(2).u16(0).tag(kSmallestImagePixelValue).u32(2).u16(0xFFF0);
    auto ds = read_dataset(b.get(), ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->find(kSmallestImagePixelValue)->vr(), VR::US);
    EXPECT_EQ(ds->get_number<int>(kSmallestImagePixelValue).value(), 0xFFF0);
}

// An explicit VR UN private creator is LO (PS3.5 7.8.1). Was: left UN.
TEST(ReaderRegression, ExplicitUnPrivateCreatorIsReadAsLO) {
    BytesBuilder b;
    b.ex_long(Tag(0x0009, 0x0010), "UN", 4).text("HMC ");
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    const Element* e = ds->find(Tag(0x0009, 0x0010));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->vr(), VR::LO);
    EXPECT_EQ(e->string_value().value(), "HMC");
    // Private data elements (not creators) stay UN: no dictionary knows them.
    BytesBuilder p;
    p.ex_long(Tag(0x0009, 0x1010), "UN", 2).bytes({1, 2});
    auto pds = read_dataset(p.get(), ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(pds);
    EXPECT_EQ(pds->find(Tag(0x0009, 0x1010))->vr(), VR::UN);
}

// Encapsulated Pixel Data is OB (PS3.5 A.4) even when the header says OW. Was: kept OW silently.
TEST(ReaderRegression, EncapsulatedPixelDataWithOwIsReadAsOb) {
    BytesBuilder b;
    b.ex_long(kPixelData, "OW", 0xFFFFFFFF).item(0).item(4).bytes({0xFF, 0xD8, 0xFF, 0xD9}).seq_end();
    Diagnostics diag;
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian, {}, &diag);
    ASSERT_TRUE(ds) << ds.error().to_string();
    const Element* e = ds->find(kPixelData);
    ASSERT_TRUE(e && e->is_fragments());
    EXPECT_EQ(e->vr(), VR::OB);
    ASSERT_EQ(diag.warnings.size(), 1u);
    EXPECT_EQ(diag.warnings[0].code, ErrorCode::InvalidVR);
    EXPECT_EQ(diag.warnings[0].offset, 0u);
    auto strict = read_dataset(b.get(), ts::ExplicitVRLittleEndian, strict_options());
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error().code, ErrorCode::InvalidVR);
}

// PS3.5 A.4: fragments have even length. Was: an odd fragment was accepted without a warning.
TEST(ReaderRegression, OddFragmentLengthIsWarnedAndKept) {
    BytesBuilder b;
    b.ex_long(kPixelData, "OB", 0xFFFFFFFF)  // offset 0
        .item(0)                              // offset 12: empty Basic Offset Table
        .item(3)                              // offset 20: odd fragment
        .bytes({0xFF, 0xD8, 0xFF})
        .seq_end();
    Diagnostics diag;
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian, {}, &diag);
    ASSERT_TRUE(ds) << ds.error().to_string();
    ASSERT_EQ(ds->find(kPixelData)->fragments().fragments.at(0).size(), 3u);
    ASSERT_EQ(diag.warnings.size(), 1u);
    EXPECT_EQ(diag.warnings[0].code, ErrorCode::InvalidLength);
    EXPECT_EQ(diag.warnings[0].offset, 20u);
    EXPECT_EQ(diag.warnings[0].tag_path, "(7FE0,0010)");
    auto strict = read_dataset(b.get(), ts::ExplicitVRLittleEndian, strict_options());
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error().offset, 20u);
}

// ReadOptions promises a warning for a wrong group length; the data set reader gave none, so a
// rewrite silently changed it.
TEST(ReaderRegression, WrongGroupLengthIsWarned) {
    BytesBuilder b;
    b.ex(Tag(0x0008, 0x0000), "UL", std::string_view("\x0A\x00\x00\x00", 4))  // says 10, group has 16
        .ex(Tag(0x0008, 0x0060), "CS", "CT")                                    // 10 bytes
        .ex(Tag(0x0008, 0x0070), "LO", "X ")                                    // 10 bytes, offset 22
        .ex(Tag(0x0010, 0x0010), "PN", "A^B ");
    Diagnostics diag;
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian, {}, &diag);
    ASSERT_TRUE(ds) << ds.error().to_string();
    ASSERT_EQ(diag.warnings.size(), 1u);
    EXPECT_EQ(diag.warnings[0].code, ErrorCode::InvalidLength);
    EXPECT_EQ(diag.warnings[0].offset, 32u);  // where group 0008 really ends
    EXPECT_FALSE(read_dataset(b.get(), ts::ExplicitVRLittleEndian, strict_options()));
    // The right value: no warning.
    BytesBuilder ok;
    ok.ex(Tag(0x0008, 0x0000), "UL", std::string_view("\x14\x00\x00\x00", 4))
        .ex(Tag(0x0008, 0x0060), "CS", "CT")
        .ex(Tag(0x0008, 0x0070), "LO", "X ");
    Diagnostics none;
    ASSERT_TRUE(read_dataset(ok.get(), ts::ExplicitVRLittleEndian, {}, &none));
    EXPECT_TRUE(none.warnings.empty());
}

// A private sequence of defined length, written in implicit VR, must be written with undefined
// length: an implicit reader knows no private VR and takes a defined-length value for UN bytes.
// Was: written with its defined length, so dcmdump and pydicom lost the nested elements.
TEST(WriterRegression, ImplicitPrivateSequenceGetsUndefinedLength) {
    BytesBuilder b;
    b.ex(Tag(0x0009, 0x0010), "LO", "ACME")
        .ex_long(Tag(0x0009, 0x1001), "SQ", 18)  // defined-length private sequence
        .item(10)
        .ex(Tag(0x0010, 0x0020), "LO", "AB");
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    ASSERT_FALSE(ds->find(Tag(0x0009, 0x1001))->undefined_length());
    Bytes out;
    ASSERT_TRUE(write_dataset(*ds, ts::ImplicitVRLittleEndian, {}, out));
    // creator: 8 + 4 bytes; then the sequence header: tag and length FFFFFFFF.
    ASSERT_GE(out.size(), 20u);
    EXPECT_EQ(load_le<std::uint32_t>(out.data() + 16), 0xFFFFFFFFu);
    auto back = read_dataset(out, ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(back) << back.error().to_string();
    const Element* seq = back->find(Tag(0x0009, 0x1001));
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 1u);
    EXPECT_EQ(seq->sequence().items[0].get_string(Tag(0x0010, 0x0020)).value(), "AB");
    // A public sequence keeps the length policy (the dictionary says SQ).
    BytesBuilder p;
    p.ex_long(Tag(0x0008, 0x1140), "SQ", 8).item(0);
    auto pds = read_dataset(p.get(), ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(pds);
    Bytes pout;
    ASSERT_TRUE(write_dataset(*pds, ts::ImplicitVRLittleEndian, {}, pout));
    EXPECT_EQ(load_le<std::uint32_t>(pout.data() + 4), 8u);
}
