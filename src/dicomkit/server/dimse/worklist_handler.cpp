// WorklistFindHandler.
#include <dicomkit/server/dimse/worklist_handler.hpp>

#include <dicomkit/server/dimse/status_map.hpp>

namespace dicomkit::server::dimse {

net::dimse::Outcome WorklistFindHandler::find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                              const DataSet& identifier, const Emit& emit) {
    (void)rq;
    if (auto ok = authorizer_->check(caller_of(rc), service::Action::Query); !ok)
        return outcome_of(ok.error(), Operation::Find);
    bool stopped = false;
    auto n = worklist_.find(identifier, [&](const DataSet& match) {
        stopped = !emit(match);
        return !stopped;
    });
    if (!n) return outcome_of(n.error(), Operation::Find);
    if (stopped) return outcome_of({service::ErrorKind::Cancelled, {}}, Operation::Find);
    return {};
}

}  // namespace dicomkit::server::dimse
