// The one mapping of service errors to DIMSE statuses, per command (PS3.4 B.2.3, C.4.1.1.4,
// C.4.2.1.5, C.4.3.1.4; PS3.7 Annex C).
#pragma once

#include <cstdint>
#include <string_view>

#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/server/service/errors.hpp>

namespace dicomkit::server::dimse {

/// The DIMSE operation a status answers.
enum class Operation {
    Echo, Store, Find, Move, Get,
    NCreate, NSet, NGet, NAction, NDelete, NEventReport,
};

[[nodiscard]] std::string_view to_string(Operation op) noexcept;

/// The status `kind` is answered with in a response to `op`:
///
/// | kind               | C-STORE | C-FIND | C-MOVE | C-GET  | C-ECHO | N-*    |
/// |--------------------|---------|--------|--------|--------|--------|--------|
/// | OutOfResources     | A700    | A700   | A701   | A701   | 0110   | 0213   |
/// | BadIdentifier      | A900    | A900   | A900   | A900   | 0110   | 0106 (N-CREATE/N-SET), 0110 |
/// | UnableToProcess    | C000    | C001   | C001   | C001   | 0110   | 0110   |
/// | NotAuthorized      | 0124    | 0124   | 0124   | 0124   | 0124   | 0124   |
/// | NoSuchObject       | C000    | C001   | C001   | C001   | 0110   | 0112   |
/// | Unsupported        | 0122    | 0122   | 0122   | 0122   | 0122   | 0122   |
/// | UnknownDestination | C000    | C001   | A801   | C001   | 0110   | 0110   |
/// | DuplicateRefused   | 0124    | C001   | C001   | C001   | 0110   | 0111 (N-CREATE), 0110 |
/// | Cancelled          | C000    | FE00   | FE00   | FE00   | 0110   | 0110   |
///
/// C-STORE (PS3.4 B.2.3): A7xx Refused: Out of Resources, A9xx Error: Data Set does not match
/// SOP Class, Cxxx Error: Cannot understand; a duplicate refused by policy is 0x0124 (a final
/// refusal, see kDuplicateRejectedStatus). C-FIND (C.4.1.1.4): A700 Refused: Out of Resources,
/// A900 Identifier does not match SOP Class, Cxxx Unable to process, FE00 Cancel. C-MOVE
/// (C.4.2.1.5): A701 Out of Resources - Unable to calculate number of matches, A801 Move
/// Destination unknown. C-GET (C.4.3.1.4): A701 as C-MOVE. 0x0122 SOP Class not supported,
/// 0x0124 Refused: Not Authorized, 0x0110 Processing failure, 0x0112 No such SOP Instance,
/// 0x0111 Duplicate SOP Instance, 0x0106 Invalid attribute value, 0x0213 Resource limitation are
/// PS3.7 Annex C's general statuses.
[[nodiscard]] std::uint16_t dimse_status(service::ErrorKind kind, Operation op) noexcept;

/// The outcome of a failed service call: its status for `op` and its message as the Error
/// Comment (PS3.7 C.4).
[[nodiscard]] net::dimse::Outcome outcome_of(const service::ServiceError& e, Operation op);

}  // namespace dicomkit::server::dimse
