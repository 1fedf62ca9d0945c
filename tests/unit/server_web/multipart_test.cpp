// multipart/related: the incremental parser against RFC 2046 5.1.1 bodies in any chunking, and
// the writer's pieces read back by the parser.
#include <gtest/gtest.h>

#include <dicomkit/server/web/multipart.hpp>
#include <set>

namespace dicomkit::server::web {
namespace {

struct Part {
    PartHeaders headers;
    std::string data;
    bool ended = false;
};

/// Collects the parts of a body fed in chunks of `chunk` bytes (0: all at once).
struct Collector {
    std::vector<Part> parts;
    std::size_t data_calls = 0;

    MultipartCallbacks callbacks() {
        return {
            [this](const PartHeaders& h) -> Result<void> {
                parts.push_back(Part{h, {}, false});
                return {};
            },
            [this](std::span<const std::uint8_t> d) -> Result<void> {
                EXPECT_FALSE(d.empty());
                EXPECT_FALSE(parts.empty());
                if (parts.empty()) return {};
                parts.back().data.append(reinterpret_cast<const char*>(d.data()), d.size());
                ++data_calls;
                return {};
            },
            [this]() -> Result<void> {
                EXPECT_FALSE(parts.empty());
                if (!parts.empty()) parts.back().ended = true;
                return {};
            },
        };
    }
};

Result<void> parse(std::string_view boundary, std::string_view body, Collector& c,
                   std::size_t chunk = 0, MultipartLimits limits = {}) {
    auto p = MultipartParser::create(boundary, c.callbacks(), limits);
    if (!p) return tl::unexpected(p.error());
    const std::size_t step = chunk ? chunk : std::max<std::size_t>(body.size(), 1);
    for (std::size_t i = 0; i < body.size(); i += step) {
        auto r = p->feed(body.substr(i, step));
        if (!r) return r;
    }
    return p->finish();
}

const std::string kBody =
    "This is the preamble.\r\n"
    "--XyZ\r\n"
    "Content-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\n"
    "Content-Location: /studies/1.2/series/1.2.3/instances/1.2.3.4\r\n"
    "\r\n"
    "first\r\npart\r\n-- not a boundary --XyZ inside a line\r\n"
    "--XyZ \t \r\n"
    "content-id: <2@dicomkit>\r\n"
    "Content-Transfer-Encoding: Binary\r\n"
    "X-Folded: one\r\n"
    "  two\r\n"
    "\r\n"           // end of the header section
    "\r\n"           // the data: one CRLF
    "\r\n--XyZ\r\n"  // the delimiter, with its own CRLF
    "\r\n"
    "no headers\r\n"
    "--XyZ--\r\n"
    "epilogue --XyZ\r\n garbage";

void check_body(const Collector& c) {
    ASSERT_EQ(c.parts.size(), 3u);
    const Part& a = c.parts[0];
    ASSERT_TRUE(a.headers.content_type);
    EXPECT_EQ(a.headers.content_type->essence(), "application/dicom");
    EXPECT_EQ(a.headers.content_type->param("transfer-syntax").value(), "1.2.840.10008.1.2.1");
    EXPECT_EQ(a.headers.content_location, "/studies/1.2/series/1.2.3/instances/1.2.3.4");
    EXPECT_EQ(a.data, "first\r\npart\r\n-- not a boundary --XyZ inside a line");
    EXPECT_TRUE(a.ended);
    const Part& b = c.parts[1];
    EXPECT_FALSE(b.headers.content_type);
    EXPECT_EQ(b.headers.content_id, "<2@dicomkit>");
    EXPECT_EQ(b.headers.content_transfer_encoding, "binary");
    EXPECT_EQ(b.headers.get("x-folded").value(), "one two");
    EXPECT_EQ(b.data, "\r\n");  // the CRLF before a delimiter belongs to it: one CRLF of data left
    EXPECT_TRUE(b.ended);
    EXPECT_TRUE(c.parts[2].headers.fields.empty());
    EXPECT_EQ(c.parts[2].data, "no headers");
}

TEST(Multipart, WholeBody) {
    Collector c;
    auto r = parse("XyZ", kBody, c);
    ASSERT_TRUE(r) << r.error().to_string();
    check_body(c);
}

TEST(Multipart, EveryChunkSize) {
    for (std::size_t chunk = 1; chunk <= kBody.size(); ++chunk) {
        Collector c;
        auto r = parse("XyZ", kBody, c, chunk);
        ASSERT_TRUE(r) << "chunk " << chunk << ": " << r.error().to_string();
        check_body(c);
        if (testing::Test::HasFailure()) FAIL() << "chunk " << chunk;
    }
}

TEST(Multipart, BoundaryAtTheVeryStartAndBinaryData) {
    std::string data;
    for (int i = 0; i < 3000; ++i) data.push_back(static_cast<char>(i * 7 % 256));
    data += "\r\n-\r\n--";  // prefixes of the delimiter inside the data
    const std::string body =
        "--b\r\nContent-Type: application/octet-stream\r\n\r\n" + data + "x\r\n--b--";
    for (std::size_t chunk : {0u, 1u, 3u, 64u, 1000u}) {
        Collector c;
        auto r = parse("b", body, c, chunk);
        ASSERT_TRUE(r) << r.error().to_string();
        ASSERT_EQ(c.parts.size(), 1u);
        EXPECT_EQ(c.parts[0].data, data + "x");
    }
}

TEST(Multipart, MissingCloseDelimiterAtFinish) {
    const std::string body = "--b\r\n\r\nabc\r\n--b\r\n\r\ndef";
    Collector c;
    auto r = parse("b", body, c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::ParseError);
    EXPECT_EQ(r.error().offset.value(), body.size());
    EXPECT_EQ(c.parts.size(), 2u);
    EXPECT_TRUE(c.parts[0].ended);
    EXPECT_FALSE(c.parts[1].ended);

    Collector none;
    auto empty = parse("b", "just a preamble", none);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().offset.value(), 15u);
}

TEST(Multipart, MalformedBodies) {
    struct Case {
        std::string_view body;
        ErrorCode code;
        std::uint64_t offset;
    };
    for (const Case& k : {
             Case{"--b\r\nno colon here\r\n\r\nx\r\n--b--", ErrorCode::ParseError, 5},
             Case{"--bX\r\n\r\nx\r\n--b--", ErrorCode::ParseError, 3},
             Case{"--b\r\nContent-Type: text\r\n\r\nx\r\n--b--", ErrorCode::ParseError, 5},
             Case{"pre\r\n--b--", ErrorCode::ParseError, 8},
             Case{"--b\r\n Folded: x\r\n\r\nx\r\n--b--", ErrorCode::ParseError, 5},
             Case{"--b\r\nContent-Length: 12a\r\n\r\nx\r\n--b--", ErrorCode::ParseError, 5},
         }) {
        Collector c;
        auto r = parse("b", k.body, c);
        ASSERT_FALSE(r) << k.body;
        EXPECT_EQ(r.error().code, k.code) << k.body;
        EXPECT_EQ(r.error().offset.value_or(999), k.offset) << k.body << ": " << r.error().message;
    }
}

TEST(Multipart, ErrorsStick) {
    Collector c;
    auto p = MultipartParser::create("b", c.callbacks());
    ASSERT_TRUE(p);
    ASSERT_FALSE(p->feed(std::string_view("--b\r\nbad\r\n\r\n")));
    auto again = p->feed(std::string_view("--b--"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::ParseError);
    EXPECT_FALSE(p->finish());
}

TEST(Multipart, Limits) {
    std::string many;
    for (int i = 0; i < 5; ++i) many += "--b\r\n\r\nx\r\n";
    many += "--b--";
    Collector c;
    auto r = parse("b", many, c, 0, MultipartLimits{.max_parts = 4});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::LimitExceeded);
    EXPECT_EQ(c.parts.size(), 4u);

    Collector c2;
    const std::string big_header = "--b\r\nX-A: " + std::string(200, 'a') + "\r\n\r\nx\r\n--b--";
    for (std::size_t chunk : {0u, 7u}) {
        auto h = parse("b", big_header, c2, chunk, MultipartLimits{.max_header_bytes = 100});
        ASSERT_FALSE(h);
        EXPECT_EQ(h.error().code, ErrorCode::LimitExceeded);
    }
    auto t = parse("b", many, c2, 3, MultipartLimits{.max_total = 20});
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, ErrorCode::LimitExceeded);
    EXPECT_EQ(t.error().offset.value(), 18u);
}

