// DIMSE handlers for non-patient objects (PS3.4 U Hanging Protocol, X Color Palette, BB-DD
// implant templates, HH Protocol Approval, Defined Procedure Protocol Q/R): C-FIND over their
// attributes, C-MOVE and C-GET by SOP Instance UID. They are registered on the dispatcher for
// their models' SOP classes, beside the Patient and Study Root handlers.
#pragma once

#include <memory>

#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/dimse/retrieve_handler.hpp>
#include <dicomkit/server/service/object_query.hpp>

namespace dicomkit::server::dimse {

/// The FIND, MOVE and GET SOP classes of every non-patient model the standard defines.
[[nodiscard]] std::vector<std::string> non_patient_find_classes();
[[nodiscard]] std::vector<std::string> non_patient_move_classes();
[[nodiscard]] std::vector<std::string> non_patient_get_classes();

/// C-FIND on a non-patient model: every key matched as its VR implies, returned (ObjectQuery).
class NonPatientFindHandler final : public net::dimse::FindHandler {
public:
    NonPatientFindHandler(service::ObjectQuery& objects, AuthorizerPtr authorizer)
        : objects_(objects), authorizer_(std::move(authorizer)) {}
    [[nodiscard]] net::dimse::Outcome find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                           const DataSet& identifier, const Emit& emit) override;

private:
    service::ObjectQuery& objects_;
    AuthorizerPtr authorizer_;
};

/// What RetrieveHandler sends for a non-patient model's C-MOVE or C-GET: the objects the
/// identifier's SOP Instance UIDs name.
[[nodiscard]] Resolve non_patient_resolver(service::ObjectQuery& objects);

}  // namespace dicomkit::server::dimse
