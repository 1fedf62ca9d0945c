// Server configuration: the TOML file, its error messages, --peer flags and access decisions.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <dicomkit/server/app/config.hpp>
#include <unistd.h>

namespace dicomkit::server::app {
namespace {

std::string write(const std::string& name, const std::string& text) {
    const auto p = std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()) + ".toml");
    std::ofstream(p) << text;
    return p.string();
}

TEST(Config, ReadsServerAndPeers) {
    const auto path = write("ok", R"([server]
ae_title = "ARCHIVE"
port = 4242
data = "/srv/dicom"

[[peers]]
ae_title = "CT1"
host = "10.0.0.5"
port = 104
allow = ["store"]

[[peers]]
ae_title = "WS"
host = "10.0.0.9"
port = 11112
allow = ["query", "retrieve"]
)");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->ae_title, "ARCHIVE");
    EXPECT_EQ(c->port, 4242);
    EXPECT_EQ(c->data, "/srv/dicom");
    ASSERT_EQ(c->peers.size(), 2u);
    EXPECT_EQ(c->peers[1].host, "10.0.0.9");
    EXPECT_TRUE(allowed(*c, "CT1", "store"));
    EXPECT_FALSE(allowed(*c, "CT1", "query"));
    EXPECT_TRUE(allowed(*c, "WS  ", "query"));
    EXPECT_FALSE(allowed(*c, "OTHER", "store"));
    c->accept_unknown = true;
    EXPECT_TRUE(allowed(*c, "OTHER", "store"));
    EXPECT_FALSE(allowed(*c, "CT1", "query")) << "a known peer keeps its own rights";
    const auto policy = access_policy(*c, 2762);
    EXPECT_TRUE(policy.accept_unknown);
    EXPECT_EQ(policy.tls_port, 2762);
    ASSERT_EQ(policy.peers.size(), 2u);
    EXPECT_EQ(policy.peers[1].ae_title, "WS");
    EXPECT_EQ(policy.peers[1].host, "10.0.0.9");
    EXPECT_EQ(policy.peers[1].allow, (std::vector<service::Action>{service::Action::Query, service::Action::Retrieve}));
    std::filesystem::remove(path);
}

// A peer with check_address = true is trusted only from its host (an address or a name).
TEST(Config, CheckAddressTiesAnAeTitleToItsHost) {
    const auto path = write("addr", R"([[peers]]
ae_title = "CT1"
host = "127.0.0.2"
check_address = true
allow = ["store"]

[[peers]]
ae_title = "WS"
host = "localhost"
check_address = true
allow = ["query"]

[[peers]]
ae_title = "V6"
host = "::1"
check_address = true
allow = ["query"]

[[peers]]
ae_title = "ANY"
host = "10.9.9.9"
allow = ["query"]
)");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->peers[0].check_address);
    EXPECT_FALSE(c->peers[3].check_address);
    EXPECT_TRUE(address_allowed(*c, "CT1", "127.0.0.2:40000"));
    EXPECT_FALSE(address_allowed(*c, "CT1", "127.0.0.1:40000")) << "right AE title, wrong address";
    EXPECT_FALSE(address_allowed(*c, "CT1 ", "[::1]:40000"));
    EXPECT_TRUE(address_allowed(*c, "CT1", "[::ffff:127.0.0.2]:40000")) << "IPv4-mapped IPv6";
    EXPECT_TRUE(address_allowed(*c, "WS", "127.0.0.1:1234")) << "localhost resolves to it";
    EXPECT_FALSE(address_allowed(*c, "WS", "127.0.0.3:1234"));
    EXPECT_TRUE(address_allowed(*c, "V6", "[::1]:5"));
    EXPECT_FALSE(address_allowed(*c, "V6", "127.0.0.1:5"));
    EXPECT_TRUE(address_allowed(*c, "ANY", "192.0.2.1:5")) << "no check_address: the AE title is enough";
    EXPECT_TRUE(address_allowed(*c, "UNKNOWN", "192.0.2.1:5")) << "unknown AEs: allowed() decides";
    std::filesystem::remove(path);

    const auto bad = write("addr_bad", R"([[peers]]
ae_title = "CT1"
check_address = "yes"
)");
    auto e = load_config(bad);
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("check_address: expected true or false"), std::string::npos) << e.error().message;
    std::filesystem::remove(bad);
}

