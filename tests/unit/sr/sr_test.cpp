// The SR content tree (sr::build_document) and its text and JSON forms, on small documents
// built in code.
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/sr/document.hpp>
#include <dicomkit/sr/render.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace dicomkit;

namespace {

Element str(std::uint32_t tag, VR vr, std::string_view v) { return Element::from_string(Tag(tag), vr, v); }

Element seq(std::uint32_t tag, std::vector<DataSet> items) {
    return Element(Tag(tag), VR::SQ, Sequence(std::move(items)));
}

DataSet code(std::string_view value, std::string_view scheme, std::string_view meaning) {
    DataSet c;
    c.set(str(0x00080100, VR::SH, value));
    c.set(str(0x00080102, VR::SH, scheme));
    c.set(str(0x00080104, VR::LO, meaning));
    return c;
}

DataSet item(std::string_view rel, std::string_view vt, DataSet name) {
    DataSet d;
    d.set(str(0x0040A010, VR::CS, rel));
    d.set(str(0x0040A040, VR::CS, vt));
    d.set(seq(0x0040A043, {std::move(name)}));
    return d;
}

DataSet text_item(std::string_view rel, std::string_view text) {
    DataSet d = item(rel, "TEXT", code("T1", "99TEST", "Text"));
    d.set(str(0x0040A160, VR::UT, text));
    return d;
}

DataSet root(std::vector<DataSet> children) {
    DataSet ds;
    ds.set(str(0x00080016, VR::UI, "1.2.840.10008.5.1.4.1.1.88.33"));
    ds.set(str(0x00100010, VR::PN, "Doe^Jane"));
    ds.set(str(0x0040A491, VR::CS, "COMPLETE"));
    ds.set(str(0x0040A493, VR::CS, "UNVERIFIED"));
    ds.set(str(0x0040A040, VR::CS, "CONTAINER"));
    ds.set(str(0x0040A050, VR::CS, "SEPARATE"));
    ds.set(seq(0x0040A043, {code("126000", "DCM", "Imaging Measurement Report")}));
    ds.set(seq(0x0040A730, std::move(children)));
    return ds;
}

DataSet num_item() {
    DataSet mv;
    mv.set(str(0x0040A30A, VR::DS, "3.5"));
    mv.set(seq(0x004008EA, {code("mm", "UCUM", "millimeter")}));
    DataSet n = item("CONTAINS", "NUM", code("410668003", "SCT", "Length"));
    n.set(seq(0x0040A300, {mv}));
    return n;
}

sr::Document build(const DataSet& ds, sr::BuildOptions o = {}) {
    auto d = sr::build_document(ds, o);
    EXPECT_TRUE(d) << d.error().to_string();
    return d ? std::move(*d) : sr::Document{};
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t b = 0;
    for (std::size_t e; (e = s.find('\n', b)) != std::string::npos; b = e + 1) out.push_back(s.substr(b, e - b));
    return out;
}

sr::TextOptions no_header() {
    sr::TextOptions o;
    o.header = false;
    return o;
}

}  // namespace

TEST(SrDocument, TreeOfTextNumCodeAsDsrdumpPrintsIt) {
    DataSet c = item("HAS CONCEPT MOD", "CODE", code("G-C0E3", "SRT", "Finding Site"));
    c.set(seq(0x0040A168, {code("10200004", "SCT", "Liver")}));
    DataSet n = num_item();
    n.set(seq(0x0040A730, {c}));
    auto doc = build(root({text_item("CONTAINS", "A \"mass\"\r\nof"), n}));
    EXPECT_EQ(doc.item_count, 4u);
    EXPECT_EQ(doc.problem_count, 0u);
    EXPECT_EQ(doc.root.children.at(1).children.at(0).position, "1.2.1");
    EXPECT_EQ(doc.root.children.at(1).children.at(0).tag_path, "(0040,A730)[1].(0040,A730)[0]");
    auto l = lines(sr::to_text(doc, no_header()));
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[0], R"(1  <CONTAINER:(126000,DCM,"Imaging Measurement Report")=SEPARATE>)");
    EXPECT_EQ(l[1], R"(1.1  <contains TEXT:(T1,99TEST,"Text")="A "mass"\r\nof">)");
    EXPECT_EQ(l[2], R"(1.2  <contains NUM:(410668003,SCT,"Length")="3.5" (mm,UCUM,"millimeter")>)");
    EXPECT_EQ(l[3], R"(1.2.1  <has concept mod CODE:(G-C0E3,SRT,"Finding Site")=(10200004,SCT,"Liver")>)");
}

