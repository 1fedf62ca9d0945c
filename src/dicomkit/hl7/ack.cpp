#include <dicomkit/hl7/ack.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cctype>
#include <ctime>
#include <vector>

#include <fmt/format.h>

namespace dicomkit::hl7 {

namespace {

struct Header {
    Delimiters d;
    std::string sending_app, sending_facility, receiving_app, receiving_facility;
    std::string trigger, control_id, processing_id, version;
};

/// Raw ER7 text made ASCII: every byte outside printable ASCII becomes '?' (a UTF-8 character
/// becomes one '?').
std::string ascii(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
        else if (c >= 0xC0 || c < 0x80) out += '?';
        // UTF-8 continuation bytes are dropped
    }
    return out;
}

std::string now_ts() {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min, tm.tm_sec);
}

std::string next_control_id() {
    static std::atomic<unsigned> counter{0};
    return fmt::format("DK{}{:04}", now_ts(), counter.fetch_add(1) % 10000);
}

std::string build(const Header& h, const Ack& ack, const AckOptions& o) {
    const Delimiters& d = h.d;
    const char f = d.field;
    std::string enc;
    enc += d.component;
    if (d.repetition) enc += d.repetition;
    if (d.escape) enc += d.escape;
    if (d.subcomponent) enc += d.subcomponent;
    std::string out = fmt::format("MSH{}{}{}{}{}{}{}{}{}{}{}{}{}", f, enc, f,
                                  h.receiving_app.empty() ? escape(o.application, d) : h.receiving_app, f,
                                  h.receiving_app.empty() ? escape(o.facility, d) : h.receiving_facility, f,
                                  h.sending_app, f, h.sending_facility, f, o.timestamp.empty() ? now_ts() : o.timestamp,
                                  f);
    out += fmt::format("{}ACK{}{}{}ACK{}{}{}{}{}{}\r", f, d.component, h.trigger, d.component, f,
                       o.control_id.empty() ? next_control_id() : escape(o.control_id, d), f,
                       h.processing_id.empty() ? std::string("P") : h.processing_id, f,
                       h.version.empty() ? std::string("2.5") : h.version);
    const std::string text = escape(ascii(ack.text), d);
    out += fmt::format("MSA{}{}{}{}", f, to_string(ack.code), f, h.control_id);
    if (!text.empty()) out += fmt::format("{}{}", f, text);
    out += '\r';
    if (ack.code != AckCode::Accept) {
        std::string seg, field;
        if (auto dash = ack.location.find('-'); dash != std::string::npos) {
            seg = ack.location.substr(0, dash);
            field = ack.location.substr(dash + 1);
        } else {
            seg = ack.location;
        }
        seg = escape(ascii(seg), d);
        field = escape(ascii(field), d);
        const std::string code = ack.error_code.empty() ? std::string("207") : ack.error_code;
        std::string code_text = code == "100"   ? "Segment sequence error"
                                : code == "101" ? "Required field missing"
                                : code == "102" ? "Data type error"
                                : code == "103" ? "Table value not found"
                                : code == "200" ? "Unsupported message type"
                                : code == "201" ? "Unsupported event code"
                                                : "Application internal error";
        const char c = d.component;
        // ERR-1 (v2.3/2.4: segment^sequence^field^code) and ERR-2..4, ERR-8 (v2.5 and later).
        std::string err1 = seg.empty() ? std::string() : fmt::format("{}{}1{}{}", seg, c, c, field);
        if (d.subcomponent)
            err1 += fmt::format("{}{}{}{}{}HL70357", c, code, d.subcomponent, code_text, d.subcomponent);
        std::string err2 = seg.empty() ? std::string() : fmt::format("{}{}1{}{}", seg, c, c, field);
        out += fmt::format("ERR{}{}{}{}{}{}{}{}{}HL70357{}E{}{}{}{}{}\r", f, err1, f, err2, f, code, c, code_text, c, f,
                           f, f, f, f, text);
    }
    return out;
}

}  // namespace

std::string_view to_string(AckCode code) noexcept {
    switch (code) {
    case AckCode::Accept: return "AA";
    case AckCode::Error: return "AE";
    case AckCode::Reject: return "AR";
    }
    return "AR";
}

