// Accept / Content-Type parsing and PS3.18 8.7 negotiation.
#include <gtest/gtest.h>

#include <dicomkit/server/web/accept.hpp>

namespace dicomkit::server::web {
namespace {

constexpr std::string_view kEvrle = "1.2.840.10008.1.2.1";
constexpr std::string_view kJpegBaseline = "1.2.840.10008.1.2.4.50";
constexpr std::string_view kJ2kLossless = "1.2.840.10008.1.2.4.90";
constexpr std::string_view kJpegLossless = "1.2.840.10008.1.2.4.70";

std::vector<MediaRange> accept(std::string_view h) {
    auto r = parse_accept(h);
    EXPECT_TRUE(r) << h << ": " << (r ? "" : r.error().to_string());
    return r ? *r : std::vector<MediaRange>{};
}

TEST(Accept, ListWithQValuesWildcardsAndCase) {
    auto a = accept("Application/DICOM+JSON, image/*;q=0.5 ,  */*; Q=0.1");
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].type, "application");
    EXPECT_EQ(a[0].subtype, "dicom+json");
    EXPECT_DOUBLE_EQ(a[0].q, 1.0);
    EXPECT_EQ(a[1].type, "image");
    EXPECT_EQ(a[1].subtype, "*");
    EXPECT_DOUBLE_EQ(a[1].q, 0.5);
    EXPECT_EQ(a[2].type, "*");
    EXPECT_DOUBLE_EQ(a[2].q, 0.1);
    EXPECT_TRUE(a[2].params.empty());
}

TEST(Accept, QuotedAndRepeatedParameters) {
    auto a = accept(
        R"(multipart/related; TYPE="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50;q=0.9;)"
        R"( boundary="a \"b\" c", multipart/related;type=application/octet-stream;transfer-syntax=*)");
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].type, "multipart");
    EXPECT_EQ(a[0].subtype, "related");
    EXPECT_DOUBLE_EQ(a[0].q, 0.9);
    ASSERT_EQ(a[0].params.size(), 3u);
    EXPECT_EQ(a[0].params[0].first, "type");
    EXPECT_EQ(a[0].params[0].second, "application/dicom");
    EXPECT_EQ(a[0].params[1].second, kJpegBaseline);
    EXPECT_EQ(a[0].param("boundary").value(), "a \"b\" c");             // accept-ext after q kept
    EXPECT_EQ(a[1].param("type").value(), "application/octet-stream");  // unquoted with '/'
    EXPECT_EQ(a[1].param("transfer-syntax").value(), "*");

    auto twice = accept(
        "application/dicom; transfer-syntax=1.2.840.10008.1.2.1; "
        "transfer-syntax=1.2.840.10008.1.2.4.50");
    ASSERT_EQ(twice.size(), 1u);
    ASSERT_EQ(twice[0].params.size(), 2u);
    EXPECT_EQ(twice[0].params[1].second, kJpegBaseline);
}

TEST(Accept, EmptyHeaderIsAnything) {
    for (std::string_view h : {"", "   ", " , ,"}) {
        auto a = accept(h);
        ASSERT_EQ(a.size(), 1u) << h;
        EXPECT_EQ(a[0].type, "*");
        EXPECT_EQ(a[0].subtype, "*");
        EXPECT_DOUBLE_EQ(a[0].q, 1.0);
    }
}

TEST(Accept, ZeroQValuesAndPrecision) {
    auto a = accept("image/jpeg;q=0, image/png;q=0.001, text/html;q=1.000");
    ASSERT_EQ(a.size(), 3u);
    EXPECT_DOUBLE_EQ(a[0].q, 0.0);
    EXPECT_NEAR(a[1].q, 0.001, 1e-12);
    EXPECT_DOUBLE_EQ(a[2].q, 1.0);
}

TEST(Accept, MalformedInputGivesTheOffset) {
    struct Case {
        std::string_view header;
        std::uint64_t offset;
    };
    for (const Case& c : {Case{"application", 11}, Case{"*/json", 0}, Case{"text/html;q=2", 12},
                          Case{"text/html;q=0.1234", 12}, Case{"text/html;level", 15},
                          Case{"text/html;a=\"open", 12}, Case{"text/html text/plain", 10},
                          Case{"/x", 0}, Case{"text/html;a=", 12}}) {
        auto r = parse_accept(c.header);
        ASSERT_FALSE(r) << c.header;
        EXPECT_EQ(r.error().code, ErrorCode::ParseError) << c.header;
        ASSERT_TRUE(r.error().offset) << c.header;
        EXPECT_EQ(*r.error().offset, c.offset) << c.header << ": " << r.error().message;
    }
}

TEST(Accept, Limits) {
    std::string many;
    for (int i = 0; i < 70; ++i) many += "text/plain,";
    auto r = parse_accept(many);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
    auto big = parse_accept(std::string(20000, 'a'));
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, ErrorCode::LimitExceeded);
    std::string params = "text/plain";
    for (int i = 0; i < 20; ++i) params += ";p" + std::to_string(i) + "=1";
    auto p = parse_accept(params);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, ErrorCode::LimitExceeded);
}

TEST(ContentType, MultipartRelated) {
    auto m = parse_content_type(
        R"(Multipart/Related; type="application/dicom"; boundary=--abc--; start="<1@x>")");
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->essence(), "multipart/related");
    EXPECT_EQ(m->param("type").value(), "application/dicom");
    EXPECT_EQ(m->param("boundary").value(), "--abc--");
    EXPECT_EQ(m->param("start").value(), "<1@x>");
    EXPECT_FALSE(m->param("q"));

    EXPECT_FALSE(parse_content_type("*/*"));
    EXPECT_FALSE(parse_content_type("application/dicom, text/plain"));
    auto bad = parse_content_type("application/dicom; boundary");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().offset.value(), 27u);
}