TEST(Config, ATableHeaderWithoutAKeyIsAnError) {
    const auto bad = write("header_nokey", "[server]\nae_title = \"A\"\n[[\n");
    auto e = load_config(bad);
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find(":3:"), std::string::npos) << e.error().message;
    std::filesystem::remove(bad);
}

TEST(Config, CalledAeTitles) {
    // By default only ae_title is answered to (PS3.8 9.3.4: others are rejected, reason 7).
    auto plain = load_config(write("called0", "[server]\nae_title = \"ARCHIVE\"\n"));
    ASSERT_TRUE(plain) << plain.error().to_string();
    EXPECT_FALSE(plain->accept_any_called_ae);
    EXPECT_TRUE(plain->called_ae_titles.empty());
    auto c = load_config(write("called1", R"([server]
ae_title = "ARCHIVE"
called_ae_titles = ["ALIAS", " OLD-NAME "]
accept_any_called_ae = true
)"));
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->accept_any_called_ae);
    EXPECT_EQ(c->called_ae_titles, (std::vector<std::string>{"ALIAS", "OLD-NAME"}));
    EXPECT_TRUE(validate(*c));
}

TEST(Config, Hl7PortOffByDefault) {
    auto plain = load_config(write("hl7_0", "[server]\nae_title = \"ARCHIVE\"\n"));
    ASSERT_TRUE(plain) << plain.error().to_string();
    EXPECT_FALSE(plain->hl7.port.has_value());
    EXPECT_EQ(plain->hl7.max_message_bytes, 1u << 20);
    auto c = load_config(write("hl7_1", "[hl7]\nport = 2575\nmax_message_bytes = 65536\n"));
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->hl7.port, std::optional<std::uint16_t>(2575));
    EXPECT_EQ(c->hl7.max_message_bytes, 65536u);
    auto bad = load_config(write("hl7_2", "[hl7]\nport = 70000\n"));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find(":2:8: hl7.port: expected a port number"), std::string::npos)
        << bad.error().message;
    auto unknown = load_config(write("hl7_3", "[hl7]\nmax_bytes = 1\n"));
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("unknown key hl7.max_bytes (port, max_message_bytes)"), std::string::npos);
    auto small = load_config(write("hl7_4", "[hl7]\nmax_message_bytes = 10\n"));
    ASSERT_FALSE(small);
}

TEST(Config, AuditSection) {
    auto off = load_config(write("audit_0", "[server]\nae_title = \"ARCHIVE\"\n"));
    ASSERT_TRUE(off) << off.error().to_string();
    EXPECT_FALSE(off->audit.enabled());
    const auto path = write("audit_1", "[audit]\nfile = \"audit.log\"\nfile_max_mb = 8\nsyslog = \"tls://[::1]:6514\"\n"
                                       "ca = \"/etc/ca.pem\"\nenterprise_site_id = \"Site\"\nsource_id = \"PACS1\"\nqueue = 50\n");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->audit.enabled());
    EXPECT_EQ(c->audit.file, (std::filesystem::path(path).parent_path() / "audit.log").string());
    EXPECT_EQ(c->audit.file_max_mb, 8u);
    EXPECT_EQ(c->audit.ca, "/etc/ca.pem");
    EXPECT_EQ(c->audit.source_id, "PACS1");
    EXPECT_EQ(c->audit.queue, 50u);
    auto t = parse_syslog_target(c->audit.syslog);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->scheme, "tls");
    EXPECT_EQ(t->host, "::1");
    EXPECT_EQ(t->port, 6514);
    auto bad = load_config(write("audit_2", "[audit]\nsyslog = \"http://host:514\"\n"));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find(":2:10: audit.syslog: unknown scheme http"), std::string::npos)
        << bad.error().message;
    EXPECT_FALSE(load_config(write("audit_3", "[audit]\nsyslog = \"udp://host\"\n")));
    EXPECT_FALSE(load_config(write("audit_4", "[audit]\nsyslog = \"udp://host:0\"\n")));
    EXPECT_FALSE(load_config(write("audit_5", "[audit]\ncert = \"c.pem\"\n")));  // without key
    auto unknown = load_config(write("audit_6", "[audit]\nhost = \"x\"\n"));
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("unknown key audit.host"), std::string::npos);
}

