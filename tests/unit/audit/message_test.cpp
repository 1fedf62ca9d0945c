// Audit messages: base64, escaping, the XML of the A.5.3 events, RFC 5424 framing.
#include <dicomkit/audit/events.hpp>
#include <dicomkit/audit/message.hpp>
#include <dicomkit/audit/syslog.hpp>

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace dicomkit::audit {
namespace {

/// A small XML well-formedness check: balanced elements, quoted attributes, known entities,
/// no raw '<' or '&' in text; returns the first problem, empty when well-formed.
std::string xml_problem(const std::string& x) {
    std::vector<std::string> open;
    std::size_t i = 0;
    auto entity_ok = [&](std::size_t at) {
        static const std::regex e("^&(amp|lt|gt|quot|apos|#[0-9]+);");
        return std::regex_search(x.begin() + static_cast<long>(at), x.end(), e);
    };
    while (i < x.size()) {
        if (x[i] == '&') {
            if (!entity_ok(i)) return "bad entity at " + std::to_string(i);
            ++i;
            continue;
        }
        if (x[i] != '<') {
            if (x[i] == '>') return "raw > at " + std::to_string(i);
            ++i;
            continue;
        }
        const bool closing = i + 1 < x.size() && x[i + 1] == '/';
        std::size_t j = i + (closing ? 2 : 1);
        std::size_t name_end = x.find_first_of(" />", j);
        if (name_end == std::string::npos) return "unterminated tag";
        const std::string name = x.substr(j, name_end - j);
        if (name.empty()) return "empty name at " + std::to_string(i);
        j = name_end;
        bool self_closing = false;
        while (j < x.size() && x[j] != '>') {
            if (x[j] == '/') {
                self_closing = true;
                ++j;
                continue;
            }
            if (x[j] == ' ') {
                ++j;
                continue;
            }
            const auto eq = x.find('=', j);
            if (eq == std::string::npos || x[eq + 1] != '"') return "attribute without quotes at " + std::to_string(j);
            const auto close = x.find('"', eq + 2);
            if (close == std::string::npos) return "unterminated attribute";
            for (std::size_t k = eq + 2; k < close; ++k) {
                if (x[k] == '<') return "< in attribute";
                if (x[k] == '&' && !entity_ok(k)) return "bad entity in attribute";
            }
            j = close + 1;
        }
        if (j >= x.size()) return "unterminated tag";
        if (closing) {
            if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
            open.pop_back();
        } else if (!self_closing) {
            open.push_back(name);
        }
        i = j + 1;
    }
    if (!open.empty()) return "unclosed <" + open.back() + ">";
    return {};
}

std::string attribute(const std::string& xml, const std::string& element, const std::string& name) {
    const auto at = xml.find("<" + element + " ");
    if (at == std::string::npos) return "<no element>";
    const auto end = xml.find('>', at);
    const auto a = xml.find(" " + name + "=\"", at);
    if (a == std::string::npos || a > end) return "<no attribute>";
    const auto v = a + name.size() + 3;
    return xml.substr(v, xml.find('"', v) - v);
}

TEST(Base64, Rfc4648Vectors) {
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(base64("f"), "Zg==");
    EXPECT_EQ(base64("fo"), "Zm8=");
    EXPECT_EQ(base64("foo"), "Zm9v");
    EXPECT_EQ(base64("foob"), "Zm9vYg==");
    EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64(std::string("\x00\xff\x10", 3)), "AP8Q");
}

TEST(XmlEscape, SpecialsControlsAndBadUtf8) {
    EXPECT_EQ(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
    EXPECT_EQ(xml_escape("l1\nl2\r\t"), "l1&#10;l2&#13;&#9;");
    EXPECT_EQ(xml_escape(std::string("x\x01y", 3)), "x\xEF\xBF\xBDy");
    EXPECT_EQ(xml_escape("M\xC3\xBCller"), "M\xC3\xBCller");               // UTF-8 kept
    EXPECT_EQ(xml_escape("M\xFCller"), "M\xEF\xBF\xBDller");               // Latin-1 byte: U+FFFD
    EXPECT_EQ(xml_escape("\xE0\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
    EXPECT_EQ(xml_escape("\xED\xA0\x80").find("\xED"), std::string::npos);          // surrogate
}

TEST(Iso8601, UtcWithMilliseconds) {
    const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796607900123));
    EXPECT_EQ(iso8601(t), "2026-12-07T01:45:00.123Z");
}

StudyRecord sample_study() {
    StudyRecord s;
    s.study_uid = "1.2.3.4";
    s.add("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.1", false);
    s.add("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.2", false);
    s.add("1.2.840.10008.5.1.4.1.1.4", "1.2.3.4.3", false);
    s.accessions.push_back("ACC<1>");
    s.patient_id = "PID&1";
    s.patient_name = "Doe^John";
    return s;
}

TEST(Events, InstancesTransferredHasTheTableFields) {
    Message m = instances_transferred('C', application("MODALITY", "MODALITY", "127.0.0.1", true),
                                      application("dicomkit[1]", "ARCHIVE", "", false), {}, sample_study(),
                                      Outcome::Success);
    m.source.source_id = "ARCHIVE@host";
    m.source.enterprise_site_id = "Site \"A\"";
    const std::string xml = to_xml(m);
    EXPECT_EQ(xml_problem(xml), "") << xml;
    EXPECT_EQ(xml.find('\n'), std::string::npos);
    EXPECT_EQ(attribute(xml, "EventIdentification", "EventActionCode"), "C");
    EXPECT_EQ(attribute(xml, "EventIdentification", "EventOutcomeIndicator"), "0");
    EXPECT_TRUE(std::regex_match(attribute(xml, "EventIdentification", "EventDateTime"),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    EXPECT_EQ(attribute(xml, "EventID", "csd-code"), "110104");
    EXPECT_EQ(attribute(xml, "EventID", "codeSystemName"), "DCM");
    EXPECT_NE(xml.find("UserID=\"MODALITY\" AlternativeUserID=\"AETITLES=MODALITY\" UserIsRequestor=\"true\" "
                       "NetworkAccessPointID=\"127.0.0.1\" NetworkAccessPointTypeCode=\"2\"><RoleIDCode "
                       "csd-code=\"110153\""),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("AlternativeUserID=\"AETITLES=ARCHIVE\" UserIsRequestor=\"false\"><RoleIDCode csd-code=\"110152\""),
              std::string::npos);
    EXPECT_NE(xml.find("AuditEnterpriseSiteID=\"Site &quot;A&quot;\" AuditSourceID=\"ARCHIVE@host\""), std::string::npos);
    EXPECT_NE(xml.find("<ParticipantObjectIdentification ParticipantObjectID=\"1.2.3.4\" ParticipantObjectTypeCode=\"2\" "
                       "ParticipantObjectTypeCodeRole=\"3\"><ParticipantObjectIDTypeCode csd-code=\"110180\""),
              std::string::npos);
    EXPECT_NE(xml.find("<SOPClass UID=\"1.2.840.10008.5.1.4.1.1.2\" NumberOfInstances=\"2\"/>"), std::string::npos);
    EXPECT_NE(xml.find("<SOPClass UID=\"1.2.840.10008.5.1.4.1.1.4\" NumberOfInstances=\"1\"/>"), std::string::npos);
    EXPECT_NE(xml.find("<Accession Number=\"ACC&lt;1&gt;\"/>"), std::string::npos);
    EXPECT_NE(xml.find("ParticipantObjectID=\"PID&amp;1\" ParticipantObjectTypeCode=\"1\" "
                       "ParticipantObjectTypeCodeRole=\"1\"><ParticipantObjectIDTypeCode csd-code=\"2\" "
                       "codeSystemName=\"RFC-3881\""),
              std::string::npos);
    EXPECT_NE(xml.find("<ParticipantObjectName>Doe^John</ParticipantObjectName>"), std::string::npos);
}

TEST(Events, QueryCarriesTheIdentifierAsBase64) {
    const std::string identifier("\x08\x00\x52\x00\x43\x53\x06\x00STUDY ", 14);
    Message m = query(application("FINDSCU", "FINDSCU", "10.0.0.7", true), application("p", "ARCHIVE", "", false),
                      "1.2.840.10008.5.1.4.1.2.2.1", identifier, Outcome::Success);
    const std::string xml = to_xml(m);
    EXPECT_EQ(xml_problem(xml), "") << xml;
    EXPECT_EQ(attribute(xml, "EventID", "csd-code"), "110112");
    EXPECT_EQ(attribute(xml, "EventIdentification", "EventActionCode"), "E");
    EXPECT_NE(xml.find("<ParticipantObjectQuery>" + base64(identifier) + "</ParticipantObjectQuery>"), std::string::npos);
    EXPECT_NE(xml.find("ParticipantObjectID=\"1.2.840.10008.5.1.4.1.2.2.1\""), std::string::npos);
    EXPECT_NE(xml.find("csd-code=\"110181\""), std::string::npos);
    EXPECT_NE(xml.find("<ParticipantObjectDetail type=\"TransferSyntax\" value=\"" + base64("1.2.840.10008.1.2.1") + "\"/>"),
              std::string::npos);
}

TEST(Events, FailuresSayWhy) {
    Message m = study_deleted({application("admin", "", "127.0.0.1", true)}, sample_study(), Outcome::MinorFailure,
                              "disk <gone>");
    const std::string xml = to_xml(m);
    EXPECT_EQ(xml_problem(xml), "") << xml;
    EXPECT_EQ(attribute(xml, "EventIdentification", "EventActionCode"), "D");
    EXPECT_EQ(attribute(xml, "EventIdentification", "EventOutcomeIndicator"), "4");
    EXPECT_NE(xml.find("<EventOutcomeDescription>disk &lt;gone&gt;</EventOutcomeDescription>"), std::string::npos);
}

TEST(Events, ApplicationActivitySecurityAlertDeidentification) {
    std::string xml = to_xml(application_activity(true, application("dicomkit[7]", "ARCHIVE", "", false), "root",
                                                  Outcome::Success));
    EXPECT_EQ(xml_problem(xml), "");
    EXPECT_EQ(attribute(xml, "EventID", "csd-code"), "110100");
    EXPECT_EQ(attribute(xml, "EventTypeCode", "csd-code"), "110120");
    EXPECT_NE(xml.find("csd-code=\"110150\""), std::string::npos);
    EXPECT_NE(xml.find("csd-code=\"110151\""), std::string::npos);

    xml = to_xml(security_alert(codes::NodeAuthentication, application("p", "ARCHIVE", "", true),
                                application("EVIL\x01", "EVIL\x01", "10.1.1.1", true), "calling AE not allowed",
                                Outcome::MinorFailure));
    EXPECT_EQ(xml_problem(xml), "") << xml;
    EXPECT_EQ(attribute(xml, "EventID", "csd-code"), "110113");
    EXPECT_EQ(attribute(xml, "EventTypeCode", "csd-code"), "110126");
    EXPECT_NE(xml.find("AETITLES=EVIL\xEF\xBF\xBD"), std::string::npos);

    xml = to_xml(instances_accessed('C', {application("p", "ARCHIVE", "", true)}, sample_study(), Outcome::Success,
                                    kLifeCycleDeidentification));
    EXPECT_EQ(xml_problem(xml), "") << xml;
    EXPECT_EQ(attribute(xml, "EventID", "csd-code"), "110103");
    EXPECT_EQ(attribute(xml, "ParticipantObjectIdentification", "ParticipantObjectDataLifeCycle"), "7");
    EXPECT_NE(xml.find("<Anonymized>true</Anonymized>"), std::string::npos);
}

TEST(Events, RefusedInstancesWithoutAStudy) {
    StudyRecord none;  // every instance refused before its header was read
    const std::string xml =
        to_xml(instances_transferred('C', application("M", "M", "10.0.0.1", true), application("p", "A", "", false), {},
                                     none, Outcome::SeriousFailure, "2 instances refused (0xA900)"));
    EXPECT_EQ(xml_problem(xml), "") << xml;
    EXPECT_EQ(xml.find("ParticipantObjectIdentification"), std::string::npos);
    EXPECT_EQ(attribute(xml, "EventIdentification", "EventOutcomeIndicator"), "8");
    EXPECT_NE(xml.find("<EventOutcomeDescription>2 instances refused (0xA900)</EventOutcomeDescription>"),
              std::string::npos);
}

TEST(Syslog, Rfc5424HeaderAndOctetCounting) {
    SyslogHeader h;
    h.hostname = "pacs host";  // a space is not allowed in HOSTNAME
    h.proc_id = "42";
    const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796607900123));
    const std::string msg = syslog_message(h, t, "<AuditMessage/>");
    EXPECT_EQ(msg, "<85>1 2026-12-07T01:45:00.123Z pacs_host dicomkit 42 IHE+RFC-3881 - \xEF\xBB\xBF<AuditMessage/>");
    SyslogHeader empty;
    empty.app_name.clear();
    empty.msg_id.clear();
    EXPECT_EQ(syslog_message(empty, t, "x").substr(0, 39), "<85>1 2026-12-07T01:45:00.123Z - - - - ");
    EXPECT_EQ(octet_counted("abc"), "3 abc");
}

}  // namespace
}  // namespace dicomkit::audit
