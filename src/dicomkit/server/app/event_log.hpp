// serve's event lines for DIMSE requests, failed retrieve sub-operations and associations: who
// (calling AE, peer address), what (command, model, level, keys), the result (status, counts,
// Error Comment) and how long it took. Every value from a peer goes through log::printable().
#pragma once

#include <string>
#include <string_view>

#include <dicomkit/base/log.hpp>

#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/server/dimse/retrieve_handler.hpp>

namespace dicomkit::server::app {

/// "I: CALLING@PEER C-FIND Study Root STUDY PatientID=12* (+2 empty keys): 0x0000 Success, 3
/// matches, 1.2 ms" ("W: " for failures, warnings and cancels).
[[nodiscard]] std::string describe_request(const net::dimse::RequestEvent& e);
/// "W: CALLING@PEER C-GET sub-operation UID failed: REASON".
[[nodiscard]] std::string describe_sub_operation(const dimse::SubOperationFailure& f);
/// "I: CALLING@PEER association released after 3 requests (C-ECHO 1, C-FIND 2)"; "W: " when it
/// was aborted or the connection closed without a release.
[[nodiscard]] std::string describe_association(const std::string& calling_ae, const std::string& peer,
                                               const net::dimse::ServeSummary& s);

/// The fields of each event for the JSON log: event ("request", "sub_operation",
/// "association"), calling_ae, peer, and what the event has (command, sop_class, model,
/// qr_level, move_destination, sop_instance_uid, status, matches, completed, failed, warning,
/// error_comment, duration_ms; reason; end, requests, failures). Peer values are as received:
/// the JSON encoder escapes them.
[[nodiscard]] log::Fields request_fields(const net::dimse::RequestEvent& e);
[[nodiscard]] log::Fields sub_operation_fields(const dimse::SubOperationFailure& f);
[[nodiscard]] log::Fields association_fields(const std::string& calling_ae, const std::string& peer,
                                             const net::dimse::ServeSummary& s);

/// Writes an event line ("I: ...", "W: ...", "E: ..."; the prefix becomes the level) to the
/// logger's event stream, with its fields.
void log_event(std::string_view line, const log::Fields& fields = {});

}  // namespace dicomkit::server::app
