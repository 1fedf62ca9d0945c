// to_xml / from_xml: the Native DICOM Model (PS3.19 A.1), exact text, round trips, malformed input.
#include <dicomkit/json/xml.hpp>

#include <gtest/gtest.h>

#include "sample_data.hpp"

using namespace dicomkit;
using namespace dicomkit::json;
using namespace dicomkit::json::test;

namespace {

constexpr std::string_view kHeader =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NativeDicomModel xml:space=\"preserve\">";

std::string xml(const DataSet& ds, XmlOptions options = {}) {
    auto r = to_xml(ds, options);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : std::string();
}

Error read_error(std::string_view text, XmlReadOptions options = {}) {
    auto r = from_xml(text, options);
    EXPECT_FALSE(r) << "accepted: " << text;
    return r ? Error() : r.error();
}

std::string doc(std::string_view body) {
    return fmt::format("<?xml version=\"1.0\"?><NativeDicomModel>{}</NativeDicomModel>", body);
}

}  // namespace

TEST(Xml, ExactDocument) {
    DataSet item = make({str(0x00081155, VR::UI, "1.2")});
    DataSet ds = make(
        {str(0x00080008, VR::CS, "ORIGINAL\\\\AXIAL"), seq(0x00081032, {}),
         seq(0x00081140, {item, DataSet()}), str(0x00100010, VR::PN, "Doe^John^^Dr.=Ideo\\\\Roe"),
         str(0x00100020, VR::LO, "a<&>\"b"),
         nums<std::uint16_t>(0x00209165, VR::AT, {0x0010, 0x0010}),
         nums<double>(0x00189087, VR::FD, {0.5, std::numeric_limits<double>::infinity()}),
         bytes(0x00291105, VR::OB, {1, 2, 3, 4})});
    EXPECT_EQ(xml(ds), std::string(kHeader) + R"(
  <DicomAttribute tag="00080008" vr="CS" keyword="ImageType">
    <Value number="1">ORIGINAL</Value>
    <Value number="2"/>
    <Value number="3">AXIAL</Value>
  </DicomAttribute>
  <DicomAttribute tag="00081032" vr="SQ" keyword="ProcedureCodeSequence"/>
  <DicomAttribute tag="00081140" vr="SQ" keyword="ReferencedImageSequence">
    <Item number="1">
      <DicomAttribute tag="00081155" vr="UI" keyword="ReferencedSOPInstanceUID">
        <Value number="1">1.2</Value>
      </DicomAttribute>
    </Item>
    <Item number="2"/>
  </DicomAttribute>
  <DicomAttribute tag="00100010" vr="PN" keyword="PatientName">
    <PersonName number="1">
      <Alphabetic>
        <FamilyName>Doe</FamilyName>
        <GivenName>John</GivenName>
        <NamePrefix>Dr.</NamePrefix>
      </Alphabetic>
      <Ideographic>
        <FamilyName>Ideo</FamilyName>
      </Ideographic>
    </PersonName>
    <PersonName number="2"/>
    <PersonName number="3">
      <Alphabetic>
        <FamilyName>Roe</FamilyName>
      </Alphabetic>
    </PersonName>
  </DicomAttribute>
  <DicomAttribute tag="00100020" vr="LO" keyword="PatientID">
    <Value number="1">a&lt;&amp;&gt;"b</Value>
  </DicomAttribute>
  <DicomAttribute tag="00189087" vr="FD" keyword="DiffusionBValue">
    <Value number="1">0.5</Value>
    <Value number="2">INF</Value>
  </DicomAttribute>
  <DicomAttribute tag="00209165" vr="AT" keyword="DimensionIndexPointer">
    <Value number="1">00100010</Value>
  </DicomAttribute>
  <DicomAttribute tag="00291105" vr="OB">
    <InlineBinary>AQIDBA==</InlineBinary>
  </DicomAttribute>
</NativeDicomModel>
)");
}

TEST(Xml, CompactAndNamespace) {
    DataSet ds = make({str(0x00100020, VR::LO, "ID1"), str(0x00180015, VR::CS, "")});
    EXPECT_EQ(
        xml(ds, {.indent = 0, .with_namespace = true}),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NativeDicomModel "
        "xmlns=\"http://dicom.nema.org/PS3.19/models/NativeDICOM\" xml:space=\"preserve\">"
        "<DicomAttribute tag=\"00100020\" vr=\"LO\" keyword=\"PatientID\"><Value "
        "number=\"1\">ID1</Value>"
        "</DicomAttribute><DicomAttribute tag=\"00180015\" vr=\"CS\" keyword=\"BodyPartExamined\"/>"
        "</NativeDicomModel>\n");
    auto back = from_xml(xml(ds, {.indent = 0, .with_namespace = true}));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_TRUE(*back == ds);
}

