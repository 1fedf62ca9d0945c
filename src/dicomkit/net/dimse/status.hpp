// DIMSE status codes (PS3.7 Annex C): their class and meaning.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <dicomkit/net/dimse/command.hpp>

namespace dicomkit::net::dimse {

enum class StatusKind { Success, Warning, Failure, Cancel, Pending };

namespace status {
inline constexpr std::uint16_t Success = 0x0000;
inline constexpr std::uint16_t Pending = 0xFF00;
inline constexpr std::uint16_t PendingOptionalKeysUnsupported = 0xFF01;
inline constexpr std::uint16_t Cancel = 0xFE00;
inline constexpr std::uint16_t SubOperationsCompleteWithFailures = 0xB000;
inline constexpr std::uint16_t CoercionOfDataElements = 0xB000;
inline constexpr std::uint16_t ElementsDiscarded = 0xB006;
inline constexpr std::uint16_t DataSetDoesNotMatchSOPClassWarning = 0xB007;
inline constexpr std::uint16_t OutOfResources = 0xA700;
inline constexpr std::uint16_t OutOfResourcesNumberOfMatches = 0xA701;
inline constexpr std::uint16_t OutOfResourcesSubOperations = 0xA702;
inline constexpr std::uint16_t MoveDestinationUnknown = 0xA801;
inline constexpr std::uint16_t DataSetDoesNotMatchSOPClass = 0xA900;
inline constexpr std::uint16_t CannotUnderstand = 0xC000;
inline constexpr std::uint16_t UnableToProcess = 0xC001;
inline constexpr std::uint16_t ProcessingFailure = 0x0110;
inline constexpr std::uint16_t DuplicateSOPInstance = 0x0111;
inline constexpr std::uint16_t NoSuchSOPInstance = 0x0112;
inline constexpr std::uint16_t InvalidArgumentValue = 0x0115;
inline constexpr std::uint16_t InvalidObjectInstance = 0x0117;
inline constexpr std::uint16_t NoSuchSOPClass = 0x0118;
inline constexpr std::uint16_t MissingAttribute = 0x0120;
inline constexpr std::uint16_t SOPClassNotSupported = 0x0122;
inline constexpr std::uint16_t NotAuthorized = 0x0124;
inline constexpr std::uint16_t DuplicateInvocation = 0x0210;
inline constexpr std::uint16_t UnrecognizedOperation = 0x0211;
inline constexpr std::uint16_t MistypedArgument = 0x0212;
inline constexpr std::uint16_t ResourceLimitation = 0x0213;
}  // namespace status

/// PS3.7 C.1-C.4 classes: 0000 success; FF00/FF01 pending; FE00 cancel; 0001, Bxxx, 0107, 0116
/// warning; everything else failure.
[[nodiscard]] StatusKind status_kind(std::uint16_t code) noexcept;
[[nodiscard]] std::string_view to_string(StatusKind k) noexcept;
/// The meaning of a status code, for the service of `field` where codes differ per service
/// (e.g. A7xx for C-STORE vs C-FIND). "0xA700 Refused: Out of Resources".
[[nodiscard]] std::string describe_status(std::uint16_t code, CommandField field = CommandField::C_STORE_RSP);

}  // namespace dicomkit::net::dimse
