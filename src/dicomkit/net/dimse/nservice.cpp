// DIMSE-N messages to and from command sets.
#include <dicomkit/net/dimse/nservice.hpp>

namespace dicomkit::net::dimse {

namespace {

Command request(CommandField f, std::uint16_t message_id) {
    Command c;
    c.field = f;
    c.message_id = message_id;
    return c;
}

Command response(CommandField f, const NResponseFields& m) {
    Command c;
    c.field = f;
    c.message_id_being_responded_to = m.message_id_being_responded_to;
    c.affected_sop_class_uid = m.affected_sop_class_uid;
    c.affected_sop_instance_uid = m.affected_sop_instance_uid;
    c.status = m.status;
    c.error_comment = m.error_comment;
    c.has_dataset = m.has_dataset;
    return c;
}

Result<void> expect(const Command& c, CommandField f) {
    if (c.field != f)
        return make_error(ErrorCode::InvalidValue,
                          std::string("expected ") + std::string(to_string(f)) + ", got " + std::string(to_string(c.field)));
    return validate(c);
}

template <class Rsp>
Result<Rsp> response_of(const Command& c, CommandField f) {
    if (auto ok = expect(c, f); !ok) return tl::unexpected(ok.error());
    Rsp r;
    r.message_id_being_responded_to = *c.message_id_being_responded_to;
    r.affected_sop_class_uid = c.affected_sop_class_uid;
    r.affected_sop_instance_uid = c.affected_sop_instance_uid;
    r.status = *c.status;
    r.error_comment = c.error_comment;
    r.has_dataset = c.has_dataset;
    return r;
}

}  // namespace

Command to_command(const NEventReportRq& m) {
    Command c = request(CommandField::N_EVENT_REPORT_RQ, m.message_id);
    c.affected_sop_class_uid = m.affected_sop_class_uid;
    c.affected_sop_instance_uid = m.affected_sop_instance_uid;
    c.event_type_id = m.event_type_id;
    c.has_dataset = m.has_dataset;
    return c;
}

Command to_command(const NEventReportRsp& m) {
    Command c = response(CommandField::N_EVENT_REPORT_RSP, m);
    c.event_type_id = m.event_type_id;
    return c;
}

Command to_command(const NGetRq& m) {
    Command c = request(CommandField::N_GET_RQ, m.message_id);
    c.requested_sop_class_uid = m.requested_sop_class_uid;
    c.requested_sop_instance_uid = m.requested_sop_instance_uid;
    c.attribute_identifiers = m.attribute_identifiers;
    return c;
}

Command to_command(const NGetRsp& m) { return response(CommandField::N_GET_RSP, m); }

Command to_command(const NSetRq& m) {
    Command c = request(CommandField::N_SET_RQ, m.message_id);
    c.requested_sop_class_uid = m.requested_sop_class_uid;
    c.requested_sop_instance_uid = m.requested_sop_instance_uid;
    c.has_dataset = true;
    return c;
}

Command to_command(const NSetRsp& m) { return response(CommandField::N_SET_RSP, m); }

Command to_command(const NActionRq& m) {
    Command c = request(CommandField::N_ACTION_RQ, m.message_id);
    c.requested_sop_class_uid = m.requested_sop_class_uid;
    c.requested_sop_instance_uid = m.requested_sop_instance_uid;
    c.action_type_id = m.action_type_id;
    c.has_dataset = m.has_dataset;
    return c;
}

Command to_command(const NActionRsp& m) {
    Command c = response(CommandField::N_ACTION_RSP, m);
    c.action_type_id = m.action_type_id;
    return c;
}

Command to_command(const NCreateRq& m) {
    Command c = request(CommandField::N_CREATE_RQ, m.message_id);
    c.affected_sop_class_uid = m.affected_sop_class_uid;
    c.affected_sop_instance_uid = m.affected_sop_instance_uid;
    c.has_dataset = m.has_dataset;
    return c;
}

Command to_command(const NCreateRsp& m) { return response(CommandField::N_CREATE_RSP, m); }

Command to_command(const NDeleteRq& m) {
    Command c = request(CommandField::N_DELETE_RQ, m.message_id);
    c.requested_sop_class_uid = m.requested_sop_class_uid;
    c.requested_sop_instance_uid = m.requested_sop_instance_uid;
    return c;
}

Command to_command(const NDeleteRsp& m) { return response(CommandField::N_DELETE_RSP, m); }

template <>
Result<NEventReportRq> from_command(const Command& c) {
    if (auto ok = expect(c, CommandField::N_EVENT_REPORT_RQ); !ok) return tl::unexpected(ok.error());
    return NEventReportRq{*c.message_id, c.affected_sop_class_uid, c.affected_sop_instance_uid, *c.event_type_id,
                          c.has_dataset};
}

template <>
Result<NEventReportRsp> from_command(const Command& c) {
    auto r = response_of<NEventReportRsp>(c, CommandField::N_EVENT_REPORT_RSP);
    if (r) r->event_type_id = c.event_type_id;
    return r;
}

template <>
Result<NGetRq> from_command(const Command& c) {
    if (auto ok = expect(c, CommandField::N_GET_RQ); !ok) return tl::unexpected(ok.error());
    return NGetRq{*c.message_id, c.requested_sop_class_uid, c.requested_sop_instance_uid, c.attribute_identifiers};
}

template <>
Result<NGetRsp> from_command(const Command& c) {
    return response_of<NGetRsp>(c, CommandField::N_GET_RSP);
}

template <>
Result<NSetRq> from_command(const Command& c) {
    if (auto ok = expect(c, CommandField::N_SET_RQ); !ok) return tl::unexpected(ok.error());
    return NSetRq{*c.message_id, c.requested_sop_class_uid, c.requested_sop_instance_uid};
}

template <>
Result<NSetRsp> from_command(const Command& c) {
    return response_of<NSetRsp>(c, CommandField::N_SET_RSP);
}

template <>
Result<NActionRq> from_command(const Command& c) {
    if (auto ok = expect(c, CommandField::N_ACTION_RQ); !ok) return tl::unexpected(ok.error());
    return NActionRq{*c.message_id, c.requested_sop_class_uid, c.requested_sop_instance_uid, *c.action_type_id,
                     c.has_dataset};
}

template <>
Result<NActionRsp> from_command(const Command& c) {
    auto r = response_of<NActionRsp>(c, CommandField::N_ACTION_RSP);
    if (r) r->action_type_id = c.action_type_id;
    return r;
}

template <>
Result<NCreateRq> from_command(const Command& c) {
    if (auto ok = expect(c, CommandField::N_CREATE_RQ); !ok) return tl::unexpected(ok.error());
    return NCreateRq{*c.message_id, c.affected_sop_class_uid, c.affected_sop_instance_uid, c.has_dataset};
}

template <>
Result<NCreateRsp> from_command(const Command& c) {
    return response_of<NCreateRsp>(c, CommandField::N_CREATE_RSP);
}

template <>
Result<NDeleteRq> from_command(const Command& c) {
    if (auto ok = expect(c, CommandField::N_DELETE_RQ); !ok) return tl::unexpected(ok.error());
    return NDeleteRq{*c.message_id, c.requested_sop_class_uid, c.requested_sop_instance_uid};
}

template <>
Result<NDeleteRsp> from_command(const Command& c) {
    return response_of<NDeleteRsp>(c, CommandField::N_DELETE_RSP);
}

const std::string& sop_class_of(const Command& c) noexcept {
    switch (c.field) {
        case CommandField::N_GET_RQ: case CommandField::N_SET_RQ: case CommandField::N_ACTION_RQ:
        case CommandField::N_DELETE_RQ:
            return c.requested_sop_class_uid;
        default:
            return c.affected_sop_class_uid;
    }
}

bool is_n_request(CommandField f) noexcept {
    switch (f) {
        case CommandField::N_EVENT_REPORT_RQ: case CommandField::N_GET_RQ: case CommandField::N_SET_RQ:
        case CommandField::N_ACTION_RQ: case CommandField::N_CREATE_RQ: case CommandField::N_DELETE_RQ:
            return true;
        default:
            return false;
    }
}

}  // namespace dicomkit::net::dimse
