// `dicomkit hl7`: HL7 v2 from the shell. `hl7 send HOST PORT FILE...` sends each message over MLLP
// (as a RIS feeding a worklist) and prints each ACK's MSA code; `hl7 parse FILE` prints what a
// message means for the worklist as DICOM JSON.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <dicomkit/base/log.hpp>
#include <dicomkit/hl7/interpret.hpp>
#include <dicomkit/hl7/listener.hpp>
#include <dicomkit/json/json.hpp>

#include "commands.hpp"

namespace dicomkit::cli {

namespace {

struct Hl7SendArgs {
    std::string host;
    std::uint16_t port = 2575;
    std::vector<std::string> files;
    double timeout = 30;
};

struct Hl7ParseArgs {
    std::string file;
};

Result<std::string> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::IoError, path + ": cannot be read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The messages of a file: segments end at CR, LF or CR LF (sent as CR); empty lines are
/// dropped; each MSH segment starts a new message.
std::vector<std::string> split_messages(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find_first_of("\r\n", pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        bool blank = line.find_first_not_of(" \t") == std::string::npos;
        if (blank) continue;
        if (line.starts_with("MSH") || out.empty()) out.emplace_back();
        out.back() += line;
        out.back() += '\r';
    }
    return out;
}

int run_send(const Hl7SendArgs& a) {
    int rc = 0;
    const auto timeout = std::chrono::milliseconds(static_cast<long long>(a.timeout * 1000));
    for (const std::string& file : a.files) {
        auto text = read_all(file);
        if (!text) {
            log::error("{}", text.error().message);
            return 2;
        }
        std::vector<std::string> messages = split_messages(*text);
        if (messages.empty()) {
            log::error("{}: no message in the file", file);
            rc = 2;
            continue;
        }
        auto acks = hl7::send_messages(a.host, a.port, messages, timeout);
        if (!acks) {
            log::error("{}: {}", file, acks.error().message);
            return 2;
        }
        for (std::size_t i = 0; i < acks->size(); ++i) {
            hl7::AckSummary s = hl7::read_ack(acks->at(i));
            std::string label = messages.size() > 1 ? fmt::format("{}#{}", file, i + 1) : file;
            std::string code = s.code.empty() ? std::string("??") : s.code;
            std::printf("%s: %s %s%s%s\n", label.c_str(), code.c_str(), log::printable(s.control_id).c_str(),
                        s.text.empty() ? "" : " ", log::printable(s.text).c_str());
            if (code != "AA" && code != "CA") rc = std::max(rc, 1);
        }
        std::fflush(stdout);
    }
    return rc;
}

Result<nlohmann::json> data_set_json(const DataSet& ds) {
    auto text = json::to_json(ds);
    if (!text) return tl::unexpected(text.error());
    return nlohmann::json::parse(*text);
}

int run_parse(const Hl7ParseArgs& a) {
    auto text = read_all(a.file);
    if (!text) {
        log::error("{}", text.error().message);
        return 2;
    }
    nlohmann::json out = nlohmann::json::array();
    int rc = 0;
    for (const std::string& raw : split_messages(*text)) {
        auto m = hl7::parse(raw);
        if (!m) {
            log::error("{}: {}", a.file, m.error().message);
            rc = 1;
            continue;
        }
        auto events = hl7::interpret_all(*m);
        if (!events) {
            log::error("{}: {} ({})", a.file, events.error().message,
                       to_string(hl7::ack_for(events.error()).code));
            rc = 1;
            continue;
        }
        for (const hl7::Event& ev : *events) {
            nlohmann::json j;
            j["control_id"] = m->control_id();
            Result<nlohmann::json> ds = nlohmann::json();
            if (const auto* o = std::get_if<hl7::OrderEvent>(&ev)) {
                j["event"] = "order";
                j["control"] = std::string(hl7::to_string(o->control));
                j["order_key"] = o->order_key;
                ds = data_set_json(o->item);
                if (ds) j["item"] = *ds;
            } else if (const auto* u = std::get_if<hl7::PatientUpdate>(&ev)) {
                j["event"] = "patient_update";
                ds = data_set_json(u->patient);
                if (ds) j["patient"] = *ds;
            } else if (const auto* g = std::get_if<hl7::PatientMerge>(&ev)) {
                j["event"] = "patient_merge";
                j["old_patient_id"] = g->old_patient_id;
                j["old_issuer"] = g->old_issuer;
                ds = data_set_json(g->patient);
                if (ds) j["patient"] = *ds;
            }
            if (!ds) {
                log::error("{}: {}", a.file, ds.error().to_string());
                return 2;
            }
            out.push_back(std::move(j));
        }
    }
    std::printf("%s\n", out.dump(2).c_str());
    return rc;
}

}  // namespace

void add_hl7(CLI::App& app, Action& run) {
    CLI::App* cmd = app.add_subcommand("hl7", "HL7 v2: send messages over MLLP, or show what one means for the worklist");
    cmd->require_subcommand(1);
    auto s = std::make_shared<Hl7SendArgs>();
    CLI::App* send = cmd->add_subcommand("send", "Send HL7 v2 messages over MLLP and print each ACK's MSA code");
    send->add_option("host", s->host, "Peer host name or address")->required();
    send->add_option("port", s->port, "Peer MLLP port")->required();
    send->add_option("files", s->files, "Files of one message each (or several, each starting with MSH)")
        ->required()
        ->check(CLI::ExistingFile);
    send->add_option("--timeout", s->timeout, "Seconds to wait for the connection and for each ACK")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    send->callback([s, &run] { run = [s] { return run_send(*s); }; });
    auto p = std::make_shared<Hl7ParseArgs>();
    CLI::App* parse = cmd->add_subcommand("parse", "Print what a message means for the worklist, as DICOM JSON");
    parse->add_option("file", p->file, "An HL7 v2 message file")->required()->check(CLI::ExistingFile);
    parse->callback([p, &run] { run = [p] { return run_parse(*p); }; });
}

}  // namespace dicomkit::cli
