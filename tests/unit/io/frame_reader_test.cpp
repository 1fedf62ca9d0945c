// Frame access: a 1 GB multi-frame file's header and one frame are read without the rest.
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/frame_reader.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "bytes_builder.hpp"

using namespace dicomkit;
using namespace dicomkit::io;

namespace {
constexpr Tag kPixelData{0x7FE0, 0x0010};

long rss_kib() {
    std::ifstream s("/proc/self/status");
    for (std::string line; std::getline(s, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

DataSet image_header(int rows, int cols, int frames) {
    DataSet ds;
    ds.set_string(Tag(0x0008, 0x0016), VR::UI, "1.2.840.10008.5.1.4.1.1.7.3");
    ds.set_string(Tag(0x0008, 0x0018), VR::UI, "1.2.3.4");
    ds.set(Element::from_number<std::uint16_t>(Tag(0x0028, 0x0002), VR::US, 1));
    ds.set_string(Tag(0x0028, 0x0008), VR::IS, std::to_string(frames));
    ds.set(Element::from_number<std::uint16_t>(Tag(0x0028, 0x0010), VR::US, static_cast<std::uint16_t>(rows)));
    ds.set(Element::from_number<std::uint16_t>(Tag(0x0028, 0x0011), VR::US, static_cast<std::uint16_t>(cols)));
    ds.set(Element::from_number<std::uint16_t>(Tag(0x0028, 0x0100), VR::US, 16));
    return ds;
}
}  // namespace

TEST(FrameReader, OneGigabyteFileHeaderAndOneFrame) {
    const int rows = 1024, cols = 1024, frames = 512;  // 2 MiB frames, 1 GiB of pixel data
    const std::uint64_t frame_size = std::uint64_t{rows} * cols * 2;
    const std::uint64_t total = frame_size * frames;
    DicomFile f;
    f.dataset = image_header(rows, cols, frames);
    auto head = encode_file(f);
    ASSERT_TRUE(head);
    test::BytesBuilder px;
    px.ex_long(kPixelData, "OW", static_cast<std::uint32_t>(total));
    head->insert(head->end(), px.get().begin(), px.get().end());
    std::string path = ::testing::TempDir() + "dicomkit_1gb_test.dcm";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, head->data(), head->size()), static_cast<ssize_t>(head->size()));
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(head->size() + total)), 0);  // sparse: no disk used
    const std::uint64_t frame300 = head->size() + 300 * frame_size;
    const std::uint8_t marker[4] = {0xDE, 0xAD, 0xBE, 0xEF};
    ASSERT_EQ(::pwrite(fd, marker, 4, static_cast<off_t>(frame300)), 4);
    ::close(fd);

    long before = rss_kib();
    ReadOptions o;
    o.stop_before = kPixelData;
    auto file = read_file(path, o);
    ASSERT_TRUE(file) << file.error().to_string();
    EXPECT_FALSE(file->dataset.contains(kPixelData));
    auto reader = FrameReader::open(*file);
    ASSERT_TRUE(reader) << reader.error().to_string();
    EXPECT_EQ(reader->frame_count(), 512u);
    auto fr = reader->frame(300);
    ASSERT_TRUE(fr);
    ASSERT_EQ(fr->size(), frame_size);
    EXPECT_EQ((*fr)[0], 0xDE);
    EXPECT_EQ((*fr)[3], 0xEF);
    long grown = rss_kib() - before;
    // Header plus one 2 MiB frame (and its copy): far below the 1 GiB file.
    EXPECT_LT(grown, 16 * 1024) << "RSS grew by " << grown << " KiB";
    EXPECT_FALSE(reader->frame(512));
    ::unlink(path.c_str());
}

TEST(FrameReader, EncapsulatedFramesByOffsetTableAndByFragment) {
    DicomFile f;
    f.dataset = image_header(2, 2, 3);
    PixelFragments pf;
    // Frame 0 in two fragments, frames 1 and 2 in one each; BOT offsets count from the first
    // fragment's item header: 0, (8+4)+(8+2)=22, 22+(8+4)=34.
    pf.fragments = {Bytes{1, 1, 1, 1}, Bytes{2, 2}, Bytes{3, 3, 3, 3}, Bytes{4, 4}};
    pf.basic_offset_table = Bytes{0, 0, 0, 0, 22, 0, 0, 0, 34, 0, 0, 0};
    f.dataset.set(Element(kPixelData, VR::OB, pf));
    FileWriteOptions wo;
    wo.transfer_syntax = find_transfer_syntax("1.2.840.10008.1.2.5");
    auto bytes = encode_file(f, wo);
    ASSERT_TRUE(bytes) << bytes.error().to_string();
    for (bool stop : {false, true}) {
        ReadOptions o;
        if (stop) o.stop_before = kPixelData;
        auto file = read_bytes(*bytes, o);
        ASSERT_TRUE(file);
        auto r = FrameReader::open(*file);
        ASSERT_TRUE(r) << r.error().to_string();
        ASSERT_EQ(r->frame_count(), 3u);
        EXPECT_TRUE(r->encapsulated());
        EXPECT_EQ(r->frame(0).value(), (Bytes{1, 1, 1, 1, 2, 2}));
        EXPECT_EQ(r->frame(1).value(), (Bytes{3, 3, 3, 3}));
        EXPECT_EQ(r->frame(2).value(), (Bytes{4, 4}));
    }
    // Without an offset table, fragments == frames means one fragment per frame.
    pf.basic_offset_table.clear();
    pf.fragments.pop_back();
    f.dataset.set(Element(kPixelData, VR::OB, pf));
    auto r = FrameReader::open(f);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->frame(2).value(), (Bytes{3, 3, 3, 3}));
}

TEST(FrameReader, TruncatedNativePixelData) {
    DicomFile f;
    f.dataset = image_header(4, 4, 2);
    f.dataset.set(Element(kPixelData, VR::OW, Bytes(40)));  // two frames need 64 bytes
    auto r = FrameReader::open(f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Truncated);
}
