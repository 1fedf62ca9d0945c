// SqliteIndex: schema migrations, add (one transaction per instance) and find.
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>

#include <mutex>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/schema/migrations.hpp>
#include <dicomkit/server/index/sqlite/db.hpp>
#include <dicomkit/server/index/sqlite/sqlite_find.hpp>
#include <dicomkit/server/model/text.hpp>

namespace dicomkit::server::index::sqlite {

namespace {

constexpr const char* kUpsertPatient =
    "INSERT INTO patient(patient_id, patient_name, patient_name_upper, birth_date, sex, charset) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(patient_id) DO UPDATE SET patient_name = excluded.patient_name, "
    "patient_name_upper = excluded.patient_name_upper, birth_date = excluded.birth_date, sex = excluded.sex, "
    "charset = excluded.charset RETURNING pk";
constexpr const char* kUpsertStudy =
    "INSERT INTO study(patient_pk, study_uid, study_date, study_time, accession, study_id, description, referring, "
    "referring_upper, charset) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(study_uid) DO UPDATE SET "
    "patient_pk = excluded.patient_pk, study_date = excluded.study_date, study_time = excluded.study_time, "
    "accession = excluded.accession, study_id = excluded.study_id, description = excluded.description, "
    "referring = excluded.referring, referring_upper = excluded.referring_upper, charset = excluded.charset "
    "RETURNING pk";
constexpr const char* kUpsertSeries =
    "INSERT INTO series(study_pk, series_uid, modality, series_number, description) VALUES(?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(series_uid) DO UPDATE SET study_pk = excluded.study_pk, modality = excluded.modality, "
    "series_number = excluded.series_number, description = excluded.description RETURNING pk";
constexpr const char* kInsertInstance =
    "INSERT INTO instance(series_pk, sop_uid, sop_class, instance_number, transfer_syntax, path, size) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kFindInstance = "SELECT pk, path, size, transfer_syntax FROM instance WHERE sop_uid = ?1";
constexpr const char* kDeleteInstance = "DELETE FROM instance WHERE pk = ?1";
/// The instance's pk and the pks above it, for pruning what a removal leaves empty.
constexpr const char* kInstanceParents =
    "SELECT i.pk, i.series_pk, s.study_pk, st.patient_pk FROM instance i JOIN series s ON s.pk = i.series_pk "
    "JOIN study st ON st.pk = s.study_pk WHERE i.sop_uid = ?1";
constexpr const char* kPruneSeries =
    "DELETE FROM series WHERE pk = ?1 AND NOT EXISTS (SELECT 1 FROM instance WHERE series_pk = ?1)";
constexpr const char* kPruneStudy =
    "DELETE FROM study WHERE pk = ?1 AND NOT EXISTS (SELECT 1 FROM series WHERE study_pk = ?1)";
constexpr const char* kPrunePatient =
    "DELETE FROM patient WHERE pk = ?1 AND NOT EXISTS (SELECT 1 FROM study WHERE patient_pk = ?1)";
constexpr const char* kAllInstances = "SELECT sop_uid, path, size, transfer_syntax FROM instance";

#define DK_TRY(expr)                                            \
    do {                                                        \
        if (auto r_ = (expr); !r_) return tl::unexpected(r_.error()); \
    } while (0)

/// Binds `values` to 1.. and steps once; the first column of the row (RETURNING pk) or 0.
Result<std::int64_t> run(Stmt& s, const std::vector<std::string>& values, std::optional<std::int64_t> first = {}) {
    s.reset();
    int i = 1;
    if (first) DK_TRY(s.bind(i++, *first));
    for (const auto& v : values) DK_TRY(s.bind(i++, std::string_view(v)));
    auto row = s.step();
    if (!row) return tl::unexpected(row.error());
    const std::int64_t pk = *row ? s.integer(0) : 0;
    while (*row) {
        row = s.step();
        if (!row) return tl::unexpected(row.error());
    }
    s.reset();
    return pk;
}

}  // namespace

struct SqliteIndex::Impl {
    std::string path;
    Db db;
    std::mutex mutex;  ///< one writer
    Stmt patient, study, series, instance, find_instance, delete_instance;
    Stmt parents, prune_series, prune_study, prune_patient;

    /// pks of an instance and of its series, study and patient.
    struct Parents {
        std::int64_t instance = 0, series = 0, study = 0, patient = 0;
    };

