// Association establishment through the PS3.8 state machine: the requestor (AE-1..AE-4) and the
// acceptor (AE-5..AE-8, with the ARTIM timer while waiting for the A-ASSOCIATE-RQ).
#include <dicomkit/net/ul/association_impl.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <dicomkit/net/pdu/describe.hpp>

namespace dicomkit::net::ul {
namespace {

/// The A-ASSOCIATE-RQ for a request (PS3.8 9.3.2, PS3.7 D.3.3).
Result<pdu::AssociateRq> build_request(const AssociationRequest& rq, const AssociationOptions& o) {
    if (rq.contexts.empty())
        return make_error(ErrorCode::InvalidArgument, "association: no presentation context proposed");
    pdu::AssociateRq p;
    p.called_ae_title = rq.called_ae;
    p.calling_ae_title = rq.calling_ae;
    std::uint8_t next_id = 1;
    for (const pdu::PresentationContextRq& pc : rq.contexts) {
        pdu::PresentationContextRq c = pc;
        if (c.id == 0) c.id = next_id;
        if (c.id >= next_id) next_id = static_cast<std::uint8_t>(c.id + 2);
        p.presentation_contexts.push_back(std::move(c));
    }
    pdu::UserInformation& ui = p.user_information;
    ui.maximum_length = o.max_pdu_receive;
    ui.implementation_class_uid = o.implementation_class_uid;
    if (!o.implementation_version_name.empty())
        ui.implementation_version_name = o.implementation_version_name;
    ui.asynchronous_operations_window = rq.async_window;
    ui.role_selections = rq.role_selections;
    ui.extended_negotiations = rq.extended_negotiations;
    ui.user_identity_rq = rq.user_identity;
    return p;
}

const pdu::RoleSelection* find_role(const std::vector<pdu::RoleSelection>& roles,
                                    const std::string& sop_class) {
    for (const pdu::RoleSelection& r : roles) {
        if (r.sop_class_uid == sop_class) return &r;
    }
    return nullptr;
}

/// The accepted contexts from the request and the A-ASSOCIATE-AC; roles per PS3.7 D.3.3.4 (the
/// defaults unless we proposed a role selection item and the acceptor answered it).
std::vector<AcceptedContext> accepted_contexts(const pdu::AssociateRq& rq, const pdu::AssociateAc& ac) {
    std::vector<AcceptedContext> out;
    for (const pdu::PresentationContextAc& answer : ac.presentation_contexts) {
        if (answer.result != pdu::ContextResult::Acceptance) continue;
        for (const pdu::PresentationContextRq& proposed : rq.presentation_contexts) {
            if (proposed.id != answer.id) continue;
            AcceptedContext c{answer.id, proposed.abstract_syntax, answer.transfer_syntax, true, false};
            const auto* ours = find_role(rq.user_information.role_selections, c.abstract_syntax);
            const auto* theirs = find_role(ac.user_information.role_selections, c.abstract_syntax);
            if (ours && theirs) {
                c.scu_role = ours->scu_role && theirs->scu_role;
                c.scp_role = ours->scp_role && theirs->scp_role;
            }
            // PS3.7 D.3.3.5: what the acceptor answered, if we proposed it for this SOP class.
            const auto& proposals = rq.user_information.extended_negotiations;
            const bool proposed_here = std::any_of(proposals.begin(), proposals.end(), [&](const auto& n) {
                return n.sop_class_uid == c.abstract_syntax;
            });
            for (const auto& n : ac.user_information.extended_negotiations) {
                if (!proposed_here || n.sop_class_uid != c.abstract_syntax) continue;
                c.extended_negotiation.assign(n.service_class_application_information.begin(),
                                              n.service_class_application_information.end());
                break;
            }
            out.push_back(std::move(c));
            break;
        }
    }
    return out;
}

std::unique_ptr<Association::Impl> make_impl(bool requestor, const AssociationOptions& options) {
    auto impl = std::make_unique<Association::Impl>();
    impl->requestor = requestor;
    impl->options = options;
    return impl;
}

Error tagged(Error e, FailureKind kind, FailureKind* out) {
    if (out) *out = kind;
    return e;
}

/// The ARTIM time while waiting for the A-ASSOCIATE-RQ: the shorter of `request` and `acse`
/// (zero: no limit).
Millis request_time(const Timeouts& t) {
    if (t.request.count() == 0) return t.acse;
    if (t.acse.count() == 0) return t.request;
    return std::min(t.request, t.acse);
}

}  // namespace

std::string describe_rejection(const pdu::AssociateRj& rj) {
    const auto result = static_cast<std::uint8_t>(rj.result);
    const auto source = static_cast<std::uint8_t>(rj.source);
    return fmt::format("{}, source {}, reason {} (result {}, source {}, reason {})",
                       pdu::reject_result_text(result), pdu::reject_source_text(source),
                       pdu::reject_reason_text(source, rj.reason), result, source, rj.reason);
}

Result<Association> Association::request(const ConnectTarget& target, const AssociationRequest& rq,
                                         const AssociationOptions& options, FailureKind* failure) {
    if (failure) *failure = FailureKind::None;
    auto pdu_rq = build_request(rq, options);
    if (!pdu_rq) return Unexpected(tagged(pdu_rq.error(), FailureKind::ProtocolError, failure));
    auto impl = make_impl(true, options);
    impl->rq = std::move(*pdu_rq);
    impl->peer = fmt::format("{}:{}", target.host, target.port);
    if (auto a = impl->fire(Event::AssociateRequest); !a) return Unexpected(a.error());  // AE-1
    auto t = connect(target.host, target.port, options.timeouts.connect,
                     options.tls ? &*options.tls : nullptr);
    if (!t) {
        (void)impl->fire(Event::TransportClosed);  // AA-4: A-P-ABORT indication
        const FailureKind why = is_timeout(t.error()) ? FailureKind::Timeout : FailureKind::Refused;
        return Unexpected(tagged(impl->error(t.error().code, t.error().message), why, failure));
    }
    impl->transport = std::move(*t);
    impl->peer = impl->transport->peer_address();
    if (auto a = impl->fire(Event::TransportConfirm); !a) return Unexpected(a.error());  // AE-2
    if (auto r = impl->send_pdu(impl->rq, options.timeouts.acse); !r) {
        if (auto a = impl->fire(Event::TransportClosed)) impl->perform_abort(*a, user_abort());
        return Unexpected(tagged(r.error(), FailureKind::Io, failure));
    }
    Inbound in = impl->read_pdu(options.timeouts.acse);
    if (in.kind == Inbound::Kind::Pdu && in.event == Event::AssociateAcPdu) {
        if (auto a = impl->fire(in.event); !a) return Unexpected(a.error());  // AE-3
        impl->ac = std::move(std::get<pdu::AssociateAc>(in.pdu));
        impl->contexts = accepted_contexts(impl->rq, impl->ac);
        impl->peer_max_pdu = impl->ac.user_information.maximum_length.value_or(0);
        return Association(std::move(impl));
    }
    if (in.kind == Inbound::Kind::Pdu && in.event == Event::AssociateRjPdu) {
        if (auto a = impl->fire(in.event); !a) return Unexpected(a.error());  // AE-4
        impl->close_transport();
        const auto& rj = std::get<pdu::AssociateRj>(in.pdu);
        return Unexpected(tagged(impl->error(ErrorCode::Unsupported,
                                             "association rejected: " + describe_rejection(rj)),
                                 FailureKind::Rejected, failure));
    }
    const FailureKind why = impl->end_on(in);
    const std::string message =
        why == FailureKind::Timeout
            ? fmt::format("no answer to A-ASSOCIATE-RQ within {} ms (timeout); aborted",
                          options.timeouts.acse.count())
            : fmt::format("no A-ASSOCIATE-AC: {}", in.what);
    const ErrorCode code = why == FailureKind::Timeout ? ErrorCode::LimitExceeded
                           : why == FailureKind::ProtocolError ? ErrorCode::InvalidValue
                                                               : ErrorCode::IoError;
    return Unexpected(tagged(impl->error(code, message), why, failure));
}

Result<void> Association::Impl::await_request(FailureKind* failure) {
    peer = transport->peer_address();
    if (auto a = fire(Event::TransportIndication); !a) return Unexpected(a.error());  // AE-5
    // The ARTIM timer runs in Sta2; the whole request must arrive within timeouts.request.
    const Millis artim = request_time(options.timeouts);
    Inbound in = read_pdu(artim);
    if (in.kind == Inbound::Kind::Pdu && in.event == Event::AssociateRqPdu) {
        rq = std::move(std::get<pdu::AssociateRq>(in.pdu));
        return {};
    }
    const FailureKind why = end_on(in);
    if (failure) *failure = in.nothing_received && why == FailureKind::Closed ? FailureKind::Empty : why;
    if (why == FailureKind::Timeout) {
        return Unexpected(error(ErrorCode::LimitExceeded,
                                fmt::format("no A-ASSOCIATE-RQ within {} ms of the connection ({}): timeout",
                                            artim.count(),
                                            in.nothing_received ? "nothing arrived" : "only part of one arrived")));
    }
    if (why == FailureKind::Closed) {
        return Unexpected(error(ErrorCode::IoError, in.nothing_received
                                                        ? "peer closed the connection without sending anything"
                                                        : "peer closed the connection before A-ASSOCIATE-RQ"));
    }
    if (why == FailureKind::Aborted)
        return Unexpected(error(ErrorCode::IoError, fmt::format("{} before A-ASSOCIATE-RQ", in.what)));
    return Unexpected(error(ErrorCode::InvalidValue,
                            fmt::format("{} instead of A-ASSOCIATE-RQ; aborted", in.what)));
}

Result<bool> Association::Impl::answer(const Negotiated& negotiated) {
    const Millis acse = options.timeouts.acse;
    if (const auto* accept = std::get_if<pdu::AssociateAc>(&negotiated.answer)) {
        if (auto a = fire(Event::AssociateRqPdu, Condition::Acceptable); !a)  // AE-6 -> Sta3
            return Unexpected(a.error());
        if (auto a = fire(Event::AssociateAccept); !a) return Unexpected(a.error());  // AE-7
        ac = *accept;
        contexts = negotiated.contexts;
        peer_max_pdu = rq.user_information.maximum_length.value_or(0);
        if (auto r = send_pdu(ac, acse); !r) {
            if (auto a = fire(Event::TransportClosed)) perform_abort(*a, user_abort());
            return Unexpected(r.error());
        }
        return true;
    }
    const auto& rj = std::get<pdu::AssociateRj>(negotiated.answer);
    if (rj.source == pdu::RejectSource::ServiceUser) {
        // The service-provider accepts the request; the service-user rejects it (AE-8).
        if (auto a = fire(Event::AssociateRqPdu, Condition::Acceptable); !a) return Unexpected(a.error());
        if (auto a = fire(Event::AssociateReject); !a) return Unexpected(a.error());
    } else if (auto a = fire(Event::AssociateRqPdu, Condition::NotAcceptable); !a) {  // AE-6
        return Unexpected(a.error());
    }
    if (auto r = send_pdu(rj, acse); !r) {
        close_transport();
        state = State::Sta1;
        return Unexpected(r.error());
    }
    await_close(acse);  // Sta13, ARTIM running: the requestor closes on A-ASSOCIATE-RJ
    return false;
}

Result<Association> Association::accept(std::unique_ptr<Transport> transport,
                                        const AcceptorPolicy& policy,
                                        const AssociationOptions& options, const RequestGate& gate,
                                        FailureKind* failure) {
    if (failure) *failure = FailureKind::None;
    if (!transport) return make_error(ErrorCode::InvalidArgument, "accept: no transport");
    auto impl = make_impl(false, options);
    impl->transport = std::move(transport);
    if (auto r = impl->await_request(failure); !r) return Unexpected(r.error());
    Negotiated negotiated;
    if (auto rj = gate ? gate(impl->rq) : std::nullopt) {
        negotiated.answer = *rj;
    } else {
        negotiated = negotiate(impl->rq, policy, impl->peer, options);
    }
    auto accepted = impl->answer(negotiated);
    if (!accepted) return Unexpected(tagged(accepted.error(), FailureKind::Io, failure));
    if (!*accepted) {
        const auto& rj = std::get<pdu::AssociateRj>(negotiated.answer);
        std::string why = "rejected: " + describe_rejection(rj);
        for (const std::string& note : negotiated.notes) why += "; " + note;
        return Unexpected(tagged(impl->error(ErrorCode::Unsupported, why), FailureKind::Rejected, failure));
    }
    impl->notes = std::move(negotiated.notes);
    return Association(std::move(impl));
}

Result<void> Association::reject(std::unique_ptr<Transport> transport, const pdu::AssociateRj& rj,
                                 const AssociationOptions& options) {
    if (!transport) return make_error(ErrorCode::InvalidArgument, "reject: no transport");
    auto impl = make_impl(false, options);
    impl->transport = std::move(transport);
    if (auto r = impl->await_request(nullptr); !r) return Unexpected(r.error());
    Negotiated negotiated;
    negotiated.answer = rj;
    if (auto r = impl->answer(negotiated); !r) return Unexpected(r.error());
    return {};
}

}  // namespace dicomkit::net::ul
