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

// The upserts change a row only when a value differs (the WHERE of DO UPDATE; the columns are NOT
// NULL): most instances belong to a patient, study and series indexed already, and an unchanged
// row then costs no page writes. RETURNING gives no row then; the k*Pk statements look it up.
constexpr const char* kUpsertPatient =
    "INSERT INTO patient(patient_id, patient_name, patient_name_upper, birth_date, sex, charset) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(patient_id) DO UPDATE SET patient_name = excluded.patient_name, "
    "patient_name_upper = excluded.patient_name_upper, birth_date = excluded.birth_date, sex = excluded.sex, "
    "charset = excluded.charset WHERE (patient_name, patient_name_upper, birth_date, sex, charset) <> "
    "(excluded.patient_name, excluded.patient_name_upper, excluded.birth_date, excluded.sex, excluded.charset) "
    "RETURNING pk";
constexpr const char* kPatientPk = "SELECT pk FROM patient WHERE patient_id = ?1";
constexpr const char* kUpsertStudy =
    "INSERT INTO study(patient_pk, study_uid, study_date, study_time, accession, study_id, description, referring, "
    "referring_upper, charset) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(study_uid) DO UPDATE SET "
    "patient_pk = excluded.patient_pk, study_date = excluded.study_date, study_time = excluded.study_time, "
    "accession = excluded.accession, study_id = excluded.study_id, description = excluded.description, "
    "referring = excluded.referring, referring_upper = excluded.referring_upper, charset = excluded.charset "
    "WHERE (patient_pk, study_date, study_time, accession, study_id, description, referring, referring_upper, charset) "
    "<> (excluded.patient_pk, excluded.study_date, excluded.study_time, excluded.accession, excluded.study_id, "
    "excluded.description, excluded.referring, excluded.referring_upper, excluded.charset) RETURNING pk";
constexpr const char* kStudyPk = "SELECT pk FROM study WHERE study_uid = ?1";
constexpr const char* kUpsertSeries =
    "INSERT INTO series(study_pk, series_uid, modality, series_number, description) VALUES(?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(series_uid) DO UPDATE SET study_pk = excluded.study_pk, modality = excluded.modality, "
    "series_number = excluded.series_number, description = excluded.description "
    "WHERE (study_pk, modality, series_number, description) <> "
    "(excluded.study_pk, excluded.modality, excluded.series_number, excluded.description) RETURNING pk";
constexpr const char* kSeriesPk = "SELECT pk FROM series WHERE series_uid = ?1";
constexpr const char* kInsertInstance =
    "INSERT INTO instance(series_pk, sop_uid, sop_class, instance_number, transfer_syntax, path, size) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kFindInstance = "SELECT pk, path, size, transfer_syntax FROM instance WHERE sop_uid = ?1";
constexpr const char* kDeleteInstance = "DELETE FROM instance WHERE pk = ?1";

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

/// An upsert of the k* kind above: the row's pk, from RETURNING or, when the row was unchanged,
/// from `lookup` with `key`.
Result<std::int64_t> upsert(Stmt& s, Stmt& lookup, const std::string& key, const std::vector<std::string>& values,
                            std::optional<std::int64_t> first = {}) {
    auto pk = run(s, values, first);
    if (!pk || *pk != 0) return pk;
    return run(lookup, {key});
}

}  // namespace

struct SqliteIndex::Impl {
    std::string path;
    Db db;
    std::mutex mutex;  ///< one writer
    Stmt patient, study, series, instance, find_instance, delete_instance, patient_pk, study_pk, series_pk;
    /// Idle read connections. Each find reads on a connection of its own (WAL lets the writer go
    /// on); reusing them keeps their page caches and parsed schema, where a new connection per
    /// find read every page of its answer from the file again.
    std::mutex readers_mutex;
    std::vector<Db> readers;
    static constexpr std::size_t kMaxIdleReaders = 8;

    Result<void> migrate();
    Result<AddStatus> add_locked(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy);
};

