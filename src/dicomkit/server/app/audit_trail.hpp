// serve's audit trail ([audit], docs/audit.md): the events of the DIMSE and HTTP fronts, the
// jobs and the process turned into PS3.15 A.5.3 messages and handed to audit::AuditLog, which
// delivers them to a file and/or syslog without making any of those wait.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <dicomkit/audit/audit_log.hpp>
#include <dicomkit/audit/events.hpp>
#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/server/app/config.hpp>
#include <dicomkit/server/app/job_run.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::app {

class AuditTrail {
public:
    /// The sinks of config.audit (the TLS one with the DICOM TLS code, net::ul::connect);
    /// `index` is read for the patient and accession of a study (settled: after indexing).
    /// InvalidValue for a syslog target that does not parse.
    [[nodiscard]] static Result<std::unique_ptr<AuditTrail>> start(const Config& config, index::Index& index,
                                                                   std::function<void(const std::string&)> log);
    ~AuditTrail();

    /// A.5.3.1 Application Activity: serve started (after listening) or is stopping.
    void application(bool start, bool ok = true, const std::string& why = {});
    /// A C-STORE answered: gathered per association and study until association_end().
    void store(const dimse::StoreEvent& e);
    /// The association ended: one DICOM Instances Transferred per study it stored.
    void association_end(const std::string& calling_ae, const std::string& called_ae, const std::string& peer);
    /// C-FIND (Query), C-MOVE and C-GET (DICOM Instances Transferred, read, per study).
    void request(const net::dimse::RequestEvent& e, const std::string& called_ae);
    /// An association refused: a calling AE that may not associate, or a failed TLS handshake
    /// (Security Alert, Node Authentication).
    void refused(const std::string& calling_ae, const std::string& peer, const std::string& why);
    /// The web front's hook (QIDO-RS, STOW-RS, REST removals, logins).
    [[nodiscard]] web::AuditHook web_hook();
    /// A send job: Begin Transferring, DICOM Instances Transferred, Export and, for a peer
    /// that gets de-identified copies, DICOM Instances Accessed with life cycle de-identification.
    /// `begin`: before it runs (Begin Transferring); else after, with its counts and error.
    void send_job(const JobRequest& rq, const Peer& peer, bool deidentified, std::uint64_t done, std::uint64_t failed,
                  const std::string& error, bool begin);
    /// An import job: DICOM Instances Transferred (C) per study it stored, from the medium or
    /// folder (`rq.path`, role Source Media 110155) to serve.
    void import_job(const JobRequest& rq, std::map<std::string, audit::StudyRecord> studies, std::uint64_t failed,
                    const std::string& error);
    [[nodiscard]] std::string stats_json() const;
    /// Drains (bounded) and ends the delivery threads.
    void stop();

private:
    AuditTrail(const Config& config, index::Index& index, std::unique_ptr<audit::AuditLog> log);
    [[nodiscard]] audit::Participant us(bool requestor) const;
    /// Patient ID, name and accession numbers of the study (from the index), when known.
    void fill_patient(audit::StudyRecord& study) const;
    /// The SOP classes and instances under study/series/instance (from the index).
    [[nodiscard]] audit::StudyRecord study_from_index(const std::string& study, const std::string& series = {},
                                                     const std::string& instance = {}) const;

    std::string ae_title_;
    std::string user_id_;  ///< "dicomkit[PID]"
    index::Index& index_;
    std::unique_ptr<audit::AuditLog> log_;
    struct Pending {
        audit::StudyRecord study;
        bool replaced = false;
        std::uint64_t failed = 0;
        std::string why;
    };
    struct PeerFacts {
        std::string host;
        bool deidentify = false;
    };
    std::map<std::string, PeerFacts> peers_;  ///< the configured peers by AE title
    std::mutex mutex_;
    /// (peer, calling AE) -> study UID -> what the association stored so far.
    std::map<std::pair<std::string, std::string>, std::map<std::string, Pending>> stores_;
};

}  // namespace dicomkit::server::app
