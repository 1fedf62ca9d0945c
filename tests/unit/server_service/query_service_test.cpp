// service::Query: the identifier is parsed in the service, the index gets a model::Query, and
// failures come back as typed service errors.
#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/service/object_query.hpp>
#include <dicomkit/server/service/query.hpp>
#include <dicomkit/server/service/retrieve.hpp>
#include <dicomkit/server/storage/file_store.hpp>

#include "fake_index.hpp"

namespace dicomkit::server::test {
namespace {

using service::ErrorKind;

DataSet study_query(std::string_view name) {
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    q.set_string(tags::PatientName, VR::PN, name);
    q.set_string(tags::StudyInstanceUID, VR::UI, "");
    return q;
}

TEST(QueryService, TheIndexReceivesTheParsedQuery) {
    FakeIndex ix;
    DataSet m;
    m.set_string(tags::StudyInstanceUID, VR::UI, "1.2.3");
    ix.matches = {m, m};
    service::Query query(ix);
    std::vector<std::string> got;
    auto n = query.find(model::Root::Study, study_query("DOE*"), [&](const DataSet& d) {
        got.emplace_back(d.string_or(tags::StudyInstanceUID));
        return true;
    });
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, 2u);
    EXPECT_EQ(got.size(), 2u);
    ASSERT_EQ(ix.queries.size(), 1u);
    const model::Query& q = ix.queries.front();
    EXPECT_EQ(q.root, model::Root::Study);
    EXPECT_EQ(q.level, model::Level::Study);
    EXPECT_FALSE(q.relational);
    ASSERT_EQ(q.conditions.size(), 1u);
    EXPECT_EQ(q.conditions[0].key->tag, tags::PatientName);
    EXPECT_EQ(q.conditions[0].match, model::Match::Wildcard);
    EXPECT_EQ(q.conditions[0].values, std::vector<std::string>{"DOE*"});
}

TEST(QueryService, RelationalIsPassedToTheParser) {
    FakeIndex ix;
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "SERIES");
    q.set_string(tags::Modality, VR::CS, "MR");  // no Study Instance UID: relational only
    service::Query query(ix);
    auto baseline = query.find(model::Root::Study, q, [](const DataSet&) { return true; });
    auto relational = query.find(model::Root::Study, q, [](const DataSet&) { return true; }, true);
    ASSERT_TRUE(relational) << relational.error().message;
    ASSERT_FALSE(ix.queries.empty());
    EXPECT_TRUE(ix.queries.back().relational);
    if (!baseline) {
        EXPECT_EQ(baseline.error().kind, ErrorKind::BadIdentifier);
    }
}

TEST(QueryService, ParseErrorsAreBadIdentifierAndNeverReachTheIndex) {
    FakeIndex ix;
    service::Query query(ix);
    DataSet no_level;
    no_level.set_string(tags::PatientName, VR::PN, "DOE");
    auto n = query.find(model::Root::Study, no_level, [](const DataSet&) { return true; });
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().kind, ErrorKind::BadIdentifier);
    EXPECT_FALSE(n.error().message.empty());

    DataSet bad_level = study_query("");
    bad_level.set_string(tags::QueryRetrieveLevel, VR::CS, "FRAME");
    auto p = service::Query::parse(model::Root::Study, bad_level);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().kind, ErrorKind::BadIdentifier);
    EXPECT_TRUE(ix.queries.empty());
}

TEST(QueryService, IndexFailuresAreOutOfResources) {
    FakeIndex ix;
    ix.fail = database_error();
    service::Query query(ix);
    auto n = query.find(model::Root::Study, study_query("DOE"), [](const DataSet&) { return true; });
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().kind, ErrorKind::OutOfResources);
    EXPECT_EQ(n.error().message, "database is locked");
    ix.fail = Error(ErrorCode::Unsupported, "not here");
    n = query.find(model::Root::Study, study_query("DOE"), [](const DataSet&) { return true; });
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().kind, ErrorKind::Unsupported);
}

TEST(RetrieveService, ErrorsAreTyped) {
    FakeIndex ix;
    storage::FileStore blobs("/data");
    service::Retrieve retrieve(ix, blobs);
    DataSet q;
    q.set_string(tags::StudyInstanceUID, VR::UI, "1.2");
    auto r = retrieve.instances(model::Root::Study, q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::BadIdentifier) << "no Query/Retrieve Level";
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    ix.fail = database_error();
    r = retrieve.instances(model::Root::Study, q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::OutOfResources);
    ASSERT_EQ(ix.queries.size(), 1u) << "the index got a parsed query";
    EXPECT_EQ(ix.queries[0].level, model::Level::Study);
}

TEST(ObjectQueryService, ErrorsAreTyped) {
    FakeIndex ix;
    service::ObjectQuery objects(ix);
    const auto* m = model::non_patient_models().empty() ? nullptr : &model::non_patient_models().front();
    ASSERT_NE(m, nullptr);
    auto r = objects.instances(*m, DataSet{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::BadIdentifier) << "no SOP Instance UID";
    ix.fail = database_error();
    auto n = objects.find(*m, DataSet{}, [](const DataSet&) { return true; });
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().kind, ErrorKind::OutOfResources);
}

TEST(ServiceErrors, StoreErrorKinds) {
    EXPECT_EQ(service::store_error_kind(Error(ErrorCode::IoError, "disk full")), ErrorKind::OutOfResources);
    EXPECT_EQ(service::store_error_kind(Error(ErrorCode::InvalidValue, "no UID")), ErrorKind::BadIdentifier);
    EXPECT_EQ(service::store_error_kind(Error(ErrorCode::Truncated, "cut")), ErrorKind::UnableToProcess);
    EXPECT_EQ(service::to_string(ErrorKind::NotAuthorized), "not authorized");
}

}  // namespace
}  // namespace dicomkit::server::test
