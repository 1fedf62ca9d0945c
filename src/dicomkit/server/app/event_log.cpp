// serve's event lines.
#include <dicomkit/server/app/event_log.hpp>

#include <cstdio>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::server::app {

namespace {

namespace nd = net::dimse;
using log::printable;

constexpr std::size_t kMaxKeys = 6;      // keys with a value shown; the others are counted
constexpr std::size_t kMaxValue = 64;    // characters of each value

std::string who(const std::string& calling_ae, const std::string& peer) {
    return printable(calling_ae, 64) + "@" + printable(peer, 64);
}

std::string model_of(std::string_view sop) {
    if (sop == dimse::kPatientRootFind || sop == dimse::kPatientRootMove || sop == dimse::kPatientRootGet)
        return "Patient Root";
    if (sop == dimse::kStudyRootFind || sop == dimse::kStudyRootMove || sop == dimse::kStudyRootGet)
        return "Study Root";
    return printable(sop, 64);
}

/// "STUDY PatientID=12* StudyDate=2020- (+3 return keys)".
std::string keys_of(const DataSet& ds) {
    std::string out = printable(trim_padding(ds.string_or(tags::QueryRetrieveLevel)), 16);
    std::size_t shown = 0, more = 0, returned = 0;
    for (const Element& e : ds) {
        const Tag t = e.tag();
        if (t == tags::QueryRetrieveLevel || t == tags::SpecificCharacterSet) continue;
        const std::string value(trim_padding(ds.string_or(t)));
        if (value.empty()) {
            ++returned;
            continue;
        }
        if (shown == kMaxKeys) {
            ++more;
            continue;
        }
        const auto kw = dict::keyword_of(t);
        out += " " + (kw.empty() ? fmt::format("({:04X},{:04X})", t.group, t.element) : std::string(kw)) + "=" +
               printable(value, kMaxValue);
        ++shown;
    }
    if (more > 0) out += " +" + std::to_string(more) + " keys";
    if (returned > 0) out += " (+" + std::to_string(returned) + " empty keys)";
    return out;
}

std::string duration(std::chrono::microseconds us) {
    char buf[32];
    if (us.count() < 10'000) std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us.count()) / 1000.0);
    else std::snprintf(buf, sizeof buf, "%.0f ms", static_cast<double>(us.count()) / 1000.0);
    return buf;
}

std::string command_name(nd::CommandField f) {
    std::string name(nd::to_string(f));
    if (name.ends_with("-RQ")) name.resize(name.size() - 3);
    return name;
}

}  // namespace

std::string describe_request(const nd::RequestEvent& e) {
    const std::uint16_t st = e.rsp.status.value_or(nd::status::ProcessingFailure);
    const auto kind = nd::status_kind(st);
    const bool bad = kind != nd::StatusKind::Success;
    std::string line = bad ? "W: " : "I: ";
    line += who(e.rc.calling_ae, e.rc.peer_address) + " " + command_name(e.rq.field);
    const auto f = e.rq.field;
    const bool qr = f == nd::CommandField::C_FIND_RQ || f == nd::CommandField::C_MOVE_RQ ||
                    f == nd::CommandField::C_GET_RQ;
    if (qr) {
        line += " " + model_of(e.rq.affected_sop_class_uid);
        if (e.identifier) line += " " + keys_of(*e.identifier);
        if (f == nd::CommandField::C_MOVE_RQ) line += " to " + printable(e.rq.move_destination, 64);
    } else if (f == nd::CommandField::C_STORE_RQ) {
        line += " " + printable(e.rq.affected_sop_instance_uid, 64) + " (" +
                printable(e.rq.affected_sop_class_uid, 64) + ")";
    } else if (f != nd::CommandField::C_ECHO_RQ || bad) {
        line += " " + printable(e.rq.affected_sop_class_uid, 64);
    }
    line += ": " + nd::describe_status(st, nd::response_to(f));
    if (f == nd::CommandField::C_FIND_RQ) line += ", " + std::to_string(e.matches) + " matches";
    if (f == nd::CommandField::C_MOVE_RQ || f == nd::CommandField::C_GET_RQ)
        line += fmt::format(", completed {} failed {} warning {}", e.rsp.completed.value_or(0),
                            e.rsp.failed.value_or(0), e.rsp.warning.value_or(0));
    if (!e.rsp.error_comment.empty()) line += " (" + printable(e.rsp.error_comment, 64) + ")";
    return line + ", " + duration(e.duration);
}

std::string describe_sub_operation(const dimse::SubOperationFailure& f) {
    return "W: " + who(f.rc.calling_ae, f.rc.peer_address) + " " + command_name(f.rq.field) + " sub-operation " +
           printable(f.sop_instance_uid, 64) +
           (f.rq.field == nd::CommandField::C_MOVE_RQ ? " to " + printable(f.rq.move_destination, 64) : "") +
           " failed: " + printable(f.reason, 512);
}

std::string describe_association(const std::string& calling_ae, const std::string& peer,
                                 const nd::ServeSummary& s) {
    const bool released = s.end == nd::ServeSummary::End::Released;
    std::string line = released ? "I: " : "W: ";
    line += who(calling_ae, peer) + " association " +
            (released                                            ? "released"
             : s.end == nd::ServeSummary::End::Aborted ? "aborted by the peer"
                                                                 : "closed without release") +
            " after " + std::to_string(s.requests) + (s.requests == 1 ? " request" : " requests");
    std::string counts;
    for (const auto& [name, n] : s.by_command) counts += (counts.empty() ? "" : ", ") + name + " " + std::to_string(n);
    if (!counts.empty()) line += " (" + counts + ")";
    if (s.failures > 0) line += ", " + std::to_string(s.failures) + " failed";
    return line;
}

namespace {
std::string hex_status(std::uint16_t st) { return fmt::format("0x{:04X}", st); }
}  // namespace

log::Fields request_fields(const nd::RequestEvent& e) {
    const std::uint16_t st = e.rsp.status.value_or(nd::status::ProcessingFailure);
    const auto f = e.rq.field;
    log::Fields out{{"event", "request"},
                    {"calling_ae", e.rc.calling_ae},
                    {"peer", e.rc.peer_address},
                    {"command", command_name(f)},
                    {"sop_class", e.rq.affected_sop_class_uid}};
    const bool qr = f == nd::CommandField::C_FIND_RQ || f == nd::CommandField::C_MOVE_RQ ||
                    f == nd::CommandField::C_GET_RQ;
    if (qr) {
        out.emplace_back("model", model_of(e.rq.affected_sop_class_uid));
        if (e.identifier) out.emplace_back("qr_level", std::string(trim_padding(e.identifier->string_or(tags::QueryRetrieveLevel))));
    }
    if (f == nd::CommandField::C_MOVE_RQ) out.emplace_back("move_destination", e.rq.move_destination);
    if (f == nd::CommandField::C_STORE_RQ) out.emplace_back("sop_instance_uid", e.rq.affected_sop_instance_uid);
    out.emplace_back("status", hex_status(st));
    if (f == nd::CommandField::C_FIND_RQ) out.emplace_back("matches", std::to_string(e.matches));
    if (f == nd::CommandField::C_MOVE_RQ || f == nd::CommandField::C_GET_RQ) {
        out.emplace_back("completed", std::to_string(e.rsp.completed.value_or(0)));
        out.emplace_back("failed", std::to_string(e.rsp.failed.value_or(0)));
        out.emplace_back("warning", std::to_string(e.rsp.warning.value_or(0)));
    }
    if (!e.rsp.error_comment.empty()) out.emplace_back("error_comment", e.rsp.error_comment);
    out.emplace_back("duration_ms", fmt::format("{:.1f}", static_cast<double>(e.duration.count()) / 1000.0));
    return out;
}

log::Fields sub_operation_fields(const dimse::SubOperationFailure& f) {
    log::Fields out{{"event", "sub_operation"},
                    {"calling_ae", f.rc.calling_ae},
                    {"peer", f.rc.peer_address},
                    {"command", command_name(f.rq.field)},
                    {"sop_instance_uid", f.sop_instance_uid}};
    if (f.rq.field == nd::CommandField::C_MOVE_RQ) out.emplace_back("move_destination", f.rq.move_destination);
    out.emplace_back("reason", f.reason);
    return out;
}

log::Fields association_fields(const std::string& calling_ae, const std::string& peer, const nd::ServeSummary& s) {
    const char* end = s.end == nd::ServeSummary::End::Released  ? "released"
                      : s.end == nd::ServeSummary::End::Aborted ? "aborted"
                                                                : "closed";
    return {{"event", "association"}, {"calling_ae", calling_ae},  {"peer", peer},
            {"end", end},             {"requests", std::to_string(s.requests)},
            {"failures", std::to_string(s.failures)}};
}

void log_event(std::string_view line, const log::Fields& fields) {
    log::Level level = log::Level::Info;
    if (line.starts_with("I: ")) line.remove_prefix(3);
    else if (line.starts_with("W: ")) level = log::Level::Warn, line.remove_prefix(3);
    else if (line.starts_with("E: ")) level = log::Level::Error, line.remove_prefix(3);
    else if (line.starts_with("D: ")) level = log::Level::Debug, line.remove_prefix(3);
    log::write(level, line, fields, log::Stream::Event);
}

}  // namespace dicomkit::server::app
