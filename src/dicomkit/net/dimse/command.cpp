// Command set encoding, decoding and checks.
#include <dicomkit/net/dimse/command.hpp>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::net::dimse {

namespace {

namespace ct {
constexpr Tag AffectedSOPClassUID{0x0000, 0x0002};
constexpr Tag RequestedSOPClassUID{0x0000, 0x0003};
constexpr Tag CommandField{0x0000, 0x0100};
constexpr Tag MessageID{0x0000, 0x0110};
constexpr Tag MessageIDBeingRespondedTo{0x0000, 0x0120};
constexpr Tag MoveDestination{0x0000, 0x0600};
constexpr Tag Priority{0x0000, 0x0700};
constexpr Tag CommandDataSetType{0x0000, 0x0800};
constexpr Tag Status{0x0000, 0x0900};
constexpr Tag OffendingElement{0x0000, 0x0901};
constexpr Tag ErrorComment{0x0000, 0x0902};
constexpr Tag ErrorID{0x0000, 0x0903};
constexpr Tag AffectedSOPInstanceUID{0x0000, 0x1000};
constexpr Tag RequestedSOPInstanceUID{0x0000, 0x1001};
constexpr Tag EventTypeID{0x0000, 0x1002};
constexpr Tag AttributeIdentifierList{0x0000, 0x1005};
constexpr Tag ActionTypeID{0x0000, 0x1008};
constexpr Tag Remaining{0x0000, 0x1020};
constexpr Tag Completed{0x0000, 0x1021};
constexpr Tag Failed{0x0000, 0x1022};
constexpr Tag Warning{0x0000, 0x1023};
constexpr Tag MoveOriginatorAE{0x0000, 0x1030};
constexpr Tag MoveOriginatorMessageID{0x0000, 0x1031};
}  // namespace ct

void put_us(DataSet& ds, Tag t, std::optional<std::uint16_t> v) {
    if (v) ds.set(Element::from_number<std::uint16_t>(t, VR::US, *v));
}
void put_ui(DataSet& ds, Tag t, const std::string& v) {
    if (!v.empty()) ds.set_string(t, VR::UI, v);
}
void put_ae(DataSet& ds, Tag t, const std::string& v) {
    if (!v.empty()) ds.set_string(t, VR::AE, v);
}
void put_at(DataSet& ds, Tag t, const std::vector<Tag>& tags) {
    if (tags.empty()) return;
    Bytes b(tags.size() * 4);
    for (std::size_t i = 0; i < tags.size(); ++i) {
        store(b.data() + 4 * i, tags[i].group, Endian::Little);
        store(b.data() + 4 * i + 2, tags[i].element, Endian::Little);
    }
    ds.set(Element(t, VR::AT, std::move(b)));
}

std::optional<std::uint16_t> get_us(const DataSet& ds, Tag t) {
    auto v = ds.get_number<std::uint16_t>(t);
    if (!v) return std::nullopt;
    return *v;
}
std::string get_str(const DataSet& ds, Tag t) { return ds.string_or(t); }
std::vector<Tag> get_at(const DataSet& ds, Tag t) {
    std::vector<Tag> out;
    if (const Element* e = ds.find(t))
        for (std::size_t i = 0; i < e->length() / 4; ++i)
            if (auto v = e->tag_value(i)) out.push_back(*v);
    return out;
}

bool known_field(std::uint16_t f) {
    switch (static_cast<CommandField>(f)) {
        case CommandField::C_STORE_RQ: case CommandField::C_STORE_RSP: case CommandField::C_GET_RQ:
        case CommandField::C_GET_RSP: case CommandField::C_FIND_RQ: case CommandField::C_FIND_RSP:
        case CommandField::C_MOVE_RQ: case CommandField::C_MOVE_RSP: case CommandField::C_ECHO_RQ:
        case CommandField::C_ECHO_RSP: case CommandField::N_EVENT_REPORT_RQ: case CommandField::N_EVENT_REPORT_RSP:
        case CommandField::N_GET_RQ: case CommandField::N_GET_RSP: case CommandField::N_SET_RQ:
        case CommandField::N_SET_RSP: case CommandField::N_ACTION_RQ: case CommandField::N_ACTION_RSP:
        case CommandField::N_CREATE_RQ: case CommandField::N_CREATE_RSP: case CommandField::N_DELETE_RQ:
        case CommandField::N_DELETE_RSP: case CommandField::C_CANCEL_RQ:
            return true;
    }
    return false;
}

std::string short_uid(const std::string& uid) {
    if (const auto* u = dict::find_uid(uid); u && !u->keyword.empty()) return std::string(u->keyword);
    return uid;
}

}  // namespace