TEST(Config, CalledAeTitleErrorsNameTheLine) {
    auto expect = [](const std::string& text, const std::string& what) {
        auto c = load_config(write("called_bad", text));
        ASSERT_FALSE(c) << text;
        EXPECT_NE(c.error().message.find(what), std::string::npos) << c.error().message;
    };
    expect("[server]\ncalled_ae_titles = \"ALIAS\"\n", ":2:20: server.called_ae_titles: expected a list of AE titles");
    expect("[server]\ncalled_ae_titles = [\"A\", 7]\n", ":2:26: server.called_ae_titles: expected a list");
    expect("[server]\ncalled_ae_titles = [\"SEVENTEEN-LETTERS\"]\n", "'SEVENTEEN-LETTERS': an AE title is 1-16");
    expect("[server]\ncalled_ae_titles = [\"  \"]\n", "an AE title is 1-16 characters");
    expect("[server]\naccept_any_called_ae = 1\n", ":2:24: server.accept_any_called_ae: expected true or false");
    Config c;
    c.called_ae_titles = {"A\\B"};
    EXPECT_FALSE(validate(c));
}

/// deidentify and deidentify_key_file are taken from the config file's folder when relative.
TEST(Config, DeidentifyPathsAreBesideTheConfigFile) {
    const auto path = write("deid", R"([[peers]]
ae_title = "RESEARCH"
deidentify = "recipes/research.toml"
deidentify_key_file = "/etc/dicomkit/research.key"
[[peers]]
ae_title = "PACS"
)");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().message;
    ASSERT_EQ(c->peers.size(), 2u);
    const auto dir = std::filesystem::path(path).parent_path();
    EXPECT_EQ(c->peers[0].deidentify, (dir / "recipes/research.toml").string());
    EXPECT_EQ(c->peers[0].deidentify_key_file, "/etc/dicomkit/research.key");
    EXPECT_NE(c->peers[0].deidentify_from.find(":3:"), std::string::npos) << c->peers[0].deidentify_from;
    EXPECT_TRUE(c->peers[1].deidentify.empty());
    auto bad = [](const std::string& text, const std::string& want) {
        auto e = load_config(write("deid_bad", text));
        ASSERT_FALSE(e) << text;
        EXPECT_NE(e.error().message.find(want), std::string::npos) << e.error().message;
    };
    bad("[[peers]]\nae_title = \"R\"\ndeidentify = 1\n", ":3:14: peers[0].deidentify: expected a string");
    bad("[[peers]]\nae_title = \"R\"\ndeidentify = \"\"\n", "peers[0].deidentify: expected a file name");
    bad("[[peers]]\nae_title = \"R\"\ndeidentify_key_file = \"k\"\n", "deidentify_key_file needs deidentify");
    std::filesystem::remove(path);
}

TEST(Config, ErrorsNameTheLine) {
    auto check = [](const std::string& text, const std::string& want) {
        const auto path = write("bad", text);
        auto c = load_config(path);
        ASSERT_FALSE(c);
        EXPECT_NE(c.error().message.find(want), std::string::npos) << c.error().message;
        std::filesystem::remove(path);
    };
    check("[server]\nae_title = \"A\"\nport = 70000\n", ":3:");
    check("[server]\nport = 70000\n", "server.port");
    check("[server]\nae_titel = \"A\"\n", "unknown key server.ae_titel");
    check("[[peers]]\nae_title = \"X\"\nallow = [\"store\", \"delete\"]\n", ":3:");
    check("[[peers]]\nhost = \"h\"\n", "ae_title is required");
    check("[server\n", ":1:");
    check("[server]\nae_title = \"THIS_IS_TOO_LONG_FOR_AN_AE\"\n", "1-16");
    check("[index]\nbackend = \"mysql\"\n", ":2:11: index.backend: expected \"sqlite\" or \"postgres\"");
    check("[server]\nport = 1\n\n[index]\nbackend = \"postgres\"\n", ":4:1: index.url is required");
    check("[index]\nurl = \"postgresql://h/db\"\n", ":2:7: index.url: only with backend = \"postgres\"");
    check("[index]\nbackend = \"postgres\"\nurl = 5\n", ":3:7: index.url: expected a string");
    check("[index]\npath = \"x\"\n", ":2:8: unknown key index.path");
}

