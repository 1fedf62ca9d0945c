// DCMTK's echoscu against a dicomkit Server answering C-ECHO (plain TCP, TLS, and a rejection).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>
#include <unistd.h>

#include <dicomkit/net/dimse/command.hpp>

#include "ul_test_util.hpp"

namespace dicomkit::net::ul {
namespace {

using namespace test;
namespace fs = std::filesystem;

/// Answers each C-ECHO-RQ with C-ECHO-RSP Success (PS3.7 9.3.5) until the peer releases.
void answer_echoes(Association& a, Recorder& rec) {
    pdu::Bytes command;
    for (int i = 0; i < 1000; ++i) {
        auto in = a.receive(10s);
        if (!in) return rec.add("error: " + in.error().message);
        if (in->kind == Incoming::Kind::ReleaseRequested)
            return rec.add(a.confirm_release() ? "released" : "release error");
        if (in->kind != Incoming::Kind::PData) return rec.add("ended");
        for (const pdu::PdvView& pdv : in->pdvs) {
            if (!pdv.command) continue;
            command.insert(command.end(), pdv.data.begin(), pdv.data.end());
            if (!pdv.last) continue;
            auto rq = dimse::decode(command);
            command.clear();
            if (!rq || rq->field != dimse::CommandField::C_ECHO_RQ) return rec.add("bad command");
            auto rsp = dimse::encode(dimse::Command::response(*rq, 0x0000));
            if (!rsp) return rec.add("encode error");
            pdu::PDataTf out;
            out.pdvs.push_back({pdv.context_id, true, true, *rsp});
            if (!a.send(out)) return rec.add("send error");
            rec.add("echo");
        }
    }
}

struct ToolRun {
    int status = -1;
    std::string output;
};

/// Runs a shell command with DCMTK's TCP_NODELAY set, capturing its output.
ToolRun run(const std::string& args, const fs::path& out) {
    const std::string cmd = "TCP_NODELAY=1 timeout 30 " + args + " >'" + out.string() + "' 2>&1";
    ToolRun r;
    const int raw = std::system(cmd.c_str());
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    r.output = ss.str();
    return r;
}

class EchoScu : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::system("command -v echoscu >/dev/null 2>&1") != 0) GTEST_SKIP() << "no echoscu (dcmtk)";
        dir_ = fs::temp_directory_path() / ("dicomkit_ul_interop_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        if (!dir_.empty()) fs::remove_all(dir_, ignored);
    }
    std::unique_ptr<Server> start(Recorder& rec, ServerOptions o) {
        auto s = Server::start(std::move(o), [&rec](Association& a) { answer_echoes(a, rec); });
        EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
        return s ? std::move(*s) : nullptr;
    }
    bool make_certificate(const std::string& name) {
        const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout '" +
                                path(name + ".key") + "' -out '" + path(name + ".crt") + "' >/dev/null 2>&1";
        return std::system(cmd.c_str()) == 0;
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
};

TEST_F(EchoScu, PlainEcho) {
    Recorder rec;
    auto server = start(rec, local_server_options());
    ASSERT_TRUE(server);
    const ToolRun r = run("echoscu -aet ECHOSCU -aec TESTSCP 127.0.0.1 " + std::to_string(server->port()),
                      path("out.txt"));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(rec.wait_for(2), (std::vector<std::string>{"echo", "released"})) << r.output;
}

TEST_F(EchoScu, RepeatedEchoes) {
    Recorder rec;
    auto server = start(rec, local_server_options());
    ASSERT_TRUE(server);
    const ToolRun r = run("echoscu -aet ECHOSCU -aec TESTSCP --repeat 3 127.0.0.1 " + std::to_string(server->port()),
                      path("out.txt"));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(rec.wait_for(4), (std::vector<std::string>{"echo", "echo", "echo", "released"}));
}

TEST_F(EchoScu, WrongCalledAeIsRejected) {
    Recorder rec;
    auto server = start(rec, local_server_options());
    ASSERT_TRUE(server);
    const ToolRun r = run("echoscu -aet ECHOSCU -aec WRONG 127.0.0.1 " + std::to_string(server->port()),
                      path("out.txt"));
    EXPECT_NE(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("Rejected"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Called AE Title Not Recognized"), std::string::npos) << r.output;
    EXPECT_TRUE(rec.events().empty());
}

TEST_F(EchoScu, EchoOverTlsBothWaysVerified) {
    ASSERT_TRUE(make_certificate("server") && make_certificate("client"));
    Recorder rec;
    ServerOptions o = local_server_options();
    o.association.tls = TlsConfig{path("server.crt"), path("server.key"), path("client.crt"), true, ""};
    auto server = start(rec, std::move(o));
    ASSERT_TRUE(server);
    const std::string port = std::to_string(server->port());
    const ToolRun r = run("echoscu +tls '" + path("client.key") + "' '" + path("client.crt") + "' +cf '" +
                          path("server.crt") + "' -aet ECHOSCU -aec TESTSCP 127.0.0.1 " + port,
                      path("out.txt"));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(rec.wait_for(2), (std::vector<std::string>{"echo", "released"})) << r.output;
    // Without TLS against the TLS port: no association.
    const ToolRun plain = run("echoscu -aet ECHOSCU -aec TESTSCP 127.0.0.1 " + port, path("plain.txt"));
    EXPECT_NE(plain.status, 0) << plain.output;
    EXPECT_EQ(rec.events().size(), 2u);
}

}  // namespace
}  // namespace dicomkit::net::ul
