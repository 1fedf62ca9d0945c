// Server DIMSE handlers.
#include <dicomkit/server/dimse/handlers.hpp>

#include <optional>

#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::server::dimse {

namespace st = net::dimse::status;

Result<std::unique_ptr<net::dimse::DataSink>> IndexingStoreHandler::begin(const net::dimse::RequestContext& rc,
                                                                          const net::dimse::Command& rq) {
    if (allow_ && !allow_(rc.calling_ae, "store"))
        return make_error(ErrorCode::InvalidValue, rc.calling_ae + " may not store here");
    return files_.begin(rc, rq);
}

net::dimse::Outcome IndexingStoreHandler::end(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                              std::unique_ptr<net::dimse::DataSink> sink) {
    net::dimse::Outcome o;
    std::optional<service::Stored> stored;
    auto* file = dynamic_cast<net::dimse::FileSink*>(sink.get());
    auto temp = file ? file->release() : Result<std::string>(make_error(ErrorCode::InvalidArgument, "not a file sink"));
    if (!temp) {
        o = {st::OutOfResources, temp.error().message};
    } else if (auto r = ingest_.store(*temp); !r) {
        // The operating system or the index failed: out of resources. Anything else is the data
        // set's fault (not a Part 10 data set we can read, no SOP Instance UID).
        o = r.error().code == ErrorCode::IoError ? net::dimse::Outcome{st::OutOfResources, r.error().message}
                                                 : net::dimse::Outcome{st::CannotUnderstand, r.error().message};
    } else {
        stored = std::move(*r);
        if (stored->action == service::StoreAction::Rejected)  // the Error Comment is an LO: 64 characters
            o = {kDuplicateRejectedStatus, "duplicate SOP Instance UID refused (duplicates = reject)"};
    }
    if (log_) log_(StoreEvent{rc, rq, sink->size(), o, stored ? &*stored : nullptr});
    return o;
}

bool relational_negotiated(const net::dimse::RequestContext& rc) {
    if (!rc.context) return false;
    const auto& info = rc.context->extended_negotiation;
    return !info.empty() && info[0] == 1;
}

net::dimse::Outcome QueryFindHandler::find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                           const DataSet& identifier, const Emit& emit) {
    if (allow_ && !allow_(rc.calling_ae, "query")) return {st::NotAuthorized, rc.calling_ae + " may not query"};
    const auto root = rq.affected_sop_class_uid == kPatientRootFind ? model::Root::Patient : model::Root::Study;
    bool stopped = false;
    auto n = query_.find(
        root, identifier,
        [&](const DataSet& m) {
            if (!emit(m)) stopped = true;
            return !stopped;
        },
        relational_negotiated(rc));
    if (!n) return {st::DataSetDoesNotMatchSOPClass, n.error().message};  // 0xA900: Identifier does not match
    if (stopped) return {st::Cancel, {}};
    return {};
}

}  // namespace dicomkit::server::dimse
