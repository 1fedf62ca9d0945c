// `dicomkit find`: C-FIND as the SCU (like DCMTK findscu): keys by keyword or tag, Patient Root
// (-P) or Study Root (-S, default), matches printed as a table, JSON or CSV; --repeat sends the
// query again on the same association and prints latency figures.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <dicomkit/base/log.hpp>
#include <dicomkit/core/charset.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/model/text.hpp>

#include "commands.hpp"
#include "key_path.hpp"
#include "net_common.hpp"
#include "qr_model.hpp"

namespace dicomkit::cli {

namespace {

namespace dimse = net::dimse;

struct FindArgs {
    std::string host;
    std::uint16_t port = 104;
    std::vector<std::string> keys;
    bool patient_root = false;
    bool study_root = false;
    std::string level;
    std::string format = "table";
    int repeat = 1;
    bool relational = false;
    std::string model;  ///< --model; empty: -P or Study Root
    NetArgs net;
};

/// The identifier from "-k Key=Value" (empty value: a return key; a path into a sequence key's
/// item: "Sequence[0].Key=Value"); the level from --level or a key.
Result<DataSet> identifier(const FindArgs& a, bool levels, std::vector<KeyPath>& columns) {
    DataSet ds;
    if (levels) ds.set_string(tags::QueryRetrieveLevel, VR::CS, a.level.empty() ? "STUDY" : a.level);
    for (const auto& k : a.keys) {
        const auto eq = k.find('=');
        const std::string name = k.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : k.substr(eq + 1);
        auto path = parse_key_path(name);
        if (!path) return make_error(ErrorCode::InvalidValue, "-k " + k + ": " + path.error().message);
        const Tag tag = path->front();
        if (tag == tags::QueryRetrieveLevel && !a.level.empty()) continue;
        set_key_path(ds, *path, value);
        if (tag != tags::QueryRetrieveLevel && tag != tags::SpecificCharacterSet) columns.push_back(*path);
    }
    if (std::any_of(a.keys.begin(), a.keys.end(), [](const std::string& k) {
            for (unsigned char c : k)
                if (c >= 0x80) return true;
            return false;
        }))
        ds.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
    return ds;
}

std::string column_name(const KeyPath& path) {
    std::string out;
    for (Tag t : path) {
        const auto kw = dict::keyword_of(t);
        out += (out.empty() ? "" : ".") + (kw.empty() ? t.str() : std::string(kw));
    }
    return out;
}

/// The values at `path` (across every item of the sequences on the way); a sequence itself as
/// "(N items)".
void collect(const DataSet& ds, std::span<const Tag> path, const SpecificCharacterSet& cs,
             std::vector<std::string>& out) {
    const Element* e = ds.find(path[0]);
    if (!e) return;
    if (path.size() == 1) {
        if (e->is_sequence()) {
            out.push_back("(" + std::to_string(e->sequence().items.size()) + " items)");
            return;
        }
        for (auto& v : server::model::decoded_values(*e, cs)) out.push_back(std::move(v));
        return;
    }
    if (!e->is_sequence()) return;
    for (const DataSet& item : e->sequence().items) collect(item, path.subspan(1), cs, out);
}

std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void print(const std::vector<DataSet>& rows, const std::vector<KeyPath>& cols, const std::string& format) {
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : rows) {
        const auto cs = SpecificCharacterSet::lenient_parse(r.string_or(tags::SpecificCharacterSet));
        std::vector<std::string> line;
        for (const KeyPath& path : cols) {
            std::vector<std::string> values;
            collect(r, path, cs, values);
            std::string v;
            for (const auto& s : values) v += (v.empty() ? "" : "\\") + s;
            line.push_back(v);
        }
        cells.push_back(std::move(line));
    }
    if (format == "json") {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& line : cells) {
            nlohmann::json o = nlohmann::json::object();
            for (std::size_t i = 0; i < cols.size(); ++i) o[column_name(cols[i])] = line[i];
            out.push_back(o);
        }
        std::printf("%s\n", out.dump(2).c_str());
        return;
    }
    const char* sep = format == "csv" ? "," : "\t";
    std::string head;
    for (std::size_t i = 0; i < cols.size(); ++i) head += (i ? sep : "") + column_name(cols[i]);
    std::printf("%s\n", head.c_str());
    for (const auto& line : cells) {
        std::string s;
        for (std::size_t i = 0; i < line.size(); ++i) s += (i ? sep : "") + (format == "csv" ? csv_quote(line[i]) : line[i]);
        std::printf("%s\n", s.c_str());
    }
}

