// The server's configuration: the TOML file (DESIGN 4) and the command-line flags over it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/base/log.hpp>
#include <dicomkit/net/ul/transport.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/service/authorizer.hpp>

namespace dicomkit::server::app {

/// A known DICOM peer and the services it may use: "store", "query", "retrieve", "move-destination".
struct Peer {
    std::string ae_title;
    std::string host;
    std::uint16_t port = 104;
    std::vector<std::string> allow;
    /// The calling AE title alone is not enough: an association with this AE title must also
    /// come from `host` (an address, or a name that resolves to it), as PACS admins configure
    /// trusted devices.
    bool check_address = false;
    /// PS3.15 B.1: associations to this peer (as a C-MOVE destination) use TLS, with [tls]
    /// certificate and key as our client certificate and [tls] ca to verify the peer; and while
    /// serve has a TLS port, this AE title is refused on the plain one.
    bool tls = false;
    /// `deidentify = "recipe.toml"` (relative to the config file; stored here resolved): every
    /// instance sent to this peer (C-MOVE and C-GET sub-operations, send jobs) is a copy
    /// de-identified by PS3.15 Annex E with that recipe (docs/deid.md); the stored files are not
    /// changed. Empty: instances go as stored.
    std::string deidentify{};
    /// `deidentify_key_file`: the file holding the secret of the keyed replacements (UIDs,
    /// patient IDs, date shifts), relative to the config file; empty: DATA/deid.key, made once.
    /// The same key gives the same UIDs in every send, so references across sends resolve.
    std::string deidentify_key_file{};
    /// Where `deidentify` was given, for errors ("serve.toml:12:14").
    std::string deidentify_from{};
};

/// [tls]: the server's certificate and key (for its TLS ports, and as the client certificate of
/// associations to peers with tls = true) and the CAs it trusts (PS3.15 B.1).
struct TlsSettings {
    std::string certificate;  ///< PEM, the chain after the certificate
    std::string private_key;  ///< PEM; empty: the key is in the certificate file
    std::string ca;           ///< PEM bundle: verifies client certificates and TLS peers; empty: the system's CAs
    /// TLS clients must present a certificate signed by `ca`; false: none is asked for.
    bool require_client_cert = true;
    /// Where each path was given, for errors: "serve.toml:12:15: tls.certificate" or "--cert".
    std::string certificate_from = "tls.certificate";
    std::string private_key_from = "tls.private_key";
    std::string ca_from = "tls.ca";
};

/// Which index the archive keeps (DESIGN 4): SQLite in DATA/index.db (one node), or a PostgreSQL
/// database that several nodes share (with one storage folder).
struct IndexConfig {
    std::string backend = "sqlite";  ///< "sqlite" or "postgres"
    std::string url;                 ///< postgres: a postgresql:// URI or libpq key=value conninfo
};

/// [log]: serve's logger (flags --log-level, --log-format, --log-file override it).
struct LogSettings {
    log::Level level = log::Level::Info;
    log::Format format = log::Format::Text;
    std::string file;  ///< empty: events on stdout, the rest on stderr; reopened on SIGHUP
};

/// [http]: the web front (DICOMweb, REST admin, the page). Users and tokens have a role:
/// "read", "write" (and store) or "admin" (and remove, peers, jobs, logs).
struct HttpUser {
    std::string name;
    std::string password_hash;  ///< `dicomkit serve --hash-password`'s output (PBKDF2-HMAC-SHA256)
    std::string role = "read";
};
struct HttpToken {
    std::string name;
    std::string token;  ///< the Bearer secret
    std::string role = "read";
};
struct HttpSettings {
    bool enabled = true;
    std::uint16_t port = 8042;   ///< 0: any free port
    bool port_given = false;     ///< the file set `port` (else serve takes any free one when the DICOM port is 0)
    bool tls = false;            ///< HTTPS with [tls] certificate and private_key
    /// false: no authentication at all (every request is admin) — a private machine by choice.
    bool auth = true;
    std::vector<HttpUser> users;
    std::vector<HttpToken> tokens;
    std::vector<std::string> cors_origins;  ///< allowed origins ("*": any); empty: no CORS
    std::string public_root;                ///< "https://pacs.example.org": the URLs written in answers
    std::uint64_t max_upload_mb = 4096;     ///< STOW-RS request bodies
    /// The OHIF viewer's built dist/ folder; empty: found beside the binary's source tree when
    /// installed (viewer/dist, which scripts/install_viewer.sh fills), else the built-in viewer.
    std::string viewer;
};

/// [hl7]: the MLLP listener for HL7 v2 orders and patient updates (off unless a port is given).
struct Hl7Settings {
    std::optional<std::uint16_t> port;                ///< 0: any free port; unset: no listener
    std::uint64_t max_message_bytes = 1 << 20;        ///< larger messages are answered AR
};

/// [commitment]: where Storage Commitment results go (PS3.4 J.3.3): "same" (on the requesting
/// association only), "new" (always on a new association to the requester, a configured peer),
/// "auto" (the same, else a new one); reports on new associations are retried `retries` times,
/// `retry_interval_s` apart and doubling.
struct CommitmentSettings {
    std::string report_on = "auto";
    int retries = 3;
    double retry_interval_s = 10;
};

struct Config {
    std::string ae_title = "DICOMKIT";
    std::uint16_t port = 11112;
    bool port_tls = false;  ///< [server] tls: `port` speaks DICOM over TLS (as storescp +tls), not plain DICOM
    /// [server] tls_port: a second port, speaking DICOM over TLS, beside the plain `port` (IANA's is 2762).
    std::optional<std::uint16_t> tls_port;
    TlsSettings tls;
    std::string data = "./var";  ///< storage/ (and index.db with SQLite) go here
    bool accept_unknown = false; ///< unknown calling AEs may store and query
    /// [server] accept_any_called_ae: any Called AE Title will do; false: an A-ASSOCIATE-RQ
    /// for a title that is neither ae_title nor in called_ae_titles is rejected (PS3.8 9.3.4,
    /// rejected-permanent, service-user, reason 7 called-AE-title-not-recognized).
    bool accept_any_called_ae = false;
    /// [server] called_ae_titles: further titles serve answers to besides ae_title.
    std::vector<std::string> called_ae_titles;
    IndexConfig index;
    std::vector<Peer> peers;
    /// [storage] duplicates: what a second copy of a stored SOP Instance UID does.
    index::DuplicatePolicy duplicates = index::DuplicatePolicy::Replace;
    /// [storage] lenient_uids: keep instances whose UIDs break PS3.5 9.1 (refused by default).
    bool lenient_uids = false;
    /// [storage] min_free_mb: stores are refused (0xA700) while the data folder's file system has
    /// less free space than this, so that the index always has room to grow. 0: no reserve.
    std::uint64_t min_free_mb = 64;
    /// [storage] accept_unknown_sop_classes (serve --promiscuous): also accept, store, find and
    /// retrieve SOP classes the dictionary does not know (private classes, 2.25 UIDs). By
    /// default only the known storage SOP classes are accepted.
    bool accept_unknown_sop_classes = false;
    /// [storage] ingest_transfer_syntax (serve --ingest-transfer-syntax): received instances are
    /// transcoded to this syntax (UID, keyword or alias such as "jpeg-ls") before they are stored;
    /// empty: stored as received. An instance that cannot be transcoded is stored as received.
    std::string ingest_transfer_syntax;
    /// [storage] ingest_allow_lossy: also transcode on ingest when the result loses information
    /// (kept as received otherwise).
    bool ingest_allow_lossy = false;
    /// [storage] import_roots: the folders under which an import job (POST /api/jobs
    /// {"type":"import","path":...}) may read a medium or folder on the server; empty: no import.
    std::vector<std::string> import_roots{"/media", "/mnt", "/run/media"};
    LogSettings log;
    HttpSettings http;
    Hl7Settings hl7;
    CommitmentSettings commitment;
};

/// "keep", "replace" or "reject" (InvalidValue otherwise, naming the three).
[[nodiscard]] Result<index::DuplicatePolicy> parse_duplicates(std::string_view text);
[[nodiscard]] std::string_view to_string(index::DuplicatePolicy policy) noexcept;

/// Reads a config file:
///   [server] ae_title = "A", port = 11112, data = "/srv/dicom", accept_unknown = false,
///            tls_port = 2762 (a TLS port beside `port`) or tls = true (`port` is TLS),
///            called_ae_titles = ["B", "C"], accept_any_called_ae = false
///   [tls] certificate = "server.pem", private_key = "server.key", ca = "ca.pem", require_client_cert = true
///   [index] backend = "postgres", url = "postgresql://dicomkit@db.example/archive"
///   [[peers]] ae_title = "CT1", host = "10.0.0.5", port = 104, allow = ["store", "query"], tls = false,
///             deidentify = "research.toml", deidentify_key_file = "research.key"
///   [storage] duplicates = "keep" | "replace" | "reject", lenient_uids = false, min_free_mb = 64,
///             accept_unknown_sop_classes = false, ingest_transfer_syntax = "JPEGLSLossless",
///             ingest_allow_lossy = false, import_roots = ["/media", "/mnt"]
///   [hl7] port = 2575, max_message_bytes = 1048576
/// Errors name the file, line and column ("serve.toml:7:1: peers[1].port: expected 1-65535").
[[nodiscard]] Result<Config> load_config(const std::string& path);
/// Parses a --peer flag "AE=HOST:PORT" (allowed every service).
[[nodiscard]] Result<Peer> parse_peer(std::string_view flag);
/// Checks values: AE titles 1-16 characters without backslash, services known, the index backend
/// known and a url with (only with) backend postgres.
[[nodiscard]] Result<void> validate(const Config& c);

/// Whether serve listens with TLS on any port ([server] tls or tls_port).
[[nodiscard]] bool listens_tls(const Config& c) noexcept;
/// Whether any peer says tls = true.
[[nodiscard]] bool has_tls_peers(const Config& c) noexcept;
/// The TLS settings of serve's TLS ports: certificate and key, `ca` to verify client
/// certificates, required or not asked for.
[[nodiscard]] net::ul::TlsConfig acceptor_tls(const Config& c);
/// The TLS settings of associations to peers with tls = true: our certificate and key (when
/// configured) as the client certificate, the server verified against `ca` (or the system's CAs).
[[nodiscard]] net::ul::TlsConfig peer_tls(const Config& c);
/// What TLS needs, checked after the flags are applied: a certificate when serve listens with
/// TLS; the certificate, key and CA files readable, loadable and the key matching the
/// certificate. Errors name where the file was given ("serve.toml:9:15: tls.certificate
/// /etc/x.pem: cannot read: No such file or directory"). Nothing to check without TLS.
[[nodiscard]] Result<void> check_tls(const Config& c);

/// `url` with its password (URI user information, password=... in key=value pairs or URI
/// parameters) replaced by "***", for logs.
[[nodiscard]] std::string redact_password(std::string_view url);
/// The index for a log line: "sqlite DATA/index.db" or "postgres URL" (password redacted).
[[nodiscard]] std::string describe_index(const Config& c);

/// The access rules of the config ([[peers]] and their allow lists, check_address, tls;
/// accept_unknown; the TLS port beside a plain one) for service::PolicyAuthorizer, which decides.
/// `tls_port`: the port serve's TLS listener has (0 when it has none beside the plain port).
[[nodiscard]] service::AccessPolicy access_policy(const Config& c, std::uint16_t tls_port = 0);

/// Whether calling AE `ae` may use `service`: a peer with that AE title allowing it, or any AE
/// when accept_unknown (for AEs that are not listed). (PolicyAuthorizer::allows.)
[[nodiscard]] bool allowed(const Config& c, std::string_view ae, std::string_view service);

/// Whether calling AE `ae` is a peer with tls = true, whose associations serve accepts only on its
/// TLS port (when it has one beside a plain port).
[[nodiscard]] bool tls_only(const Config& c, std::string_view ae);

/// Whether an association from calling AE `ae` at `peer_address` ("10.0.0.5:51234",
/// "[::1]:51234") may go on: false only when every peer with that AE title says check_address
/// and none of their hosts is that address (IPv4-mapped IPv6 addresses count as IPv4).
/// (PolicyAuthorizer::address_matches.)
[[nodiscard]] bool address_allowed(const Config& c, std::string_view ae, std::string_view peer_address);

}  // namespace dicomkit::server::app
