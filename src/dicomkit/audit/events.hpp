// The audit messages of PS3.15 A.5.3 that an archive emits, each built with the participants and
// objects its table asks for (codes of the DCM coding scheme, PS3.16).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/audit/message.hpp>

namespace dicomkit::audit {

/// PS3.16 codes used in the messages.
namespace codes {
inline const Code ApplicationActivity{"110100", "DCM", "Application Activity"};
inline const Code BeginTransferring{"110102", "DCM", "Begin Transferring DICOM Instances"};
inline const Code InstancesAccessed{"110103", "DCM", "DICOM Instances Accessed"};
inline const Code InstancesTransferred{"110104", "DCM", "DICOM Instances Transferred"};
inline const Code StudyDeleted{"110105", "DCM", "DICOM Study Deleted"};
inline const Code Query{"110112", "DCM", "Query"};
inline const Code SecurityAlert{"110113", "DCM", "Security Alert"};
inline const Code UserAuthentication{"110114", "DCM", "User Authentication"};
inline const Code ApplicationStart{"110120", "DCM", "Application Start"};
inline const Code ApplicationStop{"110121", "DCM", "Application Stop"};
inline const Code Login{"110122", "DCM", "Login"};
inline const Code NodeAuthentication{"110126", "DCM", "Node Authentication"};
inline const Code UseOfRestrictedFunction{"110132", "DCM", "Use of a restricted function"};
inline const Code Application{"110150", "DCM", "Application"};
inline const Code ApplicationLauncher{"110151", "DCM", "Application Launcher"};
inline const Code DestinationRole{"110152", "DCM", "Destination Role ID"};
inline const Code SourceRole{"110153", "DCM", "Source Role ID"};
inline const Code StudyInstanceUid{"110180", "DCM", "Study Instance UID"};
inline const Code SopClassUid{"110181", "DCM", "SOP Class UID"};
inline const Code NodeId{"110182", "DCM", "Node ID"};
inline const Code PatientNumber{"2", "RFC-3881", "Patient Number"};
}  // namespace codes

/// RFC 3881 ParticipantObjectDataLifeCycle 7: de-identification.
inline constexpr int kLifeCycleDeidentification = 7;

/// A DICOM application: UserID (the AE title when no process id is known, else the process),
/// AlternativeUserID "AETITLES=AE" (PS3.15 A.5.2.1), its address, whether it asked for the event.
[[nodiscard]] Participant application(std::string_view user_id, std::string_view ae_title,
                                      std::string_view address, bool requestor);

/// What one message says of a study: its UID, SOP classes with instance counts (and UIDs when
/// kept), accession numbers, and its patient.
struct StudyRecord {
    std::string study_uid;
    std::vector<SopClass> sop_classes;
    std::vector<std::string> accessions;
    std::string patient_id;
    std::string patient_name;
    /// Adds one instance of `sop_class` (with its UID when `keep_uid`).
    void add(std::string_view sop_class, std::string_view instance_uid, bool keep_uid);
    [[nodiscard]] std::uint64_t instances() const;
};

/// The study participant (110180) when its UID is known and the patient one (RFC-3881 code 2)
/// when its ID is.
[[nodiscard]] std::vector<ParticipantObject> study_objects(const StudyRecord& study);

/// A.5.3.1 Application Activity: start (110120) or stop (110121) of `app`, launched by `launcher`
/// when given (user id of the operating-system user).
[[nodiscard]] Message application_activity(bool start, Participant app, std::string_view launcher, Outcome outcome);
/// A.5.3.7 DICOM Instances Transferred (`action` C, R or U) from `source` to `destination`;
/// `others` (a C-MOVE's requestor) may be empty.
[[nodiscard]] Message instances_transferred(char action, Participant source, Participant destination,
                                            std::vector<Participant> others, const StudyRecord& study,
                                            Outcome outcome, std::string_view why = {});
/// A.5.3.3 Begin Transferring DICOM Instances.
[[nodiscard]] Message begin_transferring(Participant source, Participant destination, std::vector<Participant> others,
                                         const StudyRecord& study);
/// A.5.3.12 Query: `requestor` asked `responder`; the SOP class of the query (C-FIND's Affected
/// SOP Class UID; QIDO-RS names the Study Root FIND class) and the query's bytes (the identifier
/// as encoded, or the HTTP request line), written base64.
[[nodiscard]] Message query(Participant requestor, Participant responder, std::string_view sop_class,
                            std::string_view query_bytes, Outcome outcome, std::string_view why = {});
/// A.5.3.6 DICOM Instances Accessed (C R U D) by `who` (requestor) on `performer`'s store;
/// `life_cycle` set on the study objects when given (7: de-identification).
[[nodiscard]] Message instances_accessed(char action, std::vector<Participant> participants, const StudyRecord& study,
                                         Outcome outcome, std::optional<int> life_cycle = std::nullopt,
                                         std::string_view why = {});
/// A.5.3.5 DICOM Study Deleted (action D).
[[nodiscard]] Message study_deleted(std::vector<Participant> participants, const StudyRecord& study, Outcome outcome,
                                    std::string_view why = {});
/// A.5.3.11 Security Alert (action E): `type` (e.g. 110126 Node Authentication, 110132 Use of a
/// restricted function), reported by `reporter`, about `subject` (the node refused) when known.
[[nodiscard]] Message security_alert(const Code& type, Participant reporter, std::optional<Participant> subject,
                                     std::string_view description, Outcome outcome);
/// A.5.3.13 User Authentication (Login, 110122): `user` from `address`.
[[nodiscard]] Message user_authentication(Participant user, Participant node, Outcome outcome,
                                          std::string_view why = {});

}  // namespace dicomkit::audit
