// The send and retrieve jobs: C-STOREs through dimse::InstanceSender, a C-MOVE as the SCU.
#include <chrono>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/data_source.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/app/job_run.hpp>
#include <dicomkit/server/dimse/instance_sender.hpp>
#include <dicomkit/server/dimse/retrieve_handler.hpp>
#include <thread>

namespace dicomkit::server::app {

namespace {

namespace nd = net::dimse;
using Clock = std::chrono::steady_clock;

/// The identifier of the study, series or instance `rq` names (Study Root, PS3.4 C.6.2.1).
DataSet identifier(const JobRequest& rq) {
    DataSet id;
    const char* level = rq.instance.empty() ? (rq.series.empty() ? "STUDY" : "SERIES") : "IMAGE";
    id.set_string(tags::QueryRetrieveLevel, VR::CS, level);
    id.set_string(tags::StudyInstanceUID, VR::UI, rq.study);
    if (!rq.series.empty()) id.set_string(tags::SeriesInstanceUID, VR::UI, rq.series);
    if (!rq.instance.empty()) id.set_string(tags::SOPInstanceUID, VR::UI, rq.instance);
    return id;
}

std::string what_of(const JobRequest& rq) {
    return !rq.instance.empty() ? "instance " + rq.instance
           : !rq.series.empty() ? "series " + rq.series
                                : "study " + rq.study;
}

std::string counted(std::uint64_t n, const char* what) { return std::to_string(n) + " " + what; }

/// Waits until a PDU arrives on `a`, sending C-CANCEL-RQ once when the job is cancelled. False
/// (the association aborted, `why` set) when nothing came in time.
bool await_pdu(net::ul::Association& a, nd::Channel& ch, std::uint8_t context_id,
               JobCounters& counters, bool& cancel_sent, std::string& why) {
    constexpr auto kAfterCancel = std::chrono::seconds(10);
    auto deadline = Clock::now() + ch.timeouts().dimse;
    for (;;) {
        if (a.readable()) return true;
        if (counters.cancel && !cancel_sent) {
            cancel_sent = true;
            if (auto c = nd::cancel(ch, context_id, 1); !c) {
                why = "C-CANCEL: " + c.error().to_string();
                a.abort();
                return false;
            }
            deadline = std::min(deadline, Clock::now() + kAfterCancel);
        }
        if (Clock::now() > deadline) {
            why = cancel_sent
                      ? "cancelled; the peer did not answer the C-CANCEL: association aborted"
                      : "no C-MOVE response from the peer in time: association aborted";
            a.abort();
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace

JobOutcome run_send(const JobContext& ctx, const JobRequest& rq, const Peer& peer,
                    JobCounters& counters) {
    auto items = ctx.retrieve->instances(model::Root::Study, identifier(rq));
    if (!items)
        return {"cannot list the instances of " + what_of(rq) + ": " + items.error().message};
    if (items->empty()) return {"no " + what_of(rq) + " here"};
    counters.total = items->size();
    dimse::Destination d{peer.ae_title, peer.host, peer.port, std::nullopt, nullptr};
    if (peer.tls) d.tls = peer_tls(*ctx.config);
    if (ctx.deidentify) d.deidentify = ctx.deidentify(peer.ae_title);
    dimse::InstanceSender to(ctx.retrieve->blobs(), d, ctx.config->ae_title, *items);
    to.order(*items);
    nd::StoreOptions so;
    so.transcoder = ctx.transcoder;
    std::string first;
    for (const auto& it : *items) {
        if (counters.cancel) {
            to.close();
            return {"cancelled after " + counted(counters.done + counters.failed, "of") + " " +
                    std::to_string(items->size()) + " instances"};
        }
        auto r = it.blob.empty() ? Result<nd::StoreResult>(make_error(
                                       ErrorCode::NotFound, "the instance is no longer stored"))
                                 : to.store(it, so);
        const auto kind = r ? nd::status_kind(r->status) : nd::StatusKind::Failure;
        if (kind == nd::StatusKind::Success || kind == nd::StatusKind::Warning) {
            ++counters.done;
            continue;
        }
        ++counters.failed;
        if (first.empty())
            first = it.sop_instance_uid + ": " + dimse::describe_send_failure(r, it).text;
    }
    to.close();
    if (counters.failed > 0)
        return {counted(counters.failed, "of") + " " + std::to_string(items->size()) +
                " failed; first " + first};
    return {};
}

JobOutcome run_retrieve(const JobContext& ctx, const JobRequest& rq, const Peer& peer,
                        JobCounters& counters) {
    const Config& c = *ctx.config;
    const std::string sop(dimse::kStudyRootMove);
    net::ul::AssociationRequest arq;
    arq.calling_ae = c.ae_title;
    arq.called_ae = peer.ae_title;
    arq.contexts.push_back({1, sop, {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}});
    net::ul::AssociationOptions ao;
    if (peer.tls) ao.tls = peer_tls(c);
    auto a = net::ul::Association::request({peer.host, peer.port}, arq, ao);
    if (!a) return {"association with " + peer.ae_title + ": " + a.error().message};
    nd::AssociationChannel ch(*a);
    const auto* context = ch.find_context(sop, {});
    const auto* ts = context ? io::find_transfer_syntax(context->transfer_syntax) : nullptr;
    if (!ts) {
        (void)a->release();
        return {peer.ae_title + " did not accept Study Root Query/Retrieve MOVE"};
    }
    auto bytes = io::encode_dataset(identifier(rq), *ts);
    if (!bytes) return {bytes.error().message};
    nd::MemorySource src(std::move(*bytes));
    nd::Command cmd;
    cmd.field = nd::CommandField::C_MOVE_RQ;
    cmd.message_id = 1;
    cmd.affected_sop_class_uid = sop;
    cmd.priority = 0;
    cmd.has_dataset = true;
    cmd.move_destination = c.ae_title;
    if (auto s = nd::send_message(ch, context->id, cmd, &src); !s)
        return {"C-MOVE-RQ: " + s.error().message};
    bool cancel_sent = false;
    // PS3.4 C.4.2.1.3: pending responses until the final one; bounded by the DIMSE timeout per
    // response.
    for (int guard = 0; guard < 1'000'000; ++guard) {
        std::string why;
        if (!await_pdu(*a, ch, context->id, counters, cancel_sent, why)) return {why};
        auto m = nd::receive_message(ch, ch.timeouts().dimse);
        if (!m) return {"C-MOVE: " + m.error().message};
        const auto& r = m->command;
        if (r.field != nd::CommandField::C_MOVE_RSP) {
            a->abort();
            return {"C-MOVE: the peer sent " + nd::describe(r) + " instead of a C-MOVE-RSP"};
        }
        const std::uint64_t completed = r.completed.value_or(0), warning = r.warning.value_or(0),
                            failed = r.failed.value_or(0), remaining = r.remaining.value_or(0);
        if (r.completed || r.failed || r.remaining) {
            counters.total = completed + warning + failed + remaining;
            counters.done = completed + warning;
            counters.failed = failed;
        }
        const std::uint16_t status = r.status.value_or(nd::status::ProcessingFailure);
        const auto kind = nd::status_kind(status);
        if (kind == nd::StatusKind::Pending) continue;
        (void)a->release();
        if (kind == nd::StatusKind::Success && failed == 0) return {};
        std::string text = peer.ae_title + " answered " +
                           nd::describe_status(status, nd::CommandField::C_MOVE_RSP);
        if (!r.error_comment.empty()) text += " (" + r.error_comment + ")";
        if (kind == nd::StatusKind::Success)
            text += "; " + counted(failed, "sub-operations failed");
        return {text};
    }
    a->abort();
    return {"C-MOVE: too many responses"};
}

}  // namespace dicomkit::server::app