TEST(SrDocument, HeaderLines) {
    DataSet ds = root({});
    ds.set(str(0x00080023, VR::DA, "20240102"));
    ds.set(str(0x00080033, VR::TM, "030405.123"));
    std::string t = sr::to_text(build(ds));
    EXPECT_NE(t.find("Comprehensive SR Storage\n\n"), std::string::npos) << t;
    EXPECT_NE(t.find("Patient             : Doe^Jane\n"), std::string::npos) << t;
    EXPECT_NE(t.find("Completion Flag     : COMPLETE\n"), std::string::npos) << t;
    EXPECT_NE(t.find("Content Date/Time   : 2024-01-02 03:04:05\n"), std::string::npos) << t;
}

TEST(SrDocument, NumWithoutValueAndQualifier) {
    DataSet n = item("CONTAINS", "NUM", code("121206", "DCM", "Distance"));
    n.set(seq(0x0040A300, {}));
    n.set(seq(0x0040A301, {code("114006", "DCM", "Measurement failure")}));
    auto doc = build(root({n}));
    EXPECT_EQ(doc.problem_count, 0u);
    EXPECT_EQ(sr::item_line(doc.root.children.at(0)),
              R"(<contains NUM:(121206,DCM,"Distance")=empty (114006,DCM,"Measurement failure")>)");
}

TEST(SrDocument, ReferencesAndCoordinates) {
    DataSet ref;
    ref.set(str(0x00081150, VR::UI, "1.2.840.10008.5.1.4.1.1.2"));
    ref.set(str(0x00081155, VR::UI, "1.2.3"));
    ref.set(str(0x00081160, VR::IS, "5\\2"));
    DataSet ps;
    ps.set(str(0x00081150, VR::UI, "1.2.840.10008.5.1.4.1.1.11.1"));
    ps.set(str(0x00081155, VR::UI, "1.2.4"));
    ref.set(seq(0x00081199, {ps}));
    DataSet img = item("CONTAINS", "IMAGE", code("121112", "DCM", "Source"));
    img.set(seq(0x00081199, {ref}));
    DataSet sc = item("HAS PROPERTIES", "SCOORD", code("111030", "DCM", "Image Region"));
    sc.set(str(0x00700023, VR::CS, "CIRCLE"));
    std::vector<float> pts{0.f, 0.5f, 255.f, 255.f};
    sc.set(Element::from_numbers<float>(Tag(0x00700022), VR::FL, pts));
    DataSet tc = item("CONTAINS", "TCOORD", code("121055", "DCM", "Path"));
    tc.set(str(0x0040A130, VR::CS, "SEGMENT"));
    tc.set(str(0x0040A138, VR::DS, "1\\2.5"));
    DataSet by;
    by.set(str(0x0040A010, VR::CS, "SELECTED FROM"));
    std::vector<std::uint32_t> target{1, 2};
    by.set(Element::from_numbers<std::uint32_t>(Tag(0x0040DB73), VR::UL, target));
    tc.set(seq(0x0040A730, {by}));
    auto doc = build(root({img, sc, tc}));
    EXPECT_EQ(doc.problem_count, 0u) << sr::to_text(doc);
    auto l = lines(sr::to_text(doc, no_header()));
    ASSERT_EQ(l.size(), 5u);
    EXPECT_EQ(l[1], R"(1.1  <contains IMAGE:(121112,DCM,"Source")=(CTImageStorage,"1.2.3",5,2),)"
                    R"((GrayscaleSoftcopyPresentationStateStorage,"1.2.4")>)");
    EXPECT_EQ(l[2], R"(1.2  <has properties SCOORD:(111030,DCM,"Image Region")=(CIRCLE,0/0.5,255/255)>)");
    EXPECT_EQ(l[3], R"(1.3  <contains TCOORD:(121055,DCM,"Path")=(SEGMENT,1,2.5)>)");
    EXPECT_EQ(l[4], "1.3.1  <selected from 1.2>");
    sr::TextOptions uids = no_header();
    uids.sop_class_uids = true;
    EXPECT_EQ(sr::item_line(doc.root.children[0], uids),
              R"(<contains IMAGE:(121112,DCM,"Source")=("1.2.840.10008.5.1.4.1.1.2","1.2.3",5,2),)"
              R"(("1.2.840.10008.5.1.4.1.1.11.1","1.2.4")>)");
}

