// `dicomkit move` and `dicomkit get`: C-MOVE and C-GET as the SCU (like DCMTK movescu, getscu):
// keys by keyword or tag, Patient Root (-P) or Study Root (-S, default); get stores what arrives
// on the same association into a folder.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/folder_store.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>

#include "commands.hpp"
#include "net_common.hpp"

namespace dicomkit::cli {

namespace {

namespace dimse = net::dimse;

struct RetrieveArgs {
    std::string host;
    std::uint16_t port = 104;
    std::vector<std::string> keys;
    bool patient_root = false;
    bool study_root = false;
    std::string level = "STUDY";
    std::string dest;  ///< move: the Move Destination AE
    std::string out;   ///< get: the folder
    bool relational = false;
    NetArgs net;
};

Result<DataSet> identifier(const RetrieveArgs& a) {
    DataSet ds;
    ds.set_string(tags::QueryRetrieveLevel, VR::CS, a.level);
    for (const auto& k : a.keys) {
        const auto eq = k.find('=');
        const auto tag = dict::parse_tag_or_keyword(k.substr(0, eq));
        if (!tag) return make_error(ErrorCode::InvalidValue, "-k " + k + ": unknown keyword or tag");
        const auto* info = dict::find(*tag);
        ds.set(Element::from_string(*tag, info ? info->vr() : VR::LO, eq == std::string::npos ? "" : k.substr(eq + 1)));
    }
    return ds;
}

void print_counts(const char* what, const dimse::Command& c) {
    std::printf("%s: remaining=%u completed=%u failed=%u warning=%u\n", what, c.remaining.value_or(0),
                c.completed.value_or(0), c.failed.value_or(0), c.warning.value_or(0));
    std::fflush(stdout);
}

/// Answers one C-STORE-RQ of a C-GET through the folder handler.
Result<void> answer_store(dimse::Channel& ch, dimse::FolderStoreHandler& h, dimse::Message& m) {
    dimse::RequestContext rc{ch.context_by_id(m.context_id), ch.calling_ae(), ch.peer_address()};
    dimse::Outcome o{dimse::status::OutOfResources, "no data set"};
    if (m.dataset && !m.dataset_error) o = h.end(rc, m.command, std::move(m.dataset));
    dimse::Command rsp = dimse::Command::response(m.command, o.status);
    if (o.status != dimse::status::Success) rsp.error_comment = o.error_comment.substr(0, 64);
    return dimse::send_message(ch, m.context_id, rsp);
}

/// Sends the request, then reads responses (and, for C-GET, C-STORE-RQs) until the final one.
Result<dimse::Command> exchange(dimse::Channel& ch, const net::ul::AcceptedContext& ctx, dimse::Command rq,
                                const DataSet& q, dimse::FolderStoreHandler* files) {
    const auto* ts = io::find_transfer_syntax(ctx.transfer_syntax);
    if (!ts) return make_error(ErrorCode::Unsupported, "accepted transfer syntax unknown");
    auto bytes = io::encode_dataset(q, *ts);
    if (!bytes) return tl::unexpected(bytes.error());
    dimse::MemorySource src(std::move(*bytes));
    if (auto r = dimse::send_message(ch, ctx.id, rq, &src); !r) return tl::unexpected(r.error());
    dimse::MessageAssembler::SinkChooser choose = [&](std::uint8_t id, const dimse::Command& c)
        -> Result<std::unique_ptr<dimse::DataSink>> {
        if (files && c.field == dimse::CommandField::C_STORE_RQ)
            return files->begin({ch.context_by_id(id), ch.calling_ae(), ch.peer_address()}, c);
        return std::unique_ptr<dimse::DataSink>(std::make_unique<dimse::MemorySink>(16u << 20));
    };
    for (int guard = 0; guard < 1000000; ++guard) {
        auto m = dimse::receive_message(ch, ch.timeouts().dimse, choose);
        if (!m) return tl::unexpected(m.error());
        if (m->command.field == dimse::CommandField::C_STORE_RQ && files) {
            if (auto r = answer_store(ch, *files, *m); !r) return tl::unexpected(r.error());
            continue;
        }
        const std::uint16_t st = m->command.status.value_or(dimse::status::ProcessingFailure);
        if (dimse::status_kind(st) != dimse::StatusKind::Pending) return std::move(m->command);
        print_counts("pending", m->command);
    }
    return make_error(ErrorCode::InvalidValue, "too many responses");
}

/// The storage contexts of a C-GET with the SCP role for us (PS3.7 D.3.3.4), 128 contexts in all:
/// the common image classes once per compressed syntax (the peer accepts one syntax per context),
/// then every storage class in the uncompressed ones.
void propose_storage(net::ul::AssociationRequest& arq) {
    static const char* const kImages[] = {"1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4",
                                          "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.1",
                                          "1.2.840.10008.5.1.4.1.1.1.1", "1.2.840.10008.5.1.4.1.1.6.1",
                                          "1.2.840.10008.5.1.4.1.1.128", "1.2.840.10008.5.1.4.1.1.20",
                                          "1.2.840.10008.5.1.4.1.1.12.1"};
    static const char* const kCompressed[] = {"1.2.840.10008.1.2.5",    "1.2.840.10008.1.2.4.90",
                                              "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.50",
                                              "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80",
                                              "1.2.840.10008.1.2.1.99"};
    for (const char* c : kImages)
        for (const char* ts : kCompressed) arq.contexts.push_back({0, c, {ts}});
    static const char* const kOthers[] = {"1.2.840.10008.5.1.4.1.1.481.1", "1.2.840.10008.5.1.4.1.1.481.2",
                                          "1.2.840.10008.5.1.4.1.1.481.3", "1.2.840.10008.5.1.4.1.1.481.5",
                                          "1.2.840.10008.5.1.4.1.1.481.8", "1.2.840.10008.5.1.4.1.1.88.11",
                                          "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.33",
                                          "1.2.840.10008.5.1.4.1.1.66.4",  "1.2.840.10008.5.1.4.1.1.30",
                                          "1.2.840.10008.5.1.4.1.1.104.1"};
    std::vector<std::string> classes(std::begin(kImages), std::end(kImages));
    classes.insert(classes.end(), std::begin(kOthers), std::end(kOthers));
    for (const auto& c : dict::storage_sop_classes())
        if (std::find(classes.begin(), classes.end(), c.uid) == classes.end()) classes.emplace_back(c.uid);
    for (const auto& uid : classes) {
        if (arq.contexts.size() >= 128) break;
        arq.contexts.push_back({0, uid, {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"}});
        arq.role_selections.push_back({uid, false, true});
    }
}

int run_retrieve(const RetrieveArgs& a, bool move) {
    auto q = identifier(a);
    if (!q) {
        std::fprintf(stderr, "E: %s\n", q.error().message.c_str());
        return 2;
    }
    const std::string sop = std::string(a.patient_root ? "1.2.840.10008.5.1.4.1.2.1." : "1.2.840.10008.5.1.4.1.2.2.") +
                            (move ? "2" : "3");
    net::ul::AssociationRequest arq;
    arq.calling_ae = a.net.aet;
    arq.called_ae = a.net.aec;
    arq.contexts.push_back({1, sop, {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}});
    // PS3.4 C.5.2.1.1 / C.5.3.1.1: byte 1 = 1 proposes relational retrieve.
    if (a.relational) arq.extended_negotiations.push_back({sop, {1}});
    std::unique_ptr<dimse::FolderStoreHandler> files;
    if (!move) {
        std::error_code ec;
        std::filesystem::create_directories(a.out, ec);
        files = std::make_unique<dimse::FolderStoreHandler>(a.out, dimse::FolderStoreHandler::Log{}, true);
        propose_storage(arq);
    }
    net::ul::FailureKind kind = net::ul::FailureKind::None;
    auto assoc = net::ul::Association::request({a.host, a.port}, arq, association_options(a.net), &kind);
    if (!assoc) {
        std::fprintf(stderr, "E: %s:%u: %s\n", a.host.c_str(), a.port, failure_text(kind, assoc.error()).c_str());
        return 1;
    }
    dimse::AssociationChannel ch(*assoc);
    const auto* ctx = ch.find_context(sop, {});
    if (!ctx) {
        std::fprintf(stderr, "E: the peer did not accept %s\n", sop.c_str());
        return 1;
    }
    if (a.relational && (ctx->extended_negotiation.empty() || ctx->extended_negotiation[0] != 1))
        std::fprintf(stderr, "W: the peer did not accept relational retrieve\n");
    dimse::Command rq;
    rq.field = move ? dimse::CommandField::C_MOVE_RQ : dimse::CommandField::C_GET_RQ;
    rq.message_id = 1;
    rq.affected_sop_class_uid = sop;
    rq.priority = 0;
    rq.has_dataset = true;
    rq.move_destination = a.dest;
    auto fin = exchange(ch, *ctx, rq, *q, files.get());
    if (!fin) {
        std::fprintf(stderr, "E: %s: %s\n", move ? "C-MOVE" : "C-GET", fin.error().to_string().c_str());
        return 1;
    }
    print_counts("final", *fin);
    if (auto r = assoc->release(); !r) std::fprintf(stderr, "W: release: %s\n", r.error().to_string().c_str());
    const std::uint16_t st = fin->status.value_or(dimse::status::ProcessingFailure);
    const auto field = move ? dimse::CommandField::C_MOVE_RSP : dimse::CommandField::C_GET_RSP;
    std::printf("status: %s\n", dimse::describe_status(st, field).c_str());
    return st == dimse::status::Success ? 0 : 1;
}

CLI::App* add_common(CLI::App& app, const char* name, const char* help, std::shared_ptr<RetrieveArgs> a) {
    CLI::App* cmd = app.add_subcommand(name, help);
    cmd->add_option("host", a->host, "Peer host name or address")->required();
    cmd->add_option("port", a->port, "Peer port")->required();
    cmd->add_option("-k,--match", a->keys, "Key=Value by keyword or tag (gggg,eeee): the unique keys");
    cmd->add_flag("-P,--patient-root", a->patient_root, "Patient Root information model");
    cmd->add_flag("-S,--study-root", a->study_root, "Study Root information model (default)");
    cmd->add_option("--level,-L", a->level, "PATIENT, STUDY, SERIES or IMAGE")
        ->check(CLI::IsMember({"PATIENT", "STUDY", "SERIES", "IMAGE"}))->capture_default_str();
    cmd->add_flag("--relational", a->relational,
                  "Propose relational retrieve (PS3.4 C.5.2.1, C.5.3.1): the unique keys of the levels above "
                  "may be left out; warns if the peer refuses");
    add_net_options(cmd, a->net, true);
    return cmd;
}

}  // namespace

void add_move(CLI::App& app, Action& run) {
    auto a = std::make_shared<RetrieveArgs>();
    CLI::App* cmd = add_common(app, "move", "Retrieve to a third AE with C-MOVE (like movescu)", a);
    cmd->add_option("--dest", a->dest, "Move Destination AE title")->required();
    cmd->callback([a, &run] { run = [a] { return run_retrieve(*a, true); }; });
}

void add_get(CLI::App& app, Action& run) {
    auto a = std::make_shared<RetrieveArgs>();
    CLI::App* cmd = add_common(app, "get", "Retrieve into a folder with C-GET (like getscu)", a);
    cmd->add_option("--out,-o", a->out, "Folder for the received files")->required();
    cmd->callback([a, &run] { run = [a] { return run_retrieve(*a, false); }; });
}

}  // namespace dicomkit::cli
