// C-FIND queries as SQL: one SELECT joining the levels down to the query level, one WHERE term per
// matched key (PS3.4 C.2.2.2.1 single value, .2 list of UIDs, .4 wild card, .5 range).
#include <dicomkit/server/index/sql/find.hpp>

#include <map>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/sql/attributes.hpp>
#include <dicomkit/server/model/entity_level.hpp>

namespace dicomkit::server::index::sql {

namespace {

using model::Level;
using model::Match;
using model::ValueKind;

struct Column {
    Tag tag;
    const char* expr;
    const char* upper = nullptr;  ///< the upper-cased column, for person names
};

const Column kColumns[] = {
    {tags::PatientID, "p.patient_id"},
    {tags::PatientName, "p.patient_name", "p.patient_name_upper"},
    {tags::PatientBirthDate, "p.birth_date"},
    {tags::PatientSex, "p.sex"},
    {tags::NumberOfPatientRelatedStudies, "(SELECT COUNT(*) FROM study x WHERE x.patient_pk = p.pk)"},
    {tags::NumberOfPatientRelatedSeries,
     "(SELECT COUNT(*) FROM series x JOIN study y ON x.study_pk = y.pk WHERE y.patient_pk = p.pk)"},
    {tags::NumberOfPatientRelatedInstances,
     "(SELECT COUNT(*) FROM instance x JOIN series y ON x.series_pk = y.pk JOIN study z ON y.study_pk = z.pk "
     "WHERE z.patient_pk = p.pk)"},
    {tags::StudyInstanceUID, "st.study_uid"},
    {tags::StudyDate, "st.study_date"},
    {tags::StudyTime, "st.study_time"},
    {tags::AccessionNumber, "st.accession"},
    {tags::StudyID, "st.study_id"},
    {tags::StudyDescription, "st.description"},
    {tags::ReferringPhysicianName, "st.referring", "st.referring_upper"},
    {tags::ModalitiesInStudy, "st.modalities"},  // kept up to date by triggers on series
    {tags::SOPClassesInStudy, nullptr},          // sop_classes_expr()
    {tags::NumberOfStudyRelatedSeries, "(SELECT COUNT(*) FROM series x WHERE x.study_pk = st.pk)"},
    {tags::NumberOfStudyRelatedInstances,
     "(SELECT COUNT(*) FROM instance x JOIN series y ON x.series_pk = y.pk WHERE y.study_pk = st.pk)"},
    {tags::SeriesInstanceUID, "se.series_uid"},
    {tags::Modality, "se.modality"},
    {tags::SeriesNumber, "se.series_number"},
    {tags::SeriesDescription, "se.description"},
    {tags::NumberOfSeriesRelatedInstances, "(SELECT COUNT(*) FROM instance x WHERE x.series_pk = se.pk)"},
    {tags::SOPInstanceUID, "i.sop_uid"},
    {tags::SOPClassUID, "i.sop_class"},
    {tags::InstanceNumber, "i.instance_number"},
    {tags::AvailableTransferSyntaxUID, "i.transfer_syntax"},
};

/// The alias of each level's table in the SELECT, indexed by Level.
const char* const kAlias[4] = {"p", "st", "se", "i"};

const Column* column_of(Tag t) {
    for (const Column& c : kColumns)
        if (c.tag == t) return &c;
    return nullptr;
}

const char* from_clause(Level l) {
    switch (l) {
        case Level::Patient: return " FROM patient p";
        case Level::Study: return " FROM study st JOIN patient p ON st.patient_pk = p.pk";
        case Level::Series:
            return " FROM series se JOIN study st ON se.study_pk = st.pk JOIN patient p ON st.patient_pk = p.pk";
        case Level::Image:
            return " FROM instance i JOIN series se ON i.series_pk = se.pk JOIN study st ON se.study_pk = st.pk"
                   " JOIN patient p ON st.patient_pk = p.pk";
    }
    return "";
}

const char* order_clause(Level l) {
    switch (l) {
        case Level::Patient: return " ORDER BY p.pk";
        case Level::Study: return " ORDER BY st.pk";
        case Level::Series: return " ORDER BY se.pk";
        case Level::Image: return " ORDER BY i.pk";
    }
    return "";
}

/// The distinct SOP classes of the study's instances, sorted, joined with '\'.
const char* sop_classes_expr(Dialect d) {
    if (d == Dialect::Sqlite)
        return "(SELECT group_concat(m, '\\') FROM (SELECT DISTINCT x.sop_class AS m FROM instance x "
               "JOIN series y ON x.series_pk = y.pk WHERE y.study_pk = st.pk AND x.sop_class <> '' ORDER BY m))";
    return "(SELECT string_agg(DISTINCT x.sop_class, E'\\\\' ORDER BY x.sop_class) FROM instance x "
           "JOIN series y ON x.series_pk = y.pk WHERE y.study_pk = st.pk AND x.sop_class <> '')";
}

const char* select_expr(const Column& c, Dialect d) { return c.expr ? c.expr : sop_classes_expr(d); }

/// A DICOM wild card ('*' any run, '?' one character) as a pattern for the dialect's operator:
/// SQLite GLOB (same wild cards; '[' made literal), PostgreSQL LIKE ('%', '_', '\' escapes).
std::string wildcard_pattern(std::string_view v, Dialect d) {
    std::string out;
    for (char c : v) {
        if (d == Dialect::Sqlite) {
            if (c == '[') out += "[[]";
            else out += c;
        } else if (c == '*') out += '%';
        else if (c == '?') out += '_';
        else {
            if (c == '%' || c == '_' || c == '\\') out += '\\';
            out += c;
        }
    }
    return out;
}

/// Builds the WHERE terms of one query: values become parameters of the dialect.
struct Where {
    Dialect d;
    std::vector<std::string>& params;