TEST(SrDocument, BadItemsAreMarkedWithTheirTagPath) {
    DataSet no_vt;
    no_vt.set(str(0x0040A010, VR::CS, "CONTAINS"));
    DataSet unknown = item("CONTAINS", "WIBBLE", code("1", "99TEST", "x"));
    DataSet broken_ref;
    broken_ref.set(str(0x0040A010, VR::CS, "INFERRED FROM"));
    std::vector<std::uint32_t> target{1, 9, 9};
    broken_ref.set(Element::from_numbers<std::uint32_t>(Tag(0x0040DB73), VR::UL, target));
    DataSet no_text = item("CONTAINS", "TEXT", code("2", "99TEST", "y"));
    auto doc = build(root({no_vt, unknown, broken_ref, no_text, text_item("CONTAINS", "fine")}));
    EXPECT_EQ(doc.item_count, 6u);
    ASSERT_EQ(doc.root.children.size(), 5u);
    auto has = [](const sr::ContentItem& i, std::string_view what) {
        for (const auto& p : i.problems)
            if (p.find(what) != std::string::npos) return true;
        return false;
    };
    EXPECT_TRUE(has(doc.root.children[0], "(0040,A730)[0]: missing Value Type (0040,A040)"));
    EXPECT_TRUE(has(doc.root.children[1], "(0040,A730)[1]: unknown Value Type 'WIBBLE'"));
    EXPECT_TRUE(has(doc.root.children[2], "(0040,A730)[2].(0040,DB73): by-reference to 1.9.9: no such"));
    EXPECT_TRUE(has(doc.root.children[3], "(0040,A730)[3].(0040,A160): missing"));
    EXPECT_TRUE(doc.root.children[4].problems.empty());
    std::string t = sr::to_text(doc, no_header());
    EXPECT_NE(t.find("1.1  <contains ?:=>\n1.1  ! (0040,A730)[0]: missing Value Type"), std::string::npos) << t;
    EXPECT_NE(t.find("1.3  <inferred from 1.9.9>\n1.3  ! "), std::string::npos) << t;
    std::string j = sr::to_json(doc);
    EXPECT_NE(j.find(R"("problems": ["(0040,A730)[1]: unknown Value Type 'WIBBLE'"])"), std::string::npos) << j;
}

TEST(SrDocument, ByReferenceToAnAncestorOrItselfIsMarked) {
    DataSet by;
    by.set(str(0x0040A010, VR::CS, "INFERRED FROM"));
    std::vector<std::uint32_t> target{1};
    by.set(Element::from_numbers<std::uint32_t>(Tag(0x0040DB73), VR::UL, target));
    auto doc = build(root({by}));
    ASSERT_EQ(doc.root.children.at(0).problems.size(), 1u);
    EXPECT_NE(doc.root.children[0].problems[0].find("an item above it"), std::string::npos);
}

TEST(SrDocument, DepthIsBounded) {
    DataSet inner = text_item("CONTAINS", "deep");
    for (int i = 0; i < 200; ++i) {
        DataSet c = item("CONTAINS", "CONTAINER", code("C", "99TEST", "c"));
        c.set(str(0x0040A050, VR::CS, "SEPARATE"));
        c.set(seq(0x0040A730, {inner}));
        inner = std::move(c);
    }
    sr::BuildOptions o;
    o.max_depth = 10;
    auto doc = build(root({inner}), o);
    EXPECT_EQ(doc.item_count, 10u);
    const sr::ContentItem* at = &doc.root;
    while (!at->children.empty()) at = &at->children[0];
    ASSERT_EQ(at->problems.size(), 1u);
    EXPECT_NE(at->problems[0].find("nested deeper than 10 levels"), std::string::npos);
    EXPECT_EQ(build(root({inner})).item_count, 64u);
}

TEST(SrDocument, NotAnSrIsAnError) {
    DataSet ds;
    ds.set(str(0x00100010, VR::PN, "Doe^Jane"));
    auto d = sr::build_document(ds);
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().to_string().find("not a Structured Report"), std::string::npos);
}

TEST(SrDocument, CharacterSetIsDecoded) {
    DataSet ds = root({text_item("CONTAINS", "J\xF6rg")});
    ds.set(str(0x00080005, VR::CS, "ISO_IR 100"));
    auto doc = build(ds);
    EXPECT_EQ(doc.root.children.at(0).text, "J\xC3\xB6rg");
}

TEST(SrDocument, JsonTree) {
    auto doc = build(root({num_item()}));
    std::string j = sr::to_json(doc);
    EXPECT_NE(j.find(R"("itemCount": 2)"), std::string::npos) << j;
    EXPECT_NE(j.find(R"("conceptName": {"value": "410668003", "scheme": "SCT", "meaning": "Length"})"),
              std::string::npos) << j;
    EXPECT_NE(j.find(R"("units": {"value": "mm", "scheme": "UCUM", "meaning": "millimeter"})"),
              std::string::npos) << j;
    EXPECT_NE(j.find(R"("relationship": "CONTAINS")"), std::string::npos) << j;
}

TEST(SrDocument, FilesOfTestData) {
    auto f = io::read_file(DICOMKIT_TEST_DATA "/sr/enhanced_sr.dcm");
    ASSERT_TRUE(f) << f.error().to_string();
    auto doc = build(f->dataset);
    EXPECT_EQ(doc.item_count, 19u);
    EXPECT_EQ(doc.problem_count, 0u) << sr::to_text(doc);
    auto b = io::read_file(DICOMKIT_TEST_DATA "/sr/broken_sr.dcm");
    ASSERT_TRUE(b) << b.error().to_string();
    EXPECT_EQ(build(b->dataset).item_count, 6u);
}
