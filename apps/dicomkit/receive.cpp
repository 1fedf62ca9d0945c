// `dicomkit receive`: a storage SCP (like DCMTK storescp): accepts C-STORE of any storage SOP
// class in the transfer syntax the sender lists first, writes each instance as a Part 10 file
// streamed to disk (temporary file, fsync, rename), answers C-ECHO; stops on SIGINT/SIGTERM.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include "folder_store.hpp"
#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/net/ul/server.hpp>

#include "commands.hpp"
#include "net_common.hpp"

namespace dicomkit::cli {

namespace {

namespace fs = std::filesystem;
namespace dimse = net::dimse;

struct ReceiveArgs {
    std::uint16_t port = 11112;
    std::string out;
    std::string bind = "0.0.0.0";
    std::size_t max_associations = 64;
    std::uint32_t max_pdu = 256 * 1024;
    bool accept_unknown = false;
    bool quiet = false;
    bool no_fsync = false;
    bool lenient_uids = false;
    NetArgs net;
};

/// Logs each stored instance: calling AE, peer, SOP class keyword, instance UID, bytes, status.
FolderStoreHandler::Log store_log(bool quiet) {
    return [quiet](const FolderStoreHandler::StoredEvent& e) {
        if (quiet && e.outcome.status == dimse::status::Success) return;
        const auto* info = dict::find_uid(e.rq.affected_sop_class_uid);
        std::string cls = info && !info->keyword.empty() ? std::string(info->keyword) : e.rq.affected_sop_class_uid;
        const bool ok = e.outcome.error_comment.empty();
        std::printf("%s@%s C-STORE %s %s %llu bytes: %s%s%s\n", log::printable(e.rc.calling_ae).c_str(),
                    e.rc.peer_address.c_str(), log::printable(cls).c_str(),
                    log::printable(e.rq.affected_sop_instance_uid).c_str(), static_cast<unsigned long long>(e.bytes),
                    dimse::describe_status(e.outcome.status).c_str(), ok ? " -> " : " ",
                    ok ? e.path.c_str() : e.outcome.error_comment.c_str());
        std::fflush(stdout);
    };
}

constexpr std::uint16_t kMaxOperationsInvoked = 64;

net::ul::ServerOptions server_options(const ReceiveArgs& a) {
    net::ul::ServerOptions so;
    so.bind_address = a.bind;
    so.port = a.port;
    so.max_associations = a.max_associations;
    so.association = association_options(a.net);
    so.association.max_pdu_receive = a.max_pdu;
    so.refused = [](const std::string& peer, const std::string& why) {
        log::warn("association from {} refused: {}", peer.c_str(), why.c_str());
    };
    so.noted = [](const std::string& peer, const std::string& what) {
        log::warn("association from {}: {}", peer.c_str(), what.c_str());
    };
    auto& p = so.policy;
    p.ae_title = a.net.aet;
    p.accept_any_called_ae = true;  // as DCMTK's storescp: any Called AE Title will do
    p.max_pdu_receive = a.max_pdu;
    // Requests are handled one after the other and answered in order; a requestor may send
    // this many C-STOREs ahead (PS3.7 D.3.3.3), which keeps both ends busy.
    p.max_operations_invoked = kMaxOperationsInvoked;
    p.syntaxes.push_back({std::string(dimse::kVerificationSopClass),
                          {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"}, false});
    // Every other abstract syntax with the first transfer syntax the requestor lists: the data is
    // stored as received. Which SOP classes are stored is the dispatcher's business.
    p.accept_any_abstract_syntax = true;
    return so;
}

int run_receive(const ReceiveArgs& a) {
    std::error_code ec;
    fs::create_directories(a.out, ec);
    if (!fs::is_directory(a.out)) {
        log::error("{}: not a folder", a.out.c_str());
        return 1;
    }
    dimse::Dispatcher dispatcher;
    dispatcher.on_echo(std::make_shared<dimse::SuccessEchoHandler>());
    std::vector<std::string> classes;
    if (!a.accept_unknown)
        for (const auto& c : dict::storage_sop_classes()) classes.emplace_back(c.uid);
    auto files = std::make_shared<FolderStoreHandler>(a.out, store_log(a.quiet), !a.no_fsync);
    files->set_lenient_uids(a.lenient_uids);
    dispatcher.on_store(std::move(files), std::move(classes));

    // SIGINT/SIGTERM are taken synchronously by this thread; every other thread has them blocked.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto server = net::ul::Server::start(server_options(a), [&dispatcher](net::ul::Association& assoc) {
        auto r = dimse::serve(assoc, dispatcher);
        if (!r) log::warn("{}: {}", assoc.peer_address().c_str(), r.error().to_string().c_str());
        else if (r->end == dimse::ServeSummary::End::Aborted)
            log::warn("{}@{}: association aborted by the peer", assoc.calling_ae().c_str(),
                         assoc.peer_address().c_str());
    });
    if (!server) {
        log::error("cannot listen on {}:{}: {}", a.bind.c_str(), a.port,
                     server.error().to_string().c_str());
        return 1;
    }
    log::info("listening on {}:{} as {}, storing in {}", a.bind.c_str(), (*server)->port(),
                 a.net.aet.c_str(), a.out.c_str());
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::info("signal {}: stopping", sig);
    (*server)->stop();
    return 0;
}

}  // namespace

void add_receive(CLI::App& app, Action& run) {
    auto a = std::make_shared<ReceiveArgs>();
    a->net.aet = "DICOMKIT";
    CLI::App* cmd = app.add_subcommand("receive", "Storage SCP: receive C-STORE into a folder (like storescp)");
    cmd->add_option("port", a->port, "Port to listen on (0: any free port)")->required();
    cmd->add_option("--out,-o", a->out, "Folder for the received files")->required();
    cmd->add_option("--bind", a->bind, "Address to listen on ('::' for IPv6)")->capture_default_str();
    cmd->add_option("--max-associations", a->max_associations, "Associations at once")->capture_default_str();
    cmd->add_option("--max-pdu", a->max_pdu, "Maximum PDU length we receive")
        ->check(CLI::Range(4096u, 64u * 1024u * 1024u))
        ->capture_default_str();
    cmd->add_flag("--promiscuous,--accept-unknown", a->accept_unknown,
                  "Store SOP classes the dictionary does not list as storage (private classes, 2.25 UIDs)");
    cmd->add_flag("--quiet,-q", a->quiet, "Log failures only");
    cmd->add_flag("--lenient-uids", a->lenient_uids,
                  "Store instances whose SOP Instance UID breaks PS3.5 9.1, as x<hash>.dcm (refused by default, "
                  "status 0xA900)");
    cmd->add_flag("--no-fsync", a->no_fsync,
                  "Do not fsync before answering (faster, as storescp; a crash may lose acknowledged files)");
    add_net_options(cmd, a->net, false);
    cmd->callback([a, &run] { run = [a] { return run_receive(*a); }; });
}

}  // namespace dicomkit::cli
