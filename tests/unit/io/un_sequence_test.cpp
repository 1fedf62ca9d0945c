// UN of undefined length (PS3.5 6.2.2): its value is a sequence of items encoded in Implicit VR
// Little Endian, whatever the enclosing transfer syntax; written back as SQ.
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>

#include <gtest/gtest.h>

#include "bytes_builder.hpp"

using namespace dicomkit;
using namespace dicomkit::io;
using test::BytesBuilder;

namespace {

constexpr Tag kCreator{0x2005, 0x0010};
constexpr Tag kPrivateSeq{0x2005, 0x1080};
constexpr Tag kPrivateValue{0x2005, 0x100F};
constexpr Tag kCodeMeaning{0x0008, 0x0104};
constexpr Tag kReferencedSopSeq{0x0008, 0x1199};
constexpr Tag kReferencedSopInstance{0x0008, 0x1155};
constexpr Tag kPatientId{0x0010, 0x0020};

ReadOptions strict() {
    ReadOptions o;
    o.strict = true;
    return o;
}

/// A Philips-style private sequence: (2005,1080) UN, undefined length, in Explicit VR LE;
/// item 1 (undefined length) with a private creator, a private value and a nested UN sequence of
/// undefined length; item 2 (explicit length) with a public element; then a public element after.
Bytes philips_style() {
    BytesBuilder inner;  // item 2's content, implicit VR: (0008,0104) LO "Meaning"
    inner.im(kCodeMeaning, "Meaning ");
    BytesBuilder b;
    b.ex(kCreator, "LO", "Philips MR Imaging DD 001 ")
        .ex_long(kPrivateSeq, "UN", 0xFFFFFFFF)                         // (2005,1080) UN, u/l
        .item()                                                          //   item 1, u/l
        .im(kCreator, "Philips MR Imaging DD 001 ")                      //     implicit VR LE
        .im(kPrivateValue, "12")                                         //     (2005,100F) "12"
        .tag(kReferencedSopSeq).u32(0xFFFFFFFF)                          //     public SQ, implicit, u/l
        .item()                                                          //       item
        .im(kReferencedSopInstance, std::string_view("1.2.3\0", 6))      //       (0008,1155) UI
        .item_end()
        .seq_end()
        .item_end()
        .item(static_cast<std::uint32_t>(inner.size()))                  //   item 2, explicit length
        .text(std::string_view(reinterpret_cast<const char*>(inner.get().data()), inner.size()))
        .seq_end()
        .ex(kPatientId, "LO", "ID");                                     // back to explicit VR
    return b.get();
}

TEST(UnSequence, UndefinedLengthUnReadAsImplicitItems) {
    Bytes bytes = philips_style();
    auto ds = read_dataset(bytes, ts::ExplicitVRLittleEndian, strict());
    ASSERT_TRUE(ds) << ds.error().to_string();
    const Element* seq = ds->find(kPrivateSeq);
    ASSERT_NE(seq, nullptr);
    ASSERT_TRUE(seq->is_sequence());
    EXPECT_TRUE(seq->undefined_length());
    const auto& items = seq->sequence().items;
    ASSERT_EQ(items.size(), 2u);
    EXPECT_TRUE(items[0].undefined_length());
    EXPECT_FALSE(items[1].undefined_length());
    // Private elements in implicit VR have no VR: UN, their bytes as they are.
    const Element* value = items[0].find(kPrivateValue);
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(value->vr(), VR::UN);
    EXPECT_EQ(value->bytes().size(), 2u);
    EXPECT_EQ(items[0].private_creator_of(kPrivateValue), "Philips MR Imaging DD 001");
    // Public elements get their dictionary VR, nested sequences included.
    const Element* nested = items[0].find(kReferencedSopSeq);
    ASSERT_TRUE(nested && nested->is_sequence());
    ASSERT_EQ(nested->sequence().items.size(), 1u);
    EXPECT_EQ(nested->sequence().items[0].find(kReferencedSopInstance)->vr(), VR::UI);
    EXPECT_EQ(items[1].get_string(kCodeMeaning).value(), "Meaning");
    // After the sequence the reader is back in explicit VR.
    EXPECT_EQ(ds->find(kPatientId)->vr(), VR::LO);
    EXPECT_EQ(ds->get_string(kPatientId).value(), "ID");
}

TEST(UnSequence, WrittenAsSqAndReadBackTheSame) {
    auto ds = read_dataset(philips_style(), ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    Bytes out;
    ASSERT_TRUE(write_dataset(*ds, ts::ExplicitVRLittleEndian, {}, out));
    // (0010,0020): 8 + 2 bytes, the creator: 8 + 26 bytes; then (2005,1080) with VR "SQ".
    ASSERT_GT(out.size(), 52u);
    EXPECT_EQ(load_le<std::uint16_t>(out.data() + 44), 0x2005);
    EXPECT_EQ(load_le<std::uint16_t>(out.data() + 46), 0x1080);
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out.data() + 48), 2), "SQ");
    auto back = read_dataset(out, ts::ExplicitVRLittleEndian);
    ASSERT_TRUE(back) << back.error().to_string();
    const Element* seq = back->find(kPrivateSeq);
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 2u);
    const Element* value = seq->sequence().items[0].find(kPrivateValue);
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(value->bytes().data()), value->bytes().size()), "12");
    // In implicit VR too: a private sequence is written with undefined length, so it reads back.
    Bytes implicit;
    ASSERT_TRUE(write_dataset(*ds, ts::ImplicitVRLittleEndian, {}, implicit));
    auto back2 = read_dataset(implicit, ts::ImplicitVRLittleEndian);
    ASSERT_TRUE(back2) << back2.error().to_string();
    ASSERT_TRUE(back2->find(kPrivateSeq)->is_sequence());
    EXPECT_EQ(back2->find(kPrivateSeq)->sequence().items.size(), 2u);
}

TEST(UnSequence, BigEndianFileStillReadsItsUnItemsLittleEndian) {
    // PS3.5 6.2.2: the content of a UN of undefined length is Implicit VR Little Endian even in
    // an Explicit VR Big Endian data set.
    BytesBuilder b(Endian::Big);
    b.tag(kPrivateSeq).text("UN").u16(0).u32(0xFFFFFFFF);
    BytesBuilder le;
    le.item().im(kCodeMeaning, "Meaning ").item_end().seq_end();
    b.text(std::string_view(reinterpret_cast<const char*>(le.get().data()), le.size()));
    auto ds = read_dataset(b.get(), ts::ExplicitVRBigEndian);
    ASSERT_TRUE(ds) << ds.error().to_string();
    const Element* seq = ds->find(kPrivateSeq);
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 1u);
    EXPECT_EQ(seq->sequence().items[0].get_string(kCodeMeaning).value(), "Meaning");
}

TEST(UnSequence, TruncatedUnSequenceIsAnError) {
    Bytes bytes = philips_style();
    bytes.resize(60);  // inside item 1
    auto r = read_dataset(bytes, ts::ExplicitVRLittleEndian, strict());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Truncated);
}

}  // namespace
