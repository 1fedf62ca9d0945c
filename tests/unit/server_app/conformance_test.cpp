// The conformance statement: written from the configuration and the acceptor policy serve
// listens with, so that what it says is what negotiation does.
#include <gtest/gtest.h>

#include <string>

#include <dicomkit/net/ul/association.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/server/app/conformance.hpp>

namespace dicomkit::server::app {
namespace {

Config sample() {
    Config c;
    c.ae_title = "ARCHIVE";
    c.port = 4242;
    c.peers.push_back(Peer{"CT<1>", "10.0.0.5", 104, {"store", "query"}, true, false, {}, {}, {}});
    return c;
}

std::string statement(const Config& c, DocumentFormat format, bool workflow = true) {
    const pixel::CodecRegistry codecs = pixel::standard_codecs();
    ConformanceFacts f;
    f.config = &c;
    f.codecs = &codecs;
    f.workflow = workflow;
    f.index_description = "SQLite test.db";
    return conformance_statement(f, format);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Conformance, MarkdownNamesTheServicesContextsAndPeers) {
    const std::string md = statement(sample(), DocumentFormat::Markdown);
    EXPECT_TRUE(has(md, "# DICOM Conformance Statement: dicomkit serve, AE ARCHIVE")) << md.substr(0, 300);
    EXPECT_TRUE(has(md, "DICOM port 4242."));
    // The contexts accepted: Study Root FIND with relational extended negotiation, in the
    // uncompressed syntaxes, Explicit VR Little Endian first.
    EXPECT_TRUE(has(md, "| Study Root Query/Retrieve Information Model - FIND | 1.2.840.10008.5.1.4.1.2.2.1 | "
                        "Explicit VR Little Endian 1.2.840.10008.1.2.1; Implicit VR Little Endian"))
        << md;
    EXPECT_TRUE(has(md, "relational queries/retrieve (byte 1)"));
    EXPECT_TRUE(has(md, " | 1.2.840.10008.5.1.4.31 | Explicit VR Little Endian"));
    EXPECT_TRUE(has(md, "| Modality Performed Procedure Step SOP Class | 1.2.840.10008.3.1.2.3.3 |"));
    // Storage classes, every one of them, retired ones marked.
    EXPECT_TRUE(has(md, "| CT Image Storage | 1.2.840.10008.5.1.4.1.1.2 |"));
    EXPECT_TRUE(has(md, "(retired) |"));
    // Peers, with what they may do.
    EXPECT_TRUE(has(md, "| CT<1> | 10.0.0.5:104 | store, query | plain, address checked |")) << md;
    // Character sets and codecs.
    EXPECT_TRUE(has(md, "ISO 2022 IR 87"));
    EXPECT_TRUE(has(md, "| JPEG-LS Lossless Image Compression | 1.2.840.10008.1.2.4.80 | Yes | Yes |")) << md;
}

TEST(Conformance, WithoutWorkflowNeitherMppsNorCommitment) {
    const std::string md = statement(sample(), DocumentFormat::Markdown, false);
    EXPECT_FALSE(has(md, "1.2.840.10008.3.1.2.3.3"));
    EXPECT_FALSE(has(md, "Storage Commitment Push Model"));
}

TEST(Conformance, HtmlIsEscaped) {
    const std::string html = statement(sample(), DocumentFormat::Html);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_TRUE(has(html, "<td>CT&lt;1&gt;</td>"));
    EXPECT_FALSE(has(html, "CT<1>"));
    EXPECT_TRUE(has(html, "</body></html>"));
}

// What the statement lists as accepted is what negotiate() accepts, and a SOP class it does not
// list (a Print class) is refused.
TEST(Conformance, TheListedContextsAreTheNegotiatedOnes) {
    net::ul::AcceptorPolicy p;
    const Config c = sample();
    offer_contexts(p, c, true);
    bool mwl = false;
    for (const auto& s : p.syntaxes) mwl |= s.abstract_syntax == "1.2.840.10008.5.1.4.31";
    EXPECT_TRUE(mwl);
    ASSERT_TRUE(p.any_abstract_syntax_if);
    EXPECT_TRUE(p.any_abstract_syntax_if("1.2.840.10008.5.1.4.1.1.2"));         // CT Image Storage
    EXPECT_FALSE(p.any_abstract_syntax_if("1.2.840.10008.5.1.1.9"));            // Basic Grayscale Print
    EXPECT_FALSE(statement(c, DocumentFormat::Markdown).find("1.2.840.10008.5.1.1.9 |") != std::string::npos);
}

}  // namespace
}  // namespace dicomkit::server::app
