// dcmjs-dimse (tests/support/node/dimse_commitment.js) as a Storage Commitment SCU against a
// dicomkit SCP on 127.0.0.1: its N-ACTION-RQ is answered, and the N-EVENT-REPORT-RQ the SCP sends
// back on the same association reaches it and is answered with Success.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "commitment_scp.hpp"

using namespace dicomkit;

namespace {

/// Runs `command`, returning its exit status and standard output.
std::pair<int, std::string> run(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return {-1, out};
    std::array<char, 512> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), p)) out += buf.data();
    const int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace

TEST(DcmjsDimse, StorageCommitmentScuGetsTheEventReportOnTheSameAssociation) {
    const std::string dir = DICOMKIT_NODE_DIR;
    ASSERT_TRUE(std::filesystem::exists(dir + "/node_modules/dcmjs-dimse"))
        << "dcmjs-dimse is not installed: run scripts/bootstrap.sh (npm ci in tests/support/node)";
    test::CommitmentServer server;
    ASSERT_TRUE(server.server);
    const std::string cmd = std::string(DICOMKIT_NODE) + " " + dir + "/dimse_commitment.js 127.0.0.1 " +
                            std::to_string(server.server->port()) + " DCMJS COMMITSCP 2.25.4242 1.2.3.4 1.2.3.5 1.2.3.6";
    auto [rc, out] = run(cmd);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("N-ACTION\t0x0000\n"), std::string::npos) << out;
    EXPECT_NE(out.find("N-EVENT-REPORT\t1\t2.25.4242\t3\t0\n"), std::string::npos) << out;
    EXPECT_EQ(server.scp->wait_report(), net::dimse::status::Success);
    std::lock_guard lock(server.scp->m);
    EXPECT_EQ(server.scp->transaction, "2.25.4242");
    EXPECT_EQ(server.scp->references, 3u);
}