std::string_view to_string(CommandField f) noexcept {
    switch (f) {
        case CommandField::C_STORE_RQ: return "C-STORE-RQ";
        case CommandField::C_STORE_RSP: return "C-STORE-RSP";
        case CommandField::C_GET_RQ: return "C-GET-RQ";
        case CommandField::C_GET_RSP: return "C-GET-RSP";
        case CommandField::C_FIND_RQ: return "C-FIND-RQ";
        case CommandField::C_FIND_RSP: return "C-FIND-RSP";
        case CommandField::C_MOVE_RQ: return "C-MOVE-RQ";
        case CommandField::C_MOVE_RSP: return "C-MOVE-RSP";
        case CommandField::C_ECHO_RQ: return "C-ECHO-RQ";
        case CommandField::C_ECHO_RSP: return "C-ECHO-RSP";
        case CommandField::N_EVENT_REPORT_RQ: return "N-EVENT-REPORT-RQ";
        case CommandField::N_EVENT_REPORT_RSP: return "N-EVENT-REPORT-RSP";
        case CommandField::N_GET_RQ: return "N-GET-RQ";
        case CommandField::N_GET_RSP: return "N-GET-RSP";
        case CommandField::N_SET_RQ: return "N-SET-RQ";
        case CommandField::N_SET_RSP: return "N-SET-RSP";
        case CommandField::N_ACTION_RQ: return "N-ACTION-RQ";
        case CommandField::N_ACTION_RSP: return "N-ACTION-RSP";
        case CommandField::N_CREATE_RQ: return "N-CREATE-RQ";
        case CommandField::N_CREATE_RSP: return "N-CREATE-RSP";
        case CommandField::N_DELETE_RQ: return "N-DELETE-RQ";
        case CommandField::N_DELETE_RSP: return "N-DELETE-RSP";
        case CommandField::C_CANCEL_RQ: return "C-CANCEL-RQ";
    }
    return "UNKNOWN";
}

Command Command::response(const Command& rq, std::uint16_t st) {
    Command r;
    r.field = response_to(rq.field);
    r.message_id_being_responded_to = rq.message_id;
    r.status = st;
    switch (rq.field) {
        case CommandField::N_GET_RQ: case CommandField::N_SET_RQ: case CommandField::N_ACTION_RQ:
        case CommandField::N_DELETE_RQ:
            r.affected_sop_class_uid = rq.requested_sop_class_uid;
            r.affected_sop_instance_uid = rq.requested_sop_instance_uid;
            break;
        default:
            r.affected_sop_class_uid = rq.affected_sop_class_uid;
            r.affected_sop_instance_uid = rq.affected_sop_instance_uid;
            break;
    }
    if (rq.field == CommandField::C_FIND_RQ || rq.field == CommandField::C_GET_RQ ||
        rq.field == CommandField::C_MOVE_RQ || rq.field == CommandField::C_ECHO_RQ)
        r.affected_sop_instance_uid.clear();
    if (rq.field == CommandField::N_EVENT_REPORT_RQ) r.event_type_id = rq.event_type_id;
    if (rq.field == CommandField::N_ACTION_RQ) r.action_type_id = rq.action_type_id;
    return r;
}

