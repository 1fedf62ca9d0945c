// Human-readable PDUs for --trace, and the texts of the standard's result/source/reason codes.
#include <dicomkit/net/pdu/describe.hpp>

#include <fmt/format.h>

#include <dicomkit/net/pdu/codec.hpp>

namespace dicomkit::net::pdu {

std::string_view context_result_text(std::uint8_t result) noexcept {
    switch (result) {
        case 0:
            return "acceptance";
        case 1:
            return "user-rejection";
        case 2:
            return "no-reason (provider rejection)";
        case 3:
            return "abstract-syntax-not-supported (provider rejection)";
        case 4:
            return "transfer-syntaxes-not-supported (provider rejection)";
        default:
            return "unknown";
    }
}

std::string_view reject_result_text(std::uint8_t result) noexcept {
    switch (result) {
        case 1:
            return "rejected-permanent";
        case 2:
            return "rejected-transient";
        default:
            return "unknown";
    }
}

std::string_view reject_source_text(std::uint8_t source) noexcept {
    switch (source) {
        case 1:
            return "DICOM UL service-user";
        case 2:
            return "DICOM UL service-provider (ACSE related function)";
        case 3:
            return "DICOM UL service-provider (Presentation related function)";
        default:
            return "unknown";
    }
}

std::string_view reject_reason_text(std::uint8_t source, std::uint8_t reason) noexcept {
    switch (source) {
        case 1:
            switch (reason) {
                case 1:
                    return "no-reason-given";
                case 2:
                    return "application-context-name-not-supported";
                case 3:
                    return "calling-AE-title-not-recognized";
                case 7:
                    return "called-AE-title-not-recognized";
                default:
                    return reason >= 4 && reason <= 10 ? "reserved" : "unknown";
            }
        case 2:
            switch (reason) {
                case 1:
                    return "no-reason-given";
                case 2:
                    return "protocol-version-not-supported";
                default:
                    return "unknown";
            }
        case 3:
            switch (reason) {
                case 1:
                    return "temporary-congestion";
                case 2:
                    return "local-limit-exceeded";
                default:
                    return reason <= 7 ? "reserved" : "unknown";
            }
        default:
            return "unknown";
    }
}

std::string_view abort_source_text(std::uint8_t source) noexcept {
    switch (source) {
        case 0:
            return "DICOM UL service-user (initiated abort)";
        case 1:
            return "reserved";
        case 2:
            return "DICOM UL service-provider (initiated abort)";
        default:
            return "unknown";
    }
}

std::string_view abort_reason_text(std::uint8_t source, std::uint8_t reason) noexcept {
    if (source != 2) return "not significant";
    switch (reason) {
        case 0:
            return "reason-not-specified";
        case 1:
            return "unrecognized-PDU";
        case 2:
            return "unexpected-PDU";
        case 3:
            return "reserved";
        case 4:
            return "unrecognized-PDU parameter";
        case 5:
            return "unexpected-PDU parameter";
        case 6:
            return "invalid-PDU-parameter value";
        default:
            return "unknown";
    }
}

std::string_view user_identity_type_text(std::uint8_t type) noexcept {
    switch (type) {
        case 1:
            return "username";
        case 2:
            return "username and passcode";
        case 3:
            return "Kerberos service ticket";
        case 4:
            return "SAML assertion";
        case 5:
            return "JSON web token";
        default:
            return "unknown";
    }
}

namespace {

std::string printable(std::string_view s) {
    std::string out;
    for (char ch : s) {
        auto u = static_cast<unsigned char>(ch);
        if (u >= 0x20 && u < 0x7F)
            out += ch;
        else
            out += fmt::format("\\x{:02X}", u);
    }
    return out;
}

std::string printable(const Bytes& b) {
    return printable(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

void describe_user_identity(std::string& out, const UserInformation& u) {
    if (u.user_identity_rq) {
        const UserIdentityRq& id = *u.user_identity_rq;
        auto type = static_cast<std::uint8_t>(id.type);
        out += fmt::format("\n  user identity: {} ({})", user_identity_type_text(type), type);
        // A username is what an administrator needs to see; secrets are shown by size only.
        if (type == 1 || type == 2)
            out += fmt::format(" user \"{}\"", printable(id.primary_field));
        else
            out += fmt::format(" primary field {} bytes", id.primary_field.size());
        if (!id.secondary_field.empty())
            out += fmt::format(", secondary field {} bytes", id.secondary_field.size());
        out += id.positive_response_requested ? ", positive response requested" : "";
    }
    if (u.user_identity_ac) {
        out += fmt::format("\n  user identity response: server response {} bytes",
                           u.user_identity_ac->server_response.size());
    }
}

void describe_user_information(std::string& out, const UserInformation& u) {
    out += "\n  user info:";
    const char* sep = " ";
    if (u.maximum_length) {
        out += fmt::format("{}max length {}", sep, *u.maximum_length);
        sep = ", ";
    }
    if (u.implementation_class_uid || u.implementation_version_name) {
        out += fmt::format("{}implementation {} {}", sep,
                           printable(u.implementation_class_uid.value_or("-")),
                           printable(u.implementation_version_name.value_or("-")));
        sep = ", ";
    }
    if (u.asynchronous_operations_window) {
        out += fmt::format("{}async window invoked {} performed {}", sep,
                           u.asynchronous_operations_window->max_operations_invoked,
                           u.asynchronous_operations_window->max_operations_performed);
        sep = ", ";
    }
    if (*sep == ' ') out += " (none)";
    for (const RoleSelection& r : u.role_selections) {
        out += fmt::format("\n  role selection {}: SCU {} SCP {}", printable(r.sop_class_uid),
                           int{r.scu_role}, int{r.scp_role});
    }
    for (const SopClassExtendedNegotiation& n : u.extended_negotiations) {
        out += fmt::format("\n  extended negotiation {}: {} bytes", printable(n.sop_class_uid),
                           n.service_class_application_information.size());
    }
    for (const SopClassCommonExtendedNegotiation& n : u.common_extended_negotiations) {
        out += fmt::format("\n  common extended negotiation {}: service class {}",
                           printable(n.sop_class_uid), printable(n.service_class_uid));
        for (const std::string& r : n.related_general_sop_class_uids)
            out += " related " + printable(r);
    }
    describe_user_identity(out, u);
    for (const RawSubItem& r : u.unknown_sub_items) {
        out += fmt::format("\n  unknown sub-item {:02X}H: {} bytes", r.type, r.value.size());
    }
}

template <typename Assoc>
std::string describe_associate_head(std::string_view name, std::string_view length,
                                    const Assoc& a) {
    std::string out = fmt::format("{}{} called={} calling={}", name, length,
                                  printable(a.called_ae_title), printable(a.calling_ae_title));
    if (a.protocol_version != 1)
        out += fmt::format(" protocol version {:04X}H", a.protocol_version);
    out += fmt::format("\n  application context {}", printable(a.application_context_name));
    return out;
}

std::string join_syntaxes(const std::vector<std::string>& list) {
    std::string out;
    for (const std::string& s : list) out += (out.empty() ? "" : ", ") + printable(s);
    return out;
}

struct Describer {
    std::string length;  // " (len N)" when the PDU encodes

    std::string operator()(const AssociateRq& rq) const {
        std::string out = describe_associate_head("A-ASSOCIATE-RQ", length, rq);
        for (const PresentationContextRq& pc : rq.presentation_contexts) {
            out += fmt::format("\n  presentation context {}: abstract {} transfer [{}]", pc.id,
                               printable(pc.abstract_syntax), join_syntaxes(pc.transfer_syntaxes));
        }
        describe_user_information(out, rq.user_information);
        return out;
    }
    std::string operator()(const AssociateAc& ac) const {
        std::string out = describe_associate_head("A-ASSOCIATE-AC", length, ac);
        for (const PresentationContextAc& pc : ac.presentation_contexts) {
            auto result = static_cast<std::uint8_t>(pc.result);
            out += fmt::format("\n  presentation context {}: {} ({})", pc.id,
                               context_result_text(result), result);
            if (pc.result == ContextResult::Acceptance)
                out += " transfer " + printable(pc.transfer_syntax);
        }
        describe_user_information(out, ac.user_information);
        return out;
    }
    std::string operator()(const AssociateRj& rj) const {
        auto result = static_cast<std::uint8_t>(rj.result);
        auto source = static_cast<std::uint8_t>(rj.source);
        return fmt::format("A-ASSOCIATE-RJ{} result: {} ({}), source: {} ({}), reason: {} ({})",
                           length, reject_result_text(result), result, reject_source_text(source),
                           source, reject_reason_text(source, rj.reason), rj.reason);
    }
    std::string operator()(const PDataTf& p) const {
        std::string out = fmt::format("P-DATA-TF{} {} PDV{}", length, p.pdvs.size(),
                                      p.pdvs.size() == 1 ? "" : "s");
        for (const Pdv& v : p.pdvs) {
            out += fmt::format("\n  PDV context {}: {}{}, {} bytes", v.context_id,
                               v.command ? "command" : "data set", v.last ? " (last fragment)" : "",
                               v.data.size());
        }
        return out;
    }
    std::string operator()(const ReleaseRq&) const { return "A-RELEASE-RQ" + length; }
    std::string operator()(const ReleaseRp&) const { return "A-RELEASE-RP" + length; }
    std::string operator()(const Abort& a) const {
        auto source = static_cast<std::uint8_t>(a.source);
        auto reason = static_cast<std::uint8_t>(a.reason);
        return fmt::format("A-ABORT{} source: {} ({}), reason: {} ({})", length,
                           abort_source_text(source), source, abort_reason_text(source, reason),
                           reason);
    }
};

/// The PDU-length the PDU would have on the wire, without copying P-DATA fragments.
std::optional<std::size_t> wire_length(const Pdu& pdu) {
    if (const auto* p = std::get_if<PDataTf>(&pdu)) {
        std::size_t n = 0;
        for (const Pdv& v : p->pdvs) n += 6 + v.data.size();
        return n;
    }
    auto bytes = encode(pdu);
    if (!bytes) return std::nullopt;
    return bytes->size() - kPduHeaderSize;
}

}  // namespace

std::string describe(const Pdu& pdu) {
    auto length = wire_length(pdu);
    Describer d{length ? fmt::format(" (len {})", *length) : std::string(" (not encodable)")};
    return std::visit(d, pdu);
}

}  // namespace dicomkit::net::pdu
