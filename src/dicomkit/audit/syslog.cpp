// RFC 5424 message header and RFC 5425 framing.
#include <dicomkit/audit/syslog.hpp>

#include <dicomkit/audit/message.hpp>

#include <algorithm>

namespace dicomkit::audit {

namespace {

/// RFC 5424 6: header fields are 1..max PRINTUSASCII (33-126), "-" when empty.
std::string field(std::string_view s, std::size_t max) {
    if (s.empty()) return "-";
    std::string out(s.substr(0, max));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 33 || static_cast<unsigned char>(c) > 126) c = '_';
    return out;
}

}  // namespace

std::string syslog_message(const SyslogHeader& h, std::chrono::system_clock::time_point t, std::string_view msg) {
    const int pri = std::clamp(h.facility, 0, 23) * 8 + std::clamp(h.severity, 0, 7);
    std::string out = "<" + std::to_string(pri) + ">1 " + iso8601(t) + " " + field(h.hostname, 255) + " " +
                      field(h.app_name, 48) + " " + field(h.proc_id, 128) + " " + field(h.msg_id, 32) + " - ";
    out += "\xEF\xBB\xBF";  // RFC 5424 6.4: UTF-8 MSG starts with the BOM
    out.append(msg);
    return out;
}

std::string octet_counted(std::string_view syslog_msg) {
    std::string out = std::to_string(syslog_msg.size());
    out += ' ';
    out.append(syslog_msg);
    return out;
}

}  // namespace dicomkit::audit
