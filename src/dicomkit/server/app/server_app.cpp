// ServerApp: builds the archive from its Config (the one place that picks the index backend).
#include <dicomkit/server/app/server_app.hpp>

#include <algorithm>
#include <filesystem>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/dimse/retrieve_handler.hpp>
#include <dicomkit/server/index/postgres/postgres_index.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>

namespace dicomkit::server::app {

namespace fs = std::filesystem;

struct ServerApp::Impl {
    Config config;
    ServerAppOptions options;
    std::unique_ptr<index::Index> index;
    std::string index_description;
    std::unique_ptr<service::Ingest> ingest;
    std::unique_ptr<service::Query> query;
    std::unique_ptr<service::Retrieve> retrieve;
    net::dimse::Dispatcher dispatcher;
    std::unique_ptr<net::ul::Server> server;

    void log(const std::string& line) const {
        if (options.log) options.log(line);
    }
};

namespace {

net::ul::ServerOptions server_options(const Config& c, const ServerAppOptions& o) {
    net::ul::ServerOptions so;
    so.bind_address = o.bind;
    so.port = c.port;
    auto& p = so.policy;
    p.ae_title = c.ae_title;
    p.accept_any_called_ae = true;
    p.calling_allowed = [c](const std::string& ae, const std::string&) {
        return allowed(c, ae, "store") || allowed(c, ae, "query") || allowed(c, ae, "retrieve");
    };
    const std::vector<std::string> ts{"1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"};
    for (std::string_view sop : {std::string_view(net::dimse::kVerificationSopClass), dimse::kPatientRootFind,
                                 dimse::kStudyRootFind, dimse::kPatientRootMove, dimse::kStudyRootMove,
                                 dimse::kPatientRootGet, dimse::kStudyRootGet})
        p.syntaxes.push_back({std::string(sop), ts, false});
    p.accept_any_abstract_syntax = true;  // storage: kept in the transfer syntax it comes in
    p.any_scp_role_allowed = true;        // C-GET stores back on storage contexts
    return so;
}

/// The index the config names: SQLite in DATA/index.db, or a PostgreSQL database.
Result<void> open_index(ServerApp::Impl& impl) {
    const Config& c = impl.config;
    if (c.index.backend == "postgres") {
        auto ix = index::postgres::PostgresIndex::open(c.index.url);
        if (!ix) return tl::unexpected(ix.error());
        impl.index_description = (*ix)->description();
        impl.index = std::move(*ix);
        return {};
    }
    auto ix = index::sqlite::SqliteIndex::open((fs::path(c.data) / "index.db").string());
    if (!ix) return tl::unexpected(ix.error());
    impl.index_description = describe_index(c);
    impl.index = std::move(*ix);
    return {};
}

/// C-MOVE and C-GET over the index; move destinations are the peers allowed "move-destination".
void add_retrieve(ServerApp::Impl& impl) {
    impl.retrieve = std::make_unique<service::Retrieve>(*impl.index, impl.config.data);
    const Config c = impl.config;
    dimse::Allow allow = [c](const std::string& ae, std::string_view s) { return allowed(c, ae, s); };
    dimse::FindDestination dest = [c](const std::string& ae) -> std::optional<dimse::Destination> {
        const auto name = trim_padding(ae);
        for (const Peer& p : c.peers)
            if (p.ae_title == name && std::find(p.allow.begin(), p.allow.end(), "move-destination") != p.allow.end())
                return dimse::Destination{p.ae_title, p.host, p.port};
        return std::nullopt;
    };
    auto h = std::make_shared<dimse::RetrieveHandler>(*impl.retrieve, allow, dest, c.ae_title);
    impl.dispatcher.on_move(h, {std::string(dimse::kPatientRootMove), std::string(dimse::kStudyRootMove)});
    impl.dispatcher.on_get(h, {std::string(dimse::kPatientRootGet), std::string(dimse::kStudyRootGet)});
}

}  // namespace

Result<std::unique_ptr<ServerApp>> ServerApp::start(const Config& config, ServerAppOptions options) {
    if (auto v = validate(config); !v) return tl::unexpected(v.error());
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->options = std::move(options);
    const std::string storage = (fs::path(config.data) / "storage").string();
    std::error_code ec;
    fs::create_directories(storage, ec);
    if (!fs::is_directory(storage)) return make_error(ErrorCode::IoError, storage + ": cannot create the folder");
    if (auto ix = open_index(*impl); !ix) return tl::unexpected(ix.error());
    impl->ingest = std::make_unique<service::Ingest>(*impl->index, config.data, index::DuplicatePolicy::Replace);
    impl->query = std::make_unique<service::Query>(*impl->index);
    dimse::Allow allow = [c = config](const std::string& ae, std::string_view s) { return allowed(c, ae, s); };
    Impl* raw = impl.get();
    auto store_log = [raw](const net::dimse::FolderStoreHandler::StoredEvent& e) {
        raw->log(e.rc.calling_ae + "@" + e.rc.peer_address + " C-STORE " + e.rq.affected_sop_instance_uid + " " +
                 std::to_string(e.bytes) + " bytes: " + net::dimse::describe_status(e.outcome.status));
    };
    std::vector<std::string> classes;
    for (const auto& c : dict::storage_sop_classes()) classes.emplace_back(c.uid);
    impl->dispatcher.on_echo(std::make_shared<net::dimse::SuccessEchoHandler>());
    impl->dispatcher.on_store(
        std::make_shared<dimse::IndexingStoreHandler>(storage, *impl->ingest, allow, store_log, impl->options.durable),
        std::move(classes));
    impl->dispatcher.on_find(std::make_shared<dimse::QueryFindHandler>(*impl->query, allow),
                             {std::string(dimse::kPatientRootFind), std::string(dimse::kStudyRootFind)});
    add_retrieve(*impl);
    auto server = net::ul::Server::start(server_options(config, impl->options), [raw](net::ul::Association& a) {
        auto r = net::dimse::serve(a, raw->dispatcher);
        if (!r) raw->log("W: " + a.peer_address() + ": " + r.error().to_string());
    });
    if (!server) return tl::unexpected(server.error());
    impl->server = std::move(*server);
    return std::unique_ptr<ServerApp>(new ServerApp(std::move(impl)));
}

ServerApp::ServerApp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServerApp::~ServerApp() { stop(); }
std::uint16_t ServerApp::port() const noexcept { return impl_->server ? impl_->server->port() : 0; }
const std::string& ServerApp::index_description() const noexcept { return impl_->index_description; }
void ServerApp::stop() {
    if (impl_ && impl_->server) impl_->server->stop();
}

}  // namespace dicomkit::server::app
