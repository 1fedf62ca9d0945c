// Part 10 file reading and writing.
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>

#include <cstring>

#include <gtest/gtest.h>

#include "bytes_builder.hpp"

using namespace dicomkit;
using namespace dicomkit::io;
using test::BytesBuilder;

namespace {
constexpr Tag kPixelData{0x7FE0, 0x0010};

DicomFile sample_file() {
    DicomFile f;
    f.dataset.set_string(Tag(0x0008, 0x0016), VR::UI, "1.2.840.10008.5.1.4.1.1.7");
    f.dataset.set_string(Tag(0x0008, 0x0018), VR::UI, "1.2.3.4.5.6");
    f.dataset.set_string(Tag(0x0010, 0x0010), VR::PN, "Doe^Jane");
    std::uint16_t dims[] = {2};
    f.dataset.set(Element::from_numbers<std::uint16_t>(Tag(0x0028, 0x0010), VR::US, dims));
    f.dataset.set(Element(kPixelData, VR::OW, Bytes(4096, 0x5A)));
    return f;
}
}  // namespace

TEST(DicomFile, WriteReadRewriteIsByteIdentical) {
    DicomFile f = sample_file();
    auto bytes = encode_file(f);
    ASSERT_TRUE(bytes);
    ASSERT_EQ(std::memcmp(bytes->data() + 128, "DICM", 4), 0);
    auto back = read_bytes(*bytes);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_TRUE(back->diagnostics.warnings.empty());
    EXPECT_EQ(back->transfer_syntax, ts::ExplicitVRLittleEndian);
    EXPECT_EQ(back->meta.get_string(Tag(0x0002, 0x0003)).value(), "1.2.3.4.5.6");
    EXPECT_EQ(back->dataset, f.dataset);
    auto again = encode_file(*back);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *bytes);
}

TEST(DicomFile, EveryUncompressedSyntaxRoundTrips) {
    DicomFile f = sample_file();
    for (const TransferSyntax* t : {&ts::ImplicitVRLittleEndian, &ts::ExplicitVRBigEndian,
                                    &ts::DeflatedExplicitVRLittleEndian, &ts::ExplicitVRLittleEndian}) {
        FileWriteOptions o;
        o.transfer_syntax = t;
        auto bytes = encode_file(f, o);
        ASSERT_TRUE(bytes) << t->name;
        auto back = read_bytes(*bytes);
        ASSERT_TRUE(back) << t->name << ": " << back.error().to_string();
        EXPECT_EQ(back->transfer_syntax, *t);
        EXPECT_TRUE(back->diagnostics.warnings.empty()) << t->name;
        EXPECT_EQ(back->dataset, f.dataset) << t->name;
    }
}

TEST(DicomFile, StopBeforePixelsAndDeferredValues) {
    auto bytes = encode_file(sample_file());
    ASSERT_TRUE(bytes);
    ReadOptions stop;
    stop.stop_before = kPixelData;
    auto head = read_bytes(*bytes, stop);
    ASSERT_TRUE(head);
    EXPECT_FALSE(head->dataset.contains(kPixelData));
    ASSERT_TRUE(head->stopped_at);
    EXPECT_EQ(load_le<std::uint16_t>(bytes->data() + *head->stopped_at), 0x7FE0);

    ReadOptions defer;
    defer.defer_larger_than = 1024;
    auto lazy = read_bytes(*bytes, defer);
    ASSERT_TRUE(lazy);
    const Element* px = lazy->dataset.find(kPixelData);
    ASSERT_TRUE(px && px->is_deferred());
    auto value = load_deferred(*lazy, *px);
    ASSERT_TRUE(value);
    EXPECT_EQ(value->size(), 4096u);
    EXPECT_EQ((*value)[100], 0x5A);
    // A deferred value is written out in full.
    auto rewritten = encode_file(*lazy);
    ASSERT_TRUE(rewritten);
    EXPECT_EQ(*rewritten, *bytes);
}

TEST(DicomFile, NoPreambleNoMetaIsGuessedWithWarning) {
    BytesBuilder b;
    b.im(Tag(0x0008, 0x0016), std::string_view("1.2.840.10008.5.1.4.1.1.7\0", 26)).im(Tag(0x0010, 0x0010), "Doe^John");
    auto f = read_bytes(b.get());
    ASSERT_TRUE(f) << f.error().to_string();
    EXPECT_EQ(f->transfer_syntax, ts::ImplicitVRLittleEndian);
    EXPECT_FALSE(f->preamble);
    EXPECT_EQ(f->dataset.get_string(Tag(0x0010, 0x0010)).value(), "Doe^John");
    ASSERT_FALSE(f->diagnostics.warnings.empty());
    ReadOptions strict;
    strict.strict = true;
    auto s = read_bytes(b.get(), strict, "x.dcm");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::NotDicom);
    EXPECT_EQ(s.error().file, "x.dcm");
}