TEST(Xml, PrivateElementsAsGggg00eeWithCreator) {
    DataSet ds = make({str(0x00290010, VR::LO, "ACME 1.0"), str(0x00290011, VR::LO, "OTHER"),
                       str(0x00291001, VR::SH, "x"), bytes(0x00291105, VR::OB, {1, 2}),
                       str(0x00311001, VR::LO, "orphan")});
    std::string text = xml(ds, {.indent = 0});
    EXPECT_NE(
        text.find(R"(<DicomAttribute tag="00290010" vr="LO"><Value number="1">ACME 1.0</Value>)"),
        std::string::npos);
    EXPECT_NE(text.find(R"(<DicomAttribute tag="00290001" vr="SH" privateCreator="ACME 1.0">)"),
              std::string::npos);
    EXPECT_NE(text.find(R"(<DicomAttribute tag="00290005" vr="OB" privateCreator="OTHER">)"),
              std::string::npos);
    // No creator holds the block: the tag stays as it is.
    EXPECT_NE(text.find(R"(<DicomAttribute tag="00311001" vr="LO">)"), std::string::npos);
    auto back = from_xml(text);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_TRUE(*back == ds);
}

TEST(Xml, PrivateCreatorReservesABlockWhenMissing) {
    auto ds = from_xml(doc(
        R"(<DicomAttribute tag="00090010" vr="LO"><Value number="1">FIRST</Value></DicomAttribute>
        <DicomAttribute tag="00090002" vr="US" privateCreator="SECOND"><Value number="1">7</Value></DicomAttribute>
        <DicomAttribute tag="00090003" vr="US" privateCreator="FIRST"><Value number="1">8</Value></DicomAttribute>)"));
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->get_string(Tag(0x00090011)).value(), "SECOND");
    EXPECT_EQ(ds->get_number<int>(Tag(0x00091102)).value(), 7);
    EXPECT_EQ(ds->get_number<int>(Tag(0x00091003)).value(), 8);
    Error e = read_error(doc(
        R"(<DicomAttribute tag="00090010" vr="LO"><Value number="1">FIRST</Value></DicomAttribute>
        <DicomAttribute tag="00091003" vr="US" privateCreator="OTHER"><Value number="1">8</Value></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::InvalidValue);
}

TEST(Xml, RoundTripEverything) {
    DataSet ds = everything();
    for (int indent : {0, 2}) {
        auto text = to_xml(ds, {.indent = indent});
        ASSERT_TRUE(text) << text.error().to_string();
        auto back = from_xml(*text);
        ASSERT_TRUE(back) << back.error().to_string();
        EXPECT_TRUE(*back == ds);
        EXPECT_EQ(to_xml(*back, {.indent = indent}).value(), *text);
    }
}

TEST(Xml, CharacterSets) {
    DataSet latin1 =
        make({str(0x00080005, VR::CS, "ISO_IR 100"), str(0x00100010, VR::PN, "M\xFCller^Hans")});
    std::string text = xml(latin1);
    EXPECT_NE(text.find("<FamilyName>M\xC3\xBCller</FamilyName>"), std::string::npos);
    auto back = from_xml(text);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_TRUE(*back == latin1);

    auto utf8 = from_xml(doc(
        R"(<DicomAttribute tag="00100020" vr="LO"><Value number="1">Café</Value></DicomAttribute>)"));
    ASSERT_TRUE(utf8) << utf8.error().to_string();
    EXPECT_EQ(utf8->get_string(Tag(0x00080005)).value(), "ISO_IR 192");
    EXPECT_EQ(utf8->get_string(Tag(0x00100020)).value(), "Caf\xC3\xA9");
}

TEST(Xml, ValuesOutOfOrderAreSortedByNumber) {
    auto ds = from_xml(doc(
        R"(<DicomAttribute tag="00280010" vr="US"><Value number="2">7</Value><Value number="1">512</Value></DicomAttribute>
        <DicomAttribute tag="00100010"><PersonName number="1"><Alphabetic><GivenName>J</GivenName></Alphabetic></PersonName></DicomAttribute>)"));
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->find(Tag(0x00280010))->numbers<std::uint16_t>().value(),
              (std::vector<std::uint16_t>{512, 7}));
    // vr is optional (PS3.19 A.1.5): the dictionary's VR.
    EXPECT_EQ(ds->find(Tag(0x00100010))->vr(), VR::PN);
    EXPECT_EQ(ds->get_string(Tag(0x00100010)).value(), "^J");
}

TEST(Xml, WriteErrors) {
    auto r = to_xml(make({seq(0x00081140, {make({str(0x00081030, VR::LO, "bell\x07")})})}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidValue);
    EXPECT_EQ(r.error().tag_path, "(0008,1140)[0].(0008,1030)");
    auto deferred = to_xml(make({Element(Tag(0x7FE00010), VR::OB, DeferredValue{10, 20})}));
    ASSERT_FALSE(deferred);
    EXPECT_EQ(deferred.error().code, ErrorCode::Unsupported);
    auto referred = to_xml(make({Element(Tag(0x7FE00010), VR::OB, DeferredValue{10, 20})}),
                           {.bulk_data = refer_values_over(0, "https://h/")});
    ASSERT_TRUE(referred);
    EXPECT_NE(referred->find(R"(<BulkData uri="https://h/%287FE0%2C0010%29"/>)"),
              std::string::npos);
}

TEST(Xml, MalformedDocuments) {
    Error e = read_error("<NativeDicomModel><DicomAttribute tag=\"00100020\" vr=\"LO\">");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_NE(e.message.find("line"), std::string::npos);
    EXPECT_EQ(read_error("").code, ErrorCode::ParseError);
    EXPECT_EQ(read_error("<Other/>").code, ErrorCode::ParseError);
    e = read_error("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><NativeDicomModel/>");
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_NE(e.message.find("document type"), std::string::npos);
    EXPECT_EQ(read_error(doc("<Unknown/>")).code, ErrorCode::ParseError);
    EXPECT_EQ(read_error(doc("stray text")).code, ErrorCode::ParseError);
}

TEST(Xml, MalformedAttributesCarryTheTagPath) {
    Error e = read_error(doc(R"(<DicomAttribute tag="0010001G" vr="LO"/>)"));
    EXPECT_EQ(e.code, ErrorCode::InvalidTag);
    EXPECT_EQ(read_error(doc(R"(<DicomAttribute vr="LO"/>)")).code, ErrorCode::ParseError);
    e = read_error(doc(R"(<DicomAttribute tag="00100020" vr="L0"/>)"));
    EXPECT_EQ(e.code, ErrorCode::InvalidVR);
    EXPECT_EQ(e.tag_path, "(0010,0020)");
    e = read_error(doc(R"(<DicomAttribute tag="00081140" vr="SQ"><Item number="1">
        <DicomAttribute tag="00291105" vr="OB"><InlineBinary>AQ*D</InlineBinary></DicomAttribute></Item></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::InvalidValue);
    EXPECT_EQ(e.tag_path, "(0008,1140)[0].(0029,1105)");
    e = read_error(
        doc(R"(<DicomAttribute tag="00280010" vr="US"><Value>1</Value></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    EXPECT_EQ(e.tag_path, "(0028,0010)");
    e = read_error(doc(
        R"(<DicomAttribute tag="00280010" vr="US"><Value number="1">1</Value><Value number="3">2</Value></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(doc(
        R"(<DicomAttribute tag="00280010" vr="US"><Value number="1">70000</Value></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::InvalidValue);
    e = read_error(
        doc(R"(<DicomAttribute tag="00280010" vr="US"><Item number="1"/></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(doc(
        R"(<DicomAttribute tag="00100010" vr="PN"><Value number="1">A^B</Value></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(doc(
        R"(<DicomAttribute tag="00100010" vr="PN"><PersonName number="1"><Alphabetic><FamilyName>A^B</FamilyName></Alphabetic></PersonName></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::InvalidValue);
    e = read_error(doc(
        R"(<DicomAttribute tag="00291105" vr="OB"><Value number="1">1</Value></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::ParseError);
    e = read_error(doc(
        R"(<DicomAttribute tag="00291105" vr="OB"><BulkData uri="https://h/1"/></DicomAttribute>)"));
    EXPECT_EQ(e.code, ErrorCode::Unsupported);
    e = read_error(
        doc(R"(<DicomAttribute tag="00100020" vr="LO"/><DicomAttribute tag="00100020" vr="LO"/>)"));
    EXPECT_EQ(e.code, ErrorCode::ParseError);
}

TEST(Xml, BulkDataReader) {
    XmlReadOptions options;
    options.bulk_data = [](std::string_view uri, Tag, VR, std::string_view) -> Result<Bytes> {
        if (uri == "urn:uuid:15ad5ac6-e60b-01f1-c1c6-39fff123f11c") return Bytes{9, 8};
        return make_error(ErrorCode::NotFound, "no such bulk data");
    };
    auto ds = from_xml(
        doc(R"(<DicomAttribute tag="00291105" vr="OB"><BulkData uuid="15ad5ac6-e60b-01f1-c1c6-39fff123f11c"/></DicomAttribute>)"),
        options);
    ASSERT_TRUE(ds) << ds.error().to_string();
    EXPECT_EQ(ds->find(Tag(0x00291105))->bytes().size(), 2u);
    Error e = read_error(
        doc(R"(<DicomAttribute tag="00291105" vr="OB"><BulkData uri="x"/></DicomAttribute>)"),
        options);
    EXPECT_EQ(e.code, ErrorCode::NotFound);
    EXPECT_EQ(e.tag_path, "(0029,1105)");
}

TEST(Xml, NestingLimit) {
    DataSet inner = make({str(0x00100020, VR::LO, "x")});
    for (int i = 0; i < 4; ++i) inner = make({seq(0x00081140, {inner})});
    auto text = to_xml(inner).value();
    EXPECT_TRUE(from_xml(text));
    EXPECT_EQ(read_error(text, {.max_depth = 3}).code, ErrorCode::LimitExceeded);
}
