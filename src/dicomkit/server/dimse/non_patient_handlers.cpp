// Non-patient object handlers.
#include <dicomkit/server/dimse/non_patient_handlers.hpp>

#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::server::dimse {

namespace st = net::dimse::status;

namespace {

std::vector<std::string> classes(std::string_view model::NonPatientModel::*which) {
    std::vector<std::string> out;
    for (const auto& m : model::non_patient_models())
        if (!(m.*which).empty()) out.emplace_back(m.*which);
    return out;
}

}  // namespace

std::vector<std::string> non_patient_find_classes() { return classes(&model::NonPatientModel::find); }
std::vector<std::string> non_patient_move_classes() { return classes(&model::NonPatientModel::move); }
std::vector<std::string> non_patient_get_classes() { return classes(&model::NonPatientModel::get); }

net::dimse::Outcome NonPatientFindHandler::find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                                const DataSet& identifier, const Emit& emit) {
    if (allow_ && !allow_(rc.calling_ae, "query")) return {st::NotAuthorized, rc.calling_ae + " may not query"};
    const auto* m = model::non_patient_model(trim_padding(rq.affected_sop_class_uid));
    if (!m) return {st::SOPClassNotSupported, "not a non-patient information model"};
    bool stopped = false;
    auto n = objects_.find(*m, identifier, [&](const DataSet& match) {
        if (!emit(match)) stopped = true;
        return !stopped;
    });
    if (!n) return {st::DataSetDoesNotMatchSOPClass, n.error().message};  // 0xA900: Identifier does not match
    if (stopped) return {st::Cancel, {}};
    return {};
}

Resolve non_patient_resolver(service::ObjectQuery& objects) {
    return [&objects](const net::dimse::Command& rq, const DataSet& identifier)
               -> Result<std::vector<service::RetrieveItem>> {
        const auto* m = model::non_patient_model(trim_padding(rq.affected_sop_class_uid));
        if (!m) return make_error(ErrorCode::InvalidValue, "not a non-patient information model");
        return objects.instances(*m, identifier);
    };
}

}  // namespace dicomkit::server::dimse
