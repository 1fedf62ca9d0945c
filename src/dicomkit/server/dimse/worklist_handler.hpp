// The Modality Worklist C-FIND SCP (PS3.4 K): the service's matches as pending responses.
#pragma once

#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/service/worklist.hpp>

namespace dicomkit::server::dimse {

/// C-FIND on the Modality Worklist Information Model - FIND (1.2.840.10008.5.1.4.31): one
/// pending response per matching item (service::Worklist::find), C-CANCEL honoured. A caller
/// the Authorizer does not allow "query" is refused (0x0124); a bad identifier is 0xA900, a
/// failing store 0xA700 (status_map, Operation::Find).
class WorklistFindHandler final : public net::dimse::FindHandler {
public:
    WorklistFindHandler(service::Worklist& worklist, AuthorizerPtr authorizer)
        : worklist_(worklist), authorizer_(std::move(authorizer)) {}
    [[nodiscard]] net::dimse::Outcome find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                           const DataSet& identifier, const Emit& emit) override;

private:
    service::Worklist& worklist_;
    AuthorizerPtr authorizer_;
};

}  // namespace dicomkit::server::dimse