Result<void> SqliteIndex::Impl::migrate() {
    // Checkpoints (two fsyncs each) every 10000 WAL pages rather than SQLite's 1000: one add
    // writes several pages, and at 1000 the checkpoints' fsyncs bounded the ingest rate.
    DK_TRY(db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                   "PRAGMA wal_autocheckpoint=10000;"));
    auto v = db.prepare("PRAGMA user_version");
    if (!v) return tl::unexpected(v.error());
    auto row = v->step();
    if (!row) return tl::unexpected(row.error());
    const std::int64_t have = *row ? v->integer(0) : 0;
    v->reset();  // no statement may be active while a migration drops an index
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
                             {&impl->patient_pk, kPatientPk}, {&impl->study_pk, kStudyPk}, {&impl->series_pk, kSeriesPk}}) {
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
    find_instance.reset();
    DK_TRY(find_instance.bind(1, std::string_view(sop)));
    auto row = find_instance.step();
    if (!row) return tl::unexpected(row.error());
    const std::int64_t old_pk = *row ? find_instance.integer(0) : 0;
    find_instance.reset();
    if (old_pk && policy == DuplicatePolicy::Keep) return AddStatus::Kept;
    if (old_pk && policy == DuplicatePolicy::Reject)
        return make_error(ErrorCode::InvalidValue, "duplicate SOP Instance UID " + sop);
    if (old_pk) {
        DK_TRY(run(delete_instance, {}, old_pk));
        status = AddStatus::Replaced;
    }
    const std::string name = txt(tags::PatientName), referring = txt(tags::ReferringPhysicianName);
    const std::string patient_id = txt(tags::PatientID);
    auto p = upsert(patient, patient_pk, patient_id,
                    {patient_id, name, model::upper_ascii(name), txt(tags::PatientBirthDate), txt(tags::PatientSex), cs_text});
    if (!p) return tl::unexpected(p.error());
    auto st = upsert(study, study_pk, study_uid,
                     {study_uid, txt(tags::StudyDate), txt(tags::StudyTime), txt(tags::AccessionNumber),
                      txt(tags::StudyID), txt(tags::StudyDescription), referring, model::upper_ascii(referring), cs_text},
                     *p);
    if (!st) return tl::unexpected(st.error());
    auto se = upsert(series, series_pk, series_uid,
                     {series_uid, txt(tags::Modality), txt(tags::SeriesNumber), txt(tags::SeriesDescription)}, *st);
    if (!se) return tl::unexpected(se.error());
    DK_TRY(run(instance, {sop, txt(tags::SOPClassUID), txt(tags::InstanceNumber), file.transfer_syntax, file.path,
                          std::to_string(file.size)},
               *se));
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

/// A read connection from the pool (or a new one), given back when the find is done.
class ReaderLease {
public:
    explicit ReaderLease(SqliteIndex::Impl& impl) : impl_(impl) {
        std::lock_guard lock(impl_.readers_mutex);
        if (!impl_.readers.empty()) {
            db_ = std::move(impl_.readers.back());
            impl_.readers.pop_back();
            open_ = true;
        }
    }
    ~ReaderLease() {
        std::lock_guard lock(impl_.readers_mutex);
        if (open_ && impl_.readers.size() < SqliteIndex::Impl::kMaxIdleReaders) impl_.readers.push_back(std::move(db_));
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;

    Result<Db*> db() {
        if (open_) return &db_;
        auto d = Db::open(impl_.path, true);
        if (!d) return tl::unexpected(d.error());
        // 16 MiB of page cache (SQLite's default is 2 MiB): a study-level answer of a few hundred
        // matches touches more pages than that, which then came from the file at each find.
        if (auto r = d->exec("PRAGMA cache_size=-16384"); !r) return tl::unexpected(r.error());
        db_ = std::move(*d);
        open_ = true;
        return &db_;
    }

private:
    SqliteIndex::Impl& impl_;
    Db db_;
    bool open_ = false;
};

Result<std::uint64_t> SqliteIndex::find(const model::Query& q, const MatchFn& on_match) {
    const FindSql f = build_find_sql(q);
    ReaderLease lease(*impl_);
    auto db = lease.db();
    if (!db) return tl::unexpected(db.error());
    auto s = (*db)->prepare(f.sql);
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
