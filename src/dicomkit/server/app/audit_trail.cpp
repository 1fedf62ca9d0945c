// serve's audit trail: DIMSE, HTTP, job and process events as PS3.15 A.5.3 messages.
#include <dicomkit/server/app/audit_trail.hpp>

#include <unistd.h>

#include <chrono>
#include <set>

#include <dicomkit/audit/sinks.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/net/ul/transport.hpp>
#include <dicomkit/server/model/query.hpp>

namespace dicomkit::server::app {

namespace {

using audit::Outcome;
using audit::Participant;
using audit::StudyRecord;

constexpr auto kSyslogTimeout = std::chrono::milliseconds(5000);

/// "127.0.0.1:51234" -> "127.0.0.1"; "[::1]:51234" -> "::1".
std::string host_of(const std::string& peer) {
    if (!peer.empty() && peer.front() == '[') {
        const auto end = peer.find(']');
        return end == std::string::npos ? peer : peer.substr(1, end - 1);
    }
    const auto colon = peer.rfind(':');
    if (colon == std::string::npos || peer.find(':') != colon) return peer;
    return peer.substr(0, colon);
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    return s;
}

/// A TLS (or plain TCP) connection for the RFC 5425 sink, through the DICOM TLS code.
class TransportStream final : public audit::Stream {
public:
    explicit TransportStream(std::unique_ptr<net::ul::Transport> t) : t_(std::move(t)) {}
    ~TransportStream() override {
        if (t_) t_->close();
    }
    Result<void> write(std::span<const std::uint8_t> bytes) override { return t_->write_all(bytes, kSyslogTimeout); }

private:
    std::unique_ptr<net::ul::Transport> t_;
};

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

/// An HTTP client: the user when authenticated, else its address.
Participant http_client(const web::AuditedRequest& r) {
    Participant p;
    p.user_id = r.user.empty() ? host_of(r.remote) : r.user;
    p.user_name = r.user;
    p.network_address = host_of(r.remote);
    p.requestor = true;
    return p;
}

Outcome outcome_of(std::uint16_t status, std::uint64_t failed) {
    switch (net::dimse::status_kind(status)) {
        case net::dimse::StatusKind::Success:
        case net::dimse::StatusKind::Pending:
        case net::dimse::StatusKind::Cancel: return failed ? Outcome::MinorFailure : Outcome::Success;
        case net::dimse::StatusKind::Warning: return Outcome::MinorFailure;
        case net::dimse::StatusKind::Failure: return Outcome::SeriousFailure;
    }
    return Outcome::MinorFailure;
}

/// The values of a multi-valued string (backslash separated).
std::vector<std::string> values(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto end = s.find('\\', start);
        std::string v = trim(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (!v.empty()) out.push_back(std::move(v));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

}  // namespace

Result<std::unique_ptr<AuditTrail>> AuditTrail::start(const Config& config, index::Index& index,
                                                      std::function<void(const std::string&)> log) {
    const AuditSettings& a = config.audit;
    std::vector<std::unique_ptr<audit::Sink>> sinks;
    if (!a.file.empty()) sinks.push_back(audit::file_sink(a.file, a.file_max_mb << 20));
    audit::SyslogHeader header;
    header.hostname = host_name();
    header.app_name = a.app_name;
    header.proc_id = std::to_string(::getpid());
    if (!a.syslog.empty()) {
        auto target = parse_syslog_target(a.syslog);
        if (!target) return make_error(ErrorCode::InvalidValue, "[audit] syslog: " + target.error().message);
        if (target->scheme == "udp") {
            sinks.push_back(audit::udp_syslog_sink(target->host, target->port, header));
        } else {
            std::optional<net::ul::TlsConfig> tls;
            if (target->scheme == "tls") {
                net::ul::TlsConfig t;
                t.ca_file = a.ca;
                t.certificate_file = a.cert;
                t.private_key_file = a.key;
                t.verify_peer = !a.ca.empty();
                if (auto ok = net::ul::check_tls_config(t, false); !ok)
                    return make_error(ErrorCode::InvalidValue, "[audit] TLS: " + ok.error().message);
                tls = t;
            }
            const SyslogTarget where = *target;
            audit::StreamConnector connect = [where, tls]() -> Result<std::unique_ptr<audit::Stream>> {
                auto t = net::ul::connect(where.host, where.port, kSyslogTimeout, tls ? &*tls : nullptr);
                if (!t) return tl::unexpected(t.error());
                return std::unique_ptr<audit::Stream>(std::make_unique<TransportStream>(std::move(*t)));
            };
            sinks.push_back(audit::stream_syslog_sink(a.syslog, std::move(connect), header));
        }
    }
    audit::AuditLogOptions o;
    o.queue_capacity = a.queue;
    o.source.enterprise_site_id = a.enterprise_site_id;
    o.source.source_id = a.source_id.empty() ? config.ae_title + "@" + header.hostname : a.source_id;
    o.log = std::move(log);
    auto log_ = std::make_unique<audit::AuditLog>(std::move(sinks), std::move(o));
    return std::unique_ptr<AuditTrail>(new AuditTrail(config, index, std::move(log_)));
}

AuditTrail::AuditTrail(const Config& config, index::Index& index, std::unique_ptr<audit::AuditLog> log)
    : ae_title_(config.ae_title), user_id_("dicomkit[" + std::to_string(::getpid()) + "]"), index_(index),
      log_(std::move(log)) {
    for (const Peer& p : config.peers) peers_[p.ae_title] = PeerFacts{p.host, !p.deidentify.empty()};
}

AuditTrail::~AuditTrail() { stop(); }

void AuditTrail::stop() {
    if (log_) log_->stop();
}

std::string AuditTrail::stats_json() const { return log_->stats_json(); }

Participant AuditTrail::us(bool requestor) const { return audit::application(user_id_, ae_title_, "", requestor); }

void AuditTrail::fill_patient(StudyRecord& study) const {
    if (study.study_uid.empty()) return;
    DataSet id;
    id.set_string(tags::QueryRetrieveLevel, VR::CS, "STUDY");
    id.set_string(tags::StudyInstanceUID, VR::UI, study.study_uid);
    id.set_string(tags::PatientID, VR::LO, "");
    id.set_string(tags::PatientName, VR::PN, "");
    id.set_string(tags::AccessionNumber, VR::SH, "");
    auto q = model::parse_query(model::Root::Study, id);
    if (!q) return;
    (void)index_.find(*q, [&](const DataSet& match) {
        study.patient_id = trim(match.string_or(tags::PatientID));
        study.patient_name = trim(match.string_or(tags::PatientName));
        const std::string acc = trim(match.string_or(tags::AccessionNumber));
        if (!acc.empty() && study.accessions.empty()) study.accessions.push_back(acc);
        return false;
    });
}

StudyRecord AuditTrail::study_from_index(const std::string& study, const std::string& series,
                                         const std::string& instance) const {
    StudyRecord r;
    r.study_uid = study;
    if (auto files = index_.files_under(study, series, instance); files && *files)
        for (const auto& f : **files) r.add(f.sop_class_uid, f.sop_instance_uid, false);
    fill_patient(r);
    return r;
}

void AuditTrail::application(bool start, bool ok, const std::string& why) {
    const char* user = ::getenv("USER");
    audit::Message m = audit::application_activity(start, us(false), user ? user : "",
                                                   ok ? Outcome::Success : Outcome::SeriousFailure);
    if (!ok) m.outcome_description = why;
    log_->submit(std::move(m));
}

void AuditTrail::store(const dimse::StoreEvent& e) {
    const std::string study = e.stored ? e.stored->study_instance_uid : std::string();
    std::lock_guard lock(mutex_);
    Pending& p = stores_[{e.rc.peer_address, e.rc.calling_ae}][study];
    p.study.study_uid = study;
    if (e.stored) {
        p.study.add(e.stored->sop_class_uid.empty() ? e.rq.affected_sop_class_uid : e.stored->sop_class_uid,
                    e.stored->sop_instance_uid, false);
        if (e.stored->action == service::StoreAction::Replaced) p.replaced = true;
    } else {
        ++p.failed;
        if (p.why.empty()) p.why = net::dimse::describe_status(e.outcome.status) +
                                   (e.outcome.error_comment.empty() ? "" : ": " + e.outcome.error_comment);
    }
}

void AuditTrail::association_end(const std::string& calling_ae, const std::string& called_ae, const std::string& peer) {
    std::map<std::string, Pending> studies;
    {
        std::lock_guard lock(mutex_);
        auto it = stores_.find({peer, calling_ae});
        if (it == stores_.end()) return;
        studies = std::move(it->second);
        stores_.erase(it);
    }
    for (auto& [uid, p] : studies) {
        fill_patient(p.study);
        const Outcome o = p.failed == 0 ? Outcome::Success
                          : p.study.instances() > 0 ? Outcome::MinorFailure
                                                    : Outcome::SeriousFailure;
        std::string why = p.failed ? std::to_string(p.failed) + " instances refused (" + p.why + ")" : std::string();
        Participant source = audit::application(trim(calling_ae), trim(calling_ae), host_of(peer), true);
        Participant dest = audit::application(user_id_, trim(called_ae), "", false);
        log_->submit(audit::instances_transferred(p.replaced ? 'U' : 'C', std::move(source), std::move(dest), {},
                                                  p.study, o, why));
    }
}

void AuditTrail::request(const net::dimse::RequestEvent& e, const std::string& called_ae) {
    using net::dimse::CommandField;
    const std::string calling = trim(e.rc.calling_ae);
    const std::string address = host_of(e.rc.peer_address);
    Participant requestor = audit::application(calling, calling, address, true);
    Participant responder = audit::application(user_id_, trim(called_ae), "", false);
    const std::uint16_t status = e.rsp.status.value_or(0);
    if (e.rq.field == CommandField::C_FIND_RQ) {
        std::string bytes;
        if (e.identifier)
            if (auto enc = io::encode_dataset(*e.identifier, io::ts::ExplicitVRLittleEndian); enc)
                bytes.assign(reinterpret_cast<const char*>(enc->data()), enc->size());
        log_->submit(audit::query(std::move(requestor), std::move(responder), e.rq.affected_sop_class_uid, bytes,
                                  outcome_of(status, 0), e.rsp.error_comment));
        return;
    }
    if (e.rq.field != CommandField::C_MOVE_RQ && e.rq.field != CommandField::C_GET_RQ) return;
    if (!e.identifier) return;
    const bool move = e.rq.field == CommandField::C_MOVE_RQ;
    const std::uint64_t failed = e.rsp.failed.value_or(0);
    const std::uint64_t completed = e.rsp.completed.value_or(0) + e.rsp.warning.value_or(0);
    const std::string level = trim(e.identifier->string_or(tags::QueryRetrieveLevel));
    const auto studies = values(e.identifier->string_or(tags::StudyInstanceUID));
    const auto series = values(e.identifier->string_or(tags::SeriesInstanceUID));
    const auto sops = values(e.identifier->string_or(tags::SOPInstanceUID));
    const std::string dest_ae = move ? trim(e.rq.move_destination) : calling;
    auto peer = peers_.find(dest_ae);
    const std::string dest_host = move ? (peer != peers_.end() ? peer->second.host : std::string()) : address;
    const bool deidentified = peer != peers_.end() && peer->second.deidentify;
    for (const std::string& study : studies) {
        StudyRecord r = study_from_index(study, series.size() == 1 ? series.front() : std::string(),
                                         sops.size() == 1 && level == "IMAGE" ? sops.front() : std::string());
        if (r.instances() == 0 && completed == 0 && failed == 0) continue;  // nothing of this study matched
        Participant source = us(false);
        Participant dest = audit::application(dest_ae, dest_ae, dest_host, !move);
        std::vector<Participant> others;
        if (move) others.push_back(requestor);
        const Outcome o = outcome_of(status, failed);
        std::string why = failed ? std::to_string(failed) + " sub-operations failed" : e.rsp.error_comment;
        if (deidentified)
            log_->submit(audit::instances_accessed('C', {us(false), dest}, r, o, audit::kLifeCycleDeidentification,
                                                   why));
        log_->submit(audit::instances_transferred('R', std::move(source), std::move(dest), std::move(others), r, o, why));
    }
}

void AuditTrail::refused(const std::string& calling_ae, const std::string& peer, const std::string& why) {
    std::optional<Participant> subject;
    const std::string ae = trim(calling_ae);
    subject = audit::application(ae.empty() ? host_of(peer) : ae, ae, host_of(peer), true);
    log_->submit(audit::security_alert(audit::codes::NodeAuthentication, us(true), std::move(subject), why,
                                       Outcome::MinorFailure));
}

web::AuditHook AuditTrail::web_hook() {
    return [this](const web::AuditedRequest& begin) -> std::function<void(const web::AuditedRequest&)> {
        using Kind = web::AuditedRequest::Kind;
        if (begin.kind == Kind::Login) {
            return [this](const web::AuditedRequest& r) {
                log_->submit(audit::user_authentication(http_client(r), us(false),
                                                        r.ok ? Outcome::Success : Outcome::MinorFailure, r.why));
            };
        }
        if (begin.kind == Kind::Query) {
            return [this](const web::AuditedRequest& r) {
                log_->submit(audit::query(http_client(r), us(false), std::string(dimse::kStudyRootFind), r.target,
                                          r.ok ? Outcome::Success : Outcome::MinorFailure, r.why));
            };
        }
        // Store, Retrieve and Delete: one record per study, the patient looked up now (before a removal).
        auto records = std::make_shared<std::map<std::string, StudyRecord>>();
        for (const auto& i : begin.instances) {
            StudyRecord& s = (*records)[i.study];
            s.study_uid = i.study;
            s.add(i.sop_class, i.sop_instance, begin.kind == Kind::Delete);
        }
        for (auto& [uid, s] : *records) fill_patient(s);
        return [this, records](const web::AuditedRequest& r) {
            const Outcome o = r.ok ? Outcome::Success : Outcome::MinorFailure;
            for (const auto& [uid, s] : *records) {
                if (r.kind == Kind::Retrieve) {
                    log_->submit(audit::instances_transferred('R', us(false), http_client(r), {}, s, o, r.why));
                    continue;
                }
                if (r.kind == Kind::Store) {
                    log_->submit(audit::instances_transferred('C', http_client(r), us(false), {}, s, o, r.why));
                    continue;
                }
                // The whole study (DELETE /api/studies/{study}): DICOM Study Deleted; else instances.
                const bool whole = r.target.find("/series/") == std::string::npos;
                std::vector<Participant> who{http_client(r), us(false)};
                if (whole) log_->submit(audit::study_deleted(std::move(who), s, o, r.why));
                else log_->submit(audit::instances_accessed('D', std::move(who), s, o, std::nullopt, r.why));
            }
        };
    };
}

void AuditTrail::import_job(const JobRequest& rq, std::map<std::string, audit::StudyRecord> studies,
                            std::uint64_t failed, const std::string& error) {
    const Outcome o = error.empty() && failed == 0 ? Outcome::Success : Outcome::MinorFailure;
    for (auto& [uid, s] : studies) {
        fill_patient(s);
        Participant media;
        media.user_id = rq.path;
        media.requestor = false;
        audit::Message m = audit::instances_transferred('C', std::move(media), us(true), {}, s, o, error);
        // The source is the medium (DCM 110155 Source Media), not an application.
        if (!m.participants.empty()) m.participants.front().role = audit::Code{"110155", "DCM", "Source Media"};
        log_->submit(std::move(m));
    }
}

void AuditTrail::send_job(const JobRequest& rq, const Peer& peer, bool deidentified, std::uint64_t done,
                          std::uint64_t failed, const std::string& error, bool begin) {
    StudyRecord r = study_from_index(rq.study, rq.series, rq.instance);
    Participant dest = audit::application(peer.ae_title, peer.ae_title, peer.host, false);
    if (begin) {
        log_->submit(audit::begin_transferring(us(true), std::move(dest), {}, r));
        return;
    }
    const Outcome o = error.empty() && failed == 0 ? Outcome::Success
                      : done > 0                   ? Outcome::MinorFailure
                                                   : Outcome::SeriousFailure;
    if (deidentified)
        log_->submit(audit::instances_accessed('C', {us(true), dest}, r, o, audit::kLifeCycleDeidentification, error));
    log_->submit(audit::instances_transferred('R', us(true), std::move(dest), {}, r, o, error));
}

}  // namespace dicomkit::server::app