TEST(Config, IndexBackend) {
    const auto path = write("index", R"([server]
data = "/srv/dicom"

[index]
backend = "postgres"
url = "postgresql://dicomkit:secret@db.example:5433/archive"
)");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->index.backend, "postgres");
    EXPECT_EQ(c->index.url, "postgresql://dicomkit:secret@db.example:5433/archive");
    EXPECT_EQ(describe_index(*c), "postgres postgresql://dicomkit:***@db.example:5433/archive");
    std::filesystem::remove(path);
    Config d;
    d.data = "/srv/dicom";
    EXPECT_EQ(describe_index(d), "sqlite /srv/dicom/index.db") << "SQLite is the default";
}

TEST(Config, IndexNeedsAUrlWithPostgres) {
    Config c;
    c.index.backend = "postgres";
    EXPECT_FALSE(validate(c)) << "postgres needs a url";
    c.index.url = "host=db";
    EXPECT_TRUE(validate(c));
}

TEST(Config, PasswordsAreRedacted) {
    EXPECT_EQ(redact_password("postgresql://u:p%40ss@h:5432/db?sslmode=require&password=x2&a=b"),
              "postgresql://u:***@h:5432/db?sslmode=require&password=***&a=b");
    EXPECT_EQ(redact_password("postgres://u@h/db"), "postgres://u@h/db");
    EXPECT_EQ(redact_password("postgresql://h/db?password=only"), "postgresql://h/db?password=***");
    EXPECT_EQ(redact_password("host=h password=secret user=u"), "host=h password=*** user=u");
    EXPECT_EQ(redact_password("password = 'a \\' b' dbname=x"), "password = *** dbname=x");
    EXPECT_EQ(redact_password("host=h dbname=passwords"), "host=h dbname=passwords");
}

TEST(Config, DuplicatePolicy) {
    const auto path = write("dup", "[storage]\nduplicates = \"reject\"\n");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->duplicates, index::DuplicatePolicy::Reject);
    std::filesystem::remove(path);
    EXPECT_EQ(Config{}.duplicates, index::DuplicatePolicy::Replace) << "the default";
    for (const char* p : {"keep", "replace", "reject"}) {
        auto d = parse_duplicates(p);
        ASSERT_TRUE(d) << p;
        EXPECT_EQ(to_string(*d), p);
    }
    EXPECT_FALSE(parse_duplicates("overwrite"));

    auto check = [](const std::string& text, const std::string& want) {
        const auto path = write("baddup", text);
        auto c = load_config(path);
        ASSERT_FALSE(c);
        EXPECT_NE(c.error().message.find(want), std::string::npos) << c.error().message;
        std::filesystem::remove(path);
    };
    check("[server]\nport = 1\n\n[storage]\nduplicates = \"overwrite\"\n",
          ":5:14: storage.duplicates: expected \"keep\", \"replace\" or \"reject\"");
    check("[storage]\nduplicates = true\n", ":2:14: storage.duplicates");
    check("[storage]\nduplicate = \"keep\"\n", ":2:13: unknown key storage.duplicate");
    check("storage = 1\n", "storage: expected a table [storage]");
}

TEST(Config, LenientUids) {
    EXPECT_FALSE(Config{}.lenient_uids) << "invalid UIDs are refused by default";
    const auto path = write("lenient", "[storage]\nlenient_uids = true\nduplicates = \"keep\"\n");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->lenient_uids);
    EXPECT_EQ(c->duplicates, index::DuplicatePolicy::Keep);
    std::filesystem::remove(path);
    const auto bad = write("badlenient", "[storage]\nlenient_uids = \"yes\"\n");
    auto e = load_config(bad);
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find(":2:16: storage.lenient_uids: expected true or false"), std::string::npos)
        << e.error().message;
    std::filesystem::remove(bad);
}

