// The level of every attribute (PS3.4 C.6 via the IEs of PS3.3) and the attributes blob kept with
// each level's row: what goes in, that it comes back out, and that damage is an error.
#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/sql/attributes.hpp>
#include <dicomkit/server/model/entity_level.hpp>

namespace dicomkit::server {
namespace {

using model::Level;

TEST(EntityLevel, ModulesOfEachLevel) {
    EXPECT_EQ(model::entity_level(tags::PatientComments), Level::Patient);
    EXPECT_EQ(model::entity_level(tags::OtherPatientIDsSequence), Level::Patient);
    EXPECT_EQ(model::entity_level(tags::ReferencedPatientSequence), Level::Patient);
    EXPECT_EQ(model::entity_level(tags::ClinicalTrialSubjectID), Level::Patient);
    EXPECT_EQ(model::entity_level(tags::PatientAge), Level::Study) << "Patient Study module";
    EXPECT_EQ(model::entity_level(tags::AccessionNumber), Level::Study);
    EXPECT_EQ(model::entity_level(tags::ProcedureCodeSequence), Level::Study);
    EXPECT_EQ(model::entity_level(tags::ClinicalTrialTimePointID), Level::Study);
    EXPECT_EQ(model::entity_level(tags::Modality), Level::Series);
    EXPECT_EQ(model::entity_level(tags::Manufacturer), Level::Series) << "Equipment";
    EXPECT_EQ(model::entity_level(tags::FrameOfReferenceUID), Level::Series);
    EXPECT_EQ(model::entity_level(tags::AnatomicalOrientationType), Level::Series);
    EXPECT_EQ(model::entity_level(tags::ClinicalTrialSeriesID), Level::Series);
    EXPECT_EQ(model::entity_level(tags::Rows), Level::Image);
    EXPECT_EQ(model::entity_level(tags::ContentDate), Level::Image);
}

DataSet decoded(const std::string& blob) {
    auto ds = index::sql::decode_blob(blob);
    EXPECT_TRUE(ds) << ds.error().to_string();
    return ds ? *ds : DataSet{};
}

TEST(AttributesBlob, EachLevelKeepsItsAttributes) {
    DataSet ds;
    ds.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 100");
    ds.set_string(tags::PatientName, VR::PN, "In^Column");
    const std::string latin1 = "M\xfcller";
    ds.set(Element::from_bytes(tags::OtherPatientNames, VR::PN,
                               std::span(reinterpret_cast<const std::uint8_t*>(latin1.data()), latin1.size())));
    DataSet code;
    code.set_string(tags::CodeValue, VR::SH, "X1");
    DataSet nested;
    nested.set(Element(tags::ConceptNameCodeSequence, VR::SQ, Sequence{{code}}));
    ds.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{{code, nested}}));
    ds.set_string(tags::Manufacturer, VR::LO, "ACME");
    ds.set(Element::from_number<std::uint16_t>(tags::Columns, VR::US, 256));
    ds.set(Element(tags::LUTData, VR::OW, Bytes(5000, 1)));
    ds.set(Element(tags::PixelData, VR::OW, Bytes(16, 0)));
    ds.set_string(Tag{0x0029, 0x0010}, VR::LO, "CREATOR");
    const auto blobs = index::sql::level_blobs(ds, SpecificCharacterSet::lenient_parse("ISO_IR 100"));

    const DataSet patient = decoded(blobs[0]);
    EXPECT_EQ(patient.size(), 1u) << "Patient's Name is a column; Specific Character Set is not kept";
    EXPECT_EQ(patient.string_or(tags::OtherPatientNames), "M\xc3\xbcller");
    const DataSet study = decoded(blobs[1]);
    const Element* seq = study.find(tags::ProcedureCodeSequence);
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 2u);
    EXPECT_EQ(seq->sequence().items[0].string_or(tags::CodeValue), "X1");
    const Element* inner = seq->sequence().items[1].find(tags::ConceptNameCodeSequence);
    ASSERT_TRUE(inner && inner->is_sequence());
    EXPECT_EQ(inner->sequence().items.at(0).string_or(tags::CodeValue), "X1");
    EXPECT_EQ(decoded(blobs[2]).string_or(tags::Manufacturer), "ACME");
    const DataSet image = decoded(blobs[3]);
    EXPECT_EQ(image.size(), 1u) << "no pixel data, private or large values";
    EXPECT_EQ(image.get_number<std::uint16_t>(tags::Columns).value_or(0), 256);
}

TEST(AttributesBlob, DamageIsAnError) {
    EXPECT_TRUE(index::sql::decode_blob("")->empty()) << "rows from before the blobs";
    DataSet ds;
    ds.set_string(tags::ContentDate, VR::DA, "20240101");
    std::string blob = index::sql::level_blobs(ds, SpecificCharacterSet{})[3];
    EXPECT_EQ(decoded(blob).string_or(tags::ContentDate), "20240101");
    EXPECT_FALSE(index::sql::decode_blob(blob.substr(0, blob.size() - 1)));
    EXPECT_FALSE(index::sql::decode_blob(blob.substr(0, 5)));
    blob[0] = 9;
    EXPECT_FALSE(index::sql::decode_blob(blob)) << "an unknown version";
}

}  // namespace
}  // namespace dicomkit::server