TEST(Multipart, CallbackErrorsStopParsing) {
    int begun = 0;
    MultipartCallbacks cb{[&](const PartHeaders&) -> Result<void> {
                              if (++begun == 2)
                                  return make_error(ErrorCode::Unsupported, "second part refused");
                              return {};
                          },
                          {},
                          {}};
    auto p = MultipartParser::create("b", cb);
    ASSERT_TRUE(p);
    auto r = p->feed(std::string_view("--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::Unsupported);
    EXPECT_EQ(begun, 2);
}

TEST(Multipart, Boundaries) {
    EXPECT_TRUE(valid_boundary("simple"));
    EXPECT_TRUE(valid_boundary("a'()+_,-./:=? b"));
    EXPECT_FALSE(valid_boundary(""));
    EXPECT_FALSE(valid_boundary("ends in space "));
    EXPECT_FALSE(valid_boundary(std::string(71, 'a')));
    EXPECT_FALSE(valid_boundary("semi;colon"));
    auto bad = MultipartParser::create("a\"b", {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);

    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const std::string b = random_boundary();
        EXPECT_EQ(b.size(), 32u);
        EXPECT_TRUE(valid_boundary(b));
        seen.insert(b);
    }
    EXPECT_EQ(seen.size(), 50u);
}

TEST(MultipartWriter, RoundTripThroughTheParser) {
    MultipartWriter w(random_boundary());
    std::string body;
    const std::vector<std::pair<std::string, std::string>> loc{
        {"Content-Location", "/studies/1/series/2/instances/3"}};
    body += w.begin_part("application/dicom; transfer-syntax=1.2.840.10008.1.2.1", loc).value();
    body += "DICM\r\n";  // data ending in CRLF keeps it
    body += w.begin_part("application/octet-stream").value();
    body += std::string("\0\1\2", 3);
    body += w.close();
    EXPECT_TRUE(body.starts_with("--" + w.boundary() + "\r\nContent-Type: application/dicom;"));
    EXPECT_TRUE(body.ends_with("\r\n--" + w.boundary() + "--\r\n"));
    EXPECT_EQ(w.parts(), 2u);

    Collector c;
    auto r = parse(w.boundary(), body, c, 5);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(c.parts.size(), 2u);
    EXPECT_EQ(c.parts[0].data, "DICM\r\n");
    EXPECT_EQ(c.parts[0].headers.content_location, "/studies/1/series/2/instances/3");
    EXPECT_EQ(c.parts[1].headers.content_type->essence(), "application/octet-stream");
    EXPECT_EQ(c.parts[1].data, std::string("\0\1\2", 3));

    const std::vector<std::pair<std::string, std::string>> evil{{"X-A", "a\r\nX-B: b"}};
    EXPECT_FALSE(w.begin_part("application/dicom", evil));
    EXPECT_FALSE(w.begin_part("application/dicom\r\nX: y"));
}

TEST(MultipartWriter, ContentTypeValueParsesBack) {
    const std::string v =
        multipart_content_type("application/dicom", "abc123", "1.2.840.10008.1.2.4.50");
    EXPECT_EQ(
        v,
        "multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50; "
        "boundary=abc123");
    auto m = parse_content_type(multipart_content_type("application/dicom", "a b:c"));
    ASSERT_TRUE(m) << m.error().to_string();
    EXPECT_EQ(m->param("type").value(), "application/dicom");
    EXPECT_EQ(m->param("boundary").value(), "a b:c");
}

}  // namespace
}  // namespace dicomkit::server::web
