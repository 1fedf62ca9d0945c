// TLS (PS3.15 B.1) both ways with certificates made at test time by the openssl command.
#include <cstdlib>
#include <filesystem>

#include <unistd.h>

#include "ul_test_util.hpp"

namespace dicomkit::net::ul {
namespace {

using namespace test;
namespace fs = std::filesystem;

/// A self-signed certificate and key for the server and one for the client, in a temp folder.
struct Certificates {
    fs::path dir;
    std::string server_cert, server_key, client_cert, client_key;
    bool ok = false;
};

bool make_certificate(const fs::path& cert, const fs::path& key) {
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout '" +
                            key.string() + "' -out '" + cert.string() + "' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0 && fs::exists(cert) && fs::exists(key);
}

class Tls : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        certs_ = new Certificates;
        certs_->dir = fs::temp_directory_path() / ("dicomkit_ul_tls_" + std::to_string(::getpid()));
        fs::create_directories(certs_->dir);
        certs_->server_cert = (certs_->dir / "server.crt").string();
        certs_->server_key = (certs_->dir / "server.key").string();
        certs_->client_cert = (certs_->dir / "client.crt").string();
        certs_->client_key = (certs_->dir / "client.key").string();
        certs_->ok = make_certificate(certs_->server_cert, certs_->server_key) &&
                     make_certificate(certs_->client_cert, certs_->client_key);
    }
    static void TearDownTestSuite() {
        std::error_code ignored;
        fs::remove_all(certs_->dir, ignored);
        delete certs_;
        certs_ = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(certs_->ok) << "openssl could not make certificates"; }

    static ServerOptions tls_server(bool verify_client) {
        ServerOptions o = local_server_options();
        o.association.tls = TlsConfig{certs_->server_cert, certs_->server_key, certs_->client_cert,
                                      verify_client, ""};
        return o;
    }
    static AssociationOptions tls_client(bool with_certificate, const std::string& trusted) {
        AssociationOptions o = client_options();
        o.tls = TlsConfig{};
        o.tls->ca_file = trusted;
        o.tls->verify_peer = true;
        if (with_certificate) {
            o.tls->certificate_file = certs_->client_cert;
            o.tls->private_key_file = certs_->client_key;
        }
        return o;
    }

    static inline Certificates* certs_ = nullptr;
};

std::unique_ptr<Server> start_echo_server(Recorder& rec, ServerOptions o) {
    auto s = Server::start(std::move(o), [&rec](Association& a) { echo_until_end(a, rec); });
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
    return s ? std::move(*s) : nullptr;
}

TEST_F(Tls, EchoOverTls) {
    Recorder rec;
    auto server = start_echo_server(rec, tls_server(false));
    ASSERT_TRUE(server);
    auto a = Association::request({"127.0.0.1", server->port()}, echo_request(),
                                  tls_client(false, certs_->server_cert));
    ASSERT_TRUE(a) << a.error().to_string();
    ASSERT_TRUE(a->send(pdata_of(70'000 / 2)));
    auto in = a->receive(3s);
    ASSERT_TRUE(in) << in.error().to_string();
    ASSERT_EQ(in->kind, Incoming::Kind::PData);
    EXPECT_EQ(in->owned(), pdata_of(70'000 / 2));
    ASSERT_TRUE(a->release());
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"released"});
}

TEST_F(Tls, ClientRefusesUntrustedServer) {
    Recorder rec;
    auto server = start_echo_server(rec, tls_server(false));
    ASSERT_TRUE(server);
    // Trusting only the client's own certificate: the server's does not verify.
    auto a = Association::request({"127.0.0.1", server->port()}, echo_request(),
                                  tls_client(false, certs_->client_cert));
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("certificate"), std::string::npos) << a.error().to_string();
    EXPECT_TRUE(rec.events().empty());
}

TEST_F(Tls, ServerRequiresClientCertificate) {
    Recorder rec;
    auto server = start_echo_server(rec, tls_server(true));
    ASSERT_TRUE(server);
    auto without = Association::request({"127.0.0.1", server->port()}, echo_request(),
                                        tls_client(false, certs_->server_cert));
    EXPECT_FALSE(without);
    EXPECT_TRUE(rec.events().empty());
    auto with = Association::request({"127.0.0.1", server->port()}, echo_request(),
                                     tls_client(true, certs_->server_cert));
    ASSERT_TRUE(with) << with.error().to_string();
    ASSERT_TRUE(with->release());
    EXPECT_EQ(rec.wait_for(1), std::vector<std::string>{"released"});
}

TEST_F(Tls, PlainClientGetsNowhere) {
    Recorder rec;
    auto server = start_echo_server(rec, tls_server(false));
    ASSERT_TRUE(server);
    FailureKind why = FailureKind::None;
    auto a = Association::request({"127.0.0.1", server->port()}, echo_request(), client_options(), &why);
    EXPECT_FALSE(a);
    EXPECT_NE(why, FailureKind::None);
    EXPECT_TRUE(rec.events().empty());
}

TEST_F(Tls, ServerNeedsACertificate) {
    ServerOptions o = local_server_options();
    o.association.tls = TlsConfig{};
    auto s = Server::start(o, [](Association&) {});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument);
    o.association.tls->certificate_file = "/nonexistent/cert.pem";
    EXPECT_FALSE(Server::start(o, [](Association&) {}));
}

}  // namespace
}  // namespace dicomkit::net::ul
