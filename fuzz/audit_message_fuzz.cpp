// Fuzz target: the values a peer controls (AE title, address, patient, accession, query bytes,
// error text), cut from the input at NUL bytes, written into audit messages. Checks that the XML
// is one line of valid UTF-8 without control characters, that '<' and '>' appear only as markup
// (balanced against the elements written) and '&' only as an entity, and that the syslog frame
// counts its own bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/audit/events.hpp>
#include <dicomkit/audit/message.hpp>
#include <dicomkit/audit/syslog.hpp>

namespace {

using namespace dicomkit::audit;

void check_text(std::string_view x) {
    int depth = 0;
    for (std::size_t i = 0; i < x.size();) {
        const unsigned char c = static_cast<unsigned char>(x[i]);
        if (c < 0x20) std::abort();  // no raw control characters, line breaks included
        if (c == '&') {
            const auto semi = x.find(';', i);
            if (semi == std::string_view::npos || semi - i > 6) std::abort();
            const std::string_view e = x.substr(i, semi - i + 1);
            if (e != "&amp;" && e != "&lt;" && e != "&gt;" && e != "&quot;" && e != "&apos;" && e != "&#9;" &&
                e != "&#10;" && e != "&#13;")
                std::abort();
        }
        if (c == '<') ++depth;
        if (c == '>') --depth;
        if (depth < 0 || depth > 1) std::abort();  // markup never nests inside a tag
        if (c < 0x80) {
            ++i;
            continue;
        }
        // Valid UTF-8 only (the escaper replaces the rest with U+FFFD).
        const std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (n == 0 || i + n > x.size()) std::abort();
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(x[i + k]) & 0xC0) != 0x80) std::abort();
        i += n;
    }
    if (depth != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> f;
    std::string cur;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0 && f.size() < 7) {
            f.push_back(cur);
            cur.clear();
        } else {
            cur += static_cast<char>(data[i]);
        }
    }
    f.push_back(cur);
    f.resize(8);
    StudyRecord s;
    s.study_uid = f[2];
    s.add(f[3], f[2], true);
    s.accessions.push_back(f[4]);
    s.patient_id = f[4];
    s.patient_name = f[5];
    const Participant peer = application(f[0], f[0], f[1], true);
    const Participant us = application("dicomkit[1]", "ARCHIVE", "", false);
    for (const Message& m :
         {instances_transferred('C', peer, us, {peer}, s, Outcome::MinorFailure, f[6]),
          query(peer, us, f[3], f[7], Outcome::Success), study_deleted({peer, us}, s, Outcome::SeriousFailure, f[6]),
          security_alert(codes::NodeAuthentication, us, peer, f[6], Outcome::MinorFailure)}) {
        const std::string xml = to_xml(m);
        check_text(xml);
        const std::string framed = octet_counted(syslog_message(SyslogHeader{}, m.time, xml));
        const auto sp = framed.find(' ');
        if (sp == std::string::npos || std::stoul(framed.substr(0, sp)) != framed.size() - sp - 1) std::abort();
    }
    return 0;
}
