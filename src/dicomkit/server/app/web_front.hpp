// The web front of serve: [http] of the Config turned into users and tokens, the WebApp over the
// archive's services and an HttpServer on the HTTP port.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <dicomkit/base/error.hpp>
#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/server/app/config.hpp>
#include <dicomkit/server/service/ingest.hpp>
#include <dicomkit/server/service/query.hpp>
#include <dicomkit/server/service/retrieve.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::app {

struct WebFrontDeps {
    const Config* config = nullptr;
    std::string bind;
    index::Index* index = nullptr;
    service::Query* query = nullptr;
    service::Retrieve* retrieve = nullptr;
    service::Ingest* ingest = nullptr;
    service::Worklist* worklist = nullptr;
    storage::BlobStore* blobs = nullptr;
    service::Mpps* mpps = nullptr;
    service::Commitment* commitment = nullptr;
    std::shared_ptr<const pixel::CodecRegistry> codecs;
    std::shared_ptr<const service::Authorizer> authorizer;
    std::function<void(const std::string&)> log;
    web::AdminHooks admin;
    web::AuditHook audit;  ///< the audit trail's, when [audit] is on
};

class WebFront {
public:
    /// Loads the users (making the first admin when there is none: its password is logged once
    /// and its hash kept in DATA/http-admin), builds the WebApp and listens on config.http.port.
    [[nodiscard]] static Result<std::unique_ptr<WebFront>> start(WebFrontDeps deps);
    ~WebFront();
    [[nodiscard]] std::uint16_t port() const noexcept;
    void stop();

    struct Impl;

private:
    explicit WebFront(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// The users and tokens of [http], and the first admin's (see WebFront::start).
[[nodiscard]] Result<web::AuthSettings> auth_settings(const Config& config, const std::function<void(const std::string&)>& log);

/// Where the OHIF viewer's dist/ is: [http] viewer, else viewer/dist, which scripts/install_viewer.sh fills
/// beside the running binary's source tree or the working folder; empty when not installed.
[[nodiscard]] std::string find_viewer(const Config& config);

}  // namespace dicomkit::server::app
