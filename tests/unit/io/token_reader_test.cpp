// Byte-level tests of the token reader, the data set reader and writer.
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/token_reader.hpp>

#include <gtest/gtest.h>

#include "bytes_builder.hpp"

using namespace dicomkit;
using namespace dicomkit::io;
using test::BytesBuilder;

namespace {
constexpr Tag kPatientName{0x0010, 0x0010};
constexpr Tag kPatientID{0x0010, 0x0020};
constexpr Tag kRefImageSeq{0x0008, 0x1140};
constexpr Tag kRefSOPInstance{0x0008, 0x1155};
constexpr Tag kRows{0x0028, 0x0010};
constexpr Tag kPixelData{0x7FE0, 0x0010};

Bytes encode(const DataSet& ds, const TransferSyntax& ts, WriteOptions o = {}) {
    Bytes out;
    EXPECT_TRUE(write_dataset(ds, ts, o, out));
    return out;
}
}  // namespace

TEST(TokenReader, ExplicitLittleEndianRoundTripIsByteIdentical) {
    BytesBuilder b;
    b.ex(Tag(0x0008, 0x0060), "CS", "CT")
        .ex_long(kRefImageSeq, "SQ", 0xFFFFFFFF)   // undefined-length sequence
        .item()                                    //   undefined-length item
        .ex(kRefSOPInstance, "UI", std::string_view("1.2.3\0", 6))
        .item_end()
        .item(18)                                  //   explicit-length item
        .ex(kRefSOPInstance, "UI", std::string_view("1.2.3.4.5\0", 10))
        .seq_end()
        .ex(kPatientName, "PN", "Doe^John")
        .ex(kRows, "US", std::string_view("\x00\x02", 2));
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    ASSERT_EQ(ds->size(), 4u);
    const Element* seq = ds->find(kRefImageSeq);
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 2u);
    EXPECT_TRUE(seq->sequence().items[0].undefined_length());
    EXPECT_FALSE(seq->sequence().items[1].undefined_length());
    EXPECT_EQ(seq->sequence().items[1].get_string(kRefSOPInstance).value(), "1.2.3.4.5");
    EXPECT_EQ(ds->get_number<int>(kRows).value(), 512);
    EXPECT_EQ(encode(*ds, ts::ExplicitVRLittleEndian), b.get());
}

TEST(TokenReader, ImplicitVRUsesDictionary) {
    BytesBuilder b;
    b.im(kPatientName, "Doe^John").tag(kRows).u32(2).u16(256);
    auto ds = read_dataset(b.get(), ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->find(kPatientName)->vr(), VR::PN);
    EXPECT_EQ(ds->find(kRows)->vr(), VR::US);
    EXPECT_EQ(ds->get_number<int>(kRows).value(), 256);
    EXPECT_EQ(encode(*ds, ts::ImplicitVRLittleEndian), b.get());
}

TEST(TokenReader, BigEndianValuesAreSwapped) {
    BytesBuilder b(Endian::Big);
    b.tag(kRows).text("US").u16(2).u16(0x0102);
    b.tag(Tag(0x0028, 0x0030)).text("DS").u16(4).text("1\\2 ");
    auto ds = read_dataset(b.get(), ts::ExplicitVRBigEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->get_number<int>(kRows).value(), 0x0102);
    // Stored little endian inside.
    EXPECT_EQ(ds->find(kRows)->bytes()[0], 0x02);
    EXPECT_EQ(encode(*ds, ts::ExplicitVRBigEndian), b.get());
    // Converting to little endian swaps the US value.
    Bytes le = encode(*ds, ts::ExplicitVRLittleEndian);
    auto back = read_dataset(le, ts::ExplicitVRLittleEndian);
    EXPECT_EQ(back->get_number<int>(kRows).value(), 0x0102);
}

TEST(TokenReader, EncapsulatedPixelData) {
    BytesBuilder b;
    b.ex_long(kPixelData, "OB", 0xFFFFFFFF).item(4).u32(0).item(6).text("abcdef").item(2).text("gh").seq_end();
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    const Element* px = ds->find(kPixelData);
    ASSERT_TRUE(px && px->is_fragments());
    EXPECT_EQ(px->fragments().basic_offset_table.size(), 4u);
    ASSERT_EQ(px->fragments().fragments.size(), 2u);
    EXPECT_EQ(px->fragments().fragments[1], (Bytes{'g', 'h'}));
    const TransferSyntax* rle = find_transfer_syntax("1.2.840.10008.1.2.5");
    ASSERT_TRUE(rle);
    EXPECT_EQ(encode(*ds, *rle), b.get());
    Bytes out;
    auto err = write_dataset(*ds, ts::ExplicitVRLittleEndian, {}, out);
    ASSERT_FALSE(err);
    EXPECT_EQ(err.error().code, ErrorCode::Unsupported);
}

