// `dicomkit echo`: C-ECHO against a peer (like DCMTK echoscu), printing each round-trip time.
#include <cstdio>
#include <memory>
#include <string>

#include <dicomkit/base/log.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>

#include "commands.hpp"
#include "net_common.hpp"

namespace dicomkit::cli {

namespace {

struct EchoArgs {
    std::string host;
    std::uint16_t port = 104;
    int count = 1;
    NetArgs net;
};

int run_echo(const EchoArgs& a) {
    net::ul::AssociationRequest rq;
    rq.calling_ae = a.net.aet;
    rq.called_ae = a.net.aec;
    rq.contexts.push_back({1, std::string(net::dimse::kVerificationSopClass),
                           {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}});
    net::ul::FailureKind kind = net::ul::FailureKind::None;
    auto assoc = net::ul::Association::request({a.host, a.port}, rq, association_options(a.net), &kind);
    if (!assoc) {
        log::error("{}:{}: {}", a.host.c_str(), a.port, failure_text(kind, assoc.error()).c_str());
        return 1;
    }
    int rc = 0;
    for (int i = 1; i <= a.count; ++i) {
        auto r = net::dimse::echo(*assoc, static_cast<std::uint16_t>(i));
        if (!r) {
            log::error("C-ECHO {}: {}", i, r.error().to_string().c_str());
            return 1;
        }
        double ms = static_cast<double>(r->round_trip.count()) / 1000.0;
        std::string st = net::dimse::describe_status(r->status, net::dimse::CommandField::C_ECHO_RSP);
        std::printf("C-ECHO %d: %s, %.3f ms\n", i, st.c_str(), ms);
        std::fflush(stdout);
        if (r->status != net::dimse::status::Success) rc = 1;
    }
    if (auto r = assoc->release(); !r) log::warn("release: {}", r.error().to_string().c_str());
    return rc;
}

}  // namespace

void add_echo(CLI::App& app, Action& run) {
    auto a = std::make_shared<EchoArgs>();
    CLI::App* cmd = app.add_subcommand("echo", "Verify a DICOM peer with C-ECHO (like echoscu)");
    cmd->add_option("host", a->host, "Peer host name or address")->required();
    cmd->add_option("port", a->port, "Peer port")->required();
    cmd->add_option("--count,-c", a->count, "Number of C-ECHO requests on the association")
        ->check(CLI::Range(1, 65535))
        ->capture_default_str();
    add_net_options(cmd, a->net, true);
    cmd->callback([a, &run] { run = [a] { return run_echo(*a); }; });
}

}  // namespace dicomkit::cli
