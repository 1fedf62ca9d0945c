// DIMSE command sets (PS3.7 Section 9.3, 10.3, Annex E): one Command structure with every
// command field, encoded as group 0000 in Implicit VR Little Endian, and the per-primitive
// rules for which fields are required.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::net::dimse {

/// Command Field (0000,0100) values, PS3.7 E.1.
enum class CommandField : std::uint16_t {
    C_STORE_RQ = 0x0001, C_STORE_RSP = 0x8001,
    C_GET_RQ = 0x0010, C_GET_RSP = 0x8010,
    C_FIND_RQ = 0x0020, C_FIND_RSP = 0x8020,
    C_MOVE_RQ = 0x0021, C_MOVE_RSP = 0x8021,
    C_ECHO_RQ = 0x0030, C_ECHO_RSP = 0x8030,
    N_EVENT_REPORT_RQ = 0x0100, N_EVENT_REPORT_RSP = 0x8100,
    N_GET_RQ = 0x0110, N_GET_RSP = 0x8110,
    N_SET_RQ = 0x0120, N_SET_RSP = 0x8120,
    N_ACTION_RQ = 0x0130, N_ACTION_RSP = 0x8130,
    N_CREATE_RQ = 0x0140, N_CREATE_RSP = 0x8140,
    N_DELETE_RQ = 0x0150, N_DELETE_RSP = 0x8150,
    C_CANCEL_RQ = 0x0FFF,
};

[[nodiscard]] std::string_view to_string(CommandField f) noexcept;
[[nodiscard]] constexpr bool is_response(CommandField f) noexcept {
    return (static_cast<std::uint16_t>(f) & 0x8000) != 0;
}
/// The response field for a request field (C_STORE_RQ -> C_STORE_RSP).
[[nodiscard]] constexpr CommandField response_to(CommandField f) noexcept {
    return static_cast<CommandField>(static_cast<std::uint16_t>(f) | 0x8000);
}

/// Command Data Set Type (0000,0800): 0x0101 means no data set follows; anything else means one does.
inline constexpr std::uint16_t kNoDataSet = 0x0101;

enum class Priority : std::uint16_t { Medium = 0x0000, High = 0x0001, Low = 0x0002 };

/// Every field a DIMSE command may carry (PS3.7 E.1). Which are present depends on the primitive.
struct Command {
    CommandField field = CommandField::C_ECHO_RQ;
    std::optional<std::uint16_t> message_id;
    std::optional<std::uint16_t> message_id_being_responded_to;
    std::string affected_sop_class_uid;
    std::string requested_sop_class_uid;
    std::string affected_sop_instance_uid;
    std::string requested_sop_instance_uid;
    std::optional<std::uint16_t> priority;
    bool has_dataset = false;
    std::optional<std::uint16_t> status;
    std::string move_destination;
    std::string move_originator_ae;
    std::optional<std::uint16_t> move_originator_message_id;
    std::optional<std::uint16_t> remaining, completed, failed, warning;  ///< sub-operations
    std::string error_comment;
    std::optional<std::uint16_t> error_id;
    std::vector<Tag> offending_elements;
    std::optional<std::uint16_t> event_type_id;
    std::optional<std::uint16_t> action_type_id;
    std::vector<Tag> attribute_identifiers;

    /// A response to `rq` with the fields PS3.7 copies from the request filled in.
    [[nodiscard]] static Command response(const Command& rq, std::uint16_t status);

    bool operator==(const Command&) const = default;
};

/// The command set as a data set (group 0000, with Command Group Length).
[[nodiscard]] DataSet to_dataset(const Command& c);
/// The command from a command set; checks the fields the primitive requires (PS3.7 9.3, 10.3).
[[nodiscard]] Result<Command> from_dataset(const DataSet& ds);

/// Encodes a command set in Implicit VR Little Endian, as PS3.7 6.3.1 requires.
[[nodiscard]] Result<Bytes> encode(const Command& c);
/// Decodes a command set (Implicit VR Little Endian).
[[nodiscard]] Result<Command> decode(std::span<const std::uint8_t> bytes);

/// Checks that the fields the primitive requires are present (M in PS3.7's tables).
[[nodiscard]] Result<void> validate(const Command& c);

/// One line for tracing: "C-STORE-RQ id=3 class=CTImageStorage instance=1.2.3 priority=MEDIUM dataset".
[[nodiscard]] std::string describe(const Command& c);

}  // namespace dicomkit::net::dimse
