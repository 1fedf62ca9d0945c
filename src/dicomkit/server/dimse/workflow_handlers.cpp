// MPPS and Storage Commitment handlers, and the reports of commitment on new associations.
#include <dicomkit/server/dimse/workflow_handlers.hpp>

#include <algorithm>

#include <dicomkit/base/log.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/ul/association.hpp>

namespace dicomkit::server::dimse {

namespace nd = net::dimse;

namespace {

nd::NReply refused(const service::NRefusal& r) { return {{r.status, r.comment}, std::nullopt, {}}; }

std::optional<nd::NReply> not_allowed(const AuthorizerPtr& a, const nd::RequestContext& rc) {
    if (!a) return std::nullopt;
    if (auto ok = a->check(caller_of(rc), service::Action::Store); !ok)
        return nd::NReply{{nd::status::NotAuthorized, ok.error().message}, std::nullopt, {}};
    return std::nullopt;
}

}  // namespace

nd::NReply MppsHandler::create(const nd::RequestContext& rc, const nd::NCreateRq& rq, const DataSet* attributes) {
    if (auto no = not_allowed(authorizer_, rc)) return *no;
    if (!attributes) return {{0x0120, "N-CREATE of an MPPS without attributes"}, std::nullopt, {}};
    auto r = mpps_.create(rq.affected_sop_instance_uid, *attributes);
    if (!r) return refused(r.error());
    nd::NReply reply;
    reply.affected_sop_instance_uid = r->sop_instance_uid;
    return reply;
}

nd::NReply MppsHandler::set(const nd::RequestContext& rc, const nd::NSetRq& rq, const DataSet& modifications) {
    if (auto no = not_allowed(authorizer_, rc)) return *no;
    auto r = mpps_.set(rq.requested_sop_instance_uid, modifications);
    if (!r) return refused(r.error());
    return {};
}

std::optional<ReportOn> parse_report_on(std::string_view t) noexcept {
    if (t == "same") return ReportOn::Same;
    if (t == "new") return ReportOn::New;
    if (t == "auto") return ReportOn::Auto;
    return std::nullopt;
}

CommitmentReporter::CommitmentReporter(service::Commitment& commitment, ReporterOptions options)
    : commitment_(commitment), options_(std::move(options)) {
    thread_ = std::thread([this] { run(); });
}

CommitmentReporter::~CommitmentReporter() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CommitmentReporter::enqueue(const std::string& uid) {
    {
        std::lock_guard lock(mutex_);
        due_[uid] = std::chrono::steady_clock::now();
    }
    wake_.notify_all();
}

std::size_t CommitmentReporter::resume() {
    auto pending = commitment_.list(index::CommitmentState::Pending, 100000);
    if (!pending) {
        if (options_.log) options_.log("W: storage commitment: pending reports not read: " + pending.error().message);
        return 0;
    }
    for (const index::CommitmentRecord& r : *pending) enqueue(r.transaction_uid);
    return pending->size();
}

Result<void> CommitmentReporter::send(const index::CommitmentRecord& r) {
    std::optional<Destination> dest = options_.find_peer ? options_.find_peer(r.requester_ae) : std::nullopt;
    if (!dest) return make_error(ErrorCode::NotFound, "requester " + r.requester_ae + " is not a configured peer");
    net::ul::AssociationRequest arq;
    arq.calling_ae = options_.our_ae;
    arq.called_ae = dest->ae_title;
    arq.contexts.push_back({1, std::string(service::kCommitmentSopClass), {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}});
    // PS3.4 J.3.3 / PS3.7 D.3.3.4: the SCP of Storage Commitment opens this association, so it
    // proposes the SCP role (and not the SCU role) for the SOP class.
    arq.role_selections.push_back({std::string(service::kCommitmentSopClass), false, true});
    net::ul::AssociationOptions ao;
    ao.tls = dest->tls;
    ao.timeouts.dimse = net::ul::Millis(30'000);
    net::ul::FailureKind kind = net::ul::FailureKind::None;
    auto a = net::ul::Association::request({dest->host, dest->port}, arq, ao, &kind);
    if (!a) return make_error(ErrorCode::IoError, dest->ae_title + "@" + dest->host + ":" + std::to_string(dest->port) +
                                                      ": " + a.error().message);
    nd::AssociationChannel ch(*a);
    nd::NEventReportRq ev;
    ev.affected_sop_class_uid = std::string(service::kCommitmentSopClass);
    ev.affected_sop_instance_uid = std::string(service::kCommitmentInstance);
    ev.event_type_id = service::event_type(r);
    const DataSet info = service::event_information(r);
    auto rsp = nd::n_event_report(ch, ev, &info);
    if (!rsp) return tl::unexpected(rsp.error());
    (void)a->release();
    if (rsp->response.status != nd::status::Success)
        return make_error(ErrorCode::InvalidValue, "the requester answered the N-EVENT-REPORT with status " +
                                                       nd::describe_status(rsp->response.status, nd::CommandField::N_EVENT_REPORT_RSP));
    return {};
}

void CommitmentReporter::run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        auto now = std::chrono::steady_clock::now();
        auto next = std::min_element(due_.begin(), due_.end(), [](const auto& x, const auto& y) { return x.second < y.second; });
        if (next == due_.end()) {
            wake_.wait(lock);
            continue;
        }
        if (next->second > now) {
            wake_.wait_until(lock, next->second);
            continue;
        }
        const std::string uid = next->first;
        due_.erase(next);
        lock.unlock();
        auto rec = commitment_.get(uid);
        if (rec && *rec && (*rec)->state == index::CommitmentState::Pending) {
            auto sent = send(**rec);
            // attempts counts every try; the first report (on the same association, or the first
            // here) is not a retry.
            const bool give_up = !sent && (*rec)->attempts >= options_.retries;
            auto done = commitment_.report_done(uid, sent.has_value(), sent ? std::string() : sent.error().message, give_up);
            if (options_.log) {
                if (sent) options_.log("storage commitment " + uid + " reported to " + (*rec)->requester_ae +
                                       " on a new association (" + std::to_string((*rec)->committed.size()) +
                                       " committed, " + std::to_string((*rec)->failed.size()) + " failed)");
                else options_.log("W: storage commitment " + uid + ": report to " + (*rec)->requester_ae + " failed" +
                                  (give_up ? " for good" : ", retried later") + ": " + sent.error().message);
            }
            if (!sent && !give_up && done) {
                const int shift = std::min(done->attempts - 1, 16);
                lock.lock();
                due_[uid] = std::chrono::steady_clock::now() + options_.retry_interval * (1 << std::max(shift, 0));
                continue;
            }
        }
        lock.lock();
    }
}

