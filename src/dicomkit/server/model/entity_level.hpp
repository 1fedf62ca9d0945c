// The Query/Retrieve level of any attribute: the Information Entity it belongs to (PS3.3 modules)
// mapped onto the levels of PS3.4 C.6, so that "all other attributes" of a level can be returned.
#pragma once

#include <dicomkit/core/tag.hpp>
#include <dicomkit/server/model/query.hpp>

namespace dicomkit::server::model {

/// PS3.4 C.6.1.1.2-5: the level of an attribute in the Patient Root model: Patient (Patient IE,
/// Clinical Trial Subject), Study (General Study, Patient Study, Clinical Trial Study), Series
/// (General Series, Clinical Trial Series, Frame of Reference, Equipment), else Image.
[[nodiscard]] Level entity_level(Tag tag) noexcept;

}  // namespace dicomkit::server::model