DataSet to_dataset(const Command& c) {
    DataSet ds;
    put_ui(ds, ct::AffectedSOPClassUID, c.affected_sop_class_uid);
    put_ui(ds, ct::RequestedSOPClassUID, c.requested_sop_class_uid);
    put_us(ds, ct::CommandField, static_cast<std::uint16_t>(c.field));
    put_us(ds, ct::MessageID, c.message_id);
    put_us(ds, ct::MessageIDBeingRespondedTo, c.message_id_being_responded_to);
    put_ae(ds, ct::MoveDestination, c.move_destination);
    put_us(ds, ct::Priority, c.priority);
    put_us(ds, ct::CommandDataSetType, c.has_dataset ? std::uint16_t{0x0000} : kNoDataSet);
    put_us(ds, ct::Status, c.status);
    put_at(ds, ct::OffendingElement, c.offending_elements);
    if (!c.error_comment.empty()) ds.set_string(ct::ErrorComment, VR::LO, c.error_comment.substr(0, 64));
    put_us(ds, ct::ErrorID, c.error_id);
    put_ui(ds, ct::AffectedSOPInstanceUID, c.affected_sop_instance_uid);
    put_ui(ds, ct::RequestedSOPInstanceUID, c.requested_sop_instance_uid);
    put_us(ds, ct::EventTypeID, c.event_type_id);
    put_at(ds, ct::AttributeIdentifierList, c.attribute_identifiers);
    put_us(ds, ct::ActionTypeID, c.action_type_id);
    put_us(ds, ct::Remaining, c.remaining);
    put_us(ds, ct::Completed, c.completed);
    put_us(ds, ct::Failed, c.failed);
    put_us(ds, ct::Warning, c.warning);
    put_ae(ds, ct::MoveOriginatorAE, c.move_originator_ae);
    put_us(ds, ct::MoveOriginatorMessageID, c.move_originator_message_id);
    return ds;
}

Result<Command> from_dataset(const DataSet& ds) {
    Command c;
    auto field = get_us(ds, ct::CommandField);
    if (!field) return make_error(ErrorCode::InvalidValue, "command set has no Command Field (0000,0100)");
    if (!known_field(*field))
        return make_error(ErrorCode::InvalidValue, fmt::format("unknown Command Field 0x{:04X}", *field));
    c.field = static_cast<CommandField>(*field);
    c.affected_sop_class_uid = get_str(ds, ct::AffectedSOPClassUID);
    c.requested_sop_class_uid = get_str(ds, ct::RequestedSOPClassUID);
    c.message_id = get_us(ds, ct::MessageID);
    c.message_id_being_responded_to = get_us(ds, ct::MessageIDBeingRespondedTo);
    c.move_destination = get_str(ds, ct::MoveDestination);
    c.priority = get_us(ds, ct::Priority);
    auto dst = get_us(ds, ct::CommandDataSetType);
    if (!dst) return make_error(ErrorCode::InvalidValue, "command set has no Command Data Set Type (0000,0800)");
    c.has_dataset = *dst != kNoDataSet;
    c.status = get_us(ds, ct::Status);
    c.offending_elements = get_at(ds, ct::OffendingElement);
    c.error_comment = get_str(ds, ct::ErrorComment);
    c.error_id = get_us(ds, ct::ErrorID);
    c.affected_sop_instance_uid = get_str(ds, ct::AffectedSOPInstanceUID);
    c.requested_sop_instance_uid = get_str(ds, ct::RequestedSOPInstanceUID);
    c.event_type_id = get_us(ds, ct::EventTypeID);
    c.attribute_identifiers = get_at(ds, ct::AttributeIdentifierList);
    c.action_type_id = get_us(ds, ct::ActionTypeID);
    c.remaining = get_us(ds, ct::Remaining);
    c.completed = get_us(ds, ct::Completed);
    c.failed = get_us(ds, ct::Failed);
    c.warning = get_us(ds, ct::Warning);
    c.move_originator_ae = get_str(ds, ct::MoveOriginatorAE);
    c.move_originator_message_id = get_us(ds, ct::MoveOriginatorMessageID);
    auto ok = validate(c);
    if (!ok) return Unexpected(ok.error());
    return c;
}

