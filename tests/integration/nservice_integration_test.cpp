// DIMSE-N over a real association on 127.0.0.1: Storage Commitment's N-ACTION and the SCP's
// N-EVENT-REPORT on the same association, and an N-EVENT-REPORT from the SCU to the SCP.
#include <gtest/gtest.h>

#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/scu.hpp>

#include "commitment_scp.hpp"

using namespace dicomkit;
using namespace dicomkit::net;

namespace {

Result<ul::Association> connect(std::uint16_t port) {
    ul::AssociationRequest rq;
    rq.calling_ae = "NSCU";
    rq.called_ae = "COMMITSCP";
    rq.contexts = {{0, std::string(test::kCommitmentClass), {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}}};
    ul::AssociationOptions o;
    o.timeouts.dimse = ul::Millis(20'000);
    return ul::Association::request({"127.0.0.1", port}, rq, o);
}

DataSet commitment_request() {
    DataSet item;
    item.set_string(tags::ReferencedSOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.2");
    item.set_string(tags::ReferencedSOPInstanceUID, VR::UI, "1.2.3.4");
    DataSet second = item;
    second.set_string(tags::ReferencedSOPInstanceUID, VR::UI, "1.2.3.5");
    DataSet ds;
    ds.set_string(tags::TransactionUID, VR::UI, "2.25.77");
    ds.set(Element(tags::ReferencedSOPSequence, VR::SQ, Sequence{{item, second}}));
    return ds;
}

}  // namespace

TEST(NServiceTcp, StorageCommitmentActionAndEventReportBothWays) {
    test::CommitmentServer server;
    ASSERT_TRUE(server.server);
    auto a = connect(server.server->port());
    ASSERT_TRUE(a) << a.error().to_string();
    dimse::AssociationChannel ch(*a);
    std::optional<std::uint16_t> event;
    std::size_t committed = 0;
    std::string transaction;
    dimse::NOptions o;
    o.on_event_report = [&](const dimse::NEventReportRq& rq, const DataSet* info) {
        event = rq.event_type_id;
        if (info) {
            transaction = info->string_or(tags::TransactionUID);
            if (const Element* e = info->find(tags::ReferencedSOPSequence)) committed = e->sequence().items.size();
        }
        return dimse::NReply{};
    };
    const DataSet request = commitment_request();
    dimse::NActionRq rq{1, std::string(test::kCommitmentClass), std::string(test::kCommitmentInstance), 1, true};
    auto r = dimse::n_action(ch, rq, &request, o);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->response.status, dimse::status::Success);
    if (!event) {
        auto n = dimse::receive_event_reports(ch, o, ul::Millis(10'000));
        ASSERT_TRUE(n) << n.error().to_string();
        EXPECT_EQ(*n, 1u);
    }
    ASSERT_TRUE(event);
    EXPECT_EQ(*event, 1);
    EXPECT_EQ(transaction, "2.25.77");
    EXPECT_EQ(committed, 2u);
    EXPECT_EQ(server.scp->wait_report(), dimse::status::Success);
    // The other direction on the same association: the SCU reports to the SCP.
    dimse::NEventReportRq ev{2, std::string(test::kCommitmentClass), std::string(test::kCommitmentInstance), 2, false};
    auto e = dimse::n_event_report(ch, ev, &request);
    ASSERT_TRUE(e) << e.error().to_string();
    EXPECT_EQ(e->response.status, dimse::status::Success);
    EXPECT_EQ(e->response.event_type_id, 2);
    {
        std::lock_guard lock(server.scp->m);
        EXPECT_EQ(server.scp->received_event, 2);
        EXPECT_EQ(server.scp->transaction, "2.25.77");
        EXPECT_EQ(server.scp->references, 2u);
    }
    ASSERT_TRUE(a->release());
}
