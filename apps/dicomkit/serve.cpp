// `dicomkit serve`: the archive: storage SCP writing files and indexing them, C-FIND SCP (Patient
// Root and Study Root) over the index, C-ECHO; configured by a TOML file and/or flags.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <dicomkit/server/app/config.hpp>
#include <dicomkit/server/app/server_app.hpp>

#include "commands.hpp"

namespace dicomkit::cli {

namespace {

namespace sapp = server::app;

struct ServeArgs {
    std::string aet, data, config, index_url, bind = "0.0.0.0", duplicates;
    int port = -1;
    std::vector<std::string> peers;
    bool accept_unknown = false;
    bool check_config = false;
    bool no_fsync = false;
    bool reconcile = false;
};

/// The file (when given) with the flags over it.
Result<sapp::Config> build_config(const ServeArgs& a) {
    sapp::Config c;
    if (!a.config.empty()) {
        auto f = sapp::load_config(a.config);
        if (!f) return tl::unexpected(f.error());
        c = std::move(*f);
    }
    if (!a.aet.empty()) c.ae_title = a.aet;
    if (a.port >= 0) c.port = static_cast<std::uint16_t>(a.port);
    if (!a.data.empty()) c.data = a.data;
    if (a.accept_unknown) c.accept_unknown = true;
    if (!a.duplicates.empty()) {
        auto d = sapp::parse_duplicates(a.duplicates);
        if (!d) return make_error(ErrorCode::InvalidValue, "--" + d.error().message);
        c.duplicates = *d;
    }
    if (!a.index_url.empty()) {
        c.index.backend = "postgres";
        c.index.url = a.index_url;
    }
    for (const auto& p : a.peers) {
        auto peer = sapp::parse_peer(p);
        if (!peer) return tl::unexpected(peer.error());
        c.peers.push_back(std::move(*peer));
    }
    if (auto v = sapp::validate(c); !v) return tl::unexpected(v.error());
    return c;
}

void print_peers(const sapp::Config& c) {
    if (c.peers.empty()) std::fprintf(stderr, "I: no peers configured\n");
    for (const auto& p : c.peers) {
        std::string allow;
        for (const auto& s : p.allow) allow += (allow.empty() ? "" : ",") + s;
        std::fprintf(stderr, "I: peer %s at %s:%u may %s\n", p.ae_title.c_str(), p.host.c_str(), p.port,
                     allow.empty() ? "nothing" : allow.c_str());
    }
    std::fprintf(stderr, "I: unknown calling AEs are %s\n", c.accept_unknown ? "accepted" : "refused");
    std::fprintf(stderr, "I: a second copy of a stored SOP Instance UID is %s (duplicates = %s)\n",
                 c.duplicates == server::index::DuplicatePolicy::Keep      ? "dropped, the stored copy kept"
                 : c.duplicates == server::index::DuplicatePolicy::Reject ? "refused"
                                                                           : "stored in place of the old one",
                 std::string(sapp::to_string(c.duplicates)).c_str());
}

int run_serve(const ServeArgs& a) {
    auto c = build_config(a);
    if (!c) {
        std::fprintf(stderr, "E: %s\n", c.error().message.c_str());
        return 1;
    }
    if (a.check_config) {
        std::fprintf(stderr, "I: configuration is valid: AE %s, port %u, data %s\n", c->ae_title.c_str(), c->port,
                     c->data.c_str());
        std::fprintf(stderr, "I: index: %s\n", sapp::describe_index(*c).c_str());
        print_peers(*c);
        return 0;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    sapp::ServerAppOptions o;
    o.bind = a.bind;
    o.durable = !a.no_fsync;
    o.reconcile = a.reconcile;
    o.log = [](const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    };
    auto app = sapp::ServerApp::start(*c, o);
    if (!app) {
        std::fprintf(stderr, "E: cannot start: %s\n", app.error().to_string().c_str());
        return 1;
    }
    std::fprintf(stderr, "I: listening on %s:%u as %s, data in %s\n", a.bind.c_str(), (*app)->port(),
                 c->ae_title.c_str(), c->data.c_str());
    std::fprintf(stderr, "I: index: %s\n", (*app)->index_description().c_str());
    print_peers(*c);
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::fprintf(stderr, "I: signal %d: stopping\n", sig);
    (*app)->stop();
    return 0;
}

}  // namespace

void add_serve(CLI::App& app, Action& run) {
    auto a = std::make_shared<ServeArgs>();
    CLI::App* cmd = app.add_subcommand("serve", "Archive: store (C-STORE), query (C-FIND) and verify (C-ECHO)");
    cmd->add_option("--aet,-a", a->aet, "Our AE title (default DICOMKIT)");
    cmd->add_option("--port,-p", a->port, "Port to listen on (default 11112; 0: any free port)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--data,-d", a->data, "Folder for storage/ and index.db (default ./var)");
    cmd->add_option("--index-url", a->index_url,
                    "Keep the index in PostgreSQL: postgresql://USER@HOST:PORT/DB or a libpq conninfo "
                    "(several nodes may share it and one --data folder)");
    cmd->add_option("--peer", a->peers, "A known peer AE=HOST:PORT, allowed every service (repeatable)");
    cmd->add_flag("--accept-unknown", a->accept_unknown, "Let calling AEs that are not configured store and query");
    cmd->add_option("--config,-c", a->config, "TOML configuration file (flags override it)");
    cmd->add_flag("--check-config", a->check_config, "Check the configuration and exit");
    cmd->add_option("--bind", a->bind, "Address to listen on")->capture_default_str();
    cmd->add_flag("--no-fsync", a->no_fsync, "Do not fsync stored files before answering");
    cmd->add_option("--duplicates", a->duplicates,
                    "A second copy of a stored SOP Instance UID: keep (drop the new one), replace (default) or "
                    "reject (refuse it, status 0x0124)")
        ->check(CLI::IsMember({"keep", "replace", "reject"}));
    cmd->add_flag("--reconcile", a->reconcile,
                  "Reconcile index and storage at start even after a clean stop (always done after a crash)");
    cmd->callback([a, &run] { run = [a] { return run_serve(*a); }; });
}

}  // namespace dicomkit::cli
