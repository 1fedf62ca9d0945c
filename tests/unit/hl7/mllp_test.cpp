#include <gtest/gtest.h>

#include <dicomkit/hl7/mllp.hpp>

namespace dicomkit::hl7 {
namespace {

std::vector<MllpEvent> feed_split(MllpDecoder& d, const std::string& bytes, std::size_t chunk) {
    std::vector<MllpEvent> out;
    for (std::size_t i = 0; i < bytes.size(); i += chunk) d.feed(std::string_view(bytes).substr(i, chunk), out);
    return out;
}

TEST(Hl7Mllp, FramesRoundTripAcrossAnySplit) {
    const std::string a = "MSH|^~\\&|A\rPID|1\r", b = "MSH|^~\\&|B\r";
    const std::string wire = mllp_frame(a) + mllp_frame(b);
    EXPECT_EQ(mllp_frame("x"), std::string("\x0Bx\x1C\x0D"));
    for (std::size_t chunk = 1; chunk <= wire.size(); ++chunk) {
        MllpDecoder d;
        auto events = feed_split(d, wire, chunk);
        ASSERT_EQ(events.size(), 2u) << "chunk " << chunk;
        EXPECT_EQ(events[0].kind, MllpEvent::Kind::Message);
        EXPECT_EQ(events[0].data, a);
        EXPECT_EQ(events[1].data, b);
        EXPECT_FALSE(d.in_frame());
    }
}

TEST(Hl7Mllp, BytesOutsideFramesAreReported) {
    MllpDecoder d;
    std::vector<MllpEvent> out;
    d.feed("junk\r\n" + mllp_frame("M1") + "xy", out);
    d.feed(mllp_frame("M2"), out);
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0].kind, MllpEvent::Kind::Skipped);
    EXPECT_EQ(out[0].size, 6u);
    EXPECT_EQ(out[1].data, "M1");
    EXPECT_EQ(out[2].kind, MllpEvent::Kind::Skipped);
    EXPECT_EQ(out[2].size, 2u);
    EXPECT_EQ(out[3].data, "M2");
}

TEST(Hl7Mllp, EndWithoutCarriageReturnAndRestartedFrames) {
    MllpDecoder d;
    std::vector<MllpEvent> out;
    d.feed(std::string("\x0B" "A\x1C\x0B" "B\x1C\x0D"), out);  // no CR after the first end
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].data, "A");
    EXPECT_EQ(out[1].data, "B");
    out.clear();
    d.feed(std::string("\x0B" "cut\x0B" "C\x1C\x0D"), out);  // a frame started again
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].kind, MllpEvent::Kind::Skipped);
    EXPECT_EQ(out[1].data, "C");
    out.clear();
    d.feed("\x0Bunfinished", out);
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(d.in_frame());
    d.finish(out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].kind, MllpEvent::Kind::Skipped);
}

TEST(Hl7Mllp, OversizeFrameIsDroppedAndKeepsItsHead) {
    MllpDecoder d(100, 10);
    const std::string big = "MSH|^~\\&|" + std::string(500, 'x');
    auto out = feed_split(d, mllp_frame(big) + mllp_frame("small"), 7);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].kind, MllpEvent::Kind::TooLarge);
    EXPECT_EQ(out[0].size, big.size());
    EXPECT_EQ(out[0].data, big.substr(0, 10));
    EXPECT_EQ(out[1].kind, MllpEvent::Kind::Message);
    EXPECT_EQ(out[1].data, "small");
}

}  // namespace
}  // namespace dicomkit::hl7