TEST(Config, TlsSection) {
    const auto path = write("tls", R"([server]
port = 11112
tls_port = 2762

[tls]
certificate = "/etc/dicomkit/server.pem"
private_key = "/etc/dicomkit/server.key"
ca = "/etc/dicomkit/ca.pem"
require_client_cert = false

[[peers]]
ae_title = "PACS2"
host = "10.0.0.7"
port = 2762
allow = ["move-destination", "store"]
tls = true

[[peers]]
ae_title = "CT1"
host = "10.0.0.5"
allow = ["store"]
)");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->port, 11112);
    EXPECT_FALSE(c->port_tls) << "port stays plain beside a tls_port";
    ASSERT_TRUE(c->tls_port);
    EXPECT_EQ(*c->tls_port, 2762);
    EXPECT_EQ(c->tls.certificate, "/etc/dicomkit/server.pem");
    EXPECT_EQ(c->tls.private_key, "/etc/dicomkit/server.key");
    EXPECT_EQ(c->tls.ca, "/etc/dicomkit/ca.pem");
    EXPECT_FALSE(c->tls.require_client_cert);
    EXPECT_NE(c->tls.certificate_from.find(":6:15: tls.certificate"), std::string::npos) << c->tls.certificate_from;
    EXPECT_TRUE(listens_tls(*c));
    EXPECT_TRUE(has_tls_peers(*c));
    EXPECT_TRUE(c->peers[0].tls);
    EXPECT_FALSE(c->peers[1].tls);
    EXPECT_TRUE(tls_only(*c, "PACS2 "));
    EXPECT_FALSE(tls_only(*c, "CT1"));
    EXPECT_FALSE(tls_only(*c, "OTHER"));

    const auto server = acceptor_tls(*c);
    EXPECT_EQ(server.certificate_file, "/etc/dicomkit/server.pem");
    EXPECT_EQ(server.ca_file, "/etc/dicomkit/ca.pem");
    EXPECT_FALSE(server.verify_peer) << "require_client_cert = false";
    const auto client = peer_tls(*c);
    EXPECT_EQ(client.certificate_file, "/etc/dicomkit/server.pem") << "our certificate as the client's";
    EXPECT_EQ(client.private_key_file, "/etc/dicomkit/server.key");
    EXPECT_TRUE(client.verify_peer) << "peers are always verified";
    std::filesystem::remove(path);

    const auto main_tls = write("tls_main", "[server]\ntls = true\n[tls]\ncertificate = \"s.pem\"\n");
    c = load_config(main_tls);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->port_tls);
    EXPECT_FALSE(c->tls_port);
    EXPECT_TRUE(c->tls.require_client_cert) << "the default, as DCMTK's and Orthanc's";
    EXPECT_TRUE(listens_tls(*c));
    std::filesystem::remove(main_tls);

    EXPECT_FALSE(listens_tls(Config{}));
    EXPECT_TRUE(check_tls(Config{})) << "nothing to check without TLS";
}

TEST(Config, TlsErrorsNameTheLine) {
    auto check = [](const std::string& text, const std::string& want) {
        const auto path = write("badtls", text);
        auto c = load_config(path);
        ASSERT_FALSE(c) << text;
        EXPECT_NE(c.error().message.find(want), std::string::npos) << c.error().message;
        std::filesystem::remove(path);
    };
    check("[server]\ntls_port = 99999\n", ":2:12: server.tls_port: expected a port number");
    check("[server]\ntls = \"yes\"\n", ":2:7: server.tls: expected true or false");
    check("[server]\nport = 2762\ntls_port = 2762\n", ":3:12: server.tls_port: the same as server.port");
    check("[tls]\ncertificate = 5\n", ":2:15: tls.certificate: expected a file name");
    check("[tls]\nprivate_key = \"\"\n", ":2:15: tls.private_key: expected a file name");
    check("[tls]\nrequire_client_cert = 1\n", ":2:23: tls.require_client_cert: expected true or false");
    check("[tls]\ncert = \"a.pem\"\n", ":2:8: unknown key tls.cert");
    check("tls = true\n", "tls: expected a table [tls]");
    check("[[peers]]\nae_title = \"P\"\ntls = \"on\"\n", ":3:7: peers[0].tls: expected true or false");
}

/// A folder with a CA, a certificate it signed with its key, and a key of another pair, made with
/// the openssl command.
class TlsFiles : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / ("dk_tls_config_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        const std::string d = dir_.string();
        const std::string cmd =
            "cd '" + d + "' && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ca -keyout ca.key "
            "-out ca.pem && openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out "
            "server.csr && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 "
            "-out server.pem && openssl genpkey -algorithm RSA -out other.key";
        ASSERT_EQ(std::system(("(" + cmd + ") > /dev/null 2>&1").c_str()), 0) << "openssl (scripts/bootstrap.sh installs it)";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    [[nodiscard]] std::string path(const char* name) const { return (dir_ / name).string(); }
    /// [server] tls_port and [tls] with these files, loaded; empty names are left out.
    Result<Config> load(const std::string& cert, const std::string& key, const std::string& ca) {
        std::string text = "[server]\ntls_port = 2762\n\n[tls]\n";
        if (!cert.empty()) text += "certificate = \"" + cert + "\"\n";
        if (!key.empty()) text += "private_key = \"" + key + "\"\n";
        if (!ca.empty()) text += "ca = \"" + ca + "\"\n";
        const auto file = (dir_ / "serve.toml").string();
        std::ofstream(file) << text;
        return load_config(file);
    }
    std::filesystem::path dir_;
};