TEST(DicomFile, WrongMetaGroupLengthAndWrongTransferSyntax) {
    auto bytes = encode_file(sample_file());
    ASSERT_TRUE(bytes);
    Bytes broken = *bytes;
    // (0002,0000) UL value sits at 132 + 8.
    store<std::uint32_t>(broken.data() + 140, 10, Endian::Little);
    auto f = read_bytes(broken);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->diagnostics.warnings.size(), 1u);
    EXPECT_EQ(f->diagnostics.warnings[0].code, ErrorCode::BadMeta);
    EXPECT_EQ(f->dataset.size(), 5u);

    // Meta says implicit, data set is explicit: corrected with a warning.
    FileWriteOptions o;
    DicomFile lie = sample_file();
    auto explicit_bytes = encode_file(lie);
    std::string s(explicit_bytes->begin(), explicit_bytes->end());
    auto pos = s.find("1.2.840.10008.1.2.1");
    ASSERT_NE(pos, std::string::npos);
    s.replace(pos, 20, std::string("1.2.840.10008.1.2\0\0\0", 20));
    auto g = read_bytes(Bytes(s.begin(), s.end()));
    ASSERT_TRUE(g) << g.error().to_string();
    EXPECT_EQ(g->transfer_syntax, ts::ExplicitVRLittleEndian);
    EXPECT_EQ(g->dataset.get_string(Tag(0x0010, 0x0010)).value(), "Doe^Jane");
}

TEST(DicomFile, MissingFileAndEmptyFile) {
    auto f = read_file("/nonexistent/file.dcm");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, ErrorCode::IoError);
    EXPECT_EQ(f.error().file, "/nonexistent/file.dcm");
    auto e = read_bytes({});
    ASSERT_FALSE(e);
}

TEST(DicomFile, CorruptDeflateStream) {
    FileWriteOptions o;
    o.transfer_syntax = &ts::DeflatedExplicitVRLittleEndian;
    auto bytes = encode_file(sample_file(), o);
    ASSERT_TRUE(bytes);
    Bytes cut(bytes->begin(), bytes->begin() + static_cast<long>(bytes->size() - 40));
    auto f = read_bytes(cut);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, ErrorCode::Truncated);
}

TEST(DicomFile, ReadViewCopiesEverythingAndKeepsNoSource) {
    DicomFile f = sample_file();
    auto bytes = encode_file(f);
    ASSERT_TRUE(bytes);
    std::vector<std::uint8_t> buffer = *bytes;
    ReadOptions o;
    o.defer_larger_than = 16;  // ignored: nothing may refer back to the caller's bytes
    auto back = read_view(buffer, o, "view.dcm");
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->source, nullptr);
    EXPECT_EQ(back->path, "view.dcm");
    std::fill(buffer.begin(), buffer.end(), std::uint8_t{0xEE});  // the caller reuses its buffer
    EXPECT_EQ(back->dataset, f.dataset);
    const Element* pixels = back->dataset.find(kPixelData);
    ASSERT_NE(pixels, nullptr);
    EXPECT_FALSE(pixels->is_deferred());
    auto again = encode_file(*back);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *bytes);
    // Errors name the given name.
    std::vector<std::uint8_t> junk(200, 0x01);
    ReadOptions strict;
    strict.strict = true;
    auto bad = read_view(junk, strict, "junk.bin");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().file, "junk.bin");
}

TEST(DicomFile, EncodeFileIntoReusesTheBuffer) {
    DicomFile f = sample_file();
    auto expected = encode_file(f);
    ASSERT_TRUE(expected);
    Bytes out(100000, 0x77);  // stale bytes from an earlier, larger file
    ASSERT_TRUE(encode_file_into(f, out));
    EXPECT_EQ(out, *expected);
    const auto* data = out.data();
    ASSERT_TRUE(encode_file_into(f, out));
    EXPECT_EQ(out.data(), data);  // no new allocation for a file that fits
    EXPECT_EQ(out, *expected);
    FileWriteOptions deflated;
    deflated.transfer_syntax = &ts::DeflatedExplicitVRLittleEndian;
    auto d = encode_file(f, deflated);
    ASSERT_TRUE(d);
    ASSERT_TRUE(encode_file_into(f, out, deflated));
    EXPECT_EQ(out, *d);
    auto back = read_bytes(out);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->dataset, f.dataset);
}
