// Non-patient objects (PS3.4 GG: Color Palette, Hanging Protocol, implant templates, Defined
// Procedure Protocols, Protocol Approval, Inventory): the storage SOP classes whose IODs have no
// Patient at their root, their Query/Retrieve information models, and C-FIND matching over them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/server/model/query.hpp>

namespace dicomkit::server::model {

/// One Query/Retrieve information model for non-patient objects and the storage SOP classes it
/// covers (PS3.4 U Hanging Protocol, X Color Palette, BB/CC/DD implant templates, HH Protocol
/// Approval, the Defined Procedure Protocol model). A model the standard does not define has
/// empty FIND/MOVE/GET UIDs (Inventory: stored and retrievable by SOP Instance UID only).
struct NonPatientModel {
    std::string_view name;
    std::string_view find, move, get;
    std::vector<std::string_view> storage;
};

/// Every non-patient model, in a fixed order.
[[nodiscard]] std::span<const NonPatientModel> non_patient_models() noexcept;
/// Whether `sop_class_uid` is the storage SOP class of a non-patient object (PS3.4 GG.3).
[[nodiscard]] bool is_non_patient_storage(std::string_view sop_class_uid) noexcept;
/// The model whose FIND, MOVE or GET SOP class is `sop_class_uid`, if any.
[[nodiscard]] const NonPatientModel* non_patient_model(std::string_view sop_class_uid) noexcept;

/// A C-FIND identifier for a non-patient model, parsed: every key of the identifier is matched
/// against the object's attribute of the same tag with the matching its VR implies (PS3.4
/// C.2.2.2: single value, list of UIDs, wild card, date/time range, sequence matching), and
/// returned.
struct ObjectQuery {
    SequenceCondition keys;
};
/// Errors are InvalidValue with the reason (several items in a sequence key, nesting too deep...).
[[nodiscard]] Result<ObjectQuery> parse_object_query(const DataSet& identifier);
/// The response identifier when `object` (its attributes, text UTF-8) matches: the requested keys
/// with the object's values, zero length when it has none, and Specific Character Set ISO_IR 192
/// when a value is not ASCII; nullopt when it does not match.
[[nodiscard]] std::optional<DataSet> match_object(const ObjectQuery& query, const DataSet& object);

}  // namespace dicomkit::server::model
