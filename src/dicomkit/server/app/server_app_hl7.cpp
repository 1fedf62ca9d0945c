// serve's HL7 port: the MLLP listener, each message's events handed to the hook, one event line
// per message.
#include <fmt/format.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/app/server_app_impl.hpp>

namespace dicomkit::server::app {

namespace {

std::string describe(const hl7::ListenerEvent& e) {
    const std::string peer = log::printable(e.peer, 64);
    switch (e.kind) {
    case hl7::ListenerEvent::Kind::Message:
    case hl7::ListenerEvent::Kind::TooLarge: {
        const bool ok = e.ack_code == "AA";
        std::string type = e.kind == hl7::ListenerEvent::Kind::TooLarge ? std::string("(over the size limit)")
                                                                          : log::printable(e.message_type, 64);
        if (type.empty()) type = "(unreadable)";
        std::string line = fmt::format("{}: HL7 {} {} {}: {}", ok ? "I" : "W", peer, type,
                                       log::printable(e.control_id, 64), e.ack_code);
        if (!e.reason.empty()) line += " " + log::printable(e.reason);
        line += fmt::format(", {} bytes, {:.1f} ms", e.bytes, static_cast<double>(e.duration.count()) / 1000.0);
        return line;
    }
    case hl7::ListenerEvent::Kind::Skipped:
        return fmt::format("W: HL7 {} {} bytes outside an MLLP frame dropped", peer, e.bytes);
    case hl7::ListenerEvent::Kind::Refused:
        return fmt::format("W: HL7 {} connection refused: {}", peer, e.reason);
    case hl7::ListenerEvent::Kind::Closed:
        return {};
    }
    return {};
}

log::Fields fields(const hl7::ListenerEvent& e) {
    log::Fields f{{"event", "hl7"}, {"peer", e.peer}};
    if (!e.message_type.empty()) f.emplace_back("message_type", e.message_type);
    if (!e.control_id.empty()) f.emplace_back("control_id", e.control_id);
    if (!e.ack_code.empty()) f.emplace_back("ack", e.ack_code);
    if (!e.reason.empty()) f.emplace_back("reason", e.reason);
    f.emplace_back("bytes", std::to_string(e.bytes));
    f.emplace_back("duration_ms", fmt::format("{:.1f}", static_cast<double>(e.duration.count()) / 1000.0));
    return f;
}

}  // namespace

hl7::Ack hl7_event(const ServerApp::Impl& impl, const hl7::Event& event) {
    std::string what;
    if (const auto* o = std::get_if<hl7::OrderEvent>(&event)) {
        const DataSet* sps = nullptr;
        if (const Element* e = o->item.find(tags::ScheduledProcedureStepSequence);
            e && e->is_sequence() && !e->sequence().items.empty())
            sps = &e->sequence().items.front();
        what = fmt::format("order {} {} patient {}", hl7::to_string(o->control), log::printable(o->order_key, 64),
                           log::printable(o->item.string_or(tags::PatientID), 64));
        auto add = [&](const char* name, const std::string& value) {
            if (!value.empty()) what += fmt::format(" {} {}", name, log::printable(value, 64));
        };
        add("accession", o->item.string_or(tags::AccessionNumber));
        add("modality", sps ? sps->string_or(tags::Modality) : std::string());
        add("study", o->item.string_or(tags::StudyInstanceUID));
    } else if (const auto* u = std::get_if<hl7::PatientUpdate>(&event)) {
        what = "patient update " + log::printable(u->patient.string_or(tags::PatientID), 64);
    } else if (const auto* m = std::get_if<hl7::PatientMerge>(&event)) {
        what = fmt::format("patient merge {} into {}", log::printable(m->old_patient_id, 64),
                           log::printable(m->patient.string_or(tags::PatientID), 64));
    }
    if (!impl.worklist) {
        impl.log("I: HL7 " + what + " (no worklist here: accepted, not kept)");
        return hl7::Ack::accept();
    }
    // The worklist takes the event; what it refuses is answered AE with its reason.
    const auto refused = [&](const service::ServiceError& e) {
        hl7::Ack a;
        a.code = hl7::AckCode::Error;
        a.text = e.message;
        a.error_code = e.kind == service::ErrorKind::BadIdentifier ? "101"
                       : e.kind == service::ErrorKind::NoSuchObject ? "204"
                                                                      : "207";
        impl.log("W: HL7 " + what + ": " + log::printable(e.message));
        return a;
    };
    std::string result;
    if (const auto* o = std::get_if<hl7::OrderEvent>(&event)) {
        using C = hl7::OrderEvent::Control;
        if (o->control == C::New || o->control == C::Change) {
            auto id = impl.worklist->put(o->order_key, o->item);
            if (!id) return refused(id.error());
            result = "worklist item " + *id;
        } else {
            const char* status = o->control == C::Cancel ? "CANCELED" : "DISCONTINUED";
            auto n = impl.worklist->cancel(o->order_key, status);
            if (!n) return refused(n.error());
            if (*n == 0)
                return refused({service::ErrorKind::NoSuchObject,
                                "no worklist item for order " + std::string(o->order_key)});
            result = fmt::format("{} item(s) {}", *n, status);
        }
    } else if (const auto* u = std::get_if<hl7::PatientUpdate>(&event)) {
        auto n = impl.worklist->update_patient(u->patient);
        if (!n) return refused(n.error());
        result = fmt::format("{} item(s) updated", *n);
    } else if (const auto* m = std::get_if<hl7::PatientMerge>(&event)) {
        auto n = impl.worklist->merge_patient(m->old_patient_id, m->old_issuer, m->patient);
        if (!n) return refused(n.error());
        result = fmt::format("{} item(s) moved", *n);
    }
    impl.log("I: HL7 " + what + ": " + result);
    return hl7::Ack::accept();
}

Result<std::unique_ptr<hl7::Listener>> start_hl7(ServerApp::Impl& impl) {
    hl7::ListenerOptions o;
    o.bind_address = impl.options.bind;
    o.port = *impl.config.hl7.port;
    o.limits.max_message_bytes = static_cast<std::size_t>(impl.config.hl7.max_message_bytes);
    o.ack.application = impl.config.ae_title;
    ServerApp::Impl* raw = &impl;
    o.on_event = [raw](const hl7::ListenerEvent& e) {
        std::string line = describe(e);
        if (!line.empty()) raw->log(line, fields(e));
    };
    auto handler = [raw](const hl7::Message& m) -> hl7::Ack {
        auto events = hl7::interpret_all(m);
        if (!events) return hl7::ack_for(events.error());
        if (events->empty()) return hl7::Ack::accept("nothing to do (order status change)");
        for (const hl7::Event& ev : *events) {
            hl7::Ack a = raw->options.on_hl7_event ? raw->options.on_hl7_event(ev) : hl7_event(*raw, ev);
            if (a.code != hl7::AckCode::Accept) return a;
        }
        return hl7::Ack::accept();
    };
    return hl7::Listener::start(std::move(o), std::move(handler));
}

}  // namespace dicomkit::server::app
