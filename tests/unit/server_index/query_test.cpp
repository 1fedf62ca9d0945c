// Query parsing: matching kinds (PS3.4 C.2.2.2), levels and the hierarchy rules.
#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/model/query.hpp>

namespace dicomkit::server::model {

TEST(Query, ClassifiesMatching) {
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    q.set_string(tags::PatientName, VR::PN, "DOE*");
    q.set_string(tags::StudyDate, VR::DA, "20200101-");
    q.set_string(tags::StudyInstanceUID, VR::UI, "1.2\\1.3");
    q.set_string(tags::AccessionNumber, VR::SH, "*");
    q.set_string(tags::StudyID, VR::SH, "");
    auto r = parse_query(Root::Study, q);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->level, Level::Study);
    ASSERT_EQ(r->conditions.size(), 3u);
    EXPECT_EQ(r->return_keys.size(), 5u);
    for (const auto& c : r->conditions) {
        if (c.key->tag == tags::PatientName) {
            EXPECT_EQ(c.match, Match::Wildcard);
        }
        if (c.key->tag == tags::StudyDate) {
            EXPECT_EQ(c.match, Match::Range);
            EXPECT_EQ(c.values, (std::vector<std::string>{"20200101", ""}));
        }
        if (c.key->tag == tags::StudyInstanceUID) {
            EXPECT_EQ(c.match, Match::List);
        }
    }
}

TEST(Query, LevelErrors) {
    DataSet q;
    EXPECT_FALSE(parse_query(Root::Study, q));
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "PATIENT");
    EXPECT_FALSE(parse_query(Root::Study, q));
    EXPECT_TRUE(parse_query(Root::Patient, q));
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    EXPECT_FALSE(parse_query(Root::Patient, q)) << "Patient Root STUDY level needs the Patient ID";
}

TEST(Query, Wildcards) {
    EXPECT_TRUE(wildcard_match("DO*", "doe^john", true));
    EXPECT_FALSE(wildcard_match("DO*", "doe^john", false));
    EXPECT_TRUE(wildcard_match("?OE*N", "DOE^JOHN", false));
    EXPECT_TRUE(wildcard_match("M?ller", "M\xc3\xbcller", false));
    EXPECT_FALSE(wildcard_match("A?", "A", false));
}

}  // namespace dicomkit::server::model
