// `dicomkit move` and `dicomkit get`: C-MOVE and C-GET as the SCU (like DCMTK movescu, getscu):
// keys by keyword or tag, Patient Root (-P) or Study Root (-S, default); get stores what arrives
// on the same association into a folder, proposing the storage contexts of what will arrive
// (retrieve_plan), over several associations when one cannot hold them. Each failed instance is
// reported; the exit status is 1 when any failed.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include "folder_store.hpp"
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>

#include "commands.hpp"
#include "net_common.hpp"
#include "qr_model.hpp"
#include "retrieve_plan.hpp"

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
    std::vector<std::string> sop_classes;  ///< get: --sop-class
    std::vector<std::string> syntaxes;     ///< get: --ts
    int max_contexts = 128;                ///< get: per association, the C-GET's own included
    std::string model;                     ///< --model; empty: -P or Study Root
    QrModel qr;                            ///< the model in use (set before running)
    NetArgs net;
};

Result<DataSet> identifier(const RetrieveArgs& a) {
    DataSet ds;
    if (a.qr.levels) ds.set_string(tags::QueryRetrieveLevel, VR::CS, a.level);
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

/// What the retrieves of one command brought: counts over all its C-MOVEs/C-GETs, and each
/// failed instance with the reason when one is known.
struct Tally {
    unsigned completed = 0, failed = 0, warning = 0;
    std::map<std::string, std::string> failures;  ///< SOP Instance UID -> reason
    std::map<std::string, std::string> stored_as;  ///< SOP Instance UID -> the syntax the peer reported
    bool error = false;                            ///< a request failed as a whole (or could not be made)
    std::uint16_t last_status = dimse::status::Success;  ///< the last one other than Success
};

/// Answers one C-STORE-RQ of a C-GET through the folder handler; a failure is noted in `t`.
Result<void> answer_store(dimse::Channel& ch, FolderStoreHandler& h, dimse::Message& m, Tally& t) {
    dimse::RequestContext rc{ch.context_by_id(m.context_id), ch.calling_ae(), ch.peer_address()};
    dimse::Outcome o{dimse::status::OutOfResources, "no data set"};
    if (m.dataset && !m.dataset_error) o = h.end(rc, m.command, std::move(m.dataset));
    else if (m.dataset_error) o.error_comment = m.dataset_error->message;
    dimse::Command rsp = dimse::Command::response(m.command, o.status);
    if (o.status != dimse::status::Success) {
        rsp.error_comment = o.error_comment.substr(0, 64);
        t.failures[m.command.affected_sop_instance_uid] =
            "not stored here: " + dimse::describe_status(o.status) + " (" + o.error_comment + ")";
    }
    return dimse::send_message(ch, m.context_id, rsp);
}

/// The final response of a retrieve and the Failed SOP Instance UID List (0008,0058) it carried.
struct Final {
    dimse::Command command;
    std::vector<std::string> failed_uids;
};

std::vector<std::string> failed_list(const dimse::Message& m, const io::TransferSyntax& ts) {
    std::vector<std::string> out;
    auto* sink = dynamic_cast<dimse::MemorySink*>(m.dataset.get());
    if (!sink) return out;
    auto ds = io::read_dataset(sink->bytes(), ts);
    if (!ds) return out;
    if (const Element* e = ds->find(tags::FailedSOPInstanceUIDList))
        if (auto v = e->strings())
            for (auto s : *v) out.emplace_back(trim_padding(s));
    return out;
}

/// Sends the request, then reads responses (and, for C-GET, C-STORE-RQs) until the final one.
Result<Final> exchange(dimse::Channel& ch, const net::ul::AcceptedContext& ctx, dimse::Command rq, const DataSet& q,
                       FolderStoreHandler* files, Tally& t) {
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
            if (auto r = answer_store(ch, *files, *m, t); !r) return tl::unexpected(r.error());
            continue;
        }
        const std::uint16_t st = m->command.status.value_or(dimse::status::ProcessingFailure);
        if (dimse::status_kind(st) != dimse::StatusKind::Pending) {
            Final f{std::move(m->command), failed_list(*m, *ts)};
            return f;
        }
        print_counts("pending", m->command);
    }
    return make_error(ErrorCode::InvalidValue, "too many responses");
}

