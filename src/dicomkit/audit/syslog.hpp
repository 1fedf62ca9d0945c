// RFC 5424 syslog messages carrying audit XML, and their transport framing: RFC 5426 (UDP, one
// message per datagram) and RFC 5425 (TLS, octet counting: "LEN SP MSG").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace dicomkit::audit {

struct SyslogHeader {
    int facility = 10;  ///< authpriv (security/authorization messages)
    int severity = 5;   ///< notice
    std::string hostname;                ///< empty: "-"
    std::string app_name = "dicomkit";   ///< RFC 5424 APP-NAME, 1-48 printable ASCII
    std::string proc_id;                 ///< empty: "-"
    std::string msg_id = "IHE+RFC-3881"; ///< RFC 5424 MSGID, as IHE ATNA names audit records
};

/// "<85>1 2026-12-07T01:45:00.123Z host dicomkit 123 IHE+RFC-3881 - " then the UTF-8 BOM and `msg`.
/// Header fields are cut to RFC 5424's lengths and characters outside PRINTUSASCII become '_';
/// the structured data is "-".
[[nodiscard]] std::string syslog_message(const SyslogHeader& h, std::chrono::system_clock::time_point t,
                                         std::string_view msg);
/// RFC 5425 4.3.1 octet-counted framing: "LEN SP MSG".
[[nodiscard]] std::string octet_counted(std::string_view syslog_msg);

}  // namespace dicomkit::audit