nd::NReply CommitmentHandler::action(const nd::RequestContext& rc, const nd::NActionRq& rq, const DataSet* info) {
    if (auto no = not_allowed(authorizer_, rc)) return *no;
    auto r = commitment_.request(std::string(log::printable(rc.calling_ae, 64)), rq.action_type_id, info);
    if (!r) return refused(r.error());
    const std::string uid = r->transaction_uid;
    if (on_ == ReportOn::New || !rc.events) {
        if (rc.events) rc.events->after_response([this, uid](nd::EventReporter&) { reporter_.enqueue(uid); });
        else reporter_.enqueue(uid);
        return {};
    }
    const index::CommitmentRecord rec = *r;
    rc.events->after_response([this, rec](nd::EventReporter& events) {
        nd::NEventReportRq ev;
        ev.affected_sop_class_uid = std::string(service::kCommitmentSopClass);
        ev.affected_sop_instance_uid = std::string(service::kCommitmentInstance);
        ev.event_type_id = service::event_type(rec);
        const DataSet info = service::event_information(rec);
        auto sent = events.report(ev, &info);
        std::string why;
        if (!sent) why = sent.error().message;
        else if (sent->response.status != nd::status::Success)
            why = "the requester answered with status " +
                  nd::describe_status(sent->response.status, nd::CommandField::N_EVENT_REPORT_RSP);
        const bool ok = why.empty();
        const bool retry_elsewhere = !ok && on_ == ReportOn::Auto;
        (void)commitment_.report_done(rec.transaction_uid, ok, why, !ok && !retry_elsewhere);
        if (log_) {
            if (ok) log_("storage commitment " + rec.transaction_uid + " reported to " + rec.requester_ae +
                         " on the same association (" + std::to_string(rec.committed.size()) + " committed, " +
                         std::to_string(rec.failed.size()) + " failed)");
            else log_("W: storage commitment " + rec.transaction_uid + ": report on the same association failed: " + why +
                      (retry_elsewhere ? " (a new association follows)" : ""));
        }
        if (retry_elsewhere) reporter_.enqueue(rec.transaction_uid);
    });
    return {};
}

}  // namespace dicomkit::server::dimse