/// Adds a final response to the tally: counts, status, each failed UID (with the peer's Error
/// Comment as the reason unless ours is known).
void add_final(Tally& t, const Final& f, dimse::CommandField field) {
    const auto& c = f.command;
    t.completed += c.completed.value_or(0);
    t.failed += c.failed.value_or(0);
    t.warning += c.warning.value_or(0);
    const std::uint16_t st = c.status.value_or(dimse::status::ProcessingFailure);
    const auto kind = dimse::status_kind(st);
    if (kind != dimse::StatusKind::Success) t.last_status = st;  // the summary shows the last trouble
    if (kind == dimse::StatusKind::Failure || kind == dimse::StatusKind::Cancel) t.error = true;
    std::string peer = "failed at the peer: " + dimse::describe_status(st, field);
    if (!c.error_comment.empty()) peer += " (" + c.error_comment + ")";
    for (const auto& uid : f.failed_uids)
        if (!t.failures.contains(uid)) t.failures[uid] = peer;
    if (c.failed.value_or(0) > 0 && f.failed_uids.empty() && !c.error_comment.empty())
        log::warn("{}", peer.c_str());
}

/// Prints every failure and the totals; the exit status: 0 unless a sub-operation failed or a
/// request failed.
int report(const Tally& t, bool move) {
    for (const auto& [uid, why] : t.failures) {
        std::string extra;  // what the C-FIND said of it, when it was asked
        if (const auto it = t.stored_as.find(uid); it != t.stored_as.end()) {
            const auto* ts = io::find_transfer_syntax(it->second);
            extra = " [stored as " + (ts ? std::string(ts->keyword) : it->second) + "]";
        }
        // The peer's words (UIDs, Error Comments) cannot break the line.
        std::printf("FAILED %s: %s%s\n", log::printable(uid, 128).c_str(), log::printable(why, 512).c_str(),
                    extra.c_str());
    }
    std::printf("total: completed=%u failed=%u warning=%u\n", t.completed, t.failed, t.warning);
    const auto field = move ? dimse::CommandField::C_MOVE_RSP : dimse::CommandField::C_GET_RSP;
    std::printf("status: %s\n", dimse::describe_status(t.last_status, field).c_str());
    std::fflush(stdout);
    return t.error || t.failed > 0 || !t.failures.empty() ? 1 : 0;
}

std::string retrieve_sop(const RetrieveArgs& a, bool move) { return move ? a.qr.move : a.qr.get; }

