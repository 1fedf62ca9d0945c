// The seven DICOM Upper Layer PDUs (PS3.8 9.3) as plain values, and Pdu, the variant of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <dicomkit/net/pdu/user_information.hpp>

namespace dicomkit::net::pdu {

/// PS3.8 9.3.1: PDU-type byte values.
enum class PduType : std::uint8_t {
    AssociateRq = 0x01,
    AssociateAc = 0x02,
    AssociateRj = 0x03,
    PDataTf = 0x04,
    ReleaseRq = 0x05,
    ReleaseRp = 0x06,
    Abort = 0x07,
};

/// True for 01H..07H. Any other first byte is an unrecognized PDU (PS3.8 9.2, event 19; the
/// A-ABORT reason is then 1, unrecognized-PDU).
[[nodiscard]] constexpr bool is_known_pdu_type(std::uint8_t type) noexcept {
    return type >= 0x01 && type <= 0x07;
}

/// "A-ASSOCIATE-RQ", "P-DATA-TF", ...; "unknown PDU" for other values.
[[nodiscard]] std::string_view pdu_type_name(std::uint8_t type) noexcept;

/// PS3.8 7.1.1.2: the DICOM Application Context Name.
inline constexpr std::string_view kDicomApplicationContext = "1.2.840.10008.3.1.1.1";

/// PS3.8 9.3.2.2: Presentation Context item of an A-ASSOCIATE-RQ (20H).
struct PresentationContextRq {
    std::uint8_t id = 1;  ///< odd, 1..255
    std::string abstract_syntax;
    std::vector<std::string> transfer_syntaxes;  ///< at least one
    bool operator==(const PresentationContextRq&) const = default;
};

/// PS3.8 9.3.3.2: Result/Reason of a presentation context in an A-ASSOCIATE-AC.
enum class ContextResult : std::uint8_t {
    Acceptance = 0,
    UserRejection = 1,
    NoReason = 2,                      ///< provider rejection
    AbstractSyntaxNotSupported = 3,    ///< provider rejection
    TransferSyntaxesNotSupported = 4,  ///< provider rejection
};

/// PS3.8 9.3.3.2: Presentation Context item of an A-ASSOCIATE-AC (21H). The transfer syntax is
/// significant only on acceptance; otherwise it may be empty.
struct PresentationContextAc {
    std::uint8_t id = 1;
    ContextResult result = ContextResult::Acceptance;
    std::string transfer_syntax;
    bool operator==(const PresentationContextAc&) const = default;
};

/// PS3.8 9.3.2: A-ASSOCIATE-RQ. AE titles are kept without their space padding (at most 16
/// characters, not empty).
struct AssociateRq {
    std::uint16_t protocol_version = 1;  ///< bit 0 set = version 1; kept as received
    std::string called_ae_title;
    std::string calling_ae_title;
    std::string application_context_name{kDicomApplicationContext};
    std::vector<PresentationContextRq> presentation_contexts;
    UserInformation user_information;
    bool operator==(const AssociateRq&) const = default;
};

/// PS3.8 9.3.3: A-ASSOCIATE-AC. The AE title fields are reserved there: sent as received in the
/// RQ, not tested when received (so they may be empty).
struct AssociateAc {
    std::uint16_t protocol_version = 1;
    std::string called_ae_title;
    std::string calling_ae_title;
    std::string application_context_name{kDicomApplicationContext};
    std::vector<PresentationContextAc> presentation_contexts;
    UserInformation user_information;
    bool operator==(const AssociateAc&) const = default;
};

/// PS3.8 9.3.4: Result field of A-ASSOCIATE-RJ.
enum class RejectResult : std::uint8_t {
    RejectedPermanent = 1,
    RejectedTransient = 2,
};

/// PS3.8 9.3.4: Source field of A-ASSOCIATE-RJ.
enum class RejectSource : std::uint8_t {
    ServiceUser = 1,                  ///< DICOM UL service-user
    ServiceProviderAcse = 2,          ///< DICOM UL service-provider (ACSE related function)
    ServiceProviderPresentation = 3,  ///< DICOM UL service-provider (Presentation related function)
};

/// PS3.8 9.3.4: Reason/Diag. values; their meaning depends on the source.
namespace reject_reason {
inline constexpr std::uint8_t kNoReasonGiven = 1;                       ///< source 1 or 2
inline constexpr std::uint8_t kApplicationContextNameNotSupported = 2;  ///< source 1
inline constexpr std::uint8_t kCallingAeTitleNotRecognized = 3;         ///< source 1
inline constexpr std::uint8_t kCalledAeTitleNotRecognized = 7;          ///< source 1
inline constexpr std::uint8_t kProtocolVersionNotSupported = 2;         ///< source 2
inline constexpr std::uint8_t kTemporaryCongestion = 1;                 ///< source 3
inline constexpr std::uint8_t kLocalLimitExceeded = 2;                  ///< source 3
}  // namespace reject_reason

/// PS3.8 9.3.4: A-ASSOCIATE-RJ. Reserved reason values of the standard's table are accepted.
struct AssociateRj {
    RejectResult result = RejectResult::RejectedPermanent;
    RejectSource source = RejectSource::ServiceUser;
    std::uint8_t reason = reject_reason::kNoReasonGiven;
    bool operator==(const AssociateRj&) const = default;
};

/// PS3.8 9.3.5.1 and Annex E: one Presentation Data Value: the context it belongs to, the message
/// control header (bit 0: command, bit 1: last fragment) and the fragment bytes.
struct Pdv {
    std::uint8_t context_id = 1;
    bool command = false;
    bool last = false;
    Bytes data;
    bool operator==(const Pdv&) const = default;
};

/// PS3.8 9.3.5: P-DATA-TF, one or more PDVs.
struct PDataTf {
    std::vector<Pdv> pdvs;
    bool operator==(const PDataTf&) const = default;
};

/// PS3.8 9.3.6: A-RELEASE-RQ.
struct ReleaseRq {
    bool operator==(const ReleaseRq&) const = default;
};

/// PS3.8 9.3.7: A-RELEASE-RP.
struct ReleaseRp {
    bool operator==(const ReleaseRp&) const = default;
};

/// PS3.8 9.3.8: Source field of A-ABORT (1 is reserved).
enum class AbortSource : std::uint8_t {
    ServiceUser = 0,  ///< DICOM UL service-user (initiated abort)
    Reserved = 1,
    ServiceProvider = 2,  ///< DICOM UL service-provider (initiated abort)
};

/// PS3.8 9.3.8: Reason/Diag. of a service-provider abort (3 is reserved).
enum class AbortReason : std::uint8_t {
    ReasonNotSpecified = 0,
    UnrecognizedPdu = 1,
    UnexpectedPdu = 2,
    Reserved = 3,
    UnrecognizedPduParameter = 4,
    UnexpectedPduParameter = 5,
    InvalidPduParameterValue = 6,
};

/// PS3.8 9.3.8: A-ABORT. The reason is significant only for a service-provider abort; for a
/// service-user abort it is sent as 0 and not tested.
struct Abort {
    AbortSource source = AbortSource::ServiceUser;
    AbortReason reason = AbortReason::ReasonNotSpecified;
    bool operator==(const Abort&) const = default;
};

/// Any one PDU.
using Pdu =
    std::variant<AssociateRq, AssociateAc, AssociateRj, PDataTf, ReleaseRq, ReleaseRp, Abort>;

/// The PDU-type of the alternative `pdu` holds.
[[nodiscard]] PduType type_of(const Pdu& pdu) noexcept;

/// `uid` without trailing NUL (PS3.5 9.1 padding) or space bytes. PS3.8 UIDs carry no padding,
/// but some peers pad anyway; decode() strips it so that UIDs compare as strings.
[[nodiscard]] std::string_view uid_without_padding(std::string_view uid) noexcept;

}  // namespace dicomkit::net::pdu
