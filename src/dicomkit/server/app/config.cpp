// Config file reading with toml++ (no exceptions: parse results carry the error position).
#include <dicomkit/server/app/config.hpp>

#include <dicomkit/pixel/transcode.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <filesystem>
#include <type_traits>

#include <dicomkit/base/toml.hpp>

namespace dicomkit::server::app {

namespace {

constexpr std::array<std::string_view, 4> kServices{"store", "query", "retrieve", "move-destination"};

std::string where(const std::string& file, const toml::source_region& r) {
    return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + ": ";
}

Unexpected bad(const std::string& file, const toml::node& n, const std::string& what) {
    return make_error(ErrorCode::InvalidValue, where(file, n.source()) + what);
}

std::string trim_ae(std::string_view s) {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return std::string(s);
}

/// Reads the keys of one table into setters; unknown keys are errors.
struct Reader {
    const std::string& file;
    Result<void> port(const toml::node& n, const std::string& key, std::uint16_t& out) {
        auto v = n.value<std::int64_t>();
        if (!v || *v < 0 || *v > 65535) return bad(file, n, key + ": expected a port number 0-65535");
        out = static_cast<std::uint16_t>(*v);
        return {};
    }
    Result<void> text(const toml::node& n, const std::string& key, std::string& out) {
        auto v = n.value<std::string>();
        if (!v) return bad(file, n, key + ": expected a string");
        out = *v;
        return {};
    }
    Result<void> flag(const toml::node& n, const std::string& key, bool& out) {
        auto v = n.value_exact<bool>();  // value<bool>() would take 1 for true
        if (!v) return bad(file, n, key + ": expected true or false");
        out = *v;
        return {};
    }
    /// A file name (not empty), remembering where it was given for later errors.
    Result<void> path(const toml::node& n, const std::string& key, std::string& out, std::string& from) {
        auto v = n.value<std::string>();
        if (!v || v->empty()) return bad(file, n, key + ": expected a file name");
        out = *v;
        from = where(file, n.source()) + key;
        return {};
    }
};

Result<void> read_server(const std::string& file, const toml::table& t, Config& c) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "server." + std::string(k.str());
        Result<void> ok;
        if (k == "ae_title") ok = r.text(node, key, c.ae_title);
        else if (k == "port") ok = r.port(node, key, c.port);
        else if (k == "data") ok = r.text(node, key, c.data);
        else if (k == "accept_unknown") ok = r.flag(node, key, c.accept_unknown);
        else if (k == "tls") ok = r.flag(node, key, c.port_tls);
        else if (k == "accept_any_called_ae") ok = r.flag(node, key, c.accept_any_called_ae);
        else if (k == "called_ae_titles") {
            const auto* arr = node.as_array();
            if (!arr) return bad(file, node, key + ": expected a list of AE titles");
            c.called_ae_titles.clear();
            for (const auto& s : *arr) {
                auto v = s.value<std::string>();
                if (!v) return bad(file, s, key + ": expected a list of AE titles");
                const std::string title = trim_ae(*v);
                if (title.empty() || title.size() > 16 || title.find('\\') != std::string::npos)
                    return bad(file, s, key + ": '" + *v + "': an AE title is 1-16 characters, no backslash");
                c.called_ae_titles.push_back(title);
            }
        } else if (k == "tls_port") {
            std::uint16_t p = 0;
            ok = r.port(node, key, p);
            if (ok) c.tls_port = p;
        } else return bad(file, node, "unknown key " + key);
        if (!ok) return ok;
    }
    if (c.tls_port && *c.tls_port != 0 && *c.tls_port == c.port)
        return bad(file, *t.get("tls_port"), "server.tls_port: the same as server.port (for TLS on that port: tls = true)");
    return {};
}