/// One association: the retrieve request (C-MOVE, or C-GET with `plan`'s storage contexts),
/// then one C-MOVE/C-GET per identifier on it.
void run_association(const RetrieveArgs& a, bool move, const AssociationPlan* plan, const std::vector<DataSet>& ids,
                     FolderStoreHandler* files, Tally& t) {
    const std::string sop = retrieve_sop(a, move);
    net::ul::AssociationRequest arq;
    arq.calling_ae = a.net.aet;
    arq.called_ae = a.net.aec;
    arq.contexts.push_back({1, sop, {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}});
    // PS3.4 C.5.2.1.1 / C.5.3.1.1: byte 1 = 1 proposes relational retrieve.
    if (a.relational) arq.extended_negotiations.push_back({sop, {1}});
    if (plan) {
        arq.contexts.insert(arq.contexts.end(), plan->contexts.begin(), plan->contexts.end());
        arq.role_selections = plan->roles;
    }
    net::ul::FailureKind kind = net::ul::FailureKind::None;
    auto assoc = net::ul::Association::request({a.host, a.port}, arq, association_options(a.net), &kind);
    if (!assoc) {
        log::error("{}:{}: {}", a.host.c_str(), a.port, failure_text(kind, assoc.error()).c_str());
        t.error = true;
        return;
    }
    dimse::AssociationChannel ch(*assoc);
    const auto* ctx = ch.find_context(sop, {});
    if (!ctx) {
        log::error("the peer did not accept {}", sop.c_str());
        t.error = true;
        (void)assoc->release();
        return;
    }
    if (a.relational && (ctx->extended_negotiation.empty() || ctx->extended_negotiation[0] != 1))
        log::warn("the peer did not accept relational retrieve");
    std::uint16_t id = 1;
    for (const DataSet& q : ids) {
        dimse::Command rq;
        rq.field = move ? dimse::CommandField::C_MOVE_RQ : dimse::CommandField::C_GET_RQ;
        rq.message_id = id++;
        rq.affected_sop_class_uid = sop;
        rq.priority = 0;
        rq.has_dataset = true;
        rq.move_destination = a.dest;
        auto fin = exchange(ch, *ctx, rq, q, files, t);
        if (!fin) {
            log::error("{}: {}", move ? "C-MOVE" : "C-GET", fin.error().to_string().c_str());
            t.error = true;
            return;  // the association is lost
        }
        print_counts("final", fin->command);
        add_final(t, *fin, move ? dimse::CommandField::C_MOVE_RSP : dimse::CommandField::C_GET_RSP);
    }
    if (auto r = assoc->release(); !r) log::warn("release: {}", r.error().to_string().c_str());
}

/// The SOP classes and syntaxes to propose, and the instances when they had to be found.
struct GetPlan {
    std::vector<AssociationPlan> associations;
    std::vector<FoundInstance> found;  ///< needed when there is more than one association
    bool have_found = false;
};

Result<std::vector<FoundInstance>> find_for(const RetrieveArgs& a, const DataSet& q) {
    FindTarget ft{{a.host, a.port}, a.net.aet, a.net.aec, association_options(a.net), a.patient_root, a.relational};
    return find_instances(ft, q);
}

Result<GetPlan> plan_get(const RetrieveArgs& a, const DataSet& q) {
    GetPlan p;
    const std::size_t room = static_cast<std::size_t>(a.max_contexts) - 1;  // the C-GET context counts
    std::vector<std::string> warnings;
    if (!a.sop_classes.empty()) {
        SyntaxPlan sp;
        std::vector<std::string> syntaxes = a.syntaxes;
        if (syntaxes.empty()) {
            syntaxes = uncompressed_syntaxes();
            syntaxes.insert(syntaxes.end(), default_compressed_syntaxes().begin(), default_compressed_syntaxes().end());
        }
        for (const auto& c : a.sop_classes) sp[c] = classify(syntaxes);
        p.associations = pack(sp, room, warnings);
    } else {
        auto found = find_for(a, q);
        if (!found) {
            log::warn("C-FIND for the instances to receive failed ({}): proposing common storage "
                                 "classes and syntaxes", found.error().to_string().c_str());
            p.associations.push_back(broad_plan(room));
        } else if (found->empty()) {
            p.associations.push_back(broad_plan(room));
        } else {
            p.found = std::move(*found);
            p.have_found = true;
            p.associations = pack(plan_from_instances(p.found, a.syntaxes), room, warnings);
        }
    }
    if (p.associations.empty()) {  // the C-FIND named no SOP class
        p.associations.push_back(broad_plan(room));
        p.found.clear();
        p.have_found = false;
    }
    if (p.associations.size() > 1 && !p.have_found) {
        auto found = find_for(a, q);
        if (!found)
            return make_error(ErrorCode::Unsupported, "the SOP classes need " + std::to_string(p.associations.size()) +
                                                          " associations, and splitting needs the instances, which "
                                                          "a C-FIND did not give: " + found.error().to_string());
        p.found = std::move(*found);
        p.have_found = true;
        if (a.syntaxes.empty()) {  // the C-FIND says which syntax each instance of the classes is in
            std::vector<FoundInstance> listed;
            for (const auto& f : p.found)
                if (std::find(a.sop_classes.begin(), a.sop_classes.end(), f.sop_class_uid) != a.sop_classes.end())
                    listed.push_back(f);
            std::vector<std::string> exact_warnings;
            auto exact = pack(plan_from_instances(listed, {}), room, exact_warnings);
            if (!exact.empty()) {
                p.associations = std::move(exact);
                warnings = std::move(exact_warnings);
            }
        }
    }
    for (const auto& w : warnings) log::warn("{}", w.c_str());
    return p;
}