    std::string param(std::string v) {
        params.push_back(std::move(v));
        return placeholder(d, params.size());
    }

    /// The term for one condition on `lhs`; `fold`: values compared in upper case (person names).
    std::string term(const model::Condition& c, const std::string& lhs, bool fold) {
        auto value = [&](const std::string& v) { return param(fold ? model::upper_ascii(v) : v); };
        switch (c.match) {
            case Match::Universal: return "TRUE";
            case Match::Single: return lhs + " = " + value(c.values[0]);
            case Match::Wildcard:
                return lhs + (d == Dialect::Sqlite ? " GLOB " : " LIKE ") +
                       param(wildcard_pattern(fold ? model::upper_ascii(c.values[0]) : c.values[0], d));
            case Match::List: {
                std::string s = lhs + " IN (";
                for (std::size_t k = 0; k < c.values.size(); ++k) s += (k ? ", " : "") + value(c.values[k]);
                return s + ")";
            }
            case Match::Range: {
                std::string s = "(" + lhs + " <> ''";
                if (!c.values[0].empty()) s += " AND " + lhs + " >= " + value(c.values[0]);
                if (!c.values[1].empty()) {
                    // A time's upper end includes everything it is a prefix of: "-1200" takes 12:00:59.
                    s += c.key->kind == ValueKind::Time ? " AND " + lhs + " < " + value(c.values[1]) + " || '~'"
                                                        : " AND " + lhs + " <= " + value(c.values[1]);
                }
                return s + ")";
            }
        }
        return "TRUE";
    }