/// Sends the C-FIND-RQ and collects the pending responses' identifiers; the final status.
Result<std::uint16_t> exchange(dimse::Channel& ch, std::uint8_t ctx, const std::string& sop, const DataSet& q,
                               const io::TransferSyntax& ts, std::uint16_t message_id, std::vector<DataSet>& rows) {
    dimse::Command rq;
    rq.field = dimse::CommandField::C_FIND_RQ;
    rq.message_id = message_id;
    rq.affected_sop_class_uid = sop;
    rq.priority = 0;
    rq.has_dataset = true;
    auto bytes = io::encode_dataset(q, ts);
    if (!bytes) return tl::unexpected(bytes.error());
    dimse::MemorySource src(std::move(*bytes));
    if (auto r = dimse::send_message(ch, ctx, rq, &src); !r) return tl::unexpected(r.error());
    for (;;) {
        auto m = dimse::receive_message(ch, ch.timeouts().dimse);
        if (!m) return tl::unexpected(m.error());
        const std::uint16_t st = m->command.status.value_or(dimse::status::ProcessingFailure);
        if (dimse::status_kind(st) != dimse::StatusKind::Pending) {
            if (!m->command.error_comment.empty())
                log::warn("{}", m->command.error_comment.c_str());
            return st;
        }
        auto* sink = dynamic_cast<dimse::MemorySink*>(m->dataset.get());
        if (!sink) continue;
        auto ds = io::read_dataset(sink->bytes(), ts);
        if (!ds) return tl::unexpected(ds.error());
        rows.push_back(std::move(*ds));
    }
}

/// "latency: N queries, M matches, min .. p50 .. p95 .. max .. ms" (nearest-rank percentiles of
/// the time from sending each C-FIND-RQ to its final response) on standard error.
void print_latency(std::vector<double> ms, std::size_t matches) {
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) {
        const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(ms.size())));
        return ms[std::clamp<std::size_t>(rank, 1, ms.size()) - 1];
    };
    double sum = 0;
    for (double v : ms) sum += v;
    std::fprintf(stderr, "latency: %zu queries, %zu matches, min %.3f p50 %.3f p95 %.3f max %.3f mean %.3f ms\n",
                 ms.size(), matches, ms.front(), pct(50), pct(95), ms.back(), sum / static_cast<double>(ms.size()));
}