TEST_F(TlsFiles, GoodFilesPass) {
    auto c = load(path("server.pem"), path("server.key"), path("ca.pem"));
    ASSERT_TRUE(c) << c.error().to_string();
    auto r = check_tls(*c);
    EXPECT_TRUE(r) << r.error().to_string();
}

TEST_F(TlsFiles, MissingOrBadFilesNameWhereTheyWereGiven) {
    auto expect_error = [&](const Result<Config>& c, const std::string& want) {
        ASSERT_TRUE(c) << c.error().to_string();
        auto r = check_tls(*c);
        ASSERT_FALSE(r) << want;
        EXPECT_NE(r.error().message.find(want), std::string::npos) << want << " in " << r.error().message;
    };
    // The file's name, line and column, the key, the path and the reason.
    expect_error(load(path("nope.pem"), path("server.key"), path("ca.pem")),
                 "serve.toml:5:15: tls.certificate " + path("nope.pem") + ": cannot read: No such file or directory");
    expect_error(load(path("server.pem"), path("nope.key"), ""), "serve.toml:6:15: tls.private_key");
    expect_error(load(path("server.pem"), path("server.key"), dir_.string()), "tls.ca " + dir_.string() + ": is a folder");
    expect_error(load("", "", ""), "server.tls_port: a TLS port needs a certificate");
    expect_error(load(path("server.pem"), path("other.key"), ""), "private key");  // not the certificate's
    std::ofstream(path("garbage.pem")) << "not PEM\n";
    expect_error(load(path("garbage.pem"), path("server.key"), ""), "certificate " + path("garbage.pem"));

    // A flag over the file is named as the flag.
    auto c = load(path("server.pem"), path("server.key"), "");
    ASSERT_TRUE(c);
    c->tls.ca = path("nope.pem");
    c->tls.ca_from = "--ca";
    auto r = check_tls(*c);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("--ca " + path("nope.pem") + ": cannot read"), std::string::npos)
        << r.error().message;

    // Outgoing TLS alone (a peer with tls = true) checks the files too.
    Config p;
    p.peers.push_back(Peer{"PACS2", "10.0.0.7", 2762, {"move-destination"}, false, true, {}, {}, {}});
    p.tls.ca = path("nope.pem");
    EXPECT_FALSE(check_tls(p));
    p.tls.ca = path("ca.pem");
    EXPECT_TRUE(check_tls(p)) << "a client certificate is optional";
}

TEST(Config, PeerFlags) {
    auto p = parse_peer("CT1=10.0.0.5:104");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ae_title, "CT1");
    EXPECT_EQ(p->host, "10.0.0.5");
    EXPECT_EQ(p->port, 104);
    EXPECT_FALSE(parse_peer("CT1"));
    EXPECT_FALSE(parse_peer("CT1=host:0"));
    EXPECT_FALSE(parse_peer("CT1=host:x"));
}

TEST(Config, FreeSpaceReserve) {
    EXPECT_EQ(Config{}.min_free_mb, 64u) << "the default";
    const auto path = write("reserve", "[storage]\nmin_free_mb = 0\nduplicates = \"keep\"\n");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->min_free_mb, 0u);
    EXPECT_EQ(c->duplicates, index::DuplicatePolicy::Keep);
    std::filesystem::remove(path);
    for (const char* bad : {"-1", "\"64\"", "1.5"}) {
        const auto p = write("badreserve", std::string("[storage]\nmin_free_mb = ") + bad + "\n");
        auto r = load_config(p);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find(":2:15: storage.min_free_mb: expected a number of MiB"), std::string::npos)
            << r.error().message;
        std::filesystem::remove(p);
    }
}

}  // namespace
}  // namespace dicomkit::server::app

