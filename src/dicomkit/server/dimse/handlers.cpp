// Server DIMSE handlers.
#include <dicomkit/server/dimse/handlers.hpp>

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
    auto o = files_.end(rc, rq, std::move(sink));
    if (o.status != st::Success) return o;
    const std::string path = folder_ + "/" + net::dimse::instance_file_name(rq.affected_sop_instance_uid);
    auto r = ingest_.add_file(path);
    if (!r) return {st::OutOfResources, "index: " + r.error().message};
    return o;
}

net::dimse::Outcome QueryFindHandler::find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                           const DataSet& identifier, const Emit& emit) {
    if (allow_ && !allow_(rc.calling_ae, "query")) return {st::NotAuthorized, rc.calling_ae + " may not query"};
    const auto root = rq.affected_sop_class_uid == kPatientRootFind ? model::Root::Patient : model::Root::Study;
    bool stopped = false;
    auto n = query_.find(root, identifier, [&](const DataSet& m) {
        if (!emit(m)) stopped = true;
        return !stopped;
    });
    if (!n) return {st::DataSetDoesNotMatchSOPClass, n.error().message};  // 0xA900: Identifier does not match
    if (stopped) return {st::Cancel, {}};
    return {};
}

}  // namespace dicomkit::server::dimse
