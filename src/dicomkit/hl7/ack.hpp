// Acknowledgements (HL7 v2.5 2.9, original mode): the ACK a receiver sends for each message, with
// MSA-1 AA (accepted), AE (error in the content) or AR (rejected: unreadable, unsupported type,
// over a limit), MSA-2 the message's control ID and, for AE/AR, the reason in MSA-3 and ERR.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/hl7/message.hpp>

namespace dicomkit::hl7 {

enum class AckCode { Accept, Error, Reject };
/// "AA", "AE", "AR".
[[nodiscard]] std::string_view to_string(AckCode code) noexcept;

struct Ack {
    AckCode code = AckCode::Accept;
    std::string text;        ///< MSA-3 and ERR-8: the reason (empty with AA)
    std::string error_code;  ///< HL7 table 0357 ("100" segment sequence, "101" required field missing,
                             ///< "102" data type, "103" table value, "200" message type, "201" event
                             ///< code, "207" application internal error); empty: none
    std::string location;    ///< ERR-2: "PID-3" (segment ID, '-', field), or a segment ID alone

    [[nodiscard]] static Ack accept(std::string text = {}) { return Ack{AckCode::Accept, std::move(text), {}, {}}; }
};

/// The ACK for an error of parse or interpret: Unsupported (message type, event, character set)
/// and over a limit are AR, what could not be read is AR when it is the MSH and AE elsewhere,
/// a missing field AE 101, a wrong value AE 102/103; the error's tag_path is the location.
[[nodiscard]] Ack ack_for(const Error& e);

struct AckOptions {
    std::string application = "DICOMKIT";  ///< MSH-3 of the ACK (when the message's MSH-5 is empty)
    std::string facility;                  ///< MSH-4 of the ACK (when the message's MSH-6 is empty)
    std::string control_id;                ///< MSH-10 of the ACK; empty: generated (unique per process)
    std::string timestamp;                 ///< MSH-7; empty: now (UTC, YYYYMMDDHHMMSS)
};

/// The ACK of `m` in `m`'s delimiters: MSH with sender and receiver swapped (MSH-3/4 from MSH-5/6
/// and the other way round), MSH-9 ACK^<trigger>^ACK, MSH-11/12 as received; MSA; ERR for AE/AR.
/// ASCII only: characters outside it become '?'. Segments end with CR.
[[nodiscard]] std::string build_ack(const Message& m, const Ack& ack, const AckOptions& options = {});
/// The ACK of bytes that did not parse: what can be read of their MSH (delimiters, MSH-3..6,
/// MSH-9.2, MSH-10, MSH-11, MSH-12) is used, the rest left empty.
[[nodiscard]] std::string build_ack_raw(std::string_view bytes, const Ack& ack, const AckOptions& options = {});

/// The MSA-1 and MSA-2 of an ACK's text ("AA", control ID); empty when it has no MSA.
struct AckSummary {
    std::string code;
    std::string control_id;
    std::string text;
};
[[nodiscard]] AckSummary read_ack(std::string_view ack_text);

}  // namespace dicomkit::hl7
