// The SQL of the worklist table (schema 006) that both backends share: an item's column values,
// the upsert, the update and the SELECT of a WorklistFilter.
#pragma once

#include <string>
#include <vector>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/server/index/sql/dialect.hpp>
#include <dicomkit/server/index/worklist_store.hpp>

namespace dicomkit::server::index::sql {

/// The values of the worklist columns after order_key (patient_id ... requested_procedure_id),
/// from `item` (text in `charset`) and its first Scheduled Procedure Step Sequence item, UTF-8.
[[nodiscard]] std::vector<std::string> worklist_columns(const DataSet& item, const SpecificCharacterSet& charset);

/// INSERT ... ON CONFLICT(order_key) DO UPDATE ... RETURNING pk: parameters order_key, the
/// columns, the item blob.
[[nodiscard]] std::string worklist_upsert(Dialect d);
/// UPDATE ... WHERE pk = first parameter: parameters pk, the columns, the item blob.
[[nodiscard]] std::string worklist_update(Dialect d);

/// SELECT pk, order_key, item of the rows `f` selects, ordered; its parameters (text) in `params`.
[[nodiscard]] std::string worklist_select(Dialect d, const WorklistFilter& f, std::vector<std::string>& params);

}  // namespace dicomkit::server::index::sql
