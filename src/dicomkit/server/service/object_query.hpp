// ObjectQuery: C-FIND, C-MOVE and C-GET over the non-patient objects of the index (PS3.4 U, X,
// BB, CC, DD, HH and the Defined Procedure Protocol model), one information model at a time.
#pragma once

#include <string>
#include <vector>

#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/model/non_patient.hpp>
#include <dicomkit/server/service/retrieve.hpp>

namespace dicomkit::server::service {

class ObjectQuery {
public:
    explicit ObjectQuery(index::Index& index) : index_(index) {}

    /// The objects of `model`'s SOP classes that match `identifier` (model::match_object), each
    /// handed to `on_match` as its response identifier; returning false stops. BadIdentifier for
    /// an identifier that cannot be parsed, OutOfResources when the index fails (Unsupported when
    /// it keeps no non-patient objects).
    [[nodiscard]] ServiceResult<std::uint64_t> find(const model::NonPatientModel& model, const DataSet& identifier,
                                             const index::MatchFn& on_match);

    /// PS3.4 U.4.2, X.4.2, ...: the objects of `model` that the SOP Instance UID(s) (0008,0018) of
    /// `identifier` name (required: BadIdentifier without), with their blobs. UIDs the archive
    /// does not hold are left out.
    [[nodiscard]] ServiceResult<std::vector<RetrieveItem>> instances(const model::NonPatientModel& model,
                                                              const DataSet& identifier);

private:
    index::Index& index_;
};

}  // namespace dicomkit::server::service