TEST(TokenReader, TruncatedValueLenientAndStrict) {
    BytesBuilder b;
    b.ex(kPatientName, "PN", "Doe^John").tag(kPatientID).text("LO").u16(40).text("short");
    Diagnostics diag;
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian, {}, &diag);
    ASSERT_TRUE(ds);
    ASSERT_FALSE(diag.warnings.empty());
    EXPECT_EQ(diag.warnings[0].code, ErrorCode::Truncated);
    EXPECT_EQ(diag.warnings[0].offset, 16u);
    EXPECT_EQ(diag.warnings[0].tag_path, "(0010,0020)");
    ReadOptions strict;
    strict.strict = true;
    auto bad = read_dataset(b.get(), ts::ExplicitVRLittleEndian, strict);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Truncated);
    EXPECT_EQ(bad.error().offset, 16u);
}

TEST(TokenReader, ErrorNamesNestedTagPath) {
    BytesBuilder b;
    b.ex_long(kRefImageSeq, "SQ", 0xFFFFFFFF).item().ex(Tag(0x0008, 0x1150), "UI", "12").tag(kRefSOPInstance).text("UI").u16(200).text("1.2");
    ReadOptions strict;
    strict.strict = true;
    auto bad = read_dataset(b.get(), ts::ExplicitVRLittleEndian, strict);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().tag_path, "(0008,1140)[0].(0008,1155)");
}

TEST(TokenReader, HugeLengthDoesNotAllocate) {
    BytesBuilder b;
    b.ex_long(Tag(0x0009, 0x1010), "OB", 0xFFFFFFF0).text("xy");
    Diagnostics diag;
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian, {}, &diag);
    ASSERT_TRUE(ds);
    EXPECT_EQ(ds->find(Tag(0x0009, 0x1010))->length(), 2u);
    EXPECT_EQ(diag.warnings.at(0).code, ErrorCode::Truncated);
}

TEST(TokenReader, OddLengthAndBadVRWarn) {
    BytesBuilder b;
    b.ex(kPatientName, "PN", "Doe").tag(kPatientID).u32(4).text("ID12");  // VR bytes 04 00
    Diagnostics diag;
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian, {}, &diag);
    ASSERT_TRUE(ds) << ds.error().to_string();
    ASSERT_EQ(diag.warnings.size(), 2u);
    EXPECT_EQ(diag.warnings[0].code, ErrorCode::InvalidLength);
    EXPECT_EQ(diag.warnings[1].code, ErrorCode::InvalidVR);
    EXPECT_EQ(ds->get_string(kPatientID).value(), "ID12");
    EXPECT_EQ(ds->find(kPatientID)->vr(), VR::LO);
}

TEST(TokenReader, DepthLimit) {
    BytesBuilder b;
    for (int i = 0; i < 40; ++i) b.ex_long(kRefImageSeq, "SQ", 0xFFFFFFFF).item();
    ReadOptions o;
    o.max_depth = 16;
    auto r = read_dataset(b.get(), ts::ExplicitVRLittleEndian, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
}

TEST(TokenReader, ExplicitUNResolvedThroughDictionary) {
    BytesBuilder b;
    b.ex_long(kPatientName, "UN", 8).text("Doe^John");
    // UN of undefined length holds implicit VR LE items (PS3.5 6.2.2).
    b.ex_long(kRefImageSeq, "UN", 0xFFFFFFFF).item().im(kRefSOPInstance, std::string_view("1.2\0", 4)).item_end().seq_end();
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->find(kPatientName)->vr(), VR::PN);
    const Element* seq = ds->find(kRefImageSeq);
    ASSERT_TRUE(seq->is_sequence());
    EXPECT_EQ(seq->sequence().items.at(0).find(kRefSOPInstance)->vr(), VR::UI);
}

TEST(TokenReader, MissingItemDelimiterAndTrailingGarbage) {
    BytesBuilder b;
    b.ex_long(kRefImageSeq, "SQ", 0xFFFFFFFF).item().ex(kRefSOPInstance, "UI", "12").seq_end();
    b.ex(kPatientName, "PN", "AB").tag(Tag(0x0000, 0x0000)).bytes({0xAB, 0xCD, 0x01, 0x02, 0x03, 0x04});
    Diagnostics diag;
    auto ds = read_dataset(b.get(), ts::ExplicitVRLittleEndian, {}, &diag);
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->size(), 2u);
    EXPECT_EQ(diag.warnings.size(), 2u);
}

TEST(Writer, ExplicitLengthsAndGroupLengths) {
    DataSet item;
    item.set_string(kRefSOPInstance, VR::UI, "1.2.3");
    DataSet ds;
    ds.set(Element(kRefImageSeq, VR::SQ, Sequence{{item, item}}));
    ds.set_string(kPatientName, VR::PN, "Doe");
    WriteOptions o;
    o.lengths = LengthEncoding::Explicit;
    o.group_lengths = GroupLengthPolicy::Add;
    Bytes out = encode(ds, ts::ExplicitVRLittleEndian, o);
    auto back = read_dataset(out, ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->get_number<std::uint32_t>(Tag(0x0010, 0x0000)).value(), 8u + 4u);
    const Element* seq = back->find(kRefImageSeq);
    EXPECT_FALSE(seq->undefined_length());
    EXPECT_EQ(seq->sequence().items.size(), 2u);
    EXPECT_EQ(seq->sequence().items[1].get_string(kRefSOPInstance).value(), "1.2.3");
    // Value padded to even length with NUL for UI.
    EXPECT_EQ(seq->sequence().items[1].find(kRefSOPInstance)->length(), 6u);
}
