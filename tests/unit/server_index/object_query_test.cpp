// C-FIND matching over non-patient objects (model::parse_object_query / match_object): every key
// matched as its VR implies (PS3.4 C.2.2.2) and returned, as the Color Palette and Hanging
// Protocol models ask (PS3.4 X.6.1, U.6.1).
#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/model/non_patient.hpp>

namespace dicomkit::server::model::test {
namespace {

DataSet palette() {
    DataSet ds;
    ds.set_string(tags::SOPClassUID, VR::UI, "1.2.840.10008.5.1.4.39.1");
    ds.set_string(tags::SOPInstanceUID, VR::UI, "1.2.3.4");
    ds.set_string(tags::ContentLabel, VR::CS, "HOT_IRON");
    ds.set_string(tags::ContentDescription, VR::LO, "Hot Iron");
    ds.set_string(tags::ContentCreatorName, VR::PN, "Smith^Ann");
    ds.set_string(tags::InstanceCreationDate, VR::DA, "20240102");
    return ds;
}

std::optional<DataSet> ask(std::initializer_list<std::pair<Tag, std::pair<VR, const char*>>> keys) {
    DataSet q;
    for (const auto& [t, v] : keys) q.set_string(t, v.first, v.second);
    auto parsed = parse_object_query(q);
    EXPECT_TRUE(parsed) << parsed.error().to_string();
    return parsed ? match_object(*parsed, palette()) : std::nullopt;
}

TEST(ObjectQuery, ModelsAndTheirSopClasses) {
    EXPECT_TRUE(is_non_patient_storage("1.2.840.10008.5.1.4.39.1"));
    EXPECT_TRUE(is_non_patient_storage("1.2.840.10008.5.1.4.38.1"));
    EXPECT_TRUE(is_non_patient_storage("1.2.840.10008.5.1.4.1.1.200.1"));
    EXPECT_FALSE(is_non_patient_storage("1.2.840.10008.5.1.4.1.1.7"));
    const auto* m = non_patient_model("1.2.840.10008.5.1.4.39.4");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->name, "Color Palette");
    EXPECT_EQ(m->find, "1.2.840.10008.5.1.4.39.2");
    EXPECT_FALSE(non_patient_model("1.2.840.10008.5.1.4.1.2.2.1")) << "Study Root is not one";
    EXPECT_FALSE(non_patient_model(""));
}

TEST(ObjectQuery, ReturnsTheRequestedKeysOfAMatch) {
    auto m = ask({{tags::SOPInstanceUID, {VR::UI, ""}}, {tags::ContentLabel, {VR::CS, "HOT_IRON"}},
                  {tags::ContentCreatorName, {VR::PN, ""}}, {tags::PatientName, {VR::PN, ""}}});
    ASSERT_TRUE(m);
    EXPECT_EQ(m->string_or(tags::SOPInstanceUID), "1.2.3.4");
    EXPECT_EQ(m->string_or(tags::ContentCreatorName), "Smith^Ann");
    ASSERT_TRUE(m->find(tags::PatientName)) << "an unknown key comes back empty";
    EXPECT_EQ(m->find(tags::PatientName)->length(), 0u);
    EXPECT_FALSE(m->find(tags::ContentDescription)) << "only what was asked";
}

TEST(ObjectQuery, MatchesAsTheVrImplies) {
    EXPECT_TRUE(ask({{tags::ContentLabel, {VR::CS, "HOT*"}}}));
    EXPECT_FALSE(ask({{tags::ContentLabel, {VR::CS, "COLD*"}}}));
    EXPECT_TRUE(ask({{tags::ContentCreatorName, {VR::PN, "smith*"}}})) << "person names ignore case";
    EXPECT_TRUE(ask({{tags::InstanceCreationDate, {VR::DA, "20240101-20240131"}}}));
    EXPECT_FALSE(ask({{tags::InstanceCreationDate, {VR::DA, "-20231231"}}}));
    EXPECT_TRUE(ask({{tags::SOPInstanceUID, {VR::UI, "9.9\\1.2.3.4"}}})) << "a list of UIDs";
    EXPECT_FALSE(ask({{tags::SOPInstanceUID, {VR::UI, "1.2.3"}}}));
    EXPECT_FALSE(ask({{tags::StudyInstanceUID, {VR::UI, "1.2"}}})) << "a value the object has not got";
}

}  // namespace
}  // namespace dicomkit::server::model::test