namespace dicomkit::server::app {
TEST(Config, LogSection) {
    EXPECT_EQ(Config{}.log.level, log::Level::Info);
    EXPECT_EQ(Config{}.log.format, log::Format::Text);
    EXPECT_TRUE(Config{}.log.file.empty());
    const auto path = write("log", "[log]\nlevel = \"debug\"\nformat = \"json\"\nfile = \"/var/log/dk.log\"\n");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->log.level, log::Level::Debug);
    EXPECT_EQ(c->log.format, log::Format::Json);
    EXPECT_EQ(c->log.file, "/var/log/dk.log");
    std::filesystem::remove(path);
    auto check = [](const std::string& text, const std::string& want) {
        const auto p = write("badlog", text);
        auto r = load_config(p);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find(want), std::string::npos) << want << " in " << r.error().message;
        std::filesystem::remove(p);
    };
    check("[log]\nlevel = \"loud\"\n", ":2:9: log.level: expected \"debug\", \"info\", \"warn\" or \"error\"");
    check("[log]\nformat = \"xml\"\n", ":2:10: log.format: expected \"text\" or \"json\"");
    check("[log]\nfile = \"\"\n", "log.file: expected a file name");
    check("[log]\nlevel = 3\n", "log.level: expected a string");
    check("[log]\nrotate = true\n", "unknown key log.rotate (level, format, file)");
    check("log = 1\n", "log: expected a table [log]");
}
}  // namespace dicomkit::server::app

namespace dicomkit::server::app {
TEST(Config, IngestTransferSyntax) {
    EXPECT_TRUE(Config{}.ingest_transfer_syntax.empty()) << "stored as received by default";
    EXPECT_FALSE(Config{}.ingest_allow_lossy);
    const auto path = std::filesystem::temp_directory_path() / ("dk-ingest-" + std::to_string(::getpid()) + ".toml");
    auto write = [&](const std::string& text) {
        std::FILE* f = std::fopen(path.c_str(), "w");
        std::fputs(text.c_str(), f);
        std::fclose(f);
    };
    write("[storage]\ningest_transfer_syntax = \"jpeg-ls\"\ningest_allow_lossy = true\n");
    auto c = load_config(path.string());
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->ingest_transfer_syntax, "jpeg-ls");
    EXPECT_TRUE(c->ingest_allow_lossy);
    write("[storage]\ningest_transfer_syntax = \"JPEGLSLossless\"\n");
    EXPECT_TRUE(load_config(path.string()));
    write("[storage]\ningest_transfer_syntax = \"no-such-syntax\"\n");
    auto bad = load_config(path.string());
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("storage.ingest_transfer_syntax: expected a transfer syntax"), std::string::npos)
        << bad.error().message;
    write("[storage]\ningest_allow_lossy = \"yes\"\n");
    EXPECT_FALSE(load_config(path.string()));
    std::filesystem::remove(path);
}
}  // namespace dicomkit::server::app

namespace dicomkit::server::app {

TEST(Config, CommitmentSettings) {
    auto plain = load_config(write("commit0", "[server]\nae_title = \"ARCHIVE\"\n"));
    ASSERT_TRUE(plain) << plain.error().to_string();
    EXPECT_EQ(plain->commitment.report_on, "auto");
    EXPECT_EQ(plain->commitment.retries, 3);
    auto c = load_config(write("commit1", "[commitment]\nreport_on = \"new\"\nretries = 5\nretry_interval_s = 0.5\n"));
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->commitment.report_on, "new");
    EXPECT_EQ(c->commitment.retries, 5);
    EXPECT_DOUBLE_EQ(c->commitment.retry_interval_s, 0.5);
    auto expect = [](const std::string& text, const std::string& what) {
        auto bad = load_config(write("commit_bad", text));
        ASSERT_FALSE(bad) << text;
        EXPECT_NE(bad.error().message.find(what), std::string::npos) << bad.error().message;
    };
    expect("[commitment]\nreport_on = \"later\"\n", ":2:13: commitment.report_on: expected \"same\", \"new\" or \"auto\"");
    expect("[commitment]\nretries = -1\n", "commitment.retries: expected a number 0-100");
    expect("[commitment]\nretry_interval_s = 0\n", "commitment.retry_interval_s: expected seconds");
    expect("[commitment]\nwhen = 1\n", "unknown key commitment.when");
}

}  // namespace dicomkit::server::app
