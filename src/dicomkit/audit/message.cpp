// PS3.15 A.5.1 audit messages written as XML.
#include <dicomkit/audit/message.hpp>

#include <ctime>

#include <fmt/format.h>

namespace dicomkit::audit {

std::string iso8601(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    long frac = static_cast<long>(ms % 1000);
    if (frac < 0) {
        frac += 1000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                                (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t v = std::uint32_t(std::uint8_t(bytes[i])) << 16;
        if (rest == 2) v |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

namespace {

/// The length of the UTF-8 sequence at `s[i]`, 0 when it is not one (overlong forms,
/// surrogates and values beyond U+10FFFF included).
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    std::size_t n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((b(i + k) & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) >= 0xA0))) return 0;
    if (n == 4 && ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) >= 0x90))) return 0;
    return n;
}

struct Writer {
    std::string out;
    void attr(std::string_view name, std::string_view value) {
        out += ' ';
        out += name;
        out += "=\"";
        out += xml_escape(value);
        out += '"';
    }
    void attr_if(std::string_view name, std::string_view value) {
        if (!value.empty()) attr(name, value);
    }
    void code(std::string_view element, const Code& c) {
        out += '<';
        out += element;
        attr("csd-code", c.code);
        attr_if("codeSystemName", c.system);
        attr_if("originalText", c.text);
        out += "/>";
    }
};

void write_object(Writer& w, const ParticipantObject& o) {
    w.out += "<ParticipantObjectIdentification";
    w.attr("ParticipantObjectID", o.id);
    w.attr("ParticipantObjectTypeCode", std::to_string(o.type));
    w.attr("ParticipantObjectTypeCodeRole", std::to_string(o.role));
    if (o.life_cycle) w.attr("ParticipantObjectDataLifeCycle", std::to_string(*o.life_cycle));
    w.out += '>';
    w.code("ParticipantObjectIDTypeCode", o.id_type);
    if (!o.query.empty()) {
        w.out += "<ParticipantObjectQuery>" + base64(o.query) + "</ParticipantObjectQuery>";
    } else if (!o.name.empty()) {
        w.out += "<ParticipantObjectName>" + xml_escape(o.name) + "</ParticipantObjectName>";
    }
    for (const auto& [type, value] : o.details) {
        w.out += "<ParticipantObjectDetail";
        w.attr("type", type);
        w.attr("value", base64(value));
        w.out += "/>";
    }
    if (!o.description.empty())
        w.out += "<ParticipantObjectDescription>" + xml_escape(o.description) + "</ParticipantObjectDescription>";
    for (const SopClass& s : o.sop_classes) {
        w.out += "<SOPClass";
        w.attr("UID", s.uid);
        w.attr("NumberOfInstances", std::to_string(s.instances));
        if (s.instance_uids.empty()) {
            w.out += "/>";
            continue;
        }
        w.out += '>';
        for (const std::string& uid : s.instance_uids) {
            w.out += "<Instance";
            w.attr("UID", uid);
            w.out += "/>";
        }
        w.out += "</SOPClass>";
    }
    for (const std::string& a : o.accessions) {
        w.out += "<Accession";
        w.attr("Number", a);
        w.out += "/>";
    }
    if (o.anonymized) w.out += std::string("<Anonymized>") + (*o.anonymized ? "true" : "false") + "</Anonymized>";
    w.out += "</ParticipantObjectIdentification>";
}

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            switch (c) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '"': out += "&quot;"; break;
                case '\'': out += "&apos;"; break;
                case '\t': out += "&#9;"; break;
                case '\n': out += "&#10;"; break;
                case '\r': out += "&#13;"; break;
                default:
                    if (c < 0x20 || c == 0x7F) out += "\xEF\xBF\xBD";  // not allowed in XML 1.0 (DEL is, but unreadable)
                    else out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        const std::size_t n = utf8_length(text, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

std::string to_xml(const Message& m) {
    Writer w;
    w.out.reserve(1024);
    w.out += "<AuditMessage><EventIdentification";
    w.attr("EventActionCode", std::string(1, m.action));
    w.attr("EventDateTime", iso8601(m.time));
    w.attr("EventOutcomeIndicator", std::to_string(static_cast<int>(m.outcome)));
    w.out += '>';
    w.code("EventID", m.event_id);
    for (const Code& t : m.event_types) w.code("EventTypeCode", t);
    if (!m.outcome_description.empty())
        w.out += "<EventOutcomeDescription>" + xml_escape(m.outcome_description) + "</EventOutcomeDescription>";
    w.out += "</EventIdentification>";
    for (const Participant& p : m.participants) {
        w.out += "<ActiveParticipant";
        w.attr("UserID", p.user_id);
        w.attr_if("AlternativeUserID", p.alternative_user_id);
        w.attr_if("UserName", p.user_name);
        w.attr("UserIsRequestor", p.requestor ? "true" : "false");
        if (!p.network_address.empty()) {
            w.attr("NetworkAccessPointID", p.network_address);
            const bool ip = p.network_address.find_first_not_of("0123456789.:abcdefABCDEF[]") == std::string::npos;
            w.attr("NetworkAccessPointTypeCode", ip ? "2" : "1");
        }
        if (p.role) {
            w.out += '>';
            w.code("RoleIDCode", *p.role);
            w.out += "</ActiveParticipant>";
        } else {
            w.out += "/>";
        }
    }
    w.out += "<AuditSourceIdentification";
    w.attr_if("AuditEnterpriseSiteID", m.source.enterprise_site_id);
    w.attr("AuditSourceID", m.source.source_id);
    w.out += '>';
    w.code("AuditSourceTypeCode", Code{m.source.type_code, "", ""});
    w.out += "</AuditSourceIdentification>";
    for (const ParticipantObject& o : m.objects) write_object(w, o);
    w.out += "</AuditMessage>";
    return std::move(w.out);
}

}  // namespace dicomkit::audit
