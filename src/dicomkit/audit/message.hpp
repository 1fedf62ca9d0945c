// Audit messages of DICOM PS3.15 A.5 (the RFC 3881 schema as DICOM extends it, A.5.1) as values,
// and their XML. The events of A.5.3 are built in events.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dicomkit::audit {

/// A coded value (PS3.15 A.5.1: csd-code, codeSystemName, originalText).
struct Code {
    std::string code;
    std::string system = "DCM";
    std::string text;
};

/// PS3.15 A.5.1 EventOutcomeIndicator.
enum class Outcome : int { Success = 0, MinorFailure = 4, SeriousFailure = 8, MajorFailure = 12 };

/// An ActiveParticipant: a process or person taking part (an AE, the archive, an HTTP user).
struct Participant {
    std::string user_id;
    std::string alternative_user_id;  ///< "AETITLES=A;B" for DICOM applications (A.5.2.1)
    std::string user_name;
    bool requestor = false;
    std::optional<Code> role;          ///< e.g. 110153 Source Role ID, 110152 Destination Role ID
    std::string network_address;       ///< an IP address (type 2) or a host name (type 1)
};

/// A SOPClass of a study participant: the UID, how many instances, and optionally which.
struct SopClass {
    std::string uid;
    std::uint64_t instances = 0;
    std::vector<std::string> instance_uids;
};

/// A ParticipantObjectIdentification: a study, a patient, a query, a node.
struct ParticipantObject {
    std::string id;
    int type = 2;       ///< ParticipantObjectTypeCode: 1 person, 2 system object
    int role = 3;       ///< ParticipantObjectTypeCodeRole: 1 patient, 3 report, 24 query
    std::optional<int> life_cycle;  ///< ParticipantObjectDataLifeCycle (RFC 3881), e.g. 7 de-identification
    Code id_type;       ///< e.g. 110180 Study Instance UID; (2, RFC-3881, Patient Number)
    std::string name;   ///< ParticipantObjectName (the patient's name)
    std::string query;  ///< ParticipantObjectQuery: the raw query bytes (written as base64)
    std::vector<std::pair<std::string, std::string>> details;  ///< ParticipantObjectDetail type and value (base64 written)
    std::string description;  ///< ParticipantObjectDescription
    std::vector<SopClass> sop_classes;
    std::vector<std::string> accessions;
    std::optional<bool> anonymized;
};

/// AuditSourceIdentification.
struct Source {
    std::string enterprise_site_id;
    std::string source_id;
    std::string type_code = "4";  ///< RFC 3881 audit source type 4: application server process
};

/// One audit message.
struct Message {
    Code event_id;
    char action = 'E';  ///< EventActionCode: C R U D E
    std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
    Outcome outcome = Outcome::Success;
    std::string outcome_description;  ///< EventOutcomeDescription, when the outcome is not success
    std::vector<Code> event_types;
    std::vector<Participant> participants;
    Source source;
    std::vector<ParticipantObject> objects;
};

/// "2026-12-07T01:45:00.123Z": xs:dateTime in UTC with milliseconds.
[[nodiscard]] std::string iso8601(std::chrono::system_clock::time_point t);
/// RFC 4648 base64 with padding.
[[nodiscard]] std::string base64(std::string_view bytes);
/// Text for an XML attribute or element: & < > " ' escaped, control characters as character
/// references where XML 1.0 allows them (tab, LF, CR) and U+FFFD where it does not, bytes that are
/// not UTF-8 as U+FFFD. The result never holds a raw line break, so a message fits on one line.
[[nodiscard]] std::string xml_escape(std::string_view text);
/// The message as one line of XML (PS3.15 A.5.1), without an XML declaration.
[[nodiscard]] std::string to_xml(const Message& m);

}  // namespace dicomkit::audit