TEST(DefaultTransferSyntax, PerMediaType) {
    EXPECT_EQ(default_transfer_syntax("application/dicom"), kEvrle);
    EXPECT_EQ(default_transfer_syntax("application/octet-stream"), kEvrle);
    EXPECT_EQ(default_transfer_syntax("image/jpeg"), kJpegLossless);
    EXPECT_EQ(default_transfer_syntax("image/jp2"), kJ2kLossless);
    EXPECT_EQ(default_transfer_syntax("application/dicom+json"), "");
}

/// Stored in JPEG 2000 lossless; can transcode to EVRLE and JPEG baseline.
std::vector<Representation> j2k_instance() {
    const std::vector<std::string> to{std::string(kEvrle), std::string(kJpegBaseline)};
    return representations_for("application/dicom", true, kJ2kLossless, to);
}

std::optional<std::size_t> choose(std::string_view header, std::span<const Representation> c,
                                  NegotiateOptions o = {}) {
    auto a = accept(header);
    auto n = negotiate(a, c, o);
    if (!n) return std::nullopt;
    return n->candidate;
}

TEST(Negotiate, RepresentationsFor) {
    auto c = j2k_instance();
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].transfer_syntax, kJ2kLossless);
    EXPECT_TRUE(c[0].stored);
    EXPECT_EQ(c[1].transfer_syntax, kEvrle);
    EXPECT_FALSE(c[1].stored);
    EXPECT_TRUE(c[2].multipart);
}

TEST(Negotiate, DefaultTransferSyntaxIsExplicitLittleEndian) {
    auto c = j2k_instance();
    EXPECT_EQ(choose(R"(multipart/related; type="application/dicom")", c), 1u);
    EXPECT_EQ(choose("*/*", c), 1u);
    EXPECT_EQ(choose("", c), 1u);
    // Stored lossy data: no transcoding to the default.
    EXPECT_EQ(
        choose(R"(multipart/related; type="application/dicom")", c, {.default_is_stored = true}),
        0u);
}

TEST(Negotiate, TransferSyntaxParameter) {
    auto c = j2k_instance();
    EXPECT_EQ(
        choose(
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50",
            c),
        2u);
    EXPECT_EQ(choose("multipart/related; type=\"application/dicom\"; transfer-syntax=*", c), 0u);
    EXPECT_EQ(
        choose(
            "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.80",
            c),
        std::nullopt);
    // Wrong part type or single part: 406.
    EXPECT_EQ(choose("multipart/related; type=\"application/octet-stream\"", c), std::nullopt);
    EXPECT_EQ(choose("application/dicom", c), std::nullopt);
    EXPECT_EQ(choose("multipart/related", c), 1u);  // any part type, default syntax
    // The parameter repeated: either syntax; server order decides.
    EXPECT_EQ(choose("multipart/related; type=\"application/dicom\"; "
                     "transfer-syntax=1.2.840.10008.1.2.4.50; "
                     "transfer-syntax=1.2.840.10008.1.2.1",
                     c),
              1u);
}

TEST(Negotiate, HighestQWinsTiesByServerOrder) {
    auto c = j2k_instance();
    const std::string_view both =
        "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50; "
        "q=0.4, "
        "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1; q=0.8";
    auto a = accept(both);
    auto n = negotiate(a, c);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->candidate, 1u);
    EXPECT_DOUBLE_EQ(n->q, 0.8);
    EXPECT_EQ(n->range, 1u);
    // Equal q: server preference (stored first).
    EXPECT_EQ(choose("multipart/related; type=\"application/dicom\"; "
                     "transfer-syntax=1.2.840.10008.1.2.4.50, "
                     "multipart/related; type=\"application/dicom\"; transfer-syntax=*",
                     c),
              0u);
}

TEST(Negotiate, ZeroQExcludesEvenUnderAWildcard) {
    auto c = j2k_instance();
    EXPECT_EQ(choose("multipart/related; type=\"application/dicom\";q=0, */*", c), std::nullopt);
    EXPECT_EQ(choose("multipart/related; type=\"application/dicom\"; "
                     "transfer-syntax=1.2.840.10008.1.2.1;q=0, "
                     "multipart/related; type=\"application/dicom\"; transfer-syntax=*;q=0.2",
                     c),
              0u);
}

TEST(Negotiate, MetadataAndRenderedSinglePart) {
    std::vector<Representation> c{{"application/dicom+json", "", false, false},
                                  {"multipart/related+xml", "", false, false}};
    EXPECT_EQ(choose("application/dicom+json", c), 0u);
    EXPECT_EQ(choose("application/*", c), 0u);
    EXPECT_EQ(choose("application/json", c), std::nullopt);
    EXPECT_EQ(choose("*/*;q=0.5", c), 0u);
    std::vector<Representation> frames{
        {"image/jpeg", std::string(kJpegBaseline), true, true},
        {"application/octet-stream", std::string(kEvrle), true, false}};
    // image/jpeg without a transfer syntax means JPEG lossless (Table 8.7.3-5): not the stored
    // baseline.
    EXPECT_EQ(choose("multipart/related; type=\"image/jpeg\"", frames), std::nullopt);
    EXPECT_EQ(
        choose("multipart/related; type=\"image/jpeg\"; transfer-syntax=1.2.840.10008.1.2.4.50",
               frames),
        0u);
    EXPECT_EQ(choose("multipart/related; type=application/octet-stream; transfer-syntax=*", frames),
              1u);
    EXPECT_EQ(choose("multipart/related; type=\"image/jpeg\", multipart/related; "
                     "type=application/octet-stream",
                     frames),
              1u);
}

}  // namespace
}  // namespace dicomkit::server::web