    std::string operator()(const model::Condition& c) {
        if (c.key->kind == ValueKind::Modalities) {
            // PS3.4 C.6.2.1.2: ModalitiesInStudy matches when any series' modality does.
            return "EXISTS (SELECT 1 FROM series m WHERE m.study_pk = st.pk AND " + term(c, "m.modality", false) + ")";
        }
        if (c.key->kind == ValueKind::SopClasses) {
            return "EXISTS (SELECT 1 FROM instance c JOIN series m ON c.series_pk = m.pk WHERE m.study_pk = st.pk AND " +
                   term(c, "c.sop_class", false) + ")";
        }
        const Column* col = column_of(c.key->tag);
        if (!col) return "TRUE";
        const bool fold = col->upper != nullptr;
        return term(c, fold ? col->upper : col->expr, fold);
    }
};

bool is_ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

/// Whether the text of `e` (and of its items) is ASCII: else the response declares UTF-8.
bool is_ascii(const Element& e) {
    if (e.is_sequence()) {
        for (const DataSet& item : e.sequence().items)
            for (const Element& x : item)
                if (!is_ascii(x)) return false;
        return true;
    }
    if (!is_string(e.vr())) return true;
    const auto b = e.bytes();
    return is_ascii(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

/// The level whose row holds attribute `t` (outside the columns), nullopt when below `q`'s level.
std::optional<Level> blob_level(const model::Query& q, Tag t) {
    const Level l = model::entity_level(t);
    const Level in_root = model::level_in_root(l, q.root);
    if (in_root > q.level || t.is_private() || t == tags::SpecificCharacterSet) return std::nullopt;
    return l;
}

}  // namespace

FindSql build_find_sql(const model::Query& q, Dialect d) {
    FindSql f;
    std::string select = "SELECT ";
    int n = 0;
    std::optional<int> blob_column[4];
    auto add_column = [&](const std::string& expr) {
        select += (n ? ", " : "") + expr;
        return n++;
    };
    for (Tag t : q.return_keys) {
        using Source = FindSql::Source;
        const model::KeyInfo* key = model::find_key(t);
        if (const Column* col = column_of(t); key && col) {
            if (model::key_level(*key, q.root) > q.level) f.sources.push_back({});
            else f.sources.push_back({Source::Column, add_column(select_expr(*col, d))});
            continue;
        }
        const auto level = blob_level(q, t);
        if (!level) {
            f.sources.push_back({});
            continue;
        }
        auto& column = blob_column[static_cast<int>(*level)];
        if (!column) column = add_column(std::string(kAlias[static_cast<int>(*level)]) + ".attrs");
        f.sources.push_back({Source::Blob, *column});
    }
    for (const auto& c : q.sequences) {
        auto& column = blob_column[static_cast<int>(c.level)];
        if (!column) column = add_column(std::string(kAlias[static_cast<int>(c.level)]) + ".attrs");
        f.sequence_columns.push_back(*column);
    }
    if (n == 0) select += "1";
    std::string where;
    Where w{d, f.params};
    for (const auto& c : q.conditions) where += (where.empty() ? " WHERE " : " AND ") + w(c);
    f.sql = select + from_clause(q.level) + where + order_clause(q.level);
    return f;
}

std::optional<DataSet> match_identifier(const model::Query& q, const FindSql& f,
                                        const std::function<std::string(int)>& column_text,
                                        const std::function<std::string(int)>& column_blob) {
    std::map<int, DataSet> blobs;  // decoded once per row; a damaged blob is taken as empty
    auto blob = [&](int column) -> const DataSet& {
        auto it = blobs.find(column);
        if (it == blobs.end()) it = blobs.emplace(column, decode_blob(column_blob(column)).value_or(DataSet{})).first;
        return it->second;
    };
    // Sequence matching first: a row that fails it is no match (PS3.4 C.2.2.2.6).
    DataSet sequences;
    for (std::size_t k = 0; k < q.sequences.size(); ++k) {
        const model::SequenceCondition& c = q.sequences[k];
        auto matched = model::match_sequence(c, blob(f.sequence_columns[k]).find(c.tag));
        if (!matched) return std::nullopt;
        sequences.set(std::move(*matched));
    }
    DataSet out;
    bool utf8 = false;
    out.set_string(tags::QueryRetrieveLevel, VR::CS, model::to_string(q.level));
    for (std::size_t k = 0; k < q.return_keys.size(); ++k) {
        const Tag t = q.return_keys[k];
        const FindSql::Source& source = f.sources[k];
        const Element* found = sequences.find(t);
        if (!found && source.kind == FindSql::Source::Blob) found = blob(source.column).find(t);
        if (found) {
            utf8 = utf8 || !is_ascii(*found);
            out.set(*found);
            continue;
        }
        if (source.kind != FindSql::Source::Column) {
            out.set(model::empty_return_key(t));
            continue;
        }
        const std::string v = column_text(source.column);
        utf8 = utf8 || !is_ascii(v);
        const auto* info = dict::find(t);
        out.set(Element::from_string(t, info ? info->vr() : VR::LO, v));
    }
    if (utf8) out.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
    return out;
}

}  // namespace dicomkit::server::index::sql
