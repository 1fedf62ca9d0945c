// The server's DIMSE handlers over a fake index: service errors become the statuses status_map
// gives, and the Authorizer's refusals 0x0124 with a comment naming the AE and the permission.
#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/dimse/non_patient_handlers.hpp>
#include <dicomkit/server/dimse/retrieve_handler.hpp>
#include <dicomkit/server/storage/file_store.hpp>

#include "../server_service/fake_index.hpp"

namespace dicomkit::server::dimse {
namespace {

using test::FakeIndex;

const net::dimse::RequestContext kCaller{nullptr, "VIEWER", "127.0.0.1:40000"};

net::dimse::Command request(std::string_view sop_class, std::string move_destination = {}) {
    net::dimse::Command rq;
    rq.message_id = 7;
    rq.affected_sop_class_uid = std::string(sop_class);
    rq.move_destination = std::move(move_destination);
    return rq;
}

DataSet study_identifier() {
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    q.set_string(tags::StudyInstanceUID, VR::UI, "1.2.3");
    return q;
}

AuthorizerPtr allow_all() { return std::make_shared<service::AllowAll>(); }

/// VIEWER may query only; PACS2 is a move destination.
AuthorizerPtr query_only() {
    service::AccessPolicy p;
    p.peers.push_back({"VIEWER", "127.0.0.1", false, false, {service::Action::Query}});
    p.peers.push_back({"PACS2", "127.0.0.9", false, false, {service::Action::MoveDestination}});
    return std::make_shared<service::PolicyAuthorizer>(p);
}

const auto kEmitAll = [](const DataSet&) { return true; };

TEST(AuthorizedEchoHandler, AsksTheAuthorizer) {
    AuthorizedEchoHandler h(query_only());
    EXPECT_EQ(h.echo(kCaller, request("1.2.840.10008.1.1")).status, 0x0000) << "echo goes with query";
    const net::dimse::RequestContext dest{nullptr, "PACS2", "127.0.0.9:1"};
    auto o = h.echo(dest, request("1.2.840.10008.1.1"));
    EXPECT_EQ(o.status, 0x0124);
    EXPECT_EQ(o.error_comment, "calling AE PACS2 lacks the echo permission");
}

TEST(QueryFindHandler, MatchesAreEmitted) {
    FakeIndex ix;
    ix.matches = {study_identifier(), study_identifier()};
    service::Query query(ix);
    QueryFindHandler h(query, allow_all());
    int emitted = 0;
    auto o = h.find(kCaller, request(kStudyRootFind), study_identifier(), [&](const DataSet&) { return ++emitted, true; });
    EXPECT_EQ(o.status, net::dimse::status::Success);
    EXPECT_EQ(emitted, 2);
    ASSERT_EQ(ix.queries.size(), 1u);
    EXPECT_EQ(ix.queries[0].root, model::Root::Study);
    DataSet patient_root = study_identifier();
    patient_root.set_string(tags::PatientID, VR::LO, "P1");  // the unique key above the level (C.4.1.2.1)
    auto p = h.find(kCaller, request(kPatientRootFind), patient_root, kEmitAll);
    EXPECT_EQ(p.status, net::dimse::status::Success) << p.error_comment;
    ASSERT_EQ(ix.queries.size(), 2u);
    EXPECT_EQ(ix.queries[1].root, model::Root::Patient);
}

TEST(QueryFindHandler, ADatabaseErrorIsOutOfResources) {
    FakeIndex ix;
    ix.fail = test::database_error();
    service::Query query(ix);
    QueryFindHandler h(query, allow_all());
    auto o = h.find(kCaller, request(kStudyRootFind), study_identifier(), kEmitAll);
    EXPECT_EQ(o.status, 0xA700) << "not 0xA900: the identifier is fine";
    EXPECT_EQ(o.error_comment, "database is locked");
}

TEST(QueryFindHandler, ABadIdentifierIsA900) {
    FakeIndex ix;
    service::Query query(ix);
    QueryFindHandler h(query, allow_all());
    DataSet q;
    q.set_string(tags::PatientName, VR::PN, "DOE");  // no Query/Retrieve Level
    auto o = h.find(kCaller, request(kStudyRootFind), q, kEmitAll);
    EXPECT_EQ(o.status, 0xA900);
    EXPECT_FALSE(o.error_comment.empty());
    EXPECT_TRUE(ix.queries.empty());
}

TEST(QueryFindHandler, CancelIsFE00) {
    FakeIndex ix;
    ix.matches = {study_identifier(), study_identifier()};
    service::Query query(ix);
    QueryFindHandler h(query, allow_all());
    auto o = h.find(kCaller, request(kStudyRootFind), study_identifier(), [](const DataSet&) { return false; });
    EXPECT_EQ(o.status, net::dimse::status::Cancel);
}

TEST(QueryFindHandler, RefusedWithoutTheQueryPermission) {
    FakeIndex ix;
    service::Query query(ix);
    QueryFindHandler h(query, query_only());
    const net::dimse::RequestContext other{nullptr, "OTHER", "127.0.0.1:1"};
    auto o = h.find(other, request(kStudyRootFind), study_identifier(), kEmitAll);
    EXPECT_EQ(o.status, 0x0124);
    EXPECT_EQ(o.error_comment, "calling AE OTHER lacks the query permission");
    EXPECT_TRUE(ix.queries.empty()) << "refused before the index is asked";
    EXPECT_EQ(h.find(kCaller, request(kStudyRootFind), study_identifier(), kEmitAll).status, 0x0000);
}

TEST(NonPatientFindHandler, ErrorsMapAsForPatientQueries) {
    FakeIndex ix;
    service::ObjectQuery objects(ix);
    NonPatientFindHandler h(objects, allow_all());
    const auto classes = non_patient_find_classes();
    ASSERT_FALSE(classes.empty());
    ix.fail = test::database_error();
    EXPECT_EQ(h.find(kCaller, request(classes.front()), DataSet{}, kEmitAll).status, 0xA700);
    EXPECT_EQ(h.find(kCaller, request("1.2.3.4"), DataSet{}, kEmitAll).status, 0x0122);
    NonPatientFindHandler refused(objects, std::make_shared<service::PolicyAuthorizer>(service::AccessPolicy{}));
    auto o = refused.find(kCaller, request(classes.front()), DataSet{}, kEmitAll);
    EXPECT_EQ(o.status, 0x0124);
    EXPECT_EQ(o.error_comment, "calling AE VIEWER lacks the query permission");
}

/// A C-GET's store back, never reached in these tests.
const net::dimse::RetrieveHandler::StoreHere kStoreHere = [](const net::dimse::RetrieveHandler::StoreSource&,
                                                                   const net::dimse::StoreOptions&)
    -> Result<net::dimse::StoreResult> { return make_error(ErrorCode::IoError, "not expected"); };
const auto kProgress = [](const net::dimse::SubOperations&) { return true; };

FindDestination pacs2() {
    return [](const std::string& ae) -> std::optional<Destination> {
        if (trim_padding(ae) == "PACS2") return Destination{"PACS2", "127.0.0.1", 9, std::nullopt, nullptr};
        return std::nullopt;
    };
}

TEST(RetrieveHandler, ADatabaseErrorIsA701) {
    FakeIndex ix;
    ix.fail = test::database_error();
    storage::FileStore blobs("/data");  // not read: the requests fail before
    service::Retrieve retrieve(ix, blobs);
    RetrieveHandler h(retrieve, allow_all(), pacs2(), "US");
    auto get = h.retrieve(kCaller, request(kStudyRootGet), study_identifier(), kProgress, &kStoreHere);
    EXPECT_EQ(get.outcome.status, 0xA701);
    EXPECT_EQ(get.outcome.error_comment, "database is locked");
    auto move = h.retrieve(kCaller, request(kStudyRootMove, "PACS2"), study_identifier(), kProgress, nullptr);
    EXPECT_EQ(move.outcome.status, 0xA701);
}

TEST(RetrieveHandler, ABadIdentifierIsA900) {
    FakeIndex ix;
    storage::FileStore blobs("/data");  // not read: the requests fail before
    service::Retrieve retrieve(ix, blobs);
    RetrieveHandler h(retrieve, allow_all(), pacs2(), "US");
    DataSet q;
    q.set_string(tags::StudyInstanceUID, VR::UI, "1.2.3");  // no level
    EXPECT_EQ(h.retrieve(kCaller, request(kStudyRootGet), q, kProgress, &kStoreHere).outcome.status, 0xA900);
}

TEST(RetrieveHandler, NothingMatchedIsSuccess) {
    FakeIndex ix;
    storage::FileStore blobs("/data");  // not read: the requests fail before
    service::Retrieve retrieve(ix, blobs);
    RetrieveHandler h(retrieve, allow_all(), pacs2(), "US");
    auto o = h.retrieve(kCaller, request(kStudyRootGet), study_identifier(), kProgress, &kStoreHere);
    EXPECT_EQ(o.outcome.status, 0x0000);
    EXPECT_EQ(o.counts.failed, 0);
}

TEST(RetrieveHandler, DestinationsAreTheAuthorizers) {
    FakeIndex ix;
    storage::FileStore blobs("/data");  // not read: the requests fail before
    service::Retrieve retrieve(ix, blobs);
    service::AccessPolicy p;
    p.peers.push_back({"VIEWER", "127.0.0.1", false, false, {service::Action::Retrieve}});
    p.peers.push_back({"PACS2", "127.0.0.9", false, false, {service::Action::MoveDestination}});
    p.peers.push_back({"CT1", "127.0.0.8", false, false, {service::Action::Store}});
    RetrieveHandler h(retrieve, std::make_shared<service::PolicyAuthorizer>(p), pacs2(), "US");
    auto o = h.retrieve(kCaller, request(kStudyRootMove, "NOBODY"), study_identifier(), kProgress, nullptr);
    EXPECT_EQ(o.outcome.status, 0xA801);
    EXPECT_EQ(o.outcome.error_comment, "unknown move destination NOBODY");
    o = h.retrieve(kCaller, request(kStudyRootMove, "CT1"), study_identifier(), kProgress, nullptr);
    EXPECT_EQ(o.outcome.status, 0xA801) << "a peer that is not a move destination";
    EXPECT_TRUE(ix.queries.empty()) << "refused before the index is asked";
    o = h.retrieve(kCaller, request(kStudyRootMove, "PACS2"), study_identifier(), kProgress, nullptr);
    EXPECT_EQ(o.outcome.status, 0x0000) << "nothing to send";
    EXPECT_EQ(ix.queries.size(), 1u);
}

TEST(RetrieveHandler, RefusedWithoutTheRetrievePermission) {
    FakeIndex ix;
    storage::FileStore blobs("/data");  // not read: the requests fail before
    service::Retrieve retrieve(ix, blobs);
    RetrieveHandler h(retrieve, query_only(), pacs2(), "US");
    for (const net::dimse::RetrieveHandler::StoreHere* here : {&kStoreHere, static_cast<decltype(&kStoreHere)>(nullptr)}) {
        auto o = h.retrieve(kCaller, request(here ? kStudyRootGet : kStudyRootMove, "PACS2"), study_identifier(),
                            kProgress, here);
        EXPECT_EQ(o.outcome.status, 0x0124);
        EXPECT_EQ(o.outcome.error_comment, "calling AE VIEWER lacks the retrieve permission");
    }
    EXPECT_TRUE(ix.queries.empty());
}

}  // namespace
}  // namespace dicomkit::server::dimse
