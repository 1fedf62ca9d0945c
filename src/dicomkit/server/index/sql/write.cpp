// The rows add() writes and their statements, from one description of the tables' columns.
#include <dicomkit/server/index/sql/write.hpp>

#include <dicomkit/server/index/sql/attributes.hpp>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/model/non_patient.hpp>
#include <dicomkit/server/model/text.hpp>

namespace dicomkit::server::index::sql {

namespace {

/// A level's table: its parent's pk column (none for patient) and the text columns add() writes,
/// the first being the unique key; then the attributes blob, attrs.
struct Table {
    const char* name;
    const char* parent;
    std::vector<const char*> columns;
};

const Table kTables[4] = {
    {"patient", nullptr, {"patient_id", "patient_name", "patient_name_upper", "birth_date", "sex", "charset"}},
    {"study", "patient_pk",
     {"study_uid", "study_date", "study_time", "accession", "study_id", "description", "referring",
      "referring_upper", "charset"}},
    {"series", "study_pk", {"series_uid", "modality", "series_number", "description"}},
    {"instance", "series_pk", {"sop_uid", "sop_class", "instance_number", "transfer_syntax", "path", "size"}},
};

std::string insert(const Table& t, Dialect d) {
    std::string cols, values;
    std::size_t n = 0;
    if (t.parent) {
        cols = t.parent;
        values = placeholder(d, ++n);
    }
    for (const char* c : t.columns) {
        cols += (n ? ", " : "") + std::string(c);
        values += (n ? ", " : "") + placeholder(d, n + 1);
        ++n;
    }
    cols += ", attrs";
    values += ", " + placeholder(d, n + 1);
    return "INSERT INTO " + std::string(t.name) + "(" + cols + ") VALUES(" + values + ")";
}

/// The row is changed only when a value differs (the WHERE of DO UPDATE; every column is NOT
/// NULL, so <> compares): most instances belong to a patient, study and series indexed already,
/// and an unchanged row then costs no page or index writes. RETURNING gives no row then (the
/// row is still locked, in PostgreSQL too); WriteSql::lookup finds its pk. A text column the new
/// instance leaves empty keeps its value: a presentation state or a report in a study, which
/// often has no Study Date or Description, does not erase those of the images.
std::string upsert(const Table& t, Dialect d) {
    std::string set, mine, theirs;
    auto assign = [&](const std::string& c, bool keep_when_empty) {
        const char* sep = set.empty() ? "" : ", ";
        const std::string current = std::string(t.name) + "." + c;
        const std::string value = keep_when_empty
                                      ? "CASE WHEN excluded." + c + " = '' THEN " + current + " ELSE excluded." + c + " END"
                                      : "excluded." + c;
        set += sep + c + " = " + value;
        mine += sep + current;
        theirs += sep + value;
    };
    if (t.parent) assign(t.parent, false);
    for (std::size_t i = 1; i < t.columns.size(); ++i) assign(t.columns[i], true);
    assign("attrs", false);
    return insert(t, d) + " ON CONFLICT(" + t.columns[0] + ") DO UPDATE SET " + set + " WHERE (" + mine +
           ") <> (" + theirs + ") RETURNING pk";
}

}  // namespace

Result<InstanceRows> instance_rows(const DataSet& ds, const InstanceFile& file) {
    const auto cs_text = ds.string_or(tags::SpecificCharacterSet);
    const auto cs = SpecificCharacterSet::lenient_parse(cs_text);
    auto txt = [&](Tag t) { return model::decoded_value(ds, t, cs); };
    InstanceRows r;
    r.sop_instance_uid = txt(tags::SOPInstanceUID);
    const std::string study_uid = txt(tags::StudyInstanceUID), series_uid = txt(tags::SeriesInstanceUID);
    if (r.sop_instance_uid.empty() || study_uid.empty() || series_uid.empty())
        return make_error(ErrorCode::InvalidValue, "SOP, Study and Series Instance UIDs are required");
    const std::string name = txt(tags::PatientName), referring = txt(tags::ReferringPhysicianName);
    r.level[0] = {txt(tags::PatientID), name, model::upper_ascii(name), txt(tags::PatientBirthDate),
                  txt(tags::PatientSex), cs_text};
    r.level[1] = {study_uid, txt(tags::StudyDate), txt(tags::StudyTime), txt(tags::AccessionNumber),
                  txt(tags::StudyID), txt(tags::StudyDescription), referring, model::upper_ascii(referring), cs_text};
    r.level[2] = {series_uid, txt(tags::Modality), txt(tags::SeriesNumber), txt(tags::SeriesDescription)};
    r.level[3] = {r.sop_instance_uid, txt(tags::SOPClassUID), txt(tags::InstanceNumber), file.transfer_syntax,
                  file.path, std::to_string(file.size)};
    r.attrs = level_blobs(ds, cs);
    return r;
}

bool is_object(const DataSet& ds) {
    return model::is_non_patient_storage(trim_padding(ds.string_or(tags::SOPClassUID)));
}

Result<ObjectRow> object_row(const DataSet& ds, const InstanceFile& file) {
    const auto cs_text = ds.string_or(tags::SpecificCharacterSet);
    const auto cs = SpecificCharacterSet::lenient_parse(cs_text);
    ObjectRow r;
    r.sop_instance_uid = model::decoded_value(ds, tags::SOPInstanceUID, cs);
    const std::string sop_class = model::decoded_value(ds, tags::SOPClassUID, cs);
    if (r.sop_instance_uid.empty() || sop_class.empty())
        return make_error(ErrorCode::InvalidValue, "SOP Instance and SOP Class UIDs are required");
    r.values = {r.sop_instance_uid, sop_class, file.transfer_syntax, file.path, std::to_string(file.size)};
    r.attrs = object_blob(ds, cs);
    return r;
}

WriteSql write_sql(Dialect d) {
    WriteSql w;
    for (int l = 0; l < 3; ++l) {
        w.upsert[l] = upsert(kTables[l], d);
        w.lookup[l] = "SELECT pk FROM " + std::string(kTables[l].name) + " WHERE " + kTables[l].columns[0] + " = " +
                      placeholder(d, 1);
    }
    w.insert_instance = insert(kTables[3], d);
    // An object is found as an instance is: retrieval by SOP Instance UID finds either.
    w.find_instance = "SELECT pk, path, size, transfer_syntax FROM instance WHERE sop_uid = " + placeholder(d, 1) +
                      " UNION ALL SELECT pk, path, size, transfer_syntax FROM object WHERE sop_uid = " +
                      placeholder(d, 1);
    w.delete_instance = "DELETE FROM instance WHERE pk = " + placeholder(d, 1);
    w.parents = "SELECT i.pk, i.series_pk, s.study_pk, st.patient_pk FROM instance i JOIN series s ON s.pk = "
                "i.series_pk JOIN study st ON st.pk = s.study_pk WHERE i.sop_uid = " +
                placeholder(d, 1);
    for (int l = 0; l < 3; ++l) {
        const Table& t = kTables[l];
        const Table& below = kTables[l + 1];
        w.prune[l] = "DELETE FROM " + std::string(t.name) + " WHERE pk = " + placeholder(d, 1) +
                     " AND NOT EXISTS (SELECT 1 FROM " + below.name + " WHERE " + below.parent + " = " +
                     placeholder(d, 1) + ")";
    }
    w.all_instances = "SELECT sop_uid, path, size, transfer_syntax FROM instance UNION ALL "
                      "SELECT sop_uid, path, size, transfer_syntax FROM object";
    w.insert_object = "INSERT INTO object(sop_uid, sop_class, transfer_syntax, path, size, attrs) VALUES(" +
                      placeholder(d, 1) + ", " + placeholder(d, 2) + ", " + placeholder(d, 3) + ", " +
                      placeholder(d, 4) + ", " + placeholder(d, 5) + ", " + placeholder(d, 6) + ")";
    w.find_object = "SELECT pk FROM object WHERE sop_uid = " + placeholder(d, 1);
    w.delete_object = "DELETE FROM object WHERE pk = " + placeholder(d, 1);
    w.objects_of_class = "SELECT sop_uid, attrs FROM object WHERE sop_class = " + placeholder(d, 1) + " ORDER BY pk";
    return w;
}

std::string files_under_sql(Dialect d, bool by_series, bool by_instance) {
    int n = 1;
    std::string q =
        "SELECT i.sop_class, i.sop_uid, i.path, i.size, i.transfer_syntax FROM study st JOIN series se ON se.study_pk = "
        "st.pk JOIN instance i ON i.series_pk = se.pk WHERE st.study_uid = " +
        placeholder(d, n++);
    if (by_series) q += " AND se.series_uid = " + placeholder(d, n++);
    if (by_instance) q += " AND i.sop_uid = " + placeholder(d, n++);
    return q + " ORDER BY se.pk, i.pk";
}

}  // namespace dicomkit::server::index::sql