int run_find(const FindArgs& a) {
    std::vector<KeyPath> cols;
    auto model = qr_model(a.model, a.patient_root);
    if (!model) {
        log::error("{}", model.error().message.c_str());
        return 2;
    }
    auto q = identifier(a, model->levels, cols);
    if (!q) {
        log::error("{}", q.error().message.c_str());
        return 2;
    }
    const std::string sop = model->find;
    net::ul::AssociationRequest rq;
    rq.calling_ae = a.net.aet;
    rq.called_ae = a.net.aec;
    rq.contexts.push_back({1, sop, {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}});
    // PS3.4 C.5.1.1.1: byte 1 = 1 proposes relational queries.
    if (a.relational) rq.extended_negotiations.push_back({sop, {1}});
    net::ul::FailureKind kind = net::ul::FailureKind::None;
    auto assoc = net::ul::Association::request({a.host, a.port}, rq, association_options(a.net), &kind);
    if (!assoc) {
        log::error("{}:{}: {}", a.host.c_str(), a.port, failure_text(kind, assoc.error()).c_str());
        return 1;
    }
    dimse::AssociationChannel ch(*assoc);
    const auto* ctx = ch.find_context(sop, "1.2.840.10008.1.2.1");
    if (!ctx) ctx = ch.find_context(sop, "1.2.840.10008.1.2");
    const auto* ts = ctx ? io::find_transfer_syntax(ctx->transfer_syntax) : nullptr;
    if (!ts) {
        log::error("the peer did not accept {} FIND", model->name.c_str());
        return 1;
    }
    if (a.relational && (ctx->extended_negotiation.empty() || ctx->extended_negotiation[0] != 1))
        log::warn("the peer did not accept relational queries; the query is hierarchical");
    std::vector<DataSet> rows, first_rows;
    std::vector<double> ms;
    Result<std::uint16_t> st = dimse::status::Success;
    for (int r = 0; r < a.repeat && st && *st == dimse::status::Success; ++r) {
        rows.clear();
        const auto t0 = std::chrono::steady_clock::now();
        st = exchange(ch, ctx->id, sop, *q, *ts, static_cast<std::uint16_t>(r % 65535 + 1), rows);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (r == 0) first_rows = std::move(rows);
    }
    if (!st) {
        log::error("C-FIND: {}", st.error().to_string().c_str());
        return 1;
    }
    print(first_rows, cols, a.format);
    if (a.repeat > 1) print_latency(ms, first_rows.size());
    if (auto r = assoc->release(); !r) log::warn("release: {}", r.error().to_string().c_str());
    if (*st != dimse::status::Success) {
        log::error("C-FIND: {}", dimse::describe_status(*st, dimse::CommandField::C_FIND_RSP).c_str());
        return 1;
    }
    return 0;
}

}  // namespace

void add_find(CLI::App& app, Action& run) {
    auto a = std::make_shared<FindArgs>();
    CLI::App* cmd = app.add_subcommand("find", "Query a peer with C-FIND (like findscu)");
    cmd->add_option("host", a->host, "Peer host name or address")->required();
    cmd->add_option("port", a->port, "Peer port")->required();
    cmd->add_option("-k,--match", a->keys,
                    "Key=Value by keyword or tag (gggg,eeee); empty value: return key; Sequence[0].Key=Value: "
                    "a key of a sequence key's item (sequence matching)");
    cmd->add_flag("-P,--patient-root", a->patient_root, "Patient Root information model");
    cmd->add_flag("-S,--study-root", a->study_root, "Study Root information model (default)");
    cmd->add_option("--level,-L", a->level, "PATIENT, STUDY, SERIES or IMAGE (default STUDY)")
        ->check(CLI::IsMember({"PATIENT", "STUDY", "SERIES", "IMAGE"}));
    add_model_option(cmd, a->model);
    cmd->add_flag_callback("-W,--worklist", [a] { a->model = "worklist"; },
                           "Modality Worklist information model (as --model worklist; like findscu -W)");
    cmd->add_option("--format,-f", a->format, "table, json or csv")->check(CLI::IsMember({"table", "json", "csv"}))
        ->capture_default_str();
    cmd->add_flag("--relational", a->relational,
                  "Propose relational queries (SOP Class Extended Negotiation, PS3.4 C.5.1.1): keys of any "
                  "level, unique keys of the levels above may be left out; warns if the peer refuses");
    cmd->add_option("--repeat", a->repeat,
                    "Send the query N times on one association; prints the first answer and, on standard "
                    "error, the latency (min, p50, p95, max) of the N")
        ->check(CLI::Range(1, 1000000));
    add_net_options(cmd, a->net, true);
    cmd->callback([a, &run] { run = [a] { return run_find(*a); }; });
}

}  // namespace dicomkit::cli
