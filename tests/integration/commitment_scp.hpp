// A Storage Commitment Push Model SCP for tests (PS3.4 J.3) served on 127.0.0.1: answers N-ACTION
// (Request Storage Commitment), then reports every referenced instance committed with
// N-EVENT-REPORT (event type 1) on the same association; takes N-EVENT-REPORTs from the peer too.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/net/ul/server.hpp>

namespace dicomkit::test {

inline constexpr std::string_view kCommitmentClass = "1.2.840.10008.1.20.1";
inline constexpr std::string_view kCommitmentInstance = "1.2.840.10008.1.20.1.1";

class CommitmentScp final : public net::dimse::NHandler {
public:
    std::mutex m;
    std::string transaction;        ///< of the last N-ACTION
    std::size_t references = 0;     ///< items of its Referenced SOP Sequence
    std::optional<std::uint16_t> report_status;  ///< the peer's N-EVENT-REPORT-RSP status
    std::optional<std::uint16_t> received_event;  ///< an N-EVENT-REPORT the peer sent

    net::dimse::NReply action(const net::dimse::RequestContext& rc, const net::dimse::NActionRq& rq,
                              const DataSet* info) override {
        namespace st = net::dimse::status;
        if (rq.action_type_id != 1 || !info) return {{st::ProcessingFailure, "not a commitment request"}, {}, {}};
        DataSet result;
        result.set_string(tags::TransactionUID, VR::UI, info->string_or(tags::TransactionUID));
        if (const Element* refs = info->find(tags::ReferencedSOPSequence)) result.set(*refs);
        {
            std::lock_guard lock(m);
            transaction = info->string_or(tags::TransactionUID);
            const Element* refs = info->find(tags::ReferencedSOPSequence);
            references = refs && refs->is_sequence() ? refs->sequence().items.size() : 0;
        }
        rc.events->after_response([this, result](net::dimse::EventReporter& events) {
            net::dimse::NEventReportRq ev;
            ev.affected_sop_class_uid = std::string(kCommitmentClass);
            ev.affected_sop_instance_uid = std::string(kCommitmentInstance);
            ev.event_type_id = 1;
            auto r = events.report(ev, &result);
            std::lock_guard lock(m);
            report_status = r ? r->response.status : 0xFFFF;
        });
        return {};
    }
    net::dimse::NReply event_report(const net::dimse::RequestContext&, const net::dimse::NEventReportRq& rq,
                                    const DataSet*) override {
        std::lock_guard lock(m);
        received_event = rq.event_type_id;
        return {};
    }
    /// Waits (bounded) until the peer answered the event report.
    std::optional<std::uint16_t> wait_report() {
        for (int i = 0; i < 1000; ++i) {
            {
                std::lock_guard lock(m);
                if (report_status) return report_status;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return std::nullopt;
    }
};

/// The SCP on 127.0.0.1, on a free port.
struct CommitmentServer {
    std::shared_ptr<CommitmentScp> scp = std::make_shared<CommitmentScp>();
    net::dimse::Dispatcher dispatcher;
    std::unique_ptr<net::ul::Server> server;

    CommitmentServer() {
        dispatcher.on_echo(std::make_shared<net::dimse::SuccessEchoHandler>());
        dispatcher.on_n(net::dimse::CommandField::N_ACTION_RQ, scp, {std::string(kCommitmentClass)});
        dispatcher.on_n(net::dimse::CommandField::N_EVENT_REPORT_RQ, scp, {std::string(kCommitmentClass)});
        net::ul::ServerOptions so;
        so.bind_address = "127.0.0.1";
        so.port = 0;
        so.policy.ae_title = "COMMITSCP";
        so.policy.accept_any_called_ae = true;
        so.policy.accept_any_abstract_syntax = true;
        so.association.timeouts.idle = net::ul::Millis(20'000);
        so.association.timeouts.dimse = net::ul::Millis(20'000);
        auto s = net::ul::Server::start(so, [this](net::ul::Association& a) { (void)net::dimse::serve(a, dispatcher); });
        EXPECT_TRUE(s) << s.error().to_string();
        if (s) server = std::move(*s);
    }
    ~CommitmentServer() {
        if (server) server->stop();
    }
};

}  // namespace dicomkit::test
