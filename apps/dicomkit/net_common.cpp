// Options and messages shared by the network subcommands.
#include "net_common.hpp"

#include <cstdio>
#include <cstring>
#include <mutex>

namespace dicomkit::cli {

void add_net_options(CLI::App* cmd, NetArgs& a, bool requestor) {
    cmd->add_option("--aet", a.aet, "Own AE title (DCMTK: -aet)")->capture_default_str();
    if (requestor) cmd->add_option("--aec", a.aec, "Called AE title (DCMTK: -aec)")->capture_default_str();
    cmd->add_option("--timeout", a.timeout_s, "Time limit in seconds for connecting, association and each DIMSE step")
        ->capture_default_str();
    cmd->add_flag("--trace", a.trace, "Print PDUs and DIMSE messages in human form to standard error");
    cmd->add_flag("--tls", a.tls, "Use TLS (PS3.15 B.1)");
    cmd->add_option("--cert", a.cert, "TLS certificate (PEM)");
    cmd->add_option("--key", a.key, "TLS private key (PEM)");
    cmd->add_option("--ca", a.ca, "Trusted CA certificates (PEM)");
    cmd->add_flag("--no-verify", a.no_verify, "TLS: do not verify the peer's certificate");
}

net::ul::AssociationOptions association_options(const NetArgs& a) {
    net::ul::AssociationOptions o;
    auto ms = net::ul::Millis(static_cast<long long>(a.timeout_s * 1000));
    o.timeouts.connect = ms;
    o.timeouts.acse = ms;
    o.timeouts.dimse = ms;
    if (a.trace) {
        o.trace = [](std::string_view line) {
            static std::mutex m;
            std::lock_guard lock(m);
            std::fprintf(stderr, "T: %.*s\n", static_cast<int>(line.size()), line.data());
        };
    }
    if (a.tls) {
        net::ul::TlsConfig t;
        t.certificate_file = a.cert;
        t.private_key_file = a.key;
        t.ca_file = a.ca;
        t.verify_peer = !a.no_verify;
        o.tls = t;
    }
    return o;
}

std::string failure_text(net::ul::FailureKind kind, const Error& e) {
    using K = net::ul::FailureKind;
    std::string what;
    switch (kind) {
        case K::Refused: what = "connection refused"; break;
        case K::Rejected: what = "association rejected"; break;
        case K::Aborted: what = "association aborted"; break;
        case K::Timeout: what = "timeout"; break;
        case K::ProtocolError: what = "protocol error"; break;
        case K::Closed:
        case K::Empty: what = "connection closed"; break;
        case K::Io: what = "I/O error"; break;
        case K::None: break;
    }
    std::string msg = e.to_string();
    if (what.empty()) return msg;
    return what + ": " + msg;
}

void rewrite_dcmtk_flags(int argc, char** argv) {
    static std::string storage[2] = {"--aet", "--aec"};
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "-aet") == 0) argv[i] = storage[0].data();
        else if (std::strcmp(argv[i], "-aec") == 0) argv[i] = storage[1].data();
    }
}

}  // namespace dicomkit::cli