    Result<void> migrate();
    Result<AddStatus> add_locked(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy);
    Result<std::optional<Parents>> parents_of(const std::string& sop);
    /// Deletes the series, study and patient of `p` that no longer have anything below them.
    Result<void> prune(const Parents& p);
};

Result<std::optional<SqliteIndex::Impl::Parents>> SqliteIndex::Impl::parents_of(const std::string& sop) {
    parents.reset();
    DK_TRY(parents.bind(1, std::string_view(sop)));
    auto row = parents.step();
    if (!row) return tl::unexpected(row.error());
    std::optional<Parents> p;
    if (*row) p = Parents{parents.integer(0), parents.integer(1), parents.integer(2), parents.integer(3)};
    parents.reset();
    return p;
}

Result<void> SqliteIndex::Impl::prune(const Parents& p) {
    DK_TRY(run(prune_series, {}, p.series));
    DK_TRY(run(prune_study, {}, p.study));
    DK_TRY(run(prune_patient, {}, p.patient));
    return {};
}

Result<void> SqliteIndex::Impl::migrate() {
    DK_TRY(db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
    auto v = db.prepare("PRAGMA user_version");
    if (!v) return tl::unexpected(v.error());
    auto row = v->step();
    if (!row) return tl::unexpected(row.error());
    const std::int64_t have = *row ? v->integer(0) : 0;
    for (const Migration& m : migrations()) {
        if (m.version <= have) continue;
        DK_TRY(db.exec("BEGIN IMMEDIATE"));
        if (auto r = db.exec(std::string(m.sql)); !r) {
            (void)db.exec("ROLLBACK");
            return make_error(ErrorCode::IoError, "migration " + std::string(m.name) + ": " + r.error().message);
        }
        DK_TRY(db.exec("PRAGMA user_version = " + std::to_string(m.version)));
        DK_TRY(db.exec("COMMIT"));
    }
    return {};
}

Result<std::unique_ptr<SqliteIndex>> SqliteIndex::open(const std::string& path) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    auto db = Db::open(path, false);
    if (!db) return tl::unexpected(db.error());
    impl->db = std::move(*db);
    DK_TRY(impl->migrate());
    for (auto [stmt, sql] : {std::pair{&impl->patient, kUpsertPatient}, {&impl->study, kUpsertStudy},
                             {&impl->series, kUpsertSeries}, {&impl->instance, kInsertInstance},
                             {&impl->find_instance, kFindInstance}, {&impl->delete_instance, kDeleteInstance},
                             {&impl->parents, kInstanceParents}, {&impl->prune_series, kPruneSeries},
                             {&impl->prune_study, kPruneStudy}, {&impl->prune_patient, kPrunePatient}}) {
        auto s = impl->db.prepare(sql);
        if (!s) return tl::unexpected(s.error());
        *stmt = std::move(*s);
    }
    return std::unique_ptr<SqliteIndex>(new SqliteIndex(std::move(impl)));
}

SqliteIndex::SqliteIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteIndex::~SqliteIndex() = default;

Result<AddStatus> SqliteIndex::Impl::add_locked(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy) {
    const auto cs_text = ds.string_or(tags::SpecificCharacterSet);
    const auto cs = SpecificCharacterSet::lenient_parse(cs_text);
    auto txt = [&](Tag t) { return model::decoded_value(ds, t, cs); };
    const std::string sop = txt(tags::SOPInstanceUID), study_uid = txt(tags::StudyInstanceUID),
                      series_uid = txt(tags::SeriesInstanceUID);
    if (sop.empty() || study_uid.empty() || series_uid.empty())
        return make_error(ErrorCode::InvalidValue, "SOP, Study and Series Instance UIDs are required");
    AddStatus status = AddStatus::Added;
    auto old = parents_of(sop);
    if (!old) return tl::unexpected(old.error());
    if (*old && policy == DuplicatePolicy::Keep) return AddStatus::Kept;
    if (*old && policy == DuplicatePolicy::Reject)
        return make_error(ErrorCode::InvalidValue, "duplicate SOP Instance UID " + sop);
    if (*old) {
        DK_TRY(run(delete_instance, {}, (*old)->instance));
        status = AddStatus::Replaced;
    }
    const std::string name = txt(tags::PatientName), referring = txt(tags::ReferringPhysicianName);
    auto p = run(patient, {txt(tags::PatientID), name, model::upper_ascii(name), txt(tags::PatientBirthDate),
                           txt(tags::PatientSex), cs_text});
    if (!p) return tl::unexpected(p.error());
    auto st = run(study, {study_uid, txt(tags::StudyDate), txt(tags::StudyTime), txt(tags::AccessionNumber),
                          txt(tags::StudyID), txt(tags::StudyDescription), referring, model::upper_ascii(referring),
                          cs_text},
                  *p);
    if (!st) return tl::unexpected(st.error());
    auto se = run(series, {series_uid, txt(tags::Modality), txt(tags::SeriesNumber), txt(tags::SeriesDescription)},
                  *st);
    if (!se) return tl::unexpected(se.error());
    DK_TRY(run(instance, {sop, txt(tags::SOPClassUID), txt(tags::InstanceNumber), file.transfer_syntax, file.path,
                          std::to_string(file.size)},
               *se));
    if (*old) DK_TRY(prune(**old));  // the new copy may sit in another series, study or patient
    return status;
}

Result<AddStatus> SqliteIndex::add(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy) {
    std::lock_guard lock(impl_->mutex);
    DK_TRY(impl_->db.exec("BEGIN IMMEDIATE"));
    auto r = impl_->add_locked(ds, file, policy);
    if (!r || *r == AddStatus::Kept) {
        (void)impl_->db.exec("ROLLBACK");
        return r;
    }
    DK_TRY(impl_->db.exec("COMMIT"));
    return r;
}

Result<std::optional<InstanceFile>> SqliteIndex::instance(const std::string& sop_instance_uid) {
    std::lock_guard lock(impl_->mutex);
    Stmt& s = impl_->find_instance;
    s.reset();
    DK_TRY(s.bind(1, std::string_view(sop_instance_uid)));
    auto row = s.step();
    if (!row) return tl::unexpected(row.error());
    std::optional<InstanceFile> f;
    if (*row) f = InstanceFile{s.text(1), static_cast<std::uint64_t>(s.integer(2)), s.text(3)};
    s.reset();
    return f;
}

Result<bool> SqliteIndex::remove(const std::string& sop_instance_uid) {
    std::lock_guard lock(impl_->mutex);
    DK_TRY(impl_->db.exec("BEGIN IMMEDIATE"));
    auto body = [&]() -> Result<bool> {
        auto p = impl_->parents_of(sop_instance_uid);
        if (!p) return tl::unexpected(p.error());
        if (!*p) return false;
        DK_TRY(run(impl_->delete_instance, {}, (*p)->instance));
        DK_TRY(impl_->prune(**p));
        return true;
    };
    auto r = body();
    if (!r || !*r) {
        (void)impl_->db.exec("ROLLBACK");
        return r;
    }
    DK_TRY(impl_->db.exec("COMMIT"));
    return r;
}

Result<std::uint64_t> SqliteIndex::for_each_instance(const InstanceFn& fn) {
    auto db = Db::open(impl_->path, true);  // a snapshot of its own, like find
    if (!db) return tl::unexpected(db.error());
    auto s = db->prepare(kAllInstances);
    if (!s) return tl::unexpected(s.error());
    std::uint64_t n = 0;
    for (;;) {
        auto row = s->step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        ++n;
        if (!fn(s->text(0), InstanceFile{s->text(1), static_cast<std::uint64_t>(s->integer(2)), s->text(3)})) break;
    }
    return n;
}

namespace {

bool is_ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

Element empty_element(Tag t) {
    const auto* info = dict::find(t);
    const VR vr = info ? info->vr() : VR::UN;
    return Element::from_bytes(t, vr == VR::SQ ? VR::UN : vr, {});
}

}  // namespace

Result<std::uint64_t> SqliteIndex::find(const model::Query& q, const MatchFn& on_match) {
    const FindSql f = build_find_sql(q);
    auto db = Db::open(impl_->path, true);  // a reader of its own: WAL lets the writer go on
    if (!db) return tl::unexpected(db.error());
    auto s = db->prepare(f.sql);
    if (!s) return tl::unexpected(s.error());
    for (std::size_t i = 0; i < f.params.size(); ++i) DK_TRY(s->bind(static_cast<int>(i + 1), std::string_view(f.params[i])));
    std::uint64_t n = 0;
    for (;;) {
        auto row = s->step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        DataSet out;
        bool utf8 = false;
        out.set_string(tags::QueryRetrieveLevel, VR::CS, model::to_string(q.level));
        for (std::size_t k = 0; k < q.return_keys.size(); ++k) {
            const Tag t = q.return_keys[k];
            if (!f.columns[k]) {
                out.set(empty_element(t));
                continue;
            }
            const std::string v = s->text(*f.columns[k]);
            utf8 = utf8 || !is_ascii(v);
            const auto* info = dict::find(t);
            out.set(Element::from_string(t, info ? info->vr() : VR::LO, v));
        }
        if (utf8) out.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
        ++n;
        if (!on_match(out)) break;
    }
    return n;
}

}  // namespace dicomkit::server::index::sqlite
