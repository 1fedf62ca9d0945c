// Human-readable PDUs for tracing, and the meaning of the standard's result/source/reason codes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <dicomkit/net/pdu/pdu.hpp>

namespace dicomkit::net::pdu {

/// A multi-line description: the PDU name, its PDU-length, the fields, one line per presentation
/// context and user information sub-item; codes appear as meaning and number. Passcodes,
/// tickets, assertions and tokens of the user identity sub-item are shown by size only.
[[nodiscard]] std::string describe(const Pdu& pdu);

/// PS3.8 9.3.3.2: "acceptance", "user-rejection", "no-reason (provider rejection)", ...
[[nodiscard]] std::string_view context_result_text(std::uint8_t result) noexcept;

/// PS3.8 9.3.4: "rejected-permanent" / "rejected-transient".
[[nodiscard]] std::string_view reject_result_text(std::uint8_t result) noexcept;
/// PS3.8 9.3.4: "DICOM UL service-user", "DICOM UL service-provider (ACSE related function)", ...
[[nodiscard]] std::string_view reject_source_text(std::uint8_t source) noexcept;
/// PS3.8 9.3.4: the Reason/Diag. meaning for a source, e.g. (1, 7)
/// "called-AE-title-not-recognized"; "reserved" for the table's reserved values, "unknown" outside
/// it.
[[nodiscard]] std::string_view reject_reason_text(std::uint8_t source,
                                                  std::uint8_t reason) noexcept;

/// PS3.8 9.3.8: "DICOM UL service-user (initiated abort)", ...
[[nodiscard]] std::string_view abort_source_text(std::uint8_t source) noexcept;
/// PS3.8 9.3.8: e.g. (2, 1) "unrecognized-PDU"; for a service-user abort "not significant".
[[nodiscard]] std::string_view abort_reason_text(std::uint8_t source, std::uint8_t reason) noexcept;

/// PS3.7 D.3.3.7: "username", "username and passcode", "Kerberos service ticket", ...
[[nodiscard]] std::string_view user_identity_type_text(std::uint8_t type) noexcept;

}  // namespace dicomkit::net::pdu