Result<void> read_tls(const std::string& file, const toml::table& t, TlsSettings& tls) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "tls." + std::string(k.str());
        Result<void> ok;
        if (k == "certificate") ok = r.path(node, key, tls.certificate, tls.certificate_from);
        else if (k == "private_key") ok = r.path(node, key, tls.private_key, tls.private_key_from);
        else if (k == "ca") ok = r.path(node, key, tls.ca, tls.ca_from);
        else if (k == "require_client_cert") ok = r.flag(node, key, tls.require_client_cert);
        else return bad(file, node, "unknown key " + key + " (certificate, private_key, ca, require_client_cert)");
        if (!ok) return ok;
    }
    return {};
}

Result<void> read_storage(const std::string& file, const toml::table& t, Config& c) {
    for (const auto& [k, node] : t) {
        const std::string key = "storage." + std::string(k.str());
        if (k == "lenient_uids") {
            auto b = node.value<bool>();
            if (!b) return bad(file, node, key + ": expected true or false");
            c.lenient_uids = *b;
            continue;
        }
        if (k == "accept_unknown_sop_classes") {
            auto b = node.value_exact<bool>();
            if (!b) return bad(file, node, key + ": expected true or false");
            c.accept_unknown_sop_classes = *b;
            continue;
        }
        if (k == "ingest_transfer_syntax") {
            auto v = node.value<std::string>();
            if (!v || (!v->empty() && !pixel::find_syntax(*v)))
                return bad(file, node, key + ": expected a transfer syntax UID, keyword or name (e.g. \"JPEGLSLossless\")");
            c.ingest_transfer_syntax = *v;
            continue;
        }
        if (k == "ingest_allow_lossy") {
            auto b = node.value_exact<bool>();
            if (!b) return bad(file, node, key + ": expected true or false");
            c.ingest_allow_lossy = *b;
            continue;
        }
        if (k == "import_roots") {
            const auto* arr = node.as_array();
            if (!arr) return bad(file, node, key + ": expected a list of absolute folders such as [\"/media\"]");
            c.import_roots.clear();
            for (const auto& f : *arr) {
                auto v = f.value<std::string>();
                if (!v || v->empty() || v->front() != '/')
                    return bad(file, f, key + ": expected absolute folders such as \"/media\"");
                c.import_roots.push_back(*v);
            }
            continue;
        }
        if (k == "min_free_mb") {
            auto v = node.value_exact<std::int64_t>();
            if (!v || *v < 0 || *v > (std::int64_t{1} << 40))
                return bad(file, node, key + ": expected a number of MiB, 0 or more");
            c.min_free_mb = static_cast<std::uint64_t>(*v);
            continue;
        }
        if (k != "duplicates") return bad(file, node, "unknown key " + key + " (duplicates, lenient_uids, min_free_mb, accept_unknown_sop_classes, ingest_transfer_syntax, ingest_allow_lossy, import_roots)");
        auto v = node.value<std::string>();
        auto p = v ? parse_duplicates(*v) : Result<index::DuplicatePolicy>(make_error(ErrorCode::InvalidValue, ""));
        if (!p) return bad(file, node, key + ": expected \"keep\", \"replace\" or \"reject\"");
        c.duplicates = *p;
    }
    return {};
}

Result<void> read_commitment(const std::string& file, const toml::table& t, CommitmentSettings& cs) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "commitment." + std::string(k.str());
        if (k == "report_on") {
            if (auto ok = r.text(node, key, cs.report_on); !ok) return ok;
            if (cs.report_on != "same" && cs.report_on != "new" && cs.report_on != "auto")
                return bad(file, node, key + ": expected \"same\", \"new\" or \"auto\"");
        } else if (k == "retries") {
            auto v = node.value<std::int64_t>();
            if (!v || *v < 0 || *v > 100) return bad(file, node, key + ": expected a number 0-100");
            cs.retries = static_cast<int>(*v);
        } else if (k == "retry_interval_s") {
            auto v = node.value<double>();
            if (!v || *v < 0.01 || *v > 86400) return bad(file, node, key + ": expected seconds, 0.01-86400");
            cs.retry_interval_s = *v;
        } else {
            return bad(file, node, "unknown key " + key + " (report_on, retries, retry_interval_s)");
        }
    }
    return {};
}