int run_get(const RetrieveArgs& a, const DataSet& q) {
    std::error_code ec;
    std::filesystem::create_directories(a.out, ec);
    FolderStoreHandler files(a.out, FolderStoreHandler::Log{}, true);
    auto plan = plan_get(a, q);
    if (!plan) {
        log::error("{}", plan.error().to_string().c_str());
        return 1;
    }
    Tally t;
    for (const auto& f : plan->found)
        if (!f.transfer_syntax.empty()) t.stored_as[f.sop_instance_uid] = f.transfer_syntax;
    const auto& assocs = plan->associations;
    if (assocs.size() == 1) {
        run_association(a, false, &assocs[0], {q}, &files, t);
        return report(t, false);
    }
    for (const auto& f : plan->found)
        if (std::none_of(assocs.begin(), assocs.end(), [&](const AssociationPlan& p) { return p.holds(f); })) {
            t.failures[f.sop_instance_uid] =
                f.sop_class_uid.empty() ? "not requested: the peer's C-FIND gave no SOP Class UID for it"
                                        : "not requested: its SOP class " + f.sop_class_uid + " is not proposed";
            ++t.failed;
        }
    for (std::size_t i = 0; i < assocs.size(); ++i) {
        std::vector<FoundInstance> mine;
        for (const auto& f : plan->found)
            if (assocs[i].holds(f)) mine.push_back(f);
        std::printf("association %zu of %zu: %zu SOP classes, %zu contexts, %zu instances\n", i + 1, assocs.size(),
                    assocs[i].classes.size(), assocs[i].contexts.size() + 1, mine.size());
        if (mine.empty()) continue;
        run_association(a, false, &assocs[i], image_identifiers(mine, a.patient_root, a.relational), &files, t);
    }
    return report(t, false);
}

int run_retrieve(RetrieveArgs a, bool move) {
    auto model = qr_model(a.model, a.patient_root);
    if (!model) {
        log::error("{}", model.error().message.c_str());
        return 2;
    }
    a.qr = std::move(*model);
    a.patient_root = a.qr.name == "Patient Root";
    // A non-patient model has no levels to find the instances through: a get proposes the
    // model's storage classes (PS3.4 X, U, BB-DD, HH).
    if (!a.qr.levels && a.sop_classes.empty()) a.sop_classes = a.qr.storage;
    auto q = identifier(a);
    if (!q) {
        log::error("{}", q.error().message.c_str());
        return 2;
    }
    if (!move) return run_get(a, *q);
    Tally t;
    run_association(a, true, nullptr, {*q}, nullptr, t);
    return report(t, true);
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
    add_model_option(cmd, a->model);
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
    cmd->add_option("--sop-class", a->sop_classes,
                    "Propose storage for this SOP class (repeatable) instead of asking the peer with C-FIND which "
                    "classes will arrive");
    cmd->add_option("--ts", a->syntaxes,
                    "Propose only these transfer syntaxes (repeatable) for every class instead of the uncompressed "
                    "ones plus those the peer reports (or the common compressed ones)");
    cmd->add_option("--max-contexts", a->max_contexts,
                    "Presentation contexts per association, the C-GET's own included (PS3.8: at most 128); when "
                    "more are needed, several associations each retrieve the instances of their classes")
        ->check(CLI::Range(2, 128))
        ->capture_default_str();
    cmd->callback([a, &run] { run = [a] { return run_retrieve(*a, false); }; });
}

}  // namespace dicomkit::cli