Result<void> validate(const Command& c) {
    auto missing = [&](std::string_view what) {
        return make_error(ErrorCode::InvalidValue, fmt::format("{} without {}", to_string(c.field), what));
    };
    if (is_response(c.field)) {
        if (!c.message_id_being_responded_to) return missing("Message ID Being Responded To");
        if (!c.status) return missing("Status");
        return {};
    }
    if (!c.message_id && c.field != CommandField::C_CANCEL_RQ) return missing("Message ID");
    switch (c.field) {
        case CommandField::C_STORE_RQ:
            if (c.affected_sop_instance_uid.empty()) return missing("Affected SOP Instance UID");
            if (!c.has_dataset) return missing("a data set");
            [[fallthrough]];
        case CommandField::C_ECHO_RQ:
            if (c.affected_sop_class_uid.empty()) return missing("Affected SOP Class UID");
            return {};
        case CommandField::C_MOVE_RQ:
            if (c.move_destination.empty()) return missing("Move Destination");
            [[fallthrough]];
        case CommandField::C_FIND_RQ:
        case CommandField::C_GET_RQ:
            if (c.affected_sop_class_uid.empty()) return missing("Affected SOP Class UID");
            if (!c.has_dataset) return missing("an identifier");
            return {};
        case CommandField::C_CANCEL_RQ:
            if (!c.message_id_being_responded_to) return missing("Message ID Being Responded To");
            return {};
        case CommandField::N_EVENT_REPORT_RQ:
            if (c.affected_sop_class_uid.empty() || c.affected_sop_instance_uid.empty())
                return missing("Affected SOP Class/Instance UID");
            if (!c.event_type_id) return missing("Event Type ID");
            return {};
        case CommandField::N_CREATE_RQ:
            if (c.affected_sop_class_uid.empty()) return missing("Affected SOP Class UID");
            return {};
        case CommandField::N_ACTION_RQ:
            if (!c.action_type_id) return missing("Action Type ID");
            [[fallthrough]];
        case CommandField::N_GET_RQ:
        case CommandField::N_SET_RQ:
        case CommandField::N_DELETE_RQ:
            if (c.requested_sop_class_uid.empty() || c.requested_sop_instance_uid.empty())
                return missing("Requested SOP Class/Instance UID");
            if (c.field == CommandField::N_SET_RQ && !c.has_dataset) return missing("a modification list");
            return {};
        default:
            return {};
    }
}

Result<Bytes> encode(const Command& c) {
    auto ok = validate(c);
    if (!ok) return Unexpected(ok.error());
    io::WriteOptions o;
    o.group_lengths = io::GroupLengthPolicy::Add;
    return io::encode_dataset(to_dataset(c), io::ts::ImplicitVRLittleEndian, o);
}

Result<Command> decode(std::span<const std::uint8_t> bytes) {
    io::ReadOptions o;
    o.strict = true;
    o.max_depth = 2;
    auto ds = io::read_dataset(bytes, io::ts::ImplicitVRLittleEndian, o);
    if (!ds) return Unexpected(ds.error());
    for (const Element& e : *ds)
        if (e.tag().group != 0x0000)
            return make_error(ErrorCode::InvalidTag, fmt::format("{} in a command set", e.tag()));
    return from_dataset(*ds);
}

std::string describe(const Command& c) {
    std::string s(to_string(c.field));
    if (c.message_id) s += fmt::format(" id={}", *c.message_id);
    if (c.message_id_being_responded_to) s += fmt::format(" responding-to={}", *c.message_id_being_responded_to);
    if (!c.affected_sop_class_uid.empty()) s += " class=" + short_uid(c.affected_sop_class_uid);
    if (!c.requested_sop_class_uid.empty()) s += " requested-class=" + short_uid(c.requested_sop_class_uid);
    if (!c.affected_sop_instance_uid.empty()) s += " instance=" + c.affected_sop_instance_uid;
    if (!c.requested_sop_instance_uid.empty()) s += " requested-instance=" + c.requested_sop_instance_uid;
    if (c.priority) s += *c.priority == 1 ? " priority=HIGH" : *c.priority == 2 ? " priority=LOW" : " priority=MEDIUM";
    if (!c.move_destination.empty()) s += " destination=" + c.move_destination;
    if (c.status) s += " status=" + describe_status(*c.status, c.field);
    if (c.remaining || c.completed || c.failed || c.warning)
        s += fmt::format(" remaining={} completed={} failed={} warning={}", c.remaining.value_or(0),
                         c.completed.value_or(0), c.failed.value_or(0), c.warning.value_or(0));
    if (!c.move_originator_ae.empty())
        s += fmt::format(" originator={}/{}", c.move_originator_ae, c.move_originator_message_id.value_or(0));
    if (c.event_type_id) s += fmt::format(" event-type={}", *c.event_type_id);
    if (c.action_type_id) s += fmt::format(" action-type={}", *c.action_type_id);
    if (!c.error_comment.empty()) s += " error=\"" + c.error_comment + "\"";
    s += c.has_dataset ? " +dataset" : " (no dataset)";
    return s;
}

}  // namespace dicomkit::net::dimse