Result<void> read_log(const std::string& file, const toml::table& t, LogSettings& lg) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "log." + std::string(k.str());
        if (k != "level" && k != "format" && k != "file")
            return bad(file, node, "unknown key " + key + " (level, format, file)");
        std::string text;
        if (auto ok = r.text(node, key, text); !ok) return ok;
        if (k == "level") {
            auto l = log::parse_level(text);
            if (!l) return bad(file, node, key + ": expected \"debug\", \"info\", \"warn\" or \"error\"");
            lg.level = *l;
        } else if (k == "format") {
            auto f = log::parse_format(text);
            if (!f) return bad(file, node, key + ": expected \"text\" or \"json\"");
            lg.format = *f;
        } else {
            if (text.empty()) return bad(file, node, key + ": expected a file name");
            lg.file = text;
        }
    }
    return {};
}

Result<void> read_audit(const std::string& file, const toml::table& t, AuditSettings& a) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "audit." + std::string(k.str());
        if (k == "file_max_mb" || k == "queue") {
            auto v = node.value_exact<std::int64_t>();
            const std::int64_t max = k == "queue" ? 10'000'000 : 1'000'000;
            if (!v || *v < 1 || *v > max) return bad(file, node, key + ": expected a number from 1 to " + std::to_string(max));
            if (k == "queue") a.queue = static_cast<std::size_t>(*v);
            else a.file_max_mb = static_cast<std::uint64_t>(*v);
            continue;
        }
        std::string* out = k == "file" ? &a.file
                           : k == "syslog" ? &a.syslog
                           : k == "ca" ? &a.ca
                           : k == "cert" ? &a.cert
                           : k == "key" ? &a.key
                           : k == "enterprise_site_id" ? &a.enterprise_site_id
                           : k == "source_id" ? &a.source_id
                           : k == "app_name" ? &a.app_name
                                             : nullptr;
        if (!out)
            return bad(file, node,
                       "unknown key " + key +
                           " (file, file_max_mb, syslog, ca, cert, key, enterprise_site_id, source_id, app_name, queue)");
        if (auto ok = r.text(node, key, *out); !ok) return ok;
        if (k == "syslog" && !out->empty())
            if (auto target = parse_syslog_target(*out); !target) return bad(file, node, key + ": " + target.error().message);
        if (k == "app_name" && (out->empty() || out->size() > 48))
            return bad(file, node, key + ": expected 1-48 characters");
    }
    if ((a.cert.empty()) != (a.key.empty())) return make_error(ErrorCode::InvalidValue, file + ": [audit] cert and key go together");
    // Files are named relative to the configuration file, as a peer's deidentify recipe is.
    for (std::string* f : {&a.file, &a.ca, &a.cert, &a.key})
        if (!f->empty() && std::filesystem::path(*f).is_relative())
            *f = (std::filesystem::path(file).parent_path() / *f).lexically_normal().string();
    return {};
}

Result<void> read_hl7(const std::string& file, const toml::table& t, Hl7Settings& h) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "hl7." + std::string(k.str());
        if (k == "port") {
            std::uint16_t port = 0;
            if (auto ok = r.port(node, key, port); !ok) return ok;
            h.port = port;
        } else if (k == "max_message_bytes") {
            auto v = node.value_exact<std::int64_t>();
            if (!v || *v < 1024 || *v > (std::int64_t{1} << 30))
                return bad(file, node, key + ": expected a number of bytes from 1024 to 1073741824");
            h.max_message_bytes = static_cast<std::uint64_t>(*v);
        } else {
            return bad(file, node, "unknown key " + key + " (port, max_message_bytes)");
        }
    }
    return {};
}

