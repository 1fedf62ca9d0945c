// JPEG-LS codec: the corpus against DCMTK and GDCM, round trips, peers reading what we write, bad streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include <charls/charls.h>

#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/jpegls/jpegls_codec.hpp>

#include "pixel_test_support.hpp"

namespace dicomkit::pixel {
namespace {

using test::LoadedFrames;

constexpr std::string_view kLossless = "1.2.840.10008.1.2.4.80";
constexpr std::string_view kNear = "1.2.840.10008.1.2.4.81";

bool ok_rc(charls_jpegls_errc rc) { return rc == charls_jpegls_errc::success; }

std::vector<std::string> corpus() {
    std::vector<std::string> files;
    for (const std::string& dir : {std::string(DICOMKIT_TEST_DATA) + "/pixel",
                                  std::string("/work/shared/data/dicom/compressed/jpeg_ls")}) {
        if (!std::filesystem::is_directory(dir)) continue;
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            const std::string name = e.path().filename().string();
            if (e.path().extension() == ".dcm" && (dir.ends_with("jpeg_ls") || name.starts_with("jpeg_ls_")))
                files.push_back(e.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

/// Decodes every frame of `f` with `codec`.
std::vector<Bytes> decode_all(const PixelCodec& codec, const LoadedFrames& f, PixelInfo& decoded_info) {
    decoded_info = codec.decoded_info(f.ts, f.info);
    std::vector<Bytes> out;
    for (std::size_t i = 0; i < f.frames.size(); ++i) {
        Bytes frame(decoded_info.frame_bytes());
        auto r = codec.decode(f.ts, f.frames[i], f.info, frame);
        EXPECT_TRUE(r) << "frame " << i << ": " << (r ? "" : r.error().to_string());
        out.push_back(std::move(frame));
    }
    return out;
}

/// NEAR of the first scan of a JPEG-LS stream.
int stream_near(const Bytes& stream) {
    charls_jpegls_decoder* d = charls_jpegls_decoder_create();
    int near = -1;
    if (ok_rc(charls_jpegls_decoder_set_source_buffer(d, stream.data(), stream.size())) &&
        ok_rc(charls_jpegls_decoder_read_header(d))) {
        std::int32_t n = 0;
        if (ok_rc(charls_jpegls_decoder_get_near_lossless(d, 0, &n))) near = n;
    }
    charls_jpegls_decoder_destroy(d);
    return near;
}

TEST(JpegLs, RegisteredInStandardCodecs) {
    const CodecRegistry r = standard_codecs();
    ASSERT_NE(r.decoder(kLossless), nullptr);
    ASSERT_NE(r.decoder(kNear), nullptr);
    ASSERT_NE(r.encoder(kLossless), nullptr);
    EXPECT_TRUE(r.decoder(kLossless)->name().starts_with("CharLS 2."));
}

TEST(JpegLs, CorpusDecodesEqualToDcmtkAndGdcm) {
    const auto files = corpus();
    ASSERT_GE(files.size(), 8u);
    const bool dcmtk = test::have_tool("dcmdjpls");
    const bool gdcm = test::have_tool("gdcmconv");
    const JpegLsCodec codec;
    test::TempDir tmp;
    for (const std::string& path : files) {
        SCOPED_TRACE(path);
        const LoadedFrames f = test::load_frames(path);
        ASSERT_TRUE(f.error.empty()) << f.error;
        ASSERT_TRUE(f.ts == kLossless || f.ts == kNear);
        PixelInfo info;
        const std::vector<Bytes> ours = decode_all(codec, f, info);
        EXPECT_EQ(info.planar_configuration, 0);
        const int near = f.ts == kNear ? stream_near(f.frames[0]) : 0;
        struct Peer {
            bool available;
            std::string cmd;
        };
        const std::string dcmtk_out = tmp.file("dcmtk.dcm"), gdcm_out = tmp.file("gdcm.dcm");
        const std::array<Peer, 2> peers{Peer{dcmtk, "dcmdjpls '" + path + "' '" + dcmtk_out + "'"},
                                        Peer{gdcm, "gdcmconv --raw '" + path + "' '" + gdcm_out + "'"}};
        int compared = 0;
        for (std::size_t p = 0; p < peers.size(); ++p) {
            if (!peers[p].available) continue;
            SCOPED_TRACE(peers[p].cmd);
            // DCMTK 3.6.7's own CharLS 1.x rejects streams of fewer than 8 bits coded with the
            // T.87 thresholds (JLSL_08_07_0_1F); the other peer must then agree.
            if (!test::run(peers[p].cmd)) {
                std::printf("note: %s failed on %s\n", p == 0 ? "dcmdjpls" : "gdcmconv", path.c_str());
                continue;
            }
            ++compared;
            const LoadedFrames theirs = test::load_frames(p == 0 ? dcmtk_out : gdcm_out);
            ASSERT_TRUE(theirs.error.empty()) << theirs.error;
            ASSERT_EQ(theirs.frames.size(), ours.size());
            for (std::size_t i = 0; i < ours.size(); ++i) {
                const long diff = test::max_difference(info, ours[i], theirs.info, theirs.frames[i]);
                // Both peers decode with CharLS too, so near-lossless frames are equal as well
                // (and at most NEAR from the original by construction).
                EXPECT_EQ(diff, 0) << "frame " << i << ", NEAR " << near;
            }
        }
        if (dcmtk || gdcm) {
            EXPECT_GE(compared, 1);
        }
    }
}

struct RoundTrip {
    const char* name;
    PixelInfo info;
    bool smooth;
};

std::vector<RoundTrip> round_trips() {
    return {
        {"grey2_random", test::grey(33, 17, 8, 2), false},
        {"grey8_random", test::grey(64, 61, 8, 8), false},
        {"grey8_smooth", test::grey(64, 64, 8, 8), true},
        {"grey12_random", test::grey(40, 37, 16, 12), false},
        {"grey12_smooth", test::grey(128, 96, 16, 12), true},
        {"grey16_random", test::grey(31, 45, 16, 16), false},
        {"grey16_smooth", test::grey(64, 64, 16, 16), true},
        {"signed12_random", test::grey(32, 32, 16, 12, true), false},
        {"signed16_smooth", test::grey(48, 40, 16, 16, true), true},
        {"signed8_random", test::grey(20, 20, 8, 8, true), false},
        {"grey6_in16", test::grey(16, 16, 16, 6), false},
        {"rgb8_smooth", test::rgb(50, 70, 8, 8), true},
        {"rgb8_random", test::rgb(23, 19, 8, 8), false},
        {"rgb16_random", test::rgb(20, 24, 16, 16), false},
    };
}

TEST(JpegLs, LosslessRoundTrips) {
    const JpegLsCodec codec;
    for (const RoundTrip& rt : round_trips()) {
        SCOPED_TRACE(rt.name);
        const Bytes frame = test::make_frame(rt.info, rt.smooth, 7);
        ASSERT_TRUE(codec.can_encode(kLossless, rt.info, {}));
        EXPECT_FALSE(codec.lossy(kLossless, {}));
        auto encoded = codec.encode(kLossless, frame, rt.info, {});
        ASSERT_TRUE(encoded) << encoded.error().to_string();
        const PixelInfo enc_info = codec.encoded_info(kLossless, rt.info, {});
        Bytes back(codec.decoded_info(kLossless, enc_info).frame_bytes());
        ASSERT_TRUE(codec.decode(kLossless, *encoded, enc_info, back));
        if (rt.info.bits_stored == rt.info.bits_allocated || rt.info.is_signed) {
            EXPECT_EQ(back, frame);  // exact, container bits included (signed: sign extended)
        }
        EXPECT_EQ(test::max_difference(rt.info, frame, enc_info, back), 0);
    }
}

TEST(JpegLs, NearLosslessStaysWithinNear) {
    const JpegLsCodec codec;
    for (const RoundTrip& rt : round_trips()) {
        if (rt.info.bits_stored < 4) continue;
        SCOPED_TRACE(rt.name);
        EncodeOptions o;
        o.near_lossless = 3;
        EXPECT_TRUE(codec.lossy(kNear, o));
        const Bytes frame = test::make_frame(rt.info, rt.smooth, 11);
        auto encoded = codec.encode(kNear, frame, rt.info, o);
        ASSERT_TRUE(encoded) << encoded.error().to_string();
        EXPECT_EQ(stream_near(*encoded), 3);
        Bytes back(rt.info.frame_bytes());
        ASSERT_TRUE(codec.decode(kNear, *encoded, rt.info, back));
        const long diff = test::max_difference(rt.info, frame, rt.info, back);
        EXPECT_GE(diff, 0);
        // Signed values wrap modulo 2^bits in JPEG-LS's unsigned coding, so compare modulo too.
        const long range = 1L << rt.info.bits_stored;
        EXPECT_TRUE(diff <= 3 || diff >= range - 3) << diff;
    }
    EncodeOptions bad;
    bad.near_lossless = 300;
    EXPECT_FALSE(codec.can_encode(kNear, test::grey(8, 8, 8, 8), bad));
}

TEST(JpegLs, PeersDecodeWhatWeEncode) {
    const bool dcmtk = test::have_tool("dcmdjpls");
    const bool gdcm = test::have_tool("gdcmconv");
    const bool pydicom_jls =
        test::run("/usr/bin/python3 -c 'import pydicom; from pydicom.pixel_data_handlers import pylibjpeg_handler as h; "
                  "import sys; sys.exit(0 if h.is_available() and \"1.2.840.10008.1.2.4.80\" in str(h.SUPPORTED_TRANSFER_SYNTAXES) else 1)'");
    if (!dcmtk && !gdcm) GTEST_SKIP() << "neither dcmdjpls nor gdcmconv installed";
    const JpegLsCodec codec;
    test::TempDir tmp;
    for (const RoundTrip& rt : round_trips()) {
        SCOPED_TRACE(rt.name);
        for (const std::string_view ts : {kLossless, kNear}) {
            EncodeOptions o;
            o.near_lossless = ts == kNear ? std::min(2, ((1 << rt.info.bits_stored) - 1) / 2) : 0;
            const Bytes frame = test::make_frame(rt.info, rt.smooth, 3);
            auto a = codec.encode(ts, frame, rt.info, o);
            auto b = codec.encode(ts, test::make_frame(rt.info, !rt.smooth, 4), rt.info, o);
            ASSERT_TRUE(a) << a.error().to_string();
            ASSERT_TRUE(b) << b.error().to_string();
            const io::TransferSyntax* t = io::find_transfer_syntax(ts);
            ASSERT_NE(t, nullptr);
            const std::string in = tmp.file("in.dcm");
            // One frame a file: GDCM will not write a multi-frame Secondary Capture.
            const std::array<const Bytes*, 2> encoded{&*a, &*b};
            for (std::size_t k = 0; k < encoded.size(); ++k) {
                ASSERT_TRUE(test::write_frames(in, rt.info, *t, {*encoded[k]}));
                // What we decode is the reference: peers must agree sample for sample.
                const LoadedFrames ours_file = test::load_frames(in);
                ASSERT_TRUE(ours_file.error.empty()) << ours_file.error;
                PixelInfo info;
                const std::vector<Bytes> ours = decode_all(codec, ours_file, info);
                ASSERT_EQ(ours.size(), 1u);
                if (ts == kLossless && k == 0) {
                    EXPECT_EQ(test::max_difference(rt.info, frame, info, ours[0]), 0);
                }
                std::vector<std::string> outs;
                // DCMTK 3.6.7's CharLS 1.x uses other default thresholds below 8 bits (see
                // DcmtkWrittenStreamsDecode); it cannot read standard streams of those depths.
                if (dcmtk && (rt.info.bits_stored >= 8 || rt.info.bits_allocated == 16)) {
                    ASSERT_TRUE(test::run("dcmdjpls '" + in + "' '" + tmp.file("d.dcm") + "'"));
                    outs.push_back(tmp.file("d.dcm"));
                }
                if (gdcm) {
                    ASSERT_TRUE(test::run("gdcmconv --raw '" + in + "' '" + tmp.file("g.dcm") + "'"));
                    outs.push_back(tmp.file("g.dcm"));
                }
                for (const std::string& out : outs) {
                    SCOPED_TRACE(out);
                    const LoadedFrames theirs = test::load_frames(out);
                    ASSERT_TRUE(theirs.error.empty()) << theirs.error;
                    ASSERT_EQ(theirs.frames.size(), 1u);
                    EXPECT_EQ(test::max_difference(info, ours[0], theirs.info, theirs.frames[0]), 0) << "frame " << k;
                }
                if (pydicom_jls) {
                    const std::string script =
                        "import pydicom,sys; a=pydicom.dcmread(sys.argv[1]).pixel_array; "
                        "open(sys.argv[2],'wb').write(a.astype(a.dtype.newbyteorder('<')).tobytes())";
                    ASSERT_TRUE(test::run("/usr/bin/python3 -c \"" + script + "\" '" + in + "' '" + tmp.file("py.raw") +
                                          "'"));
                    std::ifstream raw(tmp.file("py.raw"), std::ios::binary);
                    const Bytes py((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
                    EXPECT_EQ(test::max_difference(info, ours[0], info, py), 0) << "pydicom, frame " << k;
                }
            }
        }
    }
}

TEST(JpegLs, LegacyThresholdStreamsDecode) {
    // Streams coded with the thresholds legacy encoders used without writing an LSE segment:
    // JAI-ImageIO for 16 bits (FACTOR from the unclamped MAXVAL), CharLS 1.x for 7 bits (the
    // MAXVAL >= 128 formulas). Made here by coding with those thresholds and removing the LSE.
    struct Case {
        std::uint16_t allocated, bits;
        charls_jpegls_pc_parameters pc;
    };
    for (const Case& c : {Case{16, 16, {65535, 258, 1027, 4356, 64}}, Case{16, 15, {32767, 130, 515, 2180, 64}},
                          Case{8, 7, {127, 2, 3, 4, 64}}, Case{8, 6, {63, 2, 3, 4, 64}}}) {
        SCOPED_TRACE(c.bits);
        const PixelInfo info = test::grey(64, 64, c.allocated, c.bits);
        for (const bool smooth : {true, false}) {
            const Bytes frame = test::make_frame(info, smooth, 5);
            charls_jpegls_encoder* e = charls_jpegls_encoder_create();
            const charls_frame_info fi{64, 64, c.bits, 1};
            ASSERT_TRUE(ok_rc(charls_jpegls_encoder_set_frame_info(e, &fi)));
            ASSERT_TRUE(ok_rc(charls_jpegls_encoder_set_preset_coding_parameters(e, &c.pc)));
            Bytes out(frame.size() * 4 + 1024);
            ASSERT_TRUE(ok_rc(charls_jpegls_encoder_set_destination_buffer(e, out.data(), out.size())));
            ASSERT_TRUE(ok_rc(charls_jpegls_encoder_encode_from_buffer(e, frame.data(), frame.size(), 0)));
            std::size_t written = 0;
            ASSERT_TRUE(ok_rc(charls_jpegls_encoder_get_bytes_written(e, &written)));
            charls_jpegls_encoder_destroy(e);
            out.resize(written);
            const std::array<std::uint8_t, 2> lse_marker{0xFF, 0xF8};
            auto lse = std::search(out.begin(), out.end(), lse_marker.begin(), lse_marker.end());
            ASSERT_NE(lse, out.end());
            out.erase(lse, lse + 15);
            const JpegLsCodec codec;
            Bytes back(frame.size());
            auto r = codec.decode(kLossless, out, info, back);
            ASSERT_TRUE(r) << r.error().to_string();
            EXPECT_EQ(back, frame);
        }
    }
}

TEST(JpegLs, DcmtkWrittenStreamsDecode) {
    // What dcmcjpls (CharLS 1.x inside) writes for several bit depths decodes to the original.
    if (!test::have_tool("dcmcjpls")) GTEST_SKIP() << "dcmcjpls not installed";
    const JpegLsCodec codec;
    test::TempDir tmp;
    for (const std::uint16_t bits : {std::uint16_t{4}, std::uint16_t{6}, std::uint16_t{7}, std::uint16_t{8},
                                     std::uint16_t{12}, std::uint16_t{16}}) {
        for (const bool smooth : {true, false}) {
            SCOPED_TRACE(std::to_string(bits) + (smooth ? " smooth" : " random"));
            const PixelInfo info = test::grey(48, 40, bits <= 8 ? 8 : 16, bits);
            const Bytes frame = test::make_frame(info, smooth, bits);
            ASSERT_TRUE(test::write_frames(tmp.file("n.dcm"), info, io::ts::ExplicitVRLittleEndian, {frame}));
            ASSERT_TRUE(test::run("dcmcjpls '" + tmp.file("n.dcm") + "' '" + tmp.file("c.dcm") + "'"));
            const LoadedFrames f = test::load_frames(tmp.file("c.dcm"));
            ASSERT_TRUE(f.error.empty()) << f.error;
            ASSERT_EQ(f.ts, kLossless);
            Bytes back(f.info.frame_bytes());
            auto r = codec.decode(f.ts, f.frames.at(0), f.info, back);
            ASSERT_TRUE(r) << r.error().to_string();
            EXPECT_EQ(test::max_difference(info, frame, f.info, back), 0);
        }
    }
}

TEST(JpegLs, MalformedStreamsGiveErrors) {
    const JpegLsCodec codec;
    const PixelInfo info = test::grey(32, 32, 16, 12);
    const Bytes frame = test::make_frame(info, false, 9);
    auto encoded = codec.encode(kLossless, frame, info, {});
    ASSERT_TRUE(encoded);
    Bytes out(info.frame_bytes());
    EXPECT_FALSE(codec.decode(kLossless, {}, info, out));
    EXPECT_FALSE(codec.decode(kLossless, Bytes{0xFF, 0xD8, 0xFF}, info, out));
    Bytes garbage(200, 0x5A);
    EXPECT_FALSE(codec.decode(kLossless, garbage, info, out));
    Bytes truncated(encoded->begin(), encoded->begin() + static_cast<std::ptrdiff_t>(encoded->size() / 2));
    EXPECT_FALSE(codec.decode(kLossless, truncated, info, out));
    PixelInfo wrong = info;
    wrong.rows = 31;
    Bytes out2(wrong.frame_bytes());
    auto r = codec.decode(kLossless, *encoded, wrong, out2);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("32x32"), std::string::npos) << r.error().message;
    PixelInfo eight = test::grey(32, 32, 8, 8);
    Bytes out3(eight.frame_bytes());
    EXPECT_FALSE(codec.decode(kLossless, *encoded, eight, out3));  // 12-bit stream, 8-bit container
    Bytes small(10);
    EXPECT_FALSE(codec.decode(kLossless, *encoded, info, small));
    // Every single-byte corruption decodes or fails cleanly.
    for (std::size_t i = 0; i < encoded->size(); i += 3) {
        Bytes bad = *encoded;
        bad[i] ^= 0xA5;
        (void)codec.decode(kLossless, bad, info, out);
    }
    PixelInfo fl = info;
    fl.format = SampleFormat::Float32;
    fl.bits_allocated = 32;
    EXPECT_FALSE(codec.can_encode(kLossless, fl, {}));
    EXPECT_FALSE(codec.can_encode(kLossless, test::grey(8, 8, 32, 32), {}));
}

}  // namespace
}  // namespace dicomkit::pixel
