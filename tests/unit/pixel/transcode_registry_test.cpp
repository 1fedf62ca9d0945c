// transcode() through every codec standard_codecs() has: each syntax it encodes, from native and
// from each other encoded syntax, back to native; lossless ones pixel-exact.
#include <gtest/gtest.h>

#include <cstdlib>

#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/transcode.hpp>

#include "transcode_support.hpp"

namespace dicomkit::pixel {
namespace {

struct Sample {
    const char* name;
    PixelInfo info;
    std::uint32_t frames;
};

std::vector<Sample> samples() {
    PixelInfo signed16 = testing::mono(16, 16, 19, 21);
    signed16.is_signed = true;
    return {{"mono8", testing::mono(8, 8), 3},
            {"mono12", testing::mono(16, 12), 2},
            {"mono16", testing::mono(16, 16, 32, 33), 1},
            {"signed16", signed16, 2},
            {"rgb8", testing::rgb(), 2}};
}

/// The syntaxes the registry encodes, each once.
std::vector<std::string_view> encodable(const CodecRegistry& r) {
    std::vector<std::string_view> out;
    for (const auto& c : r.codecs())
        for (auto uid : c->encodes())
            if (r.encoder(uid) == c.get() && std::find(out.begin(), out.end(), uid) == out.end()) out.push_back(uid);
    return out;
}

std::vector<std::uint8_t> pixels(const DataSet& ds) {
    auto b = ds.find(Tag{0x7FE0, 0x0010})->bytes();
    return {b.begin(), b.end()};
}

/// The mean absolute difference between two images' samples as laid out by `info`.
double mean_difference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b, const PixelInfo& info) {
    const std::size_t bps = info.bytes_per_sample();
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i + bps <= std::min(a.size(), b.size()); i += bps) {
        std::int64_t x = 0, y = 0;
        for (std::size_t k = 0; k < bps; ++k) {
            x |= std::int64_t{a[i + k]} << (8 * k);
            y |= std::int64_t{b[i + k]} << (8 * k);
        }
        sum += static_cast<double>(std::llabs(x - y));
        ++n;
    }
    return n ? sum / static_cast<double>(n) : 0;
}

TEST(TranscodeRegistry, EveryEncodableSyntaxRoundTrips) {
    const CodecRegistry registry = standard_codecs();
    const auto targets = encodable(registry);
    if (targets.empty()) GTEST_SKIP() << "no codec in this build encodes";
    const io::TransferSyntax& native = io::ts::ExplicitVRLittleEndian;
    TranscodeOptions o;
    o.allow_lossy = true;
    o.threads = 2;
    o.encode.quality = 95;
    o.encode.compression_ratio = 4;
    for (const Sample& s : samples()) {
        for (auto uid : targets) {
            const io::TransferSyntax* to = io::find_transfer_syntax(uid);
            ASSERT_NE(to, nullptr) << uid;
            const PixelCodec* enc = registry.encoder(uid);
            PixelInfo info = s.info;
            info.frames = s.frames;
            if (!enc->can_encode(uid, info, o.encode)) continue;  // e.g. 8-bit only
            SCOPED_TRACE(std::string(s.name) + " -> " + describe_syntax(uid));
            DataSet ds = testing::make_image(s.info, s.frames);
            const auto original = pixels(ds);
            auto r = transcode(ds, native, *to, registry, o);
            ASSERT_TRUE(r) << r.error().to_string();
            const Element* px = ds.find(Tag{0x7FE0, 0x0010});
            ASSERT_TRUE(px->is_fragments());
            EXPECT_EQ(px->fragments().fragments.size(), s.frames);
            for (const auto& f : px->fragments().fragments) EXPECT_EQ(f.size() % 2, 0u);
            const bool lossy = enc->lossy(uid, o.encode);
            EXPECT_EQ(ds.string_or(Tag{0x0028, 0x2110}) == "01", lossy);
            // Through every other syntax the registry decodes and encodes, then back to native.
            for (auto other : targets) {
                if (other == uid || !registry.decoder(uid)) continue;
                const io::TransferSyntax* via = io::find_transfer_syntax(other);
                auto dinfo = registry.decoder(uid)->decoded_info(uid, describe(ds).value());
                if (!registry.encoder(other)->can_encode(other, dinfo, o.encode)) continue;
                DataSet copy = ds;
                auto r2 = transcode(copy, *to, *via, registry, o);
                ASSERT_TRUE(r2) << describe_syntax(other) << ": " << r2.error().to_string();
                if (!registry.decoder(other)) continue;
                auto r3 = transcode(copy, *via, native, registry, o);
                ASSERT_TRUE(r3) << describe_syntax(other) << ": " << r3.error().to_string();
                if (!lossy && !registry.encoder(other)->lossy(other, o.encode) && s.info.samples_per_pixel == 1) {
                    EXPECT_EQ(pixels(copy), original) << "via " << describe_syntax(other);
                }
            }
            if (!registry.decoder(uid)) continue;
            auto back = transcode(ds, *to, native, registry, o);
            ASSERT_TRUE(back) << back.error().to_string();
            EXPECT_FALSE(ds.find(Tag{0x7FE0, 0x0010})->is_fragments());
            const auto decoded = pixels(ds);
            ASSERT_EQ(decoded.size(), original.size());
            const std::string photometric(ds.string_or(Tag{0x0028, 0x0004}));
            if (!lossy && (s.info.samples_per_pixel == 1 || photometric == "RGB")) {
                EXPECT_EQ(decoded, original);
            } else if (lossy && (s.info.samples_per_pixel == 1 || photometric == "RGB")) {
                const std::uint32_t range = s.info.bits_stored >= 16 ? 65535 : (1u << s.info.bits_stored) - 1;
                // The test images have sharp edges (values wrap around): only the mean is bounded.
                // JPEG 2000 and HTJ2K are driven by a ratio (4 here), not a quality: wrapped
                // edges cost them more, so their bound is twice as wide.
                const bool by_ratio = uid == "1.2.840.10008.1.2.4.91" || uid == "1.2.840.10008.1.2.4.203";
                EXPECT_LE(mean_difference(decoded, original, s.info), range / (by_ratio ? 8.0 : 16.0) + 2);
            }
        }
    }
}

TEST(TranscodeRegistry, DecodersAndEncodersNameTheirSyntaxes) {
    const CodecRegistry registry = standard_codecs();
    for (const auto& c : registry.codecs()) {
        for (auto uid : c->decodes()) {
            EXPECT_NE(io::find_transfer_syntax(uid), nullptr) << c->name() << " decodes " << uid;
            EXPECT_TRUE(can_transcode(*io::find_transfer_syntax(uid), io::ts::ExplicitVRLittleEndian, registry));
        }
        for (auto uid : c->encodes()) {
            EXPECT_NE(io::find_transfer_syntax(uid), nullptr) << c->name() << " encodes " << uid;
            EXPECT_TRUE(can_transcode(io::ts::ExplicitVRLittleEndian, *io::find_transfer_syntax(uid), registry));
        }
    }
}

}  // namespace
}  // namespace dicomkit::pixel