Result<void> read_index(const std::string& file, const toml::table& t, IndexConfig& ix) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "index." + std::string(k.str());
        Result<void> ok;
        if (k == "backend") {
            ok = r.text(node, key, ix.backend);
            if (ok && ix.backend != "sqlite" && ix.backend != "postgres")
                return bad(file, node, key + ": expected \"sqlite\" or \"postgres\"");
        } else if (k == "url") {
            ok = r.text(node, key, ix.url);
            if (ok && ix.url.empty()) return bad(file, node, key + ": expected a postgresql:// URL or a conninfo");
        } else return bad(file, node, "unknown key " + key);
        if (!ok) return ok;
    }
    if (ix.backend == "postgres" && ix.url.empty())
        return bad(file, t, "index.url is required with backend = \"postgres\"");
    if (ix.backend != "postgres" && !ix.url.empty())
        return bad(file, *t.get("url"), "index.url: only with backend = \"postgres\"");
    return {};
}

bool known_role(std::string_view r) { return r == "read" || r == "write" || r == "admin"; }

/// [[http.users]] and [[http.tokens]]: name, role and password_hash or token.
template <class T>
Result<void> read_http_list(const std::string& file, const toml::node& node, const std::string& what,
                            std::vector<T>& out) {
    Reader r{file};
    const auto* arr = node.as_array();
    if (!arr) return bad(file, node, "http." + what + ": expected tables [[http." + what + "]]");
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const auto* t = (*arr)[i].as_table();
        if (!t) return bad(file, (*arr)[i], "http." + what + ": expected tables [[http." + what + "]]");
        T item;
        const std::string prefix = "http." + what + "[" + std::to_string(i) + "].";
        for (const auto& [k, n] : *t) {
            const std::string key = prefix + std::string(k.str());
            Result<void> ok;
            if (k == "name") ok = r.text(n, key, item.name);
            else if (k == "role") {
                ok = r.text(n, key, item.role);
                if (ok && !known_role(item.role)) return bad(file, n, key + ": expected \"read\", \"write\" or \"admin\"");
            } else if constexpr (std::is_same_v<T, HttpUser>) {
                if (k == "password_hash") ok = r.text(n, key, item.password_hash);
                else return bad(file, n, "unknown key " + key + " (name, password_hash, role)");
            } else {
                if (k == "token") ok = r.text(n, key, item.token);
                else return bad(file, n, "unknown key " + key + " (name, token, role)");
            }
            if (!ok) return ok;
        }
        if (item.name.empty()) return bad(file, *t, prefix + "name is required");
        if constexpr (std::is_same_v<T, HttpUser>) {
            if (!item.password_hash.starts_with("pbkdf2-sha256$"))
                return bad(file, *t, prefix + "password_hash is required (make one with dicomkit serve --hash-password)");
        } else {
            if (item.token.size() < 16) return bad(file, *t, prefix + "token: at least 16 characters");
        }
        out.push_back(std::move(item));
    }
    return {};
}

Result<void> read_http(const std::string& file, const toml::table& t, HttpSettings& h) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "http." + std::string(k.str());
        Result<void> ok;
        if (k == "enabled") ok = r.flag(node, key, h.enabled);
        else if (k == "port") {
            ok = r.port(node, key, h.port);
            h.port_given = true;
        }
        else if (k == "tls") ok = r.flag(node, key, h.tls);
        else if (k == "auth") ok = r.flag(node, key, h.auth);
        else if (k == "public_root") ok = r.text(node, key, h.public_root);
        else if (k == "viewer") ok = r.text(node, key, h.viewer);
        else if (k == "users") ok = read_http_list(file, node, "users", h.users);
        else if (k == "tokens") ok = read_http_list(file, node, "tokens", h.tokens);
        else if (k == "max_upload_mb") {
            auto v = node.value_exact<std::int64_t>();
            if (!v || *v < 1 || *v > (std::int64_t{1} << 30)) return bad(file, node, key + ": expected a number of MiB, 1 or more");
            h.max_upload_mb = static_cast<std::uint64_t>(*v);
        } else if (k == "cors_origins") {
            const auto* arr = node.as_array();
            if (!arr) return bad(file, node, key + ": expected a list of origins");
            for (const auto& o : *arr) {
                auto v = o.value<std::string>();
                if (!v || v->empty()) return bad(file, o, key + ": expected origins such as \"https://viewer.example.org\"");
                h.cors_origins.push_back(*v);
            }
        } else
            return bad(file, node,
                       "unknown key " + key +
                           " (enabled, port, tls, auth, users, tokens, cors_origins, public_root, max_upload_mb, viewer)");
        if (!ok) return ok;
    }
    return {};
}