Ack ack_for(const Error& e) {
    Ack a;
    a.text = e.message;
    a.location = e.tag_path;
    switch (e.code) {
    case ErrorCode::Unsupported:
        a.code = AckCode::Reject;
        a.error_code = e.message.find("event") != std::string::npos ? "201" : "200";
        break;
    case ErrorCode::LimitExceeded:
        a.code = AckCode::Reject;
        a.error_code = "207";
        break;
    case ErrorCode::NotFound:
        a.code = AckCode::Error;
        a.error_code = "101";
        break;
    case ErrorCode::InvalidValue:
        a.code = AckCode::Error;
        a.error_code = "103";
        break;
    case ErrorCode::CharsetError:
        a.code = AckCode::Error;
        a.error_code = "102";
        break;
    case ErrorCode::ParseError:
        // An MSH that cannot be read is a rejection; a fault further on is an error in the content.
        a.code = (e.tag_path == "MSH" || e.message.starts_with("segment 1:") || e.message.starts_with("segment 1 ("))
                     ? AckCode::Reject
                     : AckCode::Error;
        a.error_code = "100";
        break;
    default:
        a.code = AckCode::Error;
        a.error_code = "207";
        break;
    }
    return a;
}

std::string build_ack(const Message& m, const Ack& ack, const AckOptions& options) {
    Header h;
    h.d = m.delimiters();
    if (const Segment* msh = m.find("MSH")) {
        // The header fields are copied as they stand (escaped in the same delimiters).
        h.sending_app = ascii(msh->raw(3));
        h.sending_facility = ascii(msh->raw(4));
        h.receiving_app = ascii(msh->raw(5));
        h.receiving_facility = ascii(msh->raw(6));
        h.processing_id = ascii(msh->raw(11));
        h.version = ascii(msh->raw(12));
    }
    h.trigger = escape(ascii(m.trigger_event()), h.d);
    h.control_id = escape(ascii(m.control_id()), h.d);
    return build(h, ack, options);
}

std::string build_ack_raw(std::string_view bytes, const Ack& ack, const AckOptions& options) {
    Header h;
    std::size_t start = bytes.find("MSH");
    std::string_view line;
    if (start != std::string_view::npos && start < 16) {
        line = bytes.substr(start);
        line = line.substr(0, line.find_first_of("\r\n"));
    }
    if (line.size() >= 9) {  // "MSH|^~\&|" at least
        const char f = line[3];
        std::string_view enc = line.substr(4, line.find(f, 4) == std::string_view::npos ? 0 : line.find(f, 4) - 4);
        auto ok = [&](char c) {
            return c > 0x20 && c < 0x7F && !std::isalnum(static_cast<unsigned char>(c));
        };
        bool sane = ok(f) && enc.size() >= 4 && enc.size() <= 5;
        for (char c : enc) sane = sane && ok(c) && c != f && std::count(enc.begin(), enc.end(), c) == 1;
        if (sane) {
            h.d = Delimiters{f, enc[0], enc[1], enc[2], enc[3], '\0'};
            std::vector<std::string_view> fields;
            std::size_t p = 0;
            while (fields.size() < 20) {
                std::size_t q = line.find(f, p);
                fields.push_back(line.substr(p, q == std::string_view::npos ? std::string_view::npos : q - p));
                if (q == std::string_view::npos) break;
                p = q + 1;
            }
            // fields[k] is MSH-(k+1) for k >= 1
            auto get = [&](std::size_t n) { return n - 1 < fields.size() ? ascii(fields[n - 1]) : std::string(); };
            h.sending_app = get(3);
            h.sending_facility = get(4);
            h.receiving_app = get(5);
            h.receiving_facility = get(6);
            std::string type = get(9);
            std::size_t c1 = type.find(h.d.component);
            if (c1 != std::string::npos) {
                std::string rest = type.substr(c1 + 1);
                h.trigger = rest.substr(0, rest.find(h.d.component));
            }
            h.control_id = get(10);
            h.processing_id = get(11);
            h.version = get(12);
        }
    }
    return build(h, ack, options);
}

AckSummary read_ack(std::string_view ack_text) {
    AckSummary s;
    auto parsed = parse(ack_text);
    if (!parsed) return s;
    s.code = parsed->value("MSA", 1);
    s.control_id = parsed->value("MSA", 2);
    s.text = parsed->value("MSA", 3);
    if (s.text.empty()) s.text = parsed->value("ERR", 8);
    return s;
}

}  // namespace dicomkit::hl7
