// `dicomkit serve`: the archive: C-ECHO, C-STORE into storage and the index, C-FIND, C-MOVE and
// C-GET (Patient Root, Study Root, the non-patient models), TLS; configured by a TOML file and/or flags.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <dicomkit/base/log.hpp>
#include <dicomkit/pixel/transcode.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/server/app/config.hpp>
#include <dicomkit/server/app/conformance.hpp>
#include <dicomkit/server/app/peer_deid.hpp>
#include <dicomkit/server/app/server_app.hpp>
#include <dicomkit/server/web/auth.hpp>

#include "commands.hpp"
#include "log_options.hpp"

namespace dicomkit::cli {

namespace {

namespace sapp = server::app;

struct ServeArgs {
    std::string aet, data, config, index_url, bind = "0.0.0.0", duplicates;
    int port = -1;
    bool tls = false;  ///< --tls: --port speaks TLS
    int tls_port = -1;
    std::string cert, key, ca;
    int require_client_cert = -1;  ///< -1: as the file says; 0 or 1 from --[no-]require-client-cert
    std::vector<std::string> peers;
    bool accept_unknown = false;
    bool accept_any_called_ae = false;
    bool promiscuous = false;  ///< --promiscuous: [storage] accept_unknown_sop_classes
    bool check_config = false;
    bool conformance = false;
    std::string format = "md";
    bool no_fsync = false;
    bool lenient_uids = false;  ///< --lenient-uids
    bool reconcile = false;
    std::int64_t min_free_mb = -1;  ///< -1: as the file says
    std::string ingest_transfer_syntax;  ///< --ingest-transfer-syntax
    int http_port = -1;                  ///< --http-port; -1: [http] port (0 when --port is 0)
    int hl7_port = -1;                   ///< --hl7-port; -1: [hl7] port (none by default)
    std::vector<std::string> http_tokens;  ///< --http-token: admin tokens for scripts
    bool no_http = false;
    std::string hash_password;  ///< --hash-password: print the hash for [[http.users]] and exit
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
    if (a.accept_any_called_ae) c.accept_any_called_ae = true;
    if (a.promiscuous) c.accept_unknown_sop_classes = true;
    if (a.tls) c.port_tls = true;
    if (a.tls_port >= 0) c.tls_port = static_cast<std::uint16_t>(a.tls_port);
    if (c.tls_port && *c.tls_port != 0 && *c.tls_port == c.port)
        return make_error(ErrorCode::InvalidValue, "--tls-port " + std::to_string(*c.tls_port) +
                                                       ": the same as the plain port (for TLS on that port: --tls)");
    auto path_flag = [](const std::string& value, const char* flag, std::string& out, std::string& from) {
        if (value.empty()) return;
        out = value;
        from = flag;
    };
    path_flag(a.cert, "--cert", c.tls.certificate, c.tls.certificate_from);
    path_flag(a.key, "--key", c.tls.private_key, c.tls.private_key_from);
    path_flag(a.ca, "--ca", c.tls.ca, c.tls.ca_from);
    if (a.require_client_cert >= 0) c.tls.require_client_cert = a.require_client_cert == 1;
    if (a.lenient_uids) c.lenient_uids = true;
    if (!a.duplicates.empty()) {
        auto d = sapp::parse_duplicates(a.duplicates);
        if (!d) return make_error(ErrorCode::InvalidValue, "--" + d.error().message);
        c.duplicates = *d;
    }
    if (a.min_free_mb >= 0) c.min_free_mb = static_cast<std::uint64_t>(a.min_free_mb);
    if (!a.ingest_transfer_syntax.empty()) {
        if (!pixel::find_syntax(a.ingest_transfer_syntax))
            return make_error(ErrorCode::InvalidValue,
                              "--ingest-transfer-syntax: unknown transfer syntax '" + a.ingest_transfer_syntax + "'");
        c.ingest_transfer_syntax = a.ingest_transfer_syntax;
    }
    // Any free DICOM port (the flag's or the file's): any free HTTP port too, unless one is given
    // (flag or [http] port): tests and several archives on one machine.
    if (a.http_port >= 0) c.http.port = static_cast<std::uint16_t>(a.http_port);
    else if (c.port == 0 && !c.http.port_given) c.http.port = 0;
    if (a.no_http) c.http.enabled = false;
    if (a.hl7_port >= 0) c.hl7.port = static_cast<std::uint16_t>(a.hl7_port);
    for (const auto& t : a.http_tokens) {
        if (t.size() < 16) return make_error(ErrorCode::InvalidValue, "--http-token: at least 16 characters");
        c.http.tokens.push_back({"token", t, "admin"});
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

std::string tls_peer_note(const sapp::Config& c) {
    std::string s = " (TLS: verified against " + (c.tls.ca.empty() ? std::string("the system's CAs") : c.tls.ca) +
                    (c.tls.certificate.empty() ? ", no client certificate" : ", our certificate as the client's");
    if (c.tls_port && !c.port_tls) s += "; refused on the plain port";
    else if (!sapp::listens_tls(c)) s += "; serve has no TLS port, so it is accepted on the plain one";
    return s + ")";
}

/// "I: port 11112: DICOM; port 2762: DICOM over TLS (...)" for the log and --check-config.
void print_ports(const sapp::Config& c, std::uint16_t port, std::uint16_t tls_port) {
    std::string tls;
    if (sapp::listens_tls(c)) {
        tls = " (certificate " + c.tls.certificate + (c.tls.private_key.empty() ? "" : ", key " + c.tls.private_key) +
              "; client certificates " +
              (c.tls.require_client_cert
                   ? "required, verified against " + (c.tls.ca.empty() ? std::string("the system's CAs") : c.tls.ca)
                   : std::string("not asked for")) +
              ")";
    }
    if (c.port_tls) {
        log::info("port {}: DICOM over TLS{}", port, tls.c_str());
    } else {
        log::info("port {}: DICOM (plain, no TLS)", port);
    }
    if (c.tls_port) log::info("port {}: DICOM over TLS{}", tls_port, tls.c_str());
}

void print_peers(const sapp::Config& c) {
    if (c.peers.empty()) log::info("no peers configured");
    for (const auto& p : c.peers) {
        std::string allow;
        for (const auto& s : p.allow) allow += (allow.empty() ? "" : ",") + s;
        log::info("peer {} at {}:{} may {}{}{}", p.ae_title.c_str(), p.host.c_str(), p.port,
                     allow.empty() ? "nothing" : allow.c_str(), p.tls ? tls_peer_note(c).c_str() : "",
                     p.deidentify.empty() ? "" : ("; gets de-identified copies (" + p.deidentify + ")").c_str());
    }
    log::info("unknown calling AEs are {}", c.accept_unknown ? "accepted" : "refused");
    if (c.accept_unknown_sop_classes) log::info("SOP classes the dictionary does not know are accepted for storage");
    if (c.accept_any_called_ae) {
        log::info("any called AE title is accepted");
    } else {
        std::string titles = c.ae_title;
        for (const auto& t : c.called_ae_titles) titles += ", " + t;
        log::info("called AE titles accepted: {} (others are rejected)", titles.c_str());
    }
    log::info("a second copy of a stored SOP Instance UID is {} (duplicates = {})",
                 c.duplicates == server::index::DuplicatePolicy::Keep      ? "dropped, the stored copy kept"
                 : c.duplicates == server::index::DuplicatePolicy::Reject ? "refused"
                                                                           : "stored in place of the old one",
                 std::string(sapp::to_string(c.duplicates)).c_str());
    if (c.min_free_mb > 0)
        log::info("stores are refused while less than {} MiB are free in {} (min_free_mb)",
                     static_cast<unsigned long long>(c.min_free_mb), c.data.c_str());
    else
        log::info("no free-space reserve (min_free_mb = 0): a full disk fails stores as they come");
}

int run_serve(const ServeArgs& a) {
    if (!a.hash_password.empty()) {
        std::printf("%s\n", server::web::hash_password(a.hash_password).c_str());
        return 0;
    }
    auto c = build_config(a);
    if (!c) {
        log::error("{}", c.error().message.c_str());
        return 1;
    }
    if (auto r = apply_log_settings(c->log.level, c->log.format, c->log.file); !r) {
        log::error("{}", r.error().message);
        return 1;
    }
    if (a.conformance) {
        // The statement of this configuration; nothing is opened or started.
        const pixel::CodecRegistry codecs = pixel::standard_codecs();
        sapp::ConformanceFacts f;
        f.config = &*c;
        f.codecs = &codecs;
        f.index_description = sapp::describe_index(*c);
        std::fputs(sapp::conformance_statement(f, a.format == "html" ? sapp::DocumentFormat::Html
                                                                      : sapp::DocumentFormat::Markdown)
                       .c_str(),
                   stdout);
        return 0;
    }
    if (a.check_config) {
        if (auto t = sapp::check_tls(*c); !t) {
            log::error("{}", t.error().message.c_str());
            return 1;
        }
        if (auto d = sapp::check_peer_recipes(*c); !d) {
            log::error("{}", d.error().message.c_str());
            return 1;
        }
        log::info("configuration is valid: AE {}, port {}{}, data {}", c->ae_title.c_str(), c->port,
                     c->port_tls ? " (TLS)" : "", c->data.c_str());
        print_ports(*c, c->port, c->tls_port.value_or(0));
        if (c->hl7.port)
            log::info("port {}: HL7 v2 over MLLP (messages up to {} bytes)", *c->hl7.port, c->hl7.max_message_bytes);
        log::info("index: {}", sapp::describe_index(*c).c_str());
        print_peers(*c);
        return 0;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    sapp::ServerAppOptions o;
    o.bind = a.bind;
    o.durable = !a.no_fsync;
    o.reconcile = a.reconcile;
    auto app = sapp::ServerApp::start(*c, o);
    if (!app) {
        log::error("cannot start: {}", app.error().to_string().c_str());
        return 1;
    }
    log::info("listening on {}:{}{} as {}, data in {}", a.bind.c_str(), (*app)->port(),
                 c->port_tls ? " (TLS)" : "", c->ae_title.c_str(), c->data.c_str());
    print_ports(*c, (*app)->port(), (*app)->tls_port());
    if (c->http.enabled)
        log::info("port {}: HTTP{} (DICOMweb at /dicom-web, the page at /{})", (*app)->http_port(),
                  c->http.tls ? "S" : "", c->http.auth ? "" : "; authentication off");
    if (c->hl7.port)
        log::info("port {}: HL7 v2 over MLLP (messages up to {} bytes)", (*app)->hl7_port(), c->hl7.max_message_bytes);
    log::info("index: {}", (*app)->index_description().c_str());
    print_peers(*c);
    int sig = 0;
    // SIGHUP: the log file opened again by its name (after logrotate moved it).
    while (sigwait(&stop_signals, &sig) == 0 && sig == SIGHUP) {
        if (auto r = log::reopen(); !r) log::error("{}", r.error().message);
        else log::info("signal {}: log file reopened", sig);
    }
    log::info("signal {}: stopping", sig);
    (*app)->stop();
    return 0;
}

}  // namespace

void add_serve(CLI::App& app, Action& run) {
    auto a = std::make_shared<ServeArgs>();
    CLI::App* cmd = app.add_subcommand(
        "serve", "Archive: verification (C-ECHO), storage (C-STORE), query and retrieve (C-FIND, C-MOVE, C-GET), "
                 "over TLS too");
    cmd->footer(
        "Services:\n"
        "  C-ECHO       Verification\n"
        "  C-STORE      the storage SOP classes (the non-patient objects' too) into storage and the index\n"
        "  C-FIND       Patient Root and Study Root Query/Retrieve (relational when negotiated)\n"
        "  C-MOVE       Patient Root and Study Root, to peers allowed move-destination\n"
        "  C-GET        Patient Root and Study Root, over the requesting association\n"
        "  non-patient  C-FIND, C-MOVE and C-GET of Hanging Protocol, Color Palette, Generic Implant\n"
        "               Template, Implant Assembly Template, Implant Template Group, Defined Procedure\n"
        "               Protocol and Protocol Approval objects (PS3.4 U, X, BB, CC, DD, HH)\n"
        "  TLS          DICOM over TLS (PS3.15 B.1) on --port (--tls) or beside it (--tls-port)\n"
        "Logging: --log-level, --log-format text|json, --log-file (reopened on SIGHUP), or [log]; event\n"
        "lines on stdout and the rest on stderr without a log file.");
    cmd->add_option("--aet,-a", a->aet, "Our AE title (default DICOMKIT)");
    cmd->add_option("--port,-p", a->port, "Port to listen on (default 11112; 0: any free port)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--data,-d", a->data, "Folder for storage/ and index.db (default ./var)");
    cmd->add_option("--index-url", a->index_url,
                    "Keep the index in PostgreSQL: postgresql://USER@HOST:PORT/DB or a libpq conninfo "
                    "(several nodes may share it and one --data folder)");
    cmd->add_option("--peer", a->peers, "A known peer AE=HOST:PORT, allowed every service (repeatable)");
    cmd->add_flag("--accept-unknown", a->accept_unknown, "Let calling AEs that are not configured store and query");
    cmd->add_flag("--promiscuous", a->promiscuous,
                  "Also store SOP classes the dictionary does not know (private classes, 2.25 UIDs; default: known "
                  "storage SOP classes only), as [storage] accept_unknown_sop_classes = true");
    cmd->add_flag("--accept-any-called-ae", a->accept_any_called_ae,
                  "Accept associations whatever Called AE Title they ask for (default: only --aet and [server] "
                  "called_ae_titles; others are rejected, reason 7), as [server] accept_any_called_ae");
    cmd->add_flag("--tls", a->tls, "The --port speaks DICOM over TLS (PS3.15 B.1), as [server] tls = true");
    cmd->add_option("--tls-port", a->tls_port,
                    "Also listen with TLS on this port (IANA's DICOM TLS port is 2762; 0: any free port), as "
                    "[server] tls_port")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--cert", a->cert, "TLS: our certificate (PEM), as [tls] certificate");
    cmd->add_option("--key", a->key, "TLS: our private key (PEM), as [tls] private_key");
    cmd->add_option("--ca", a->ca,
                    "TLS: trusted CA certificates (PEM) for client certificates and TLS peers, as [tls] ca");
    cmd->add_flag_function(
        "--require-client-cert,!--no-require-client-cert",
        [a](std::int64_t n) { a->require_client_cert = n > 0 ? 1 : 0; },
        "TLS clients must present a certificate signed by --ca (the default), or none is asked for");
    cmd->add_option("--http-port", a->http_port,
                    "HTTP port for DICOMweb, the REST API and the page (default 8042; 0: any free port, the "
                    "default when --port is 0)");
    cmd->add_option("--http-token", a->http_tokens,
                    "A Bearer token with the admin role for scripts (repeatable; at least 16 characters)");
    cmd->add_flag("--no-http", a->no_http, "No HTTP port");
    cmd->add_option("--hl7-port", a->hl7_port,
                    "MLLP port for HL7 v2 orders and patient updates, as [hl7] port (off by default; 0: any free port)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--hash-password", a->hash_password,
                    "Print the password_hash of this password for [[http.users]] and exit");
    cmd->add_option("--config,-c", a->config, "TOML configuration file (flags override it)");
    cmd->add_flag("--check-config", a->check_config, "Check the configuration and exit");
    cmd->add_flag("--conformance", a->conformance,
                  "Print the DICOM Conformance Statement of this configuration (PS3.2) and exit");
    cmd->add_option("--format", a->format, "--conformance: md (Markdown, default) or html")
        ->check(CLI::IsMember({"md", "html"}));
    cmd->add_option("--bind", a->bind, "Address to listen on")->capture_default_str();
    cmd->add_flag("--no-fsync", a->no_fsync, "Do not fsync stored files before answering");
    cmd->add_flag("--lenient-uids", a->lenient_uids,
                  "Store instances whose UIDs break PS3.5 9.1 (refused by default, status 0xA900); "
                  "log lines escape them");
    cmd->add_option("--duplicates", a->duplicates,
                    "A second copy of a stored SOP Instance UID: keep (drop the new one), replace (default) or "
                    "reject (refuse it, status 0x0124)")
        ->check(CLI::IsMember({"keep", "replace", "reject"}));
    cmd->add_option("--min-free-mb", a->min_free_mb,
                    "Refuse stores (0xA700) while less than this many MiB are free in --data, keeping room for "
                    "the index (default 64; 0: no reserve), as [storage] min_free_mb")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 40));
    cmd->add_option("--ingest-transfer-syntax", a->ingest_transfer_syntax,
                    "Transcode received instances to this transfer syntax (UID, keyword or alias, e.g. jpeg-ls) "
                    "before storing them, as [storage] ingest_transfer_syntax; lossy ones only with "
                    "[storage] ingest_allow_lossy = true");
    cmd->add_flag("--reconcile", a->reconcile,
                  "Reconcile index and storage at start even after a clean stop (always done after a crash)");
    cmd->callback([a, &run] { run = [a] { return run_serve(*a); }; });
}

}  // namespace dicomkit::cli