/// A path given in the config file: relative ones are taken from the file's folder.
std::string beside_config(const std::string& config_file, const std::string& path) {
    const std::filesystem::path p(path);
    if (p.is_absolute()) return path;
    return (std::filesystem::path(config_file).parent_path() / p).lexically_normal().string();
}

Result<Peer> read_peer(const std::string& file, const toml::table& t, std::size_t i) {
    Reader r{file};
    Peer p;
    const std::string prefix = "peers[" + std::to_string(i) + "].";
    for (const auto& [k, node] : t) {
        const std::string key = prefix + std::string(k.str());
        Result<void> ok;
        if (k == "ae_title") ok = r.text(node, key, p.ae_title);
        else if (k == "host") ok = r.text(node, key, p.host);
        else if (k == "port") ok = r.port(node, key, p.port);
        else if (k == "check_address") ok = r.flag(node, key, p.check_address);
        else if (k == "tls") ok = r.flag(node, key, p.tls);
        else if (k == "deidentify" || k == "deidentify_key_file") {
            std::string& target = k == "deidentify" ? p.deidentify : p.deidentify_key_file;
            ok = r.text(node, key, target);
            if (ok && target.empty()) return bad(file, node, key + ": expected a file name");
            if (ok) target = beside_config(file, target);
            if (k == "deidentify") p.deidentify_from = where(file, node.source());
        } else if (k == "allow") {
            const auto* arr = node.as_array();
            if (!arr) return bad(file, node, key + ": expected a list of services");
            for (const auto& s : *arr) {
                auto v = s.value<std::string>();
                if (!v || std::find(kServices.begin(), kServices.end(), *v) == kServices.end())
                    return bad(file, s, key + ": unknown service (store, query, retrieve, move-destination)");
                p.allow.push_back(*v);
            }
        } else return bad(file, node, "unknown key " + key);
        if (!ok) return tl::unexpected(ok.error());
    }
    if (p.ae_title.empty()) return bad(file, t, prefix + "ae_title is required");
    if (p.check_address && p.host.empty()) return bad(file, t, prefix + "check_address needs a host");
    if (!p.deidentify_key_file.empty() && p.deidentify.empty())
        return bad(file, t, prefix + "deidentify_key_file needs deidentify");
    return p;
}

}  // namespace

