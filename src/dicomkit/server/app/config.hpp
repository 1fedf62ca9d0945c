// The server's configuration: the TOML file (DESIGN 4) and the command-line flags over it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/server/index/index.hpp>

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
};

/// Which index the archive keeps (DESIGN 4): SQLite in DATA/index.db (one node), or a PostgreSQL
/// database that several nodes share (with one storage folder).
struct IndexConfig {
    std::string backend = "sqlite";  ///< "sqlite" or "postgres"
    std::string url;                 ///< postgres: a postgresql:// URI or libpq key=value conninfo
};

struct Config {
    std::string ae_title = "DICOMKIT";
    std::uint16_t port = 11112;
    std::string data = "./var";  ///< storage/ (and index.db with SQLite) go here
    bool accept_unknown = false; ///< unknown calling AEs may store and query
    IndexConfig index;
    std::vector<Peer> peers;
    /// [storage] duplicates: what a second copy of a stored SOP Instance UID does.
    index::DuplicatePolicy duplicates = index::DuplicatePolicy::Replace;
};

/// "keep", "replace" or "reject" (InvalidValue otherwise, naming the three).
[[nodiscard]] Result<index::DuplicatePolicy> parse_duplicates(std::string_view text);
[[nodiscard]] std::string_view to_string(index::DuplicatePolicy policy) noexcept;

/// Reads a config file:
///   [server] ae_title = "A", port = 11112, data = "/srv/dicom", accept_unknown = false
///   [index] backend = "postgres", url = "postgresql://dicomkit@db.example/archive"
///   [[peers]] ae_title = "CT1", host = "10.0.0.5", port = 104, allow = ["store", "query"]
///   [storage] duplicates = "keep" | "replace" | "reject"
/// Errors name the file, line and column ("serve.toml:7:1: peers[1].port: expected 1-65535").
[[nodiscard]] Result<Config> load_config(const std::string& path);
/// Parses a --peer flag "AE=HOST:PORT" (allowed every service).
[[nodiscard]] Result<Peer> parse_peer(std::string_view flag);
/// Checks values: AE titles 1-16 characters without backslash, services known, the index backend
/// known and a url with (only with) backend postgres.
[[nodiscard]] Result<void> validate(const Config& c);

/// `url` with its password (URI user information, password=... in key=value pairs or URI
/// parameters) replaced by "***", for logs.
[[nodiscard]] std::string redact_password(std::string_view url);
/// The index for a log line: "sqlite DATA/index.db" or "postgres URL" (password redacted).
[[nodiscard]] std::string describe_index(const Config& c);

/// Whether calling AE `ae` may use `service`: a peer with that AE title allowing it, or any AE
/// when accept_unknown (for AEs that are not listed).
[[nodiscard]] bool allowed(const Config& c, std::string_view ae, std::string_view service);

/// Whether an association from calling AE `ae` at `peer_address` ("10.0.0.5:51234",
/// "[::1]:51234") may go on: false only when every peer with that AE title says check_address
/// and none of their hosts is that address (IPv4-mapped IPv6 addresses count as IPv4).
[[nodiscard]] bool address_allowed(const Config& c, std::string_view ae, std::string_view peer_address);

}  // namespace dicomkit::server::app
