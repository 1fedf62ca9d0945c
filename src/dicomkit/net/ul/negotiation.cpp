// negotiate(): the acceptor's answer to an A-ASSOCIATE-RQ as a pure function of the request and
// the AcceptorPolicy (PS3.8 7.1.1, 9.3.3, 9.3.4; PS3.7 D.3.3).
#include <dicomkit/net/ul/association.hpp>

#include <algorithm>
#include <bitset>
#include <string_view>

#include <fmt/format.h>

#include <dicomkit/base/log.hpp>

namespace dicomkit::net::ul {
namespace {

using pdu::AssociateRj;
using pdu::ContextResult;
using pdu::RejectResult;
using pdu::RejectSource;

/// PS3.5 6.2 (AE): leading and trailing spaces are not significant.
std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

/// Whether `called` (spaces aside) is the policy's AE title or one of its other_ae_titles.
bool called_ae_known(const AcceptorPolicy& policy, std::string_view called) {
    const std::string_view title = trim_spaces(called);
    if (title == trim_spaces(policy.ae_title)) return true;
    return std::any_of(policy.other_ae_titles.begin(), policy.other_ae_titles.end(),
                       [&](const std::string& t) { return trim_spaces(t) == title; });
}

/// Why the presentation context IDs of a request cannot be answered, if they cannot: PS3.8
/// 9.3.2.2 makes each ID an odd number from 1 to 255, and 7.1.1.13 has the requestor give each
/// proposed context an identifier not yet used on the association.
std::optional<std::string> context_id_fault(const pdu::AssociateRq& rq) {
    std::bitset<256> seen;
    for (const pdu::PresentationContextRq& pc : rq.presentation_contexts) {
        if ((pc.id & 1u) == 0)
            return fmt::format("presentation context ID {} is not odd (PS3.8 7.1.1.13)", pc.id);
        if (seen.test(pc.id))
            return fmt::format("presentation context ID {} is used twice (PS3.8 7.1.1.13)", pc.id);
        seen.set(pc.id);
    }
    return std::nullopt;
}

/// The A-ASSOCIATE-RJ for the association as a whole, if it is not acceptable (PS3.8 9.3.4);
/// `note` says why when the request itself is at fault.
std::optional<AssociateRj> association_rejection(const pdu::AssociateRq& rq,
                                                 const AcceptorPolicy& policy,
                                                 const std::string& peer_address, std::string& note) {
    namespace reason = pdu::reject_reason;
    // PS3.8 9.3.2: bit 0 of the protocol version is version 1, the only one there is.
    if ((rq.protocol_version & 0x0001) == 0) {
        return AssociateRj{RejectResult::RejectedPermanent, RejectSource::ServiceProviderAcse,
                           reason::kProtocolVersionNotSupported};
    }
    /// A duplicate, even or zero presentation context ID is answered with an A-ASSOCIATE-RJ
    /// (rejected-permanent, source DICOM UL service-provider (ACSE related function), reason 1
    /// no-reason-given; PS3.8 9.3.4), not with a refusal of that context: the A-ASSOCIATE-AC
    /// answers each context by its ID (PS3.8 9.3.3.2), so an ID used twice would be answered
    /// twice, ambiguously, and an even one cannot be sent back at all. The RJ is a defined
    /// answer that every requestor handles (an A-ABORT, which the table would give an
    /// undecodable PDU, tells it nothing), and the rejection is logged with the ID.
    if (auto fault = context_id_fault(rq)) {
        note = *fault;
        return AssociateRj{RejectResult::RejectedPermanent, RejectSource::ServiceProviderAcse,
                           reason::kNoReasonGiven};
    }
    // PS3.8 Table 9-11: AE titles of sixteen spaces shall not be used.
    if (trim_spaces(rq.called_ae_title).empty() ||
        (!policy.accept_any_called_ae && !called_ae_known(policy, rq.called_ae_title))) {
        if (trim_spaces(rq.called_ae_title).empty()) note = "the called AE title is empty";
        return AssociateRj{RejectResult::RejectedPermanent, RejectSource::ServiceUser,
                           reason::kCalledAeTitleNotRecognized};
    }
    if (trim_spaces(rq.calling_ae_title).empty()) {
        note = "the calling AE title is empty";
        return AssociateRj{RejectResult::RejectedPermanent, RejectSource::ServiceUser,
                           reason::kCallingAeTitleNotRecognized};
    }
    if (policy.calling_allowed &&
        !policy.calling_allowed(std::string(trim_spaces(rq.calling_ae_title)), peer_address)) {
        return AssociateRj{RejectResult::RejectedPermanent, RejectSource::ServiceUser,
                           reason::kCallingAeTitleNotRecognized};
    }
    if (rq.application_context_name != pdu::kDicomApplicationContext) {
        return AssociateRj{RejectResult::RejectedPermanent, RejectSource::ServiceUser,
                           reason::kApplicationContextNameNotSupported};
    }
    return std::nullopt;
}

/// PS3.8 9.3.3.2: result and transfer syntax for one proposed presentation context.
pdu::PresentationContextAc answer_context(const pdu::PresentationContextRq& pc,
                                          const AcceptorPolicy& policy,
                                          const AcceptorPolicy::Syntax** matched) {
    pdu::PresentationContextAc ac;
    ac.id = pc.id;
    // Not significant unless accepted; some peers want a syntax there all the same.
    ac.transfer_syntax = pc.transfer_syntaxes.empty() ? std::string() : pc.transfer_syntaxes.front();
    *matched = nullptr;
    // PS3.8 9.3.2.2: one abstract syntax and one or more transfer syntaxes, none empty. A
    // context without them is refused (results 3 and 4), the others go on.
    if (pc.abstract_syntax.empty()) {
        ac.result = ContextResult::AbstractSyntaxNotSupported;
        return ac;
    }
    if (pc.transfer_syntaxes.empty() || contains(pc.transfer_syntaxes, "")) {
        ac.result = ContextResult::TransferSyntaxesNotSupported;
        return ac;
    }
    for (const auto& syntax : policy.syntaxes) {
        if (syntax.abstract_syntax != pc.abstract_syntax) continue;
        *matched = &syntax;
        for (const std::string& ts : syntax.transfer_syntaxes) {
            if (contains(pc.transfer_syntaxes, ts)) {
                ac.result = ContextResult::Acceptance;
                ac.transfer_syntax = ts;
                return ac;
            }
        }
        ac.result = ContextResult::TransferSyntaxesNotSupported;
        return ac;
    }
    if (!policy.accept_any_abstract_syntax) {
        ac.result = ContextResult::AbstractSyntaxNotSupported;
        return ac;
    }
    for (const std::string& ts : pc.transfer_syntaxes) {
        if (policy.any_transfer_syntaxes.empty() || contains(policy.any_transfer_syntaxes, ts)) {
            ac.result = ContextResult::Acceptance;
            ac.transfer_syntax = ts;
            return ac;
        }
    }
    ac.result = ContextResult::TransferSyntaxesNotSupported;
    return ac;
}

/// PS3.7 D.3.3.4: the acceptor answers each role selection item proposed, returning 1 only for
/// a role that was proposed and that it accepts: the SCU role always, the SCP role when the
/// policy allows it for that abstract syntax.
std::vector<pdu::RoleSelection> answer_roles(const pdu::AssociateRq& rq,
                                             const AcceptorPolicy& policy) {
    std::vector<pdu::RoleSelection> out;
    for (const pdu::RoleSelection& proposed : rq.user_information.role_selections) {
        bool listed = false;
        bool scp_allowed = false;
        for (const auto& syntax : policy.syntaxes) {
            if (syntax.abstract_syntax != proposed.sop_class_uid) continue;
            listed = true;
            scp_allowed = syntax.scp_role_allowed;
        }
        if (!listed) scp_allowed = policy.accept_any_abstract_syntax && policy.any_scp_role_allowed;
        out.push_back({proposed.sop_class_uid, proposed.scu_role, proposed.scp_role && scp_allowed});
    }
    return out;
}

/// The roles of an accepted context: the answered role selection item, else the defaults.
void apply_roles(AcceptedContext& context, const std::vector<pdu::RoleSelection>& answered) {
    for (const pdu::RoleSelection& r : answered) {
        if (r.sop_class_uid == context.abstract_syntax) {
            context.scu_role = r.scu_role;
            context.scp_role = r.scp_role;
            return;
        }
    }
}

/// PS3.7 D.3.3.5: the answer to a SOP Class Extended Negotiation proposal for an accepted
/// context, byte for byte: the proposed value where this side supports the same (non-zero) one.
std::optional<pdu::SopClassExtendedNegotiation> answer_extended(const pdu::SopClassExtendedNegotiation& proposed,
                                                                const AcceptorPolicy& policy,
                                                                const std::vector<AcceptedContext>& accepted) {
    const auto ctx = std::find_if(accepted.begin(), accepted.end(), [&](const AcceptedContext& c) {
        return c.abstract_syntax == proposed.sop_class_uid;
    });
    if (ctx == accepted.end()) return std::nullopt;
    for (const auto& syntax : policy.syntaxes) {
        if (syntax.abstract_syntax != proposed.sop_class_uid || syntax.extended_negotiation.empty()) continue;
        pdu::SopClassExtendedNegotiation out{proposed.sop_class_uid, {}};
        const auto& wanted = proposed.service_class_application_information;
        for (std::size_t i = 0; i < wanted.size(); ++i) {
            const bool ours = i < syntax.extended_negotiation.size() && wanted[i] != 0 &&
                              syntax.extended_negotiation[i] == wanted[i];
            out.service_class_application_information.push_back(ours ? wanted[i] : 0);
        }
        return out;
    }
    return std::nullopt;
}

/// The smaller of two Maximum Length Received values, 0 meaning no limit (PS3.8 D.1).
std::uint32_t smaller_limit(std::uint32_t a, std::uint32_t b) {
    if (a == 0) return b;
    if (b == 0) return a;
    return std::min(a, b);
}

}  // namespace

Negotiated negotiate(const pdu::AssociateRq& rq, const AcceptorPolicy& policy,
                     const std::string& peer_address, const AssociationOptions& options) {
    Negotiated out;
    std::string note;
    if (auto rj = association_rejection(rq, policy, peer_address, note)) {
        out.answer = *rj;
        if (!note.empty()) out.notes.push_back(std::move(note));
        return out;
    }
    pdu::AssociateAc ac;
    ac.called_ae_title = rq.called_ae_title;
    ac.calling_ae_title = rq.calling_ae_title;
    ac.application_context_name = rq.application_context_name;
    const std::vector<pdu::RoleSelection> roles = answer_roles(rq, policy);
    for (const pdu::PresentationContextRq& pc : rq.presentation_contexts) {
        const AcceptorPolicy::Syntax* matched = nullptr;
        pdu::PresentationContextAc answer = answer_context(pc, policy, &matched);
        if (pc.abstract_syntax.empty()) {
            out.notes.push_back(fmt::format("presentation context {} refused: no abstract syntax", pc.id));
        } else if (pc.transfer_syntaxes.empty() || contains(pc.transfer_syntaxes, "")) {
            out.notes.push_back(fmt::format("presentation context {} ({}) refused: {} transfer syntax", pc.id,
                                            log::printable(pc.abstract_syntax),
                                            pc.transfer_syntaxes.empty() ? "no" : "an empty"));
        }
        if (answer.result == ContextResult::Acceptance) {
            AcceptedContext context{pc.id, pc.abstract_syntax, answer.transfer_syntax, true, false};
            apply_roles(context, roles);
            out.contexts.push_back(std::move(context));
        }
        ac.presentation_contexts.push_back(std::move(answer));
    }
    pdu::UserInformation& ui = ac.user_information;
    ui.maximum_length = smaller_limit(policy.max_pdu_receive, options.max_pdu_receive);
    ui.implementation_class_uid = options.implementation_class_uid;
    if (!options.implementation_version_name.empty())
        ui.implementation_version_name = options.implementation_version_name;
    // PS3.7 D.3.3.3: a proposal is answered with at most policy.max_operations_invoked for the
    // requestor's window (its 0 means unlimited, so it is negotiated down to the policy's limit);
    // this side performs one operation at a time (operations performed 1).
    if (const auto& w = rq.user_information.asynchronous_operations_window) {
        const std::uint16_t limit = std::max<std::uint16_t>(policy.max_operations_invoked, 1);
        const std::uint16_t invoked =
            w->max_operations_invoked == 0 ? limit : std::min(w->max_operations_invoked, limit);
        ui.asynchronous_operations_window = pdu::AsynchronousOperationsWindow{invoked, 1};
    }
    ui.role_selections = roles;
    for (const pdu::SopClassExtendedNegotiation& proposed : rq.user_information.extended_negotiations) {
        const bool answered = std::any_of(ui.extended_negotiations.begin(), ui.extended_negotiations.end(),
                                          [&](const auto& n) { return n.sop_class_uid == proposed.sop_class_uid; });
        if (answered) continue;  // one sub-item per SOP class (PS3.7 D.3.3.5.2)
        auto answer = answer_extended(proposed, policy, out.contexts);
        if (!answer) continue;
        for (AcceptedContext& c : out.contexts)
            if (c.abstract_syntax == answer->sop_class_uid)
                c.extended_negotiation.assign(answer->service_class_application_information.begin(),
                                              answer->service_class_application_information.end());
        ui.extended_negotiations.push_back(std::move(*answer));
    }
    // PS3.7 D.3.3.7: no User Identity server response, as the identity is not checked here.
    out.answer = std::move(ac);
    return out;
}

}  // namespace dicomkit::net::ul
