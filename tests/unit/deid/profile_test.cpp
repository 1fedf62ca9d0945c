#include <gtest/gtest.h>

#include <dicomkit/deid/profile.hpp>
#include <dicomkit/deid/recipe.hpp>
#include <dicomkit/dict/tags.hpp>

using namespace dicomkit;
using namespace dicomkit::deid;

TEST(Profile, TableIsSortedAndHasTheKnownRows) {
    auto t = profile_table();
    ASSERT_GT(t.size(), 600u);
    for (std::size_t i = 1; i < t.size(); ++i) EXPECT_LE(t[i - 1].tag, t[i].tag);
    const ProfileEntry* name = find_profile_entry(tags::PatientName);
    ASSERT_NE(name, nullptr);
    EXPECT_EQ(name->basic, Action::Z);
    const ProfileEntry* sop = find_profile_entry(tags::SOPInstanceUID);
    ASSERT_NE(sop, nullptr);
    EXPECT_EQ(sop->basic, Action::U);
    EXPECT_EQ(find_profile_entry(Tag{0x0028, 0x0010}), nullptr);  // Rows: not in the table
}

TEST(Profile, RepeatingGroupsMatchByMask) {
    const ProfileEntry* overlay = find_profile_entry(Tag{0x6002, 0x3000});
    ASSERT_NE(overlay, nullptr);
    EXPECT_EQ(overlay->basic, Action::X);
    EXPECT_EQ(overlay->name, "Overlay Data");
    const ProfileEntry* comments = find_profile_entry(Tag{0x601E, 0x4000});
    ASSERT_NE(comments, nullptr);
    EXPECT_EQ(comments->name, "Overlay Comments");
    const ProfileEntry* curve = find_profile_entry(Tag{0x5004, 0x0110});
    ASSERT_NE(curve, nullptr);
    EXPECT_EQ(curve->name, "Curve Data");
    EXPECT_EQ(find_profile_entry(Tag{0x6000, 0x0010}), nullptr);  // Overlay Rows stays
}

TEST(Profile, OptionsChangeTheAction) {
    Options o;
    const ProfileEntry* sop = find_profile_entry(tags::SOPInstanceUID);
    EXPECT_EQ(effective_action(*sop, o.columns()), Action::U);
    o.retain_uids = true;
    EXPECT_EQ(effective_action(*sop, o.columns()), Action::K);

    const ProfileEntry* study_date = find_profile_entry(tags::StudyDate);
    ASSERT_NE(study_date, nullptr);
    Options dates;
    EXPECT_EQ(effective_action(*study_date, dates.columns()), Action::Z);
    dates.dates = DateOption::Full;
    EXPECT_EQ(effective_action(*study_date, dates.columns()), Action::K);
    dates.dates = DateOption::Modified;
    EXPECT_EQ(effective_action(*study_date, dates.columns()), Action::C);

    const ProfileEntry* institution = find_profile_entry(tags::InstitutionName);
    ASSERT_NE(institution, nullptr);
    Options inst;
    inst.retain_institution_identity = true;
    EXPECT_EQ(effective_action(*institution, inst.columns()), Action::K);
}

TEST(Profile, CombinedActionsResolveToKeepTheAttribute) {
    EXPECT_EQ(resolve(Action::XZ), Action::Z);
    EXPECT_EQ(resolve(Action::XD), Action::D);
    EXPECT_EQ(resolve(Action::ZD), Action::D);
    EXPECT_EQ(resolve(Action::XZD), Action::D);
    EXPECT_EQ(resolve(Action::XZU), Action::U);
    EXPECT_EQ(resolve(Action::X), Action::X);
    EXPECT_EQ(*parse_action("x/z/u*"), Action::XZU);
    EXPECT_FALSE(parse_action("Q"));
}
