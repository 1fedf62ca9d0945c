// dicomkit worklist add|list|remove: the Modality Worklist of a running serve through its REST
// admin API (/api/worklist, docs/worklist.md), for sites that feed it without HL7.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <dicomkit/base/log.hpp>

#include "commands.hpp"

namespace dicomkit::cli {

namespace {

namespace http = boost::beast::http;

struct WorklistArgs {
    std::string url = "http://127.0.0.1:8042";
    std::string user, password, token;
    std::string json_file, order_key;  ///< add
    std::vector<std::string> filters;  ///< list: NAME=VALUE
    std::string id;                    ///< remove
    bool raw = false;                  ///< list: the server's JSON as it is
};

struct Url {
    std::string host, port, prefix;
};

std::optional<Url> parse_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) return std::nullopt;
    std::string rest = url.substr(scheme.size());
    Url u;
    const auto slash = rest.find('/');
    if (slash != std::string::npos) {
        u.prefix = rest.substr(slash);
        rest.resize(slash);
        while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
    }
    const auto colon = rest.rfind(':');
    u.host = rest.substr(0, colon);
    u.port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
    if (u.host.empty() || u.port.empty()) return std::nullopt;
    return u;
}

std::string percent(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '*') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

/// One request; the status and body, or an error message.
Result<std::pair<int, std::string>> request(const WorklistArgs& a, http::verb verb, const std::string& target,
                                            const std::string& body) {
    const auto u = parse_url(a.url);
    if (!u) return make_error(ErrorCode::InvalidArgument, "--url " + a.url + ": not http://HOST[:PORT][/PREFIX]");
    try {
        boost::asio::io_context io;
        boost::asio::ip::tcp::resolver resolver(io);
        boost::beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(30));
        stream.connect(resolver.resolve(u->host, u->port));
        http::request<http::string_body> rq(verb, u->prefix + target, 11);
        rq.set(http::field::host, u->host);
        rq.set(http::field::accept, "application/json");
        if (!a.token.empty()) {
            rq.set(http::field::authorization, "Bearer " + a.token);
        } else if (!a.user.empty()) {
            const std::string plain = a.user + ":" + a.password;
            std::string enc(boost::beast::detail::base64::encoded_size(plain.size()), '\0');
            enc.resize(boost::beast::detail::base64::encode(enc.data(), plain.data(), plain.size()));
            rq.set(http::field::authorization, "Basic " + enc);
        }
        if (!body.empty()) {
            rq.set(http::field::content_type, "application/dicom+json");
            rq.body() = body;
        }
        rq.prepare_payload();
        http::write(stream, rq);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> rs;
        http::read(stream, buffer, rs);
        boost::beast::error_code ec;
        stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        return std::pair{static_cast<int>(rs.result_int()), rs.body()};
    } catch (const std::exception& e) {
        return make_error(ErrorCode::IoError, a.url + ": " + e.what());
    }
}

/// Exit code of a response: 0 for 2xx; the server's message otherwise.
int check(const Result<std::pair<int, std::string>>& r) {
    if (!r) {
        log::error("{}", r.error().message.c_str());
        return 1;
    }
    if (r->first / 100 == 2) return 0;
    log::error("HTTP {}: {}", r->first, r->second.c_str());
    return 1;
}

