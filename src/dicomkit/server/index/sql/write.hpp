// What add() writes, shared by the SQL backends: the row values of one instance at each level and
// the statements that write them (an upsert per level keyed by its unique key, RETURNING pk).
#pragma once

#include <array>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/index/sql/dialect.hpp>
#include <dicomkit/server/model/query.hpp>

namespace dicomkit::server::index::sql {

/// One instance's values for the patient, study, series and instance rows, in the parameter order
/// of write_sql(): the parent's pk (but for patient), the text values, the attributes blob.
struct InstanceRows {
    std::string sop_instance_uid;
    std::vector<std::string> level[4];  ///< UTF-8 text, indexed by model::Level
    std::array<std::string, 4> attrs;   ///< each level's other attributes (sql/attributes.hpp)
};

/// The values of `attributes` (text decoded with its Specific Character Set); InvalidValue when a
/// SOP, Study or Series Instance UID is missing.
[[nodiscard]] Result<InstanceRows> instance_rows(const DataSet& attributes, const InstanceFile& file);

/// A non-patient object's row (table object, schema 004): SOP Instance UID, SOP Class UID,
/// transfer syntax, path, size in the parameter order of WriteSql::insert_object, and its
/// attributes blob (all of them, sql/attributes.hpp).
struct ObjectRow {
    std::string sop_instance_uid;
    std::vector<std::string> values;
    std::string attrs;
};
/// Whether `attributes` are those of a non-patient object (model::is_non_patient_storage).
[[nodiscard]] bool is_object(const DataSet& attributes);
/// InvalidValue when the SOP Instance or Class UID is missing.
[[nodiscard]] Result<ObjectRow> object_row(const DataSet& attributes, const InstanceFile& file);

/// The statements of add(), instance(), remove() and for_each_instance() in a dialect.
struct WriteSql {
    /// patient, study, series: INSERT .. ON CONFLICT DO UPDATE (when a value differs) .. RETURNING
    /// pk; no row when the existing row was left as it was: then `lookup` by the unique key.
    std::string upsert[3];
    std::string lookup[3];        ///< patient, study, series: pk by the unique key (the first text value)
    std::string insert_instance;  ///< series pk, InstanceRows::level[Image], attrs[Image]
    std::string find_instance;    ///< by SOP Instance UID: pk, path, size, transfer syntax
    std::string delete_instance;  ///< by pk
    std::string parents;          ///< by SOP Instance UID: the pks of instance, series, study, patient
    std::string prune[3];         ///< patient, study, series by pk, when nothing is left below it
    std::string all_instances;    ///< every instance and object: SOP Instance UID, path, size, transfer syntax
    std::string insert_object;    ///< ObjectRow::values, then the attributes blob
    std::string find_object;      ///< pk of the object with this SOP Instance UID
    std::string delete_object;    ///< by pk
    std::string objects_of_class; ///< by SOP Class UID: SOP Instance UID, attributes blob
};

[[nodiscard]] WriteSql write_sql(Dialect d);

/// The statement of Index::files_under(): parameters study UID, then the series UID when
/// `by_series`, then the SOP Instance UID when `by_instance`; columns SOP class, SOP Instance UID,
/// path, size, transfer syntax; series by series in the order they were indexed.
[[nodiscard]] std::string files_under_sql(Dialect d, bool by_series, bool by_instance);

}  // namespace dicomkit::server::index::sql
