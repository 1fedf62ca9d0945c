// Non-patient object handlers.
#include <dicomkit/server/dimse/non_patient_handlers.hpp>

#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/status_map.hpp>

namespace dicomkit::server::dimse {

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
    if (auto ok = authorizer_->check(caller_of(rc), service::Action::Query); !ok)
        return outcome_of(ok.error(), Operation::Find);
    const auto* m = model::non_patient_model(trim_padding(rq.affected_sop_class_uid));
    if (!m) return outcome_of({service::ErrorKind::Unsupported, "not a non-patient information model"}, Operation::Find);
    bool stopped = false;
    auto n = objects_.find(*m, identifier, [&](const DataSet& match) {
        if (!emit(match)) stopped = true;
        return !stopped;
    });
    if (!n) return outcome_of(n.error(), Operation::Find);
    if (stopped) return outcome_of({service::ErrorKind::Cancelled, {}}, Operation::Find);
    return {};
}

Resolve non_patient_resolver(service::ObjectQuery& objects) {
    return [&objects](const net::dimse::Command& rq, const DataSet& identifier)
               -> service::ServiceResult<std::vector<service::RetrieveItem>> {
        const auto* m = model::non_patient_model(trim_padding(rq.affected_sop_class_uid));
        if (!m) return service::service_error(service::ErrorKind::Unsupported, "not a non-patient information model");
        return objects.instances(*m, identifier);
    };
}

}  // namespace dicomkit::server::dimse
