// The User Information item of A-ASSOCIATE-RQ/AC and its sub-items (PS3.8 Annex D, PS3.7 D.3.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dicomkit::net::pdu {

using Bytes = std::vector<std::uint8_t>;

/// Sub-item types of the User Information item (PS3.8 D.1, PS3.7 D.3.3).
namespace sub_item {
inline constexpr std::uint8_t kMaximumLength = 0x51;
inline constexpr std::uint8_t kImplementationClassUid = 0x52;
inline constexpr std::uint8_t kAsynchronousOperationsWindow = 0x53;
inline constexpr std::uint8_t kRoleSelection = 0x54;
inline constexpr std::uint8_t kImplementationVersionName = 0x55;
inline constexpr std::uint8_t kSopClassExtendedNegotiation = 0x56;
inline constexpr std::uint8_t kSopClassCommonExtendedNegotiation = 0x57;
inline constexpr std::uint8_t kUserIdentityRq = 0x58;
inline constexpr std::uint8_t kUserIdentityAc = 0x59;
}  // namespace sub_item

/// True for the sub-item types above, which decode into typed fields rather than RawSubItem.
[[nodiscard]] constexpr bool is_known_sub_item(std::uint8_t type) noexcept {
    return type >= sub_item::kMaximumLength && type <= sub_item::kUserIdentityAc;
}

/// PS3.7 D.3.3.3: Asynchronous Operations Window sub-item (53H). 0 means unlimited; absent means 1.
struct AsynchronousOperationsWindow {
    std::uint16_t max_operations_invoked = 1;
    std::uint16_t max_operations_performed = 1;
    bool operator==(const AsynchronousOperationsWindow&) const = default;
};

/// PS3.7 D.3.3.4: SCP/SCU Role Selection sub-item (54H). In an RQ the roles the requestor
/// proposes (1 = support); in an AC whether the acceptor accepts each proposal (1 = accept).
struct RoleSelection {
    std::string sop_class_uid;
    bool scu_role = false;
    bool scp_role = false;
    bool operator==(const RoleSelection&) const = default;
};

/// PS3.7 D.3.3.5: SOP Class Extended Negotiation sub-item (56H); the application information is
/// defined by each Service Class (e.g. PS3.4 B.3.1 for Storage) and kept as bytes here.
struct SopClassExtendedNegotiation {
    std::string sop_class_uid;
    Bytes service_class_application_information;
    bool operator==(const SopClassExtendedNegotiation&) const = default;
};

/// PS3.7 D.3.3.6: SOP Class Common Extended Negotiation sub-item (57H, RQ only).
struct SopClassCommonExtendedNegotiation {
    std::string sop_class_uid;
    std::string service_class_uid;
    std::vector<std::string> related_general_sop_class_uids;
    bool operator==(const SopClassCommonExtendedNegotiation&) const = default;
};

/// PS3.7 D.3.3.7: User-Identity-Type values.
enum class UserIdentityType : std::uint8_t {
    Username = 1,
    UsernameAndPasscode = 2,
    KerberosServiceTicket = 3,
    SamlAssertion = 4,
    JsonWebToken = 5,
};

/// PS3.7 D.3.3.7.1: User Identity sub-item of the A-ASSOCIATE-RQ (58H). The primary field holds
/// the username (UTF-8), Kerberos ticket, SAML assertion or JWT; the secondary field the passcode
/// (type 2 only). Other type values are kept as received.
struct UserIdentityRq {
    UserIdentityType type = UserIdentityType::Username;
    bool positive_response_requested = false;
    Bytes primary_field;
    Bytes secondary_field;
    bool operator==(const UserIdentityRq&) const = default;
};

/// PS3.7 D.3.3.7.2: User Identity sub-item of the A-ASSOCIATE-AC (59H).
struct UserIdentityAc {
    Bytes server_response;
    bool operator==(const UserIdentityAc&) const = default;
};

/// A sub-item of a type this code does not know. PS3.8 D.2 requires acceptors to ignore such
/// sub-items; they are kept so that a decoded PDU encodes again with them.
struct RawSubItem {
    std::uint8_t type = 0;
    Bytes value;  ///< the bytes after the 4-byte sub-item header
    bool operator==(const RawSubItem&) const = default;
};

/// PS3.8 9.3.2.3 / 9.3.3.3 and Annex D: the User Information item (50H). UIDs are strings without
/// padding.
struct UserInformation {
    /// PS3.8 D.1: Maximum-length-received (51H) of P-DATA-TF variable fields; 0 = no maximum.
    std::optional<std::uint32_t> maximum_length;
    /// PS3.7 D.3.3.2: Implementation Class UID (52H) and Implementation Version Name (55H).
    std::optional<std::string> implementation_class_uid;
    std::optional<std::string> implementation_version_name;
    std::optional<AsynchronousOperationsWindow> asynchronous_operations_window;
    std::vector<RoleSelection> role_selections;
    std::vector<SopClassExtendedNegotiation> extended_negotiations;
    std::vector<SopClassCommonExtendedNegotiation> common_extended_negotiations;
    std::optional<UserIdentityRq> user_identity_rq;
    std::optional<UserIdentityAc> user_identity_ac;
    /// Sub-items of unknown types in the order received. When encoding, each is placed before the
    /// first known sub-item of a higher type, so that types stay in increasing order (PS3.8 9.3.1).
    std::vector<RawSubItem> unknown_sub_items;
    bool operator==(const UserInformation&) const = default;
};

}  // namespace dicomkit::net::pdu
