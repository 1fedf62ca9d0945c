// Sequence keys (PS3.4 C.2.2.2.6) and relational queries (C.4.1.2.2) in query parsing, and
// the matching done outside SQL.
#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/model/query.hpp>

namespace dicomkit::server::model {

namespace {

DataSet code(const char* value, const char* scheme, const char* meaning) {
    DataSet item;
    item.set_string(tags::CodeValue, VR::SH, value);
    item.set_string(tags::CodingSchemeDesignator, VR::SH, scheme);
    item.set_string(tags::CodeMeaning, VR::LO, meaning);
    return item;
}

DataSet study_query() {
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    q.set_string(tags::StudyInstanceUID, VR::UI, "");
    return q;
}

}  // namespace

TEST(SequenceQuery, ItemKeysBecomeAConditionWithTheirVrsMatching) {
    DataSet q = study_query();
    DataSet item;
    item.set_string(tags::CodeValue, VR::SH, "RP*");
    item.set_string(tags::CodingSchemeDesignator, VR::SH, "RADLEX");
    item.set_string(tags::CodeMeaning, VR::LO, "");
    q.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{{item}}));
    auto r = parse_query(Root::Study, q);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->conditions.empty());
    ASSERT_EQ(r->sequences.size(), 1u);
    const SequenceCondition& c = r->sequences[0];
    EXPECT_EQ(c.tag, tags::ProcedureCodeSequence);
    EXPECT_EQ(c.level, Level::Study);
    EXPECT_TRUE(c.matching);
    ASSERT_EQ(c.item.size(), 3u);
    EXPECT_EQ(c.item[0].key.tag, tags::CodeValue);
    EXPECT_EQ(c.item[0].match, Match::Wildcard);
    EXPECT_EQ(c.item[1].match, Match::Single);
    EXPECT_EQ(c.item[2].match, Match::Universal);
    EXPECT_EQ(r->return_keys.front(), tags::ProcedureCodeSequence) << "returned too, in tag order";
}

TEST(SequenceQuery, EmptySequenceOrEmptyItemIsUniversal) {
    DataSet q = study_query();
    q.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{}));
    q.set(Element(tags::OtherPatientIDsSequence, VR::SQ, Sequence{{DataSet{}}}));
    auto r = parse_query(Root::Study, q);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->sequences.empty());
    EXPECT_EQ(r->return_keys.size(), 3u);
}

TEST(SequenceQuery, OnlyUniversalItemKeysMatchEverythingButShapeTheAnswer) {
    DataSet q = study_query();
    DataSet item;
    item.set_string(tags::CodeValue, VR::SH, "");
    q.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{{item}}));
    auto r = parse_query(Root::Study, q);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->sequences.size(), 1u);
    EXPECT_FALSE(r->sequences[0].matching);
    auto none = match_sequence(r->sequences[0], nullptr);
    ASSERT_TRUE(none) << "an entity without the sequence still matches";
    EXPECT_TRUE(none->sequence().items.empty());
    const Element entity(tags::ProcedureCodeSequence, VR::SQ, Sequence{{code("A", "DCM", "a"), code("B", "DCM", "b")}});
    auto all = match_sequence(r->sequences[0], &entity);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->sequence().items.size(), 2u);
    EXPECT_EQ(all->sequence().items[1].string_or(tags::CodeValue), "B");
    EXPECT_FALSE(all->sequence().items[1].contains(tags::CodeMeaning)) << "only the requested keys";
}

TEST(SequenceQuery, TwoItemsAreRefused) {
    DataSet q = study_query();
    q.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{{code("A", "", ""), code("B", "", "")}}));
    auto r = parse_query(Root::Study, q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidValue);
}

TEST(SequenceQuery, BelowTheLevelReturnedOnly) {
    DataSet q = study_query();
    DataSet item;
    item.set_string(tags::CodeValue, VR::SH, "X");
    q.set(Element(tags::RequestAttributesSequence, VR::SQ, Sequence{{item}}));  // a series attribute
    auto r = parse_query(Root::Study, q);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->sequences.empty());
}

TEST(SequenceQuery, MatchesItemByItemAndReturnsTheMatchingItems) {
    DataSet q = study_query();
    DataSet item;
    item.set_string(tags::CodeValue, VR::SH, "B*");
    item.set_string(tags::CodingSchemeDesignator, VR::SH, "DCM");
    q.set(Element(tags::ProcedureCodeSequence, VR::SQ, Sequence{{item}}));
    auto r = parse_query(Root::Study, q);
    ASSERT_TRUE(r);
    const SequenceCondition& c = r->sequences.at(0);

    // Both keys must match in the same item.
    const Element split(tags::ProcedureCodeSequence, VR::SQ, Sequence{{code("B1", "LN", "x"), code("A1", "DCM", "y")}});
    EXPECT_FALSE(match_sequence(c, &split));
    EXPECT_FALSE(match_sequence(c, nullptr));

    const Element entity(tags::ProcedureCodeSequence, VR::SQ,
                         Sequence{{code("B1", "DCM", "one"), code("A1", "DCM", "two"), code("B2", "DCM", "three")}});
    auto m = match_sequence(c, &entity);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->sequence().items.size(), 2u);
    EXPECT_EQ(m->sequence().items[0].string_or(tags::CodeValue), "B1");
    EXPECT_EQ(m->sequence().items[1].string_or(tags::CodeValue), "B2");
    EXPECT_FALSE(m->sequence().items[0].contains(tags::CodeMeaning));
}

