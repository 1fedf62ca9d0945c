// Config file reading with toml++ (no exceptions: parse results carry the error position).
#define TOML_EXCEPTIONS 0
#define TOML_HEADER_ONLY 1
#include <dicomkit/server/app/config.hpp>

#include <algorithm>
#include <array>

#include <toml++/toml.h>

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
};

Result<void> read_server(const std::string& file, const toml::table& t, Config& c) {
    Reader r{file};
    for (const auto& [k, node] : t) {
        const std::string key = "server." + std::string(k.str());
        Result<void> ok;
        if (k == "ae_title") ok = r.text(node, key, c.ae_title);
        else if (k == "port") ok = r.port(node, key, c.port);
        else if (k == "data") ok = r.text(node, key, c.data);
        else if (k == "accept_unknown") {
            auto b = node.value<bool>();
            if (!b) return bad(file, node, key + ": expected true or false");
            c.accept_unknown = *b;
        } else return bad(file, node, "unknown key " + key);
        if (!ok) return ok;
    }
    return {};
}

Result<void> read_storage(const std::string& file, const toml::table& t, Config& c) {
    for (const auto& [k, node] : t) {
        const std::string key = "storage." + std::string(k.str());
        if (k != "duplicates") return bad(file, node, "unknown key " + key);
        auto v = node.value<std::string>();
        auto p = v ? parse_duplicates(*v) : Result<index::DuplicatePolicy>(make_error(ErrorCode::InvalidValue, ""));
        if (!p) return bad(file, node, key + ": expected \"keep\", \"replace\" or \"reject\"");
        c.duplicates = *p;
    }
    return {};
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
        else if (k == "allow") {
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

Result<void> validate(const Config& c) {
    auto ae_ok = [](const std::string& ae) {
        return !ae.empty() && ae.size() <= 16 && ae.find('\\') == std::string::npos;
    };
    if (!ae_ok(c.ae_title)) return make_error(ErrorCode::InvalidValue, "ae_title '" + c.ae_title + "': 1-16 characters");
    if (c.data.empty()) return make_error(ErrorCode::InvalidValue, "data: a folder is required");
    for (const Peer& p : c.peers)
        if (!ae_ok(p.ae_title)) return make_error(ErrorCode::InvalidValue, "peer '" + p.ae_title + "': 1-16 characters");
    return {};
}

bool allowed(const Config& c, std::string_view ae, std::string_view service) {
    const std::string a = trim_ae(ae);
    bool known = false;
    for (const Peer& p : c.peers) {
        if (p.ae_title != a) continue;
        known = true;
        if (std::find(p.allow.begin(), p.allow.end(), service) != p.allow.end()) return true;
    }
    return !known && c.accept_unknown;
}

}  // namespace dicomkit::server::app