Result<Config> load_config(const std::string& path) {
    toml::parse_result parsed = toml::parse_file(path);
    if (!parsed) {
        const auto& e = parsed.error();
        return make_error(ErrorCode::InvalidValue, where(path, e.source()) + std::string(e.description()));
    }
    const toml::table& root = parsed.table();
    Config c;
    for (const auto& [k, node] : root) {
        if (k == "server") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "server: expected a table [server]");
            if (auto r = read_server(path, *t, c); !r) return tl::unexpected(r.error());
        } else if (k == "storage") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "storage: expected a table [storage]");
            if (auto r = read_storage(path, *t, c); !r) return tl::unexpected(r.error());
        } else if (k == "index") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "index: expected a table [index]");
            if (auto r = read_index(path, *t, c.index); !r) return tl::unexpected(r.error());
        } else if (k == "http") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "http: expected a table [http]");
            if (auto r = read_http(path, *t, c.http); !r) return tl::unexpected(r.error());
        } else if (k == "hl7") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "hl7: expected a table [hl7]");
            if (auto r = read_hl7(path, *t, c.hl7); !r) return tl::unexpected(r.error());
        } else if (k == "validation") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "validation: expected a table [validation]");
            for (const auto& [vk, vn] : *t) {
                if (vk != "on_ingest")
                    return bad(path, vn, "unknown key validation." + std::string(vk.str()) + " (on_ingest)");
                const auto v = vn.value<std::string>();
                if (v && *v == "accept") c.validation_on_ingest = OnIngest::Accept;
                else if (v && *v == "warn") c.validation_on_ingest = OnIngest::Warn;
                else if (v && *v == "quarantine") c.validation_on_ingest = OnIngest::Quarantine;
                else if (v && *v == "reject") c.validation_on_ingest = OnIngest::Reject;
                else return bad(path, vn, "validation.on_ingest: expected \"accept\", \"warn\", \"quarantine\" or \"reject\"");
            }
        } else if (k == "log") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "log: expected a table [log]");
            if (auto r = read_log(path, *t, c.log); !r) return tl::unexpected(r.error());
        } else if (k == "audit") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "audit: expected a table [audit]");
            if (auto r = read_audit(path, *t, c.audit); !r) return tl::unexpected(r.error());
        } else if (k == "commitment") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "commitment: expected a table [commitment]");
            if (auto r = read_commitment(path, *t, c.commitment); !r) return tl::unexpected(r.error());
        } else if (k == "tls") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, "tls: expected a table [tls]");
            if (auto r = read_tls(path, *t, c.tls); !r) return tl::unexpected(r.error());
        } else if (k == "peers") {
            const auto* arr = node.as_array();
            if (!arr) return bad(path, node, "peers: expected tables [[peers]]");
            for (std::size_t i = 0; i < arr->size(); ++i) {
                const auto* t = (*arr)[i].as_table();
                if (!t) return bad(path, (*arr)[i], "peers: expected tables [[peers]]");
                auto p = read_peer(path, *t, i);
                if (!p) return tl::unexpected(p.error());
                c.peers.push_back(std::move(*p));
            }
        } else {
            return bad(path, node, "unknown section or key " + std::string(k.str()));
        }
    }
    if (auto v = validate(c); !v) return make_error(ErrorCode::InvalidValue, path + ": " + v.error().message);
    return c;
}

Result<index::DuplicatePolicy> parse_duplicates(std::string_view text) {
    if (text == "keep") return index::DuplicatePolicy::Keep;
    if (text == "replace") return index::DuplicatePolicy::Replace;
    if (text == "reject") return index::DuplicatePolicy::Reject;
    return make_error(ErrorCode::InvalidValue,
                      "duplicates '" + std::string(text) + "': expected keep, replace or reject");
}

std::string_view to_string(index::DuplicatePolicy policy) noexcept {
    switch (policy) {
        case index::DuplicatePolicy::Keep: return "keep";
        case index::DuplicatePolicy::Replace: return "replace";
        case index::DuplicatePolicy::Reject: return "reject";
    }
    return "?";
}

Result<Peer> parse_peer(std::string_view flag) {
    const auto eq = flag.find('=');
    const auto colon = flag.rfind(':');
    if (eq == std::string_view::npos || colon == std::string_view::npos || colon < eq)
        return make_error(ErrorCode::InvalidValue, "--peer " + std::string(flag) + ": expected AE=HOST:PORT");
    Peer p;
    p.ae_title = trim_ae(flag.substr(0, eq));
    p.host = std::string(flag.substr(eq + 1, colon - eq - 1));
    const std::string port(flag.substr(colon + 1));
    char* end = nullptr;
    const long n = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end || n < 1 || n > 65535)
        return make_error(ErrorCode::InvalidValue, "--peer " + std::string(flag) + ": bad port");
    p.port = static_cast<std::uint16_t>(n);
    p.allow.assign(kServices.begin(), kServices.end());
    return p;
}