int run_add(const WorklistArgs& a) {
    std::ifstream in(a.json_file, std::ios::binary);
    if (!in) {
        log::error("{}: cannot be read", a.json_file.c_str());
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string target = "/api/worklist";
    if (!a.order_key.empty()) target += "?order_key=" + percent(a.order_key);
    auto r = request(a, http::verb::post, target, text.str());
    if (int rc = check(r)) return rc;
    std::printf("%s\n", r->second.c_str());
    return 0;
}

/// One line per item: id, order key, patient, modality, start, status.
int run_list(const WorklistArgs& a) {
    std::string query;
    for (const auto& f : a.filters) {
        const auto eq = f.find('=');
        if (eq == std::string::npos) {
            log::error("{}: not NAME=VALUE", f.c_str());
            return 2;
        }
        query += (query.empty() ? "?" : "&") + percent(f.substr(0, eq)) + "=" + percent(f.substr(eq + 1));
    }
    auto r = request(a, http::verb::get, "/api/worklist" + query, {});
    if (int rc = check(r)) return rc;
    if (a.raw) {
        std::printf("%s\n", r->second.c_str());
        return 0;
    }
    auto items = nlohmann::json::parse(r->second, nullptr, false);
    if (!items.is_array()) {
        log::error("the server's answer is not a JSON array");
        return 1;
    }
    auto first = [](const nlohmann::json& ds, const char* tag) -> std::string {
        if (!ds.is_object() || !ds.contains(tag)) return {};
        const auto& v = ds[tag];
        if (!v.contains("Value") || v["Value"].empty()) return {};
        const auto& x = v["Value"][0];
        if (x.is_string()) return x.get<std::string>();
        if (x.is_object() && x.contains("Alphabetic")) return x["Alphabetic"].get<std::string>();
        if (x.is_object()) return {};
        return x.dump();
    };
    std::printf("%-8s %-24s %-16s %-24s %-4s %-15s %s\n", "ID", "ORDER", "PATIENT ID", "PATIENT NAME", "MOD",
                "START", "STATUS");
    for (const auto& it : items) {
        const auto& ds = it["item"];
        nlohmann::json step;
        if (ds.contains("00400100") && ds["00400100"].contains("Value") && !ds["00400100"]["Value"].empty())
            step = ds["00400100"]["Value"][0];
        std::printf("%-8s %-24s %-16s %-24s %-4s %-15s %s\n", it["id"].get<std::string>().c_str(),
                    it["order_key"].get<std::string>().c_str(), first(ds, "00100020").c_str(),
                    first(ds, "00100010").c_str(), first(step, "00080060").c_str(),
                    (first(step, "00400002") + " " + first(step, "00400003")).c_str(), first(step, "00400020").c_str());
    }
    return 0;
}

int run_remove(const WorklistArgs& a) {
    auto r = request(a, http::verb::delete_, "/api/worklist/" + percent(a.id), {});
    return check(r);
}

void add_connection_options(CLI::App* cmd, WorklistArgs& a) {
    cmd->add_option("--url", a.url, "serve's HTTP address (default http://127.0.0.1:8042)");
    cmd->add_option("--user,-u", a.user, "HTTP user (Basic authentication)");
    cmd->add_option("--password,-p", a.password, "HTTP password");
    cmd->add_option("--token", a.token, "API token (Bearer)");
}

}  // namespace

void add_worklist(CLI::App& app, Action& run) {
    auto a = std::make_shared<WorklistArgs>();
    auto* cmd = app.add_subcommand("worklist", "Modality Worklist items of a running serve (its REST admin API)");
    cmd->require_subcommand(1);
    auto* add = cmd->add_subcommand("add", "Add an item (DICOM JSON) or replace the item of its order");
    add->add_option("--json", a->json_file, "The item as a DICOM JSON object (PS3.18 F)")->required();
    add->add_option("--order-key", a->order_key, "The order it belongs to: an item put again under it replaces it");
    add_connection_options(add, *a);
    add->callback([&run, a] { run = [a] { return run_add(*a); }; });
    auto* list = cmd->add_subcommand("list", "List items (not completed, canceled or discontinued unless status=...)");
    list->add_option("filters", a->filters,
                     "NAME=VALUE: PatientID, PatientName, AccessionNumber, Modality, ScheduledStationAETitle, "
                     "StudyInstanceUID, date (YYYYMMDD[-YYYYMMDD]), status (or all), limit, offset");
    list->add_flag("--json", a->raw, "Print the server's JSON");
    add_connection_options(list, *a);
    list->callback([&run, a] { run = [a] { return run_list(*a); }; });
    auto* remove = cmd->add_subcommand("remove", "Remove an item by its id");
    remove->add_option("id", a->id, "The item's id (worklist list)")->required();
    add_connection_options(remove, *a);
    remove->callback([&run, a] { run = [a] { return run_remove(*a); }; });
}

}  // namespace dicomkit::cli
