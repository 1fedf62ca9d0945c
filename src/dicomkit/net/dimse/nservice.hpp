// The DIMSE-N services as typed messages (PS3.7 10.1, 10.3): N-EVENT-REPORT, N-GET, N-SET,
// N-ACTION, N-CREATE and N-DELETE requests and responses, converted to and from the one Command
// structure that carries every command field. Data sets travel beside the command: a message
// says only whether one follows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/net/dimse/command.hpp>
#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::net::dimse {

/// What a handler answers: the response status and, for failures, an Error Comment (0000,0902).
struct Outcome {
    std::uint16_t status = status::Success;
    std::string error_comment;
};

/// Fields every DIMSE-N response carries (PS3.7 10.3: Message ID Being Responded To, Affected
/// SOP Class/Instance UID, Status, Error Comment).
struct NResponseFields {
    std::uint16_t message_id_being_responded_to = 0;
    std::string affected_sop_class_uid;
    std::string affected_sop_instance_uid;
    std::uint16_t status = status::Success;
    std::string error_comment;
    bool has_dataset = false;
    bool operator==(const NResponseFields&) const = default;
};

/// PS3.7 10.3.1.1 N-EVENT-REPORT-RQ; the data set is the Event Information.
struct NEventReportRq {
    std::uint16_t message_id = 1;
    std::string affected_sop_class_uid;
    std::string affected_sop_instance_uid;
    std::uint16_t event_type_id = 0;
    bool has_dataset = false;
    bool operator==(const NEventReportRq&) const = default;
};
/// PS3.7 10.3.1.2 N-EVENT-REPORT-RSP; the data set is the Event Reply.
struct NEventReportRsp : NResponseFields {
    std::optional<std::uint16_t> event_type_id;
    bool operator==(const NEventReportRsp&) const = default;
};

/// PS3.7 10.3.2.1 N-GET-RQ: the attributes asked for (none: all).
struct NGetRq {
    std::uint16_t message_id = 1;
    std::string requested_sop_class_uid;
    std::string requested_sop_instance_uid;
    std::vector<Tag> attribute_identifiers;
    bool operator==(const NGetRq&) const = default;
};
/// PS3.7 10.3.2.2 N-GET-RSP; the data set is the Attribute List.
struct NGetRsp : NResponseFields {
    bool operator==(const NGetRsp&) const = default;
};

/// PS3.7 10.3.3.1 N-SET-RQ; the data set (required) is the Modification List.
struct NSetRq {
    std::uint16_t message_id = 1;
    std::string requested_sop_class_uid;
    std::string requested_sop_instance_uid;
    bool operator==(const NSetRq&) const = default;
};
/// PS3.7 10.3.3.2 N-SET-RSP; the data set is the Attribute List.
struct NSetRsp : NResponseFields {
    bool operator==(const NSetRsp&) const = default;
};

/// PS3.7 10.3.4.1 N-ACTION-RQ; the data set is the Action Information.
struct NActionRq {
    std::uint16_t message_id = 1;
    std::string requested_sop_class_uid;
    std::string requested_sop_instance_uid;
    std::uint16_t action_type_id = 0;
    bool has_dataset = false;
    bool operator==(const NActionRq&) const = default;
};
/// PS3.7 10.3.4.2 N-ACTION-RSP; the data set is the Action Reply.
struct NActionRsp : NResponseFields {
    std::optional<std::uint16_t> action_type_id;
    bool operator==(const NActionRsp&) const = default;
};

/// PS3.7 10.3.5.1 N-CREATE-RQ: the instance UID may be left to the SCP; the data set is the
/// Attribute List.
struct NCreateRq {
    std::uint16_t message_id = 1;
    std::string affected_sop_class_uid;
    std::string affected_sop_instance_uid;
    bool has_dataset = false;
    bool operator==(const NCreateRq&) const = default;
};
/// PS3.7 10.3.5.2 N-CREATE-RSP; carries the instance UID the SCP gave.
struct NCreateRsp : NResponseFields {
    bool operator==(const NCreateRsp&) const = default;
};

/// PS3.7 10.3.6.1 N-DELETE-RQ.
struct NDeleteRq {
    std::uint16_t message_id = 1;
    std::string requested_sop_class_uid;
    std::string requested_sop_instance_uid;
    bool operator==(const NDeleteRq&) const = default;
};
/// PS3.7 10.3.6.2 N-DELETE-RSP.
struct NDeleteRsp : NResponseFields {
    bool operator==(const NDeleteRsp&) const = default;
};

/// The command set of a message.
[[nodiscard]] Command to_command(const NEventReportRq& m);
[[nodiscard]] Command to_command(const NEventReportRsp& m);
[[nodiscard]] Command to_command(const NGetRq& m);
[[nodiscard]] Command to_command(const NGetRsp& m);
[[nodiscard]] Command to_command(const NSetRq& m);
[[nodiscard]] Command to_command(const NSetRsp& m);
[[nodiscard]] Command to_command(const NActionRq& m);
[[nodiscard]] Command to_command(const NActionRsp& m);
[[nodiscard]] Command to_command(const NCreateRq& m);
[[nodiscard]] Command to_command(const NCreateRsp& m);
[[nodiscard]] Command to_command(const NDeleteRq& m);
[[nodiscard]] Command to_command(const NDeleteRsp& m);

/// The message a command set holds; an error when the command field is another one or a field
/// the message requires (PS3.7 10.3) is missing.
template <class M>
[[nodiscard]] Result<M> from_command(const Command& c);
template <> Result<NEventReportRq> from_command(const Command& c);
template <> Result<NEventReportRsp> from_command(const Command& c);
template <> Result<NGetRq> from_command(const Command& c);
template <> Result<NGetRsp> from_command(const Command& c);
template <> Result<NSetRq> from_command(const Command& c);
template <> Result<NSetRsp> from_command(const Command& c);
template <> Result<NActionRq> from_command(const Command& c);
template <> Result<NActionRsp> from_command(const Command& c);
template <> Result<NCreateRq> from_command(const Command& c);
template <> Result<NCreateRsp> from_command(const Command& c);
template <> Result<NDeleteRq> from_command(const Command& c);
template <> Result<NDeleteRsp> from_command(const Command& c);

/// The SOP class a request is about: the Affected SOP Class UID, or for N-GET, N-SET, N-ACTION
/// and N-DELETE the Requested one (PS3.7 10.3).
[[nodiscard]] const std::string& sop_class_of(const Command& c) noexcept;
/// True for the DIMSE-N request fields.
[[nodiscard]] bool is_n_request(CommandField f) noexcept;

/// What an N-service handler answers: the status and, when the response carries one, its data
/// set (Event Reply, Attribute List, Action Reply). For N-CREATE, the SOP Instance UID the SCP
/// gave when the request had none.
struct NReply {
    Outcome outcome;
    std::optional<DataSet> dataset;
    std::string affected_sop_instance_uid;
};

/// A response with its data set, decoded in the presentation context's transfer syntax.
template <class Rsp>
struct NResult {
    Rsp response;
    std::optional<DataSet> dataset;
};

}  // namespace dicomkit::net::dimse