Result<SyslogTarget> parse_syslog_target(std::string_view url) {
    SyslogTarget t;
    const auto sep = url.find("://");
    if (sep == std::string_view::npos) return make_error(ErrorCode::InvalidValue, "expected udp://host:port, tls://host:port or tcp://host:port");
    t.scheme = std::string(url.substr(0, sep));
    if (t.scheme != "udp" && t.scheme != "tls" && t.scheme != "tcp")
        return make_error(ErrorCode::InvalidValue, "unknown scheme " + t.scheme + " (udp, tls, tcp)");
    std::string_view rest = url.substr(sep + 3);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return make_error(ErrorCode::InvalidValue, "expected host:port after " + t.scheme + "://");
    std::string_view host = rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    t.host = std::string(host);
    const std::string_view port = rest.substr(colon + 1);
    unsigned long v = 0;
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        (v = std::stoul(std::string(port))) == 0 || v > 65535)
        return make_error(ErrorCode::InvalidValue, "port " + std::string(port) + ": expected 1-65535");
    t.port = static_cast<std::uint16_t>(v);
    if (t.host.empty()) return make_error(ErrorCode::InvalidValue, "no host");
    return t;
}

Result<void> validate(const Config& c) {
    auto ae_ok = [](const std::string& ae) {
        return !ae.empty() && ae.size() <= 16 && ae.find('\\') == std::string::npos;
    };
    if (!ae_ok(c.ae_title)) return make_error(ErrorCode::InvalidValue, "ae_title '" + c.ae_title + "': 1-16 characters");
    if (c.data.empty()) return make_error(ErrorCode::InvalidValue, "data: a folder is required");
    if (c.index.backend != "sqlite" && c.index.backend != "postgres")
        return make_error(ErrorCode::InvalidValue, "index backend '" + c.index.backend + "': sqlite or postgres");
    if (c.index.backend == "postgres" && c.index.url.empty())
        return make_error(ErrorCode::InvalidValue, "index: backend postgres needs a url");
    if (c.index.backend == "sqlite" && !c.index.url.empty())
        return make_error(ErrorCode::InvalidValue, "index: a url is only for backend postgres");
    for (const Peer& p : c.peers)
        if (!ae_ok(p.ae_title)) return make_error(ErrorCode::InvalidValue, "peer '" + p.ae_title + "': 1-16 characters");
    for (const std::string& t : c.called_ae_titles)
        if (!ae_ok(t)) return make_error(ErrorCode::InvalidValue, "called_ae_titles '" + t + "': 1-16 characters");
    return {};
}

bool listens_tls(const Config& c) noexcept { return c.port_tls || c.tls_port.has_value(); }

bool has_tls_peers(const Config& c) noexcept {
    return std::any_of(c.peers.begin(), c.peers.end(), [](const Peer& p) { return p.tls; });
}

net::ul::TlsConfig acceptor_tls(const Config& c) {
    net::ul::TlsConfig t;
    t.certificate_file = c.tls.certificate;
    t.private_key_file = c.tls.private_key;
    t.ca_file = c.tls.ca;
    t.verify_peer = c.tls.require_client_cert;
    return t;
}

net::ul::TlsConfig peer_tls(const Config& c) {
    net::ul::TlsConfig t = acceptor_tls(c);
    t.verify_peer = true;
    return t;
}

namespace {

/// A readable regular file, or an error naming where it was given.
Result<void> check_readable(const std::string& path, const std::string& from) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return make_error(ErrorCode::InvalidValue, from + " " + path + ": is a folder, not a file");
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f)
        return make_error(ErrorCode::InvalidValue, from + " " + path + ": cannot read: " + std::strerror(errno));
    std::fclose(f);
    return {};
}

}  // namespace

