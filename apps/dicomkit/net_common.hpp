// Options and messages shared by the network subcommands (echo, send, receive): AE titles,
// timeouts, TLS, --trace, and the text of association failures.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/ul/association.hpp>

namespace dicomkit::cli {

struct NetArgs {
    std::string aet = "DICOMKIT";  ///< our AE title (calling, or the SCP's own)
    std::string aec = "ANY-SCP";   ///< the called AE title (requestor only)
    double timeout_s = 30;         ///< connect, ACSE and DIMSE time limit
    bool trace = false;
    bool tls = false;
    std::string cert, key, ca;
    bool no_verify = false;
};

/// Adds -aet/--aet, (-aec/--aec when `requestor`), --timeout, --trace and the TLS options.
void add_net_options(CLI::App* cmd, NetArgs& a, bool requestor);
/// Association options from the arguments (trace lines go to standard error).
[[nodiscard]] net::ul::AssociationOptions association_options(const NetArgs& a);
/// "connection refused", "association rejected: ...", "timeout": for E: lines.
[[nodiscard]] std::string failure_text(net::ul::FailureKind kind, const Error& e);
/// Rewrites DCMTK-style single-dash long options (-aet, -aec) as --aet, --aec for CLI11.
void rewrite_dcmtk_flags(int argc, char** argv);

}  // namespace dicomkit::cli
