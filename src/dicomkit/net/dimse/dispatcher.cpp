// Dispatcher routing: the (command, SOP class) registry, and the DIMSE-N handler defaults.
#include <dicomkit/net/dimse/dispatcher.hpp>

#include <stdexcept>

namespace dicomkit::net::dimse {

namespace {

NReply unrecognized(std::string_view what) {
    return NReply{Outcome{status::UnrecognizedOperation, std::string(what) + " not supported here"}, {}, {}};
}

/// A request the typed message could not be made of (a field it requires is missing): 0x0120
/// Missing Attribute (PS3.7 C.5).
NReply malformed(const Error& e) { return NReply{Outcome{status::MissingAttribute, e.message}, {}, {}}; }

}  // namespace

NReply NHandler::event_report(const RequestContext&, const NEventReportRq&, const DataSet*) {
    return unrecognized("N-EVENT-REPORT");
}
NReply NHandler::get(const RequestContext&, const NGetRq&) { return unrecognized("N-GET"); }
NReply NHandler::set(const RequestContext&, const NSetRq&, const DataSet&) { return unrecognized("N-SET"); }
NReply NHandler::action(const RequestContext&, const NActionRq&, const DataSet*) { return unrecognized("N-ACTION"); }
NReply NHandler::create(const RequestContext&, const NCreateRq&, const DataSet*) { return unrecognized("N-CREATE"); }
NReply NHandler::remove(const RequestContext&, const NDeleteRq&) { return unrecognized("N-DELETE"); }

NReply answer_n(NHandler& h, const RequestContext& rc, const Command& rq, const DataSet* ds) {
    auto call = [&]<class M>(auto&& method) -> NReply {
        auto m = from_command<M>(rq);
        if (!m) return malformed(m.error());
        return method(*m);
    };
    switch (rq.field) {
        case CommandField::N_EVENT_REPORT_RQ:
            return call.operator()<NEventReportRq>([&](const NEventReportRq& m) { return h.event_report(rc, m, ds); });
        case CommandField::N_GET_RQ:
            return call.operator()<NGetRq>([&](const NGetRq& m) { return h.get(rc, m); });
        case CommandField::N_SET_RQ:
            if (!ds) return NReply{Outcome{status::MissingAttribute, "N-SET-RQ without a modification list"}, {}, {}};
            return call.operator()<NSetRq>([&](const NSetRq& m) { return h.set(rc, m, *ds); });
        case CommandField::N_ACTION_RQ:
            return call.operator()<NActionRq>([&](const NActionRq& m) { return h.action(rc, m, ds); });
        case CommandField::N_CREATE_RQ:
            return call.operator()<NCreateRq>([&](const NCreateRq& m) { return h.create(rc, m, ds); });
        case CommandField::N_DELETE_RQ:
            return call.operator()<NDeleteRq>([&](const NDeleteRq& m) { return h.remove(rc, m); });
        default:
            return unrecognized(to_string(rq.field));
    }
}

void Dispatcher::add(CommandField field, std::vector<std::string> sop_classes, const Handler& handler) {
    for (auto& cls : sop_classes) {
        auto key = std::make_pair(field, std::move(cls));
        if (handlers_.contains(key))
            throw std::invalid_argument("a handler for " + std::string(to_string(field)) + " on " + key.second +
                                        " is registered already");
        handlers_.emplace(std::move(key), handler);
    }
    if (!sop_classes.empty()) commands_.insert(field);
}

void Dispatcher::on_echo(std::shared_ptr<EchoHandler> handler) {
    add(CommandField::C_ECHO_RQ, {std::string(kVerificationSopClass)}, std::move(handler));
}

void Dispatcher::on_store(std::shared_ptr<StoreHandler> handler, std::vector<std::string> sop_classes) {
    if (sop_classes.empty()) sop_classes.emplace_back(kAnySopClass);
    add(CommandField::C_STORE_RQ, std::move(sop_classes), std::move(handler));
}

void Dispatcher::on_find(std::shared_ptr<FindHandler> handler, std::vector<std::string> sop_classes) {
    add(CommandField::C_FIND_RQ, std::move(sop_classes), std::move(handler));
}

void Dispatcher::on_move(std::shared_ptr<RetrieveHandler> handler, std::vector<std::string> sop_classes) {
    add(CommandField::C_MOVE_RQ, std::move(sop_classes), std::move(handler));
}

void Dispatcher::on_get(std::shared_ptr<RetrieveHandler> handler, std::vector<std::string> sop_classes) {
    add(CommandField::C_GET_RQ, std::move(sop_classes), std::move(handler));
}

void Dispatcher::on_n(CommandField request, std::shared_ptr<NHandler> handler, std::vector<std::string> sop_classes) {
    if (!is_n_request(request))
        throw std::invalid_argument(std::string(to_string(request)) + " is not a DIMSE-N request");
    add(request, std::move(sop_classes), std::move(handler));
}

Dispatcher::Route Dispatcher::route(CommandField field, std::string_view sop_class) const {
    Route r;
    auto it = handlers_.find(std::make_pair(field, std::string(sop_class)));
    if (it == handlers_.end() && field == CommandField::C_STORE_RQ)
        it = handlers_.find(std::make_pair(field, std::string(kAnySopClass)));
    if (it == handlers_.end()) {
        r.status = commands_.contains(field) ? status::SOPClassNotSupported : status::UnrecognizedOperation;
        return r;
    }
    std::visit(
        [&](const auto& h) {
            using H = typename std::decay_t<decltype(h)>::element_type;
            if constexpr (std::is_same_v<H, EchoHandler>) r.echo = h.get();
            else if constexpr (std::is_same_v<H, StoreHandler>) r.store = h.get();
            else if constexpr (std::is_same_v<H, FindHandler>) r.find = h.get();
            else if constexpr (std::is_same_v<H, RetrieveHandler>) r.retrieve = h.get();
            else r.n = h.get();
        },
        it->second);
    return r;
}

}  // namespace dicomkit::net::dimse