Result<void> check_tls(const Config& c) {
    const bool listening = listens_tls(c);
    if (!listening && !has_tls_peers(c)) return {};
    const TlsSettings& t = c.tls;
    if (listening && t.certificate.empty())
        return make_error(ErrorCode::InvalidValue,
                          std::string(c.port_tls ? "server.tls" : "server.tls_port") +
                              ": a TLS port needs a certificate and its key ([tls] certificate and private_key, "
                              "or --cert and --key)");
    if (!t.private_key.empty() && t.certificate.empty())
        return make_error(ErrorCode::InvalidValue, t.private_key_from + ": a private key without a certificate");
    if (!t.certificate.empty())
        if (auto r = check_readable(t.certificate, t.certificate_from); !r) return r;
    if (!t.private_key.empty())
        if (auto r = check_readable(t.private_key, t.private_key_from); !r) return r;
    if (!t.ca.empty())
        if (auto r = check_readable(t.ca, t.ca_from); !r) return r;
    // Load them as the server and the C-MOVE associations will: PEM that does not parse, a key
    // that is not the certificate's.
    if (listening)
        if (auto r = net::ul::check_tls_config(acceptor_tls(c), true); !r)
            return make_error(ErrorCode::InvalidValue, r.error().message);
    if (has_tls_peers(c))
        if (auto r = net::ul::check_tls_config(peer_tls(c), false); !r)
            return make_error(ErrorCode::InvalidValue, r.error().message + " (for the peers with tls = true)");
    return {};
}

std::string redact_password(std::string_view url) {
    std::string s(url);
    if (s.starts_with("postgresql://") || s.starts_with("postgres://")) {
        // postgresql://user:password@host/db?password=...
        const auto start = s.find("://") + 3;
        const auto end = std::min(s.find_first_of("/?", start), s.size());
        const auto at = s.rfind('@', end - 1);
        if (at != std::string::npos && at >= start) {
            const auto colon = s.find(':', start);
            if (colon < at) s.replace(colon + 1, at - colon - 1, "***");
        }
        if (const auto q = s.find('?'); q != std::string::npos) {
            for (auto p = q + 1; p < s.size();) {
                auto amp = std::min(s.find('&', p), s.size());
                if (s.compare(p, 9, "password=") == 0) {
                    s.replace(p + 9, amp - p - 9, "***");
                    amp = p + 12;
                }
                p = amp + 1;
            }
        }
        return s;
    }
    // key=value pairs: password = 'quoted \' value' or password=value
    for (auto p = s.find("password"); p != std::string::npos; p = s.find("password", p + 1)) {
        if (p > 0 && s[p - 1] != ' ') continue;
        auto v = p + 8;
        while (v < s.size() && s[v] == ' ') ++v;
        if (v >= s.size() || s[v] != '=') continue;
        ++v;
        while (v < s.size() && s[v] == ' ') ++v;
        auto e = v;
        if (e < s.size() && s[e] == '\'') {
            for (++e; e < s.size() && s[e] != '\''; ++e)
                if (s[e] == '\\') ++e;
            e = std::min(e + 1, s.size());
        } else {
            while (e < s.size() && s[e] != ' ') ++e;
        }
        s.replace(v, e - v, "***");
    }
    return s;
}

std::string describe_index(const Config& c) {
    if (c.index.backend == "postgres") return "postgres " + redact_password(c.index.url);
    return "sqlite " + (std::filesystem::path(c.data) / "index.db").string();
}

service::AccessPolicy access_policy(const Config& c, std::uint16_t tls_port) {
    service::AccessPolicy p;
    p.accept_unknown = c.accept_unknown;
    p.tls_port = tls_port;
    for (const Peer& peer : c.peers) {
        service::PeerRule r{peer.ae_title, peer.host, peer.check_address, peer.tls, {}};
        for (const std::string& a : peer.allow)
            if (auto action = service::parse_action(a)) r.allow.push_back(*action);
        p.peers.push_back(std::move(r));
    }
    return p;
}

bool allowed(const Config& c, std::string_view ae, std::string_view service) {
    const auto action = service::parse_action(service);
    return action && service::PolicyAuthorizer(access_policy(c)).allows(ae, *action);
}

bool tls_only(const Config& c, std::string_view ae) {
    const std::string a = trim_ae(ae);
    return std::any_of(c.peers.begin(), c.peers.end(), [&](const Peer& p) { return p.tls && p.ae_title == a; });
}

bool address_allowed(const Config& c, std::string_view ae, std::string_view peer_address) {
    return service::PolicyAuthorizer(access_policy(c)).address_matches(ae, peer_address);
}

}  // namespace dicomkit::server::app
