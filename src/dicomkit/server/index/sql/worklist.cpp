// The worklist table's shared SQL.
#include <dicomkit/server/index/sql/worklist.hpp>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/model/query.hpp>
#include <dicomkit/server/model/text.hpp>

namespace dicomkit::server::index::sql {

namespace {

constexpr const char* kColumns[] = {"patient_id", "issuer",   "patient_name", "patient_name_upper",
                                    "accession",  "modality", "station_ae",   "sps_date",
                                    "sps_time",   "performing_upper", "sps_status", "study_uid",
                                    "sps_id",     "requested_procedure_id"};

/// Every value of `tag`, joined with '\' (a multi-valued Scheduled Station AE Title).
std::string joined(const DataSet& ds, Tag tag, const SpecificCharacterSet& cs) {
    const Element* e = ds.find(tag);
    if (!e) return {};
    std::string out;
    for (const std::string& v : model::decoded_values(*e, cs)) {
        if (!out.empty()) out += '\\';
        out += v;
    }
    return out;
}

bool has_wildcard(const std::string& v) { return v.find_first_of("*?") != std::string::npos; }

/// A DICOM wild card as the dialect's pattern: GLOB (SQLite, case-sensitive, '*' and '?' as they
/// are, '[' escaped) or LIKE (PostgreSQL, '%', '_' and '\' escaped).
std::string pattern(Dialect d, const std::string& v) {
    std::string out;
    for (char c : v) {
        if (d == Dialect::Sqlite) {
            if (c == '[') out += "[[]";
            else out += c;
        } else if (c == '*') {
            out += '%';
        } else if (c == '?') {
            out += '_';
        } else {
            if (c == '%' || c == '_' || c == '\\') out += '\\';
            out += c;
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> worklist_columns(const DataSet& item, const SpecificCharacterSet& cs) {
    DataSet none;
    const DataSet* sps = &none;
    if (const Element* s = item.find(tags::ScheduledProcedureStepSequence);
        s && s->is_sequence() && !s->sequence().items.empty())
        sps = &s->sequence().items.front();
    const std::string name = model::decoded_value(item, tags::PatientName, cs);
    return {model::decoded_value(item, tags::PatientID, cs),
            model::decoded_value(item, tags::IssuerOfPatientID, cs),
            name,
            model::upper_ascii(name),
            model::decoded_value(item, tags::AccessionNumber, cs),
            model::decoded_value(*sps, tags::Modality, cs),
            joined(*sps, tags::ScheduledStationAETitle, cs),
            model::decoded_value(*sps, tags::ScheduledProcedureStepStartDate, cs),
            model::decoded_value(*sps, tags::ScheduledProcedureStepStartTime, cs),
            model::upper_ascii(model::decoded_value(*sps, tags::ScheduledPerformingPhysicianName, cs)),
            model::decoded_value(*sps, tags::ScheduledProcedureStepStatus, cs),
            model::decoded_value(item, tags::StudyInstanceUID, cs),
            model::decoded_value(*sps, tags::ScheduledProcedureStepID, cs),
            model::decoded_value(item, tags::RequestedProcedureID, cs)};
}

std::string worklist_upsert(Dialect d) {
    std::string cols = "order_key", values = placeholder(d, 1), set;
    std::size_t n = 2;
    for (const char* c : kColumns) {
        cols += std::string(", ") + c;
        values += ", " + placeholder(d, n++);
        set += std::string(set.empty() ? "" : ", ") + c + " = excluded." + c;
    }
    cols += ", item";
    values += ", " + placeholder(d, n);
    set += ", item = excluded.item";
    return "INSERT INTO worklist(" + cols + ") VALUES(" + values + ") ON CONFLICT(order_key) DO UPDATE SET " + set +
           " RETURNING pk";
}

std::string worklist_update(Dialect d) {
    std::string set;
    std::size_t n = 2;
    for (const char* c : kColumns) set += std::string(set.empty() ? "" : ", ") + c + " = " + placeholder(d, n++);
    set += ", item = " + placeholder(d, n);
    return "UPDATE worklist SET " + set + " WHERE pk = " + placeholder(d, 1);
}

std::string worklist_select(Dialect d, const WorklistFilter& f, std::vector<std::string>& params) {
    std::string where;
    auto add = [&](const std::string& condition) { where += (where.empty() ? " WHERE " : " AND ") + condition; };
    auto param = [&](std::string v) {
        params.push_back(std::move(v));
        return placeholder(d, params.size());
    };
    auto text = [&](const char* column, const std::string& v, bool upper) {
        if (v.empty()) return;
        const std::string value = upper ? model::upper_ascii(v) : v;
        if (has_wildcard(value)) {
            if (value.find_first_not_of('*') == std::string::npos) return;
            add(std::string(column) + (d == Dialect::Sqlite ? " GLOB " : " LIKE ") + param(pattern(d, value)));
        } else {
            add(std::string(column) + " = " + param(value));
        }
    };
    text("order_key", f.order_key, false);
    text("patient_id", f.patient_id, false);
    text("issuer", f.issuer, false);
    text("patient_name_upper", f.patient_name, true);
    text("accession", f.accession, false);
    text("modality", f.modality, false);
    text("station_ae", f.station_ae, false);
    text("performing_upper", f.performing, true);
    text("study_uid", f.study_uid, false);
    text("sps_id", f.sps_id, false);
    text("requested_procedure_id", f.requested_procedure_id, false);
    auto in_list = [&](const char* column, const std::vector<std::string>& values, bool negate) {
        std::string list;
        for (const std::string& v : values) list += (list.empty() ? "" : ", ") + param(v);
        add(std::string(column) + (negate ? " NOT IN (" : " IN (") + list + ")");
    };
    if (!f.study_uids.empty()) in_list("study_uid", f.study_uids, false);
    if (!f.date_low.empty()) add("sps_date >= " + param(f.date_low));
    if (!f.date_high.empty()) add("sps_date <= " + param(f.date_high));
    if (!f.statuses.empty()) in_list("sps_status", f.statuses, f.exclude_statuses);
    std::string sql = "SELECT pk, order_key, item FROM worklist" + where + " ORDER BY sps_date, sps_time, pk";
    if (f.limit) sql += " LIMIT " + std::to_string(f.limit);
    if (f.offset) sql += (f.limit ? "" : (d == Dialect::Sqlite ? " LIMIT -1" : "")) + std::string(" OFFSET ") +
                         std::to_string(f.offset);
    return sql;
}

}  // namespace dicomkit::server::index::sql