TEST(SequenceQuery, NestedSequencesPersonNamesAndDates) {
    DataSet q = study_query();
    DataSet inner;
    inner.set_string(tags::CodeValue, VR::SH, "NESTED");
    DataSet item;
    item.set_string(tags::PersonName, VR::PN, "doe^*");
    item.set_string(tags::Date, VR::DA, "20200101-20201231");
    item.set(Element(tags::ConceptNameCodeSequence, VR::SQ, Sequence{{inner}}));
    q.set(Element(tags::ContentSequence, VR::SQ, Sequence{{item}}));
    auto r = parse_query(Root::Study, q, {.relational = true});
    ASSERT_TRUE(r) << r.error().to_string();
    // ContentSequence is an image-level attribute: below the STUDY level.
    EXPECT_TRUE(r->sequences.empty());

    q.set_string(tags::QueryRetrieveLevel, VR::CS, "IMAGE");
    r = parse_query(Root::Study, q, {.relational = true});
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->sequences.size(), 1u);
    const SequenceCondition& c = r->sequences[0];
    auto entity_item = [](const char* name, const char* date, const char* nested) {
        DataSet i;
        i.set_string(tags::PersonName, VR::PN, name);
        i.set_string(tags::Date, VR::DA, date);
        DataSet n;
        n.set_string(tags::CodeValue, VR::SH, nested);
        i.set(Element(tags::ConceptNameCodeSequence, VR::SQ, Sequence{{n}}));
        return i;
    };
    const Element yes(tags::ContentSequence, VR::SQ, Sequence{{entity_item("DOE^JANE", "20200615", "NESTED")}});
    const Element late(tags::ContentSequence, VR::SQ, Sequence{{entity_item("DOE^JANE", "20210101", "NESTED")}});
    const Element other(tags::ContentSequence, VR::SQ, Sequence{{entity_item("DOE^JANE", "20200615", "OTHER")}});
    auto m = match_sequence(c, &yes);
    ASSERT_TRUE(m);
    const DataSet& got = m->sequence().items.at(0);
    EXPECT_EQ(got.string_or(tags::PersonName), "DOE^JANE");
    ASSERT_TRUE(got.find(tags::ConceptNameCodeSequence));
    EXPECT_EQ(got.find(tags::ConceptNameCodeSequence)->sequence().items.at(0).string_or(tags::CodeValue), "NESTED");
    EXPECT_FALSE(match_sequence(c, &late));
    EXPECT_FALSE(match_sequence(c, &other));
}

TEST(SequenceQuery, ValuesMatch) {
    using V = std::vector<std::string>;
    EXPECT_TRUE(values_match(ValueKind::Text, Match::Single, V{"A"}, V{"B", "A"}));
    EXPECT_FALSE(values_match(ValueKind::Text, Match::Single, V{"a"}, V{"A"}));
    EXPECT_TRUE(values_match(ValueKind::PersonName, Match::Single, V{"doe^j"}, V{"DOE^J"}));
    EXPECT_FALSE(values_match(ValueKind::Text, Match::Single, V{"A"}, V{}));
    EXPECT_TRUE(values_match(ValueKind::Text, Match::Universal, V{}, V{}));
    EXPECT_TRUE(values_match(ValueKind::Uid, Match::List, V{"1.2", "1.3"}, V{"1.3"}));
    EXPECT_TRUE(values_match(ValueKind::Time, Match::Range, V{"", "1200"}, V{"120059"}));
    EXPECT_FALSE(values_match(ValueKind::Date, Match::Range, V{"20200101", ""}, V{"20191231"}));
}

TEST(RelationalQuery, HierarchyRelaxed) {
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "SERIES");
    q.set_string(tags::Modality, VR::CS, "MR");
    EXPECT_FALSE(parse_query(Root::Study, q)) << "hierarchical: the Study Instance UID is required";
    auto r = parse_query(Root::Study, q, {.relational = true});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->relational);
    ASSERT_EQ(r->conditions.size(), 1u);
    EXPECT_EQ(r->conditions[0].key->tag, tags::Modality);

    // IMAGE level by Patient ID (Patient Root): a non-unique key of a level above is matched.
    DataSet i;
    i.set_string(tags::QueryRetrieveLevel, VR::CS, "IMAGE");
    i.set_string(tags::PatientName, VR::PN, "DOE*");
    i.set_string(tags::StudyDate, VR::DA, "2020-");
    i.set_string(tags::SOPInstanceUID, VR::UI, "");
    EXPECT_FALSE(parse_query(Root::Patient, i));
    r = parse_query(Root::Patient, i, {.relational = true});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->conditions.size(), 2u);

    // Hierarchical: a non-unique key above the level is returned, not matched.
    DataSet h;
    h.set_string(tags::QueryRetrieveLevel, VR::CS, "SERIES");
    h.set_string(tags::StudyInstanceUID, VR::UI, "1.2");
    h.set_string(tags::StudyDescription, VR::LO, "HEAD");
    r = parse_query(Root::Study, h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->conditions.size(), 1u);
    r = parse_query(Root::Study, h, {.relational = true});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->conditions.size(), 2u);
}

}  // namespace dicomkit::server::model
