// DIMSE handlers of the server: C-STORE into storage + index, C-FIND over the index, each checked
// against what the calling AE may do (PS3.4 B.2.2, C.4.1).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <dicomkit/net/dimse/folder_store.hpp>
#include <dicomkit/server/service/ingest.hpp>
#include <dicomkit/server/service/query.hpp>

namespace dicomkit::server::dimse {

/// PS3.4 C.6.1.1.2 / C.6.2.1.1: the FIND SOP classes of the two information models.
inline constexpr std::string_view kPatientRootFind = "1.2.840.10008.5.1.4.1.2.1.1";
inline constexpr std::string_view kStudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";

/// Whether calling AE `ae` may use `service` ("store", "query", ...).
using Allow = std::function<bool(const std::string& ae, std::string_view service)>;

/// Writes each instance through a FolderStoreHandler, then indexes the file before answering.
class IndexingStoreHandler final : public net::dimse::StoreHandler {
public:
    IndexingStoreHandler(std::string folder, service::Ingest& ingest, Allow allow,
                         net::dimse::FolderStoreHandler::Log log = {}, bool durable = true)
        : folder_(folder), files_(std::move(folder), std::move(log), durable), ingest_(ingest), allow_(std::move(allow)) {}

    [[nodiscard]] Result<std::unique_ptr<net::dimse::DataSink>> begin(const net::dimse::RequestContext& rc,
                                                                      const net::dimse::Command& rq) override;
    [[nodiscard]] net::dimse::Outcome end(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                          std::unique_ptr<net::dimse::DataSink> sink) override;

private:
    std::string folder_;
    net::dimse::FolderStoreHandler files_;
    service::Ingest& ingest_;
    Allow allow_;
};

/// C-FIND on the Patient Root and Study Root FIND SOP classes.
class QueryFindHandler final : public net::dimse::FindHandler {
public:
    QueryFindHandler(service::Query& query, Allow allow) : query_(query), allow_(std::move(allow)) {}
    [[nodiscard]] net::dimse::Outcome find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                           const DataSet& identifier, const Emit& emit) override;

private:
    service::Query& query_;
    Allow allow_;
};

}  // namespace dicomkit::server::dimse
