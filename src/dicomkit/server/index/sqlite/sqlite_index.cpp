// SqliteIndex: schema migrations, add (one transaction per instance) and find.
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>
#include <dicomkit/base/try.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>

#include <dicomkit/server/index/schema/migrations.hpp>
#include <dicomkit/server/index/sql/attributes.hpp>
#include <dicomkit/server/index/sql/find.hpp>
#include <dicomkit/server/index/sql/write.hpp>
#include <dicomkit/server/index/sqlite/db.hpp>
#include <dicomkit/server/index/sqlite/sqlite_worklist.hpp>

namespace dicomkit::server::index::sqlite {

namespace {


/// Binds `first`, `values` and `blob` to 1.. and steps once; the first column of the row
/// (RETURNING pk) or 0.
Result<std::int64_t> run(Stmt& s, const std::vector<std::string>& values, std::optional<std::int64_t> first = {},
                         const std::string* blob = nullptr) {
    s.reset();
    int i = 1;
    if (first) DK_RETURN_IF_ERROR(s.bind(i++, *first));
    for (const auto& v : values) DK_RETURN_IF_ERROR(s.bind(i++, std::string_view(v)));
    if (blob) DK_RETURN_IF_ERROR(s.bind_blob(i++, *blob));
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
    Stmt levels[3], instance, delete_instance;  ///< levels: patient, study, series upserts
    /// instance(): read on a connection of the pool (kept statements, see Reader).
    std::string find_instance_sql;
    Stmt lookup[3];  ///< patient, study, series pk by unique key, when the upsert left the row as it was
    Stmt parents, prune[3];                                     ///< prune: patient, study, series
    Stmt insert_object, find_object, delete_object;             ///< non-patient objects (schema 004)
    /// A read connection with the statements of the last finds made on it: a find's SQL depends
    /// on the shape of the query only (its values are bound), and preparing it again each time
    /// (parsing the SQL, planning the query) cost more than running it for a query by UIDs.
    struct Reader {
        Db db;
        std::vector<std::pair<std::string, Stmt>> statements;  ///< the most recently used last
        static constexpr std::size_t kMaxStatements = 32;
        /// The statement of `sql`, prepared now unless kept; reset when handed out.
        Result<Stmt*> statement(const std::string& sql) {
            for (std::size_t i = 0; i < statements.size(); ++i) {
                if (statements[i].first != sql) continue;
                std::rotate(statements.begin() + static_cast<std::ptrdiff_t>(i),
                            statements.begin() + static_cast<std::ptrdiff_t>(i) + 1, statements.end());
                return &statements.back().second;
            }
            auto s = db.prepare(sql);
            if (!s) return tl::unexpected(s.error());
            if (statements.size() >= kMaxStatements) statements.erase(statements.begin());
            statements.emplace_back(sql, std::move(*s));
            return &statements.back().second;
        }
    };
    /// Idle read connections. Each find reads on a connection of its own (WAL lets the writer go
    /// on); reusing them keeps their page caches, parsed schema and prepared statements, where a
    /// new connection per find read every page of its answer from the file again.
    std::mutex readers_mutex;
    std::vector<Reader> readers;
    static constexpr std::size_t kMaxIdleReaders = 8;

    /// pks of an instance and of its series, study and patient.
    struct Parents {
        std::int64_t instance = 0, series = 0, study = 0, patient = 0;
    };

    /// open_read_only: no writer connection, no statements for it (until make_writable()).
    std::atomic<bool> read_only{false};
    std::atomic<bool> immutable{false};  ///< read_only, and read without the WAL (see Db::open_immutable)
    /// Read connections opened before make_writable() (immutable ones see no later write) are
    /// not kept for reuse.
    std::atomic<int> generation{0};
    /// The worklist items (schema 006), on a writer connection of their own; opened with the
    /// writer, so none while read-only.
    std::unique_ptr<SqliteWorklist> worklist_store;
    std::atomic<WorklistStore*> worklist{nullptr};
    Result<void> open_worklist() {
        auto w = SqliteWorklist::open(path);
        if (!w) return tl::unexpected(w.error());
        worklist_store = std::move(*w);
        worklist = worklist_store.get();
        return {};
    }

    /// A new read connection.
    [[nodiscard]] Result<Db> open_reader() const { return immutable ? Db::open_immutable(path) : Db::open(path, true); }
    /// The writer connection, migrated, with its statements.
    Result<void> open_writer();

    Result<void> migrate();
    [[nodiscard]] Unexpected read_only_error() const {
        return make_error(ErrorCode::IoError, "the index " + path + " is open read-only");
    }
    Result<AddStatus> add_locked(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy);
    /// What add_locked does for a non-patient object.
    Result<AddStatus> add_object_locked(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy);
    /// Removes the entry of `sop` of either kind; whether there was one.
    Result<bool> remove_locked(const std::string& sop);
    Result<std::optional<Parents>> parents_of(const std::string& sop);
    /// Deletes the series, study and patient of `p` that no longer have anything below them.
    Result<void> prune_above(const Parents& p);
};

Result<std::optional<SqliteIndex::Impl::Parents>> SqliteIndex::Impl::parents_of(const std::string& sop) {
    parents.reset();
    DK_RETURN_IF_ERROR(parents.bind(1, std::string_view(sop)));
    auto row = parents.step();
    if (!row) return tl::unexpected(row.error());
    std::optional<Parents> p;
    if (*row) p = Parents{parents.integer(0), parents.integer(1), parents.integer(2), parents.integer(3)};
    parents.reset();
    return p;
}

Result<void> SqliteIndex::Impl::prune_above(const Parents& p) {
    DK_RETURN_IF_ERROR(run(prune[2], {}, p.series));
    DK_RETURN_IF_ERROR(run(prune[1], {}, p.study));
    DK_RETURN_IF_ERROR(run(prune[0], {}, p.patient));
    return {};
}

Result<void> SqliteIndex::Impl::migrate() {
    // Checkpoints (two fsyncs each) every 10000 WAL pages rather than SQLite's 1000: one add
    // writes several pages, and at 1000 the checkpoints' fsyncs bounded the ingest rate.
    DK_RETURN_IF_ERROR(db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                   "PRAGMA wal_autocheckpoint=10000;"));
    auto v = db.prepare("PRAGMA user_version");
    if (!v) return tl::unexpected(v.error());
    auto row = v->step();
    if (!row) return tl::unexpected(row.error());
    const std::int64_t have = *row ? v->integer(0) : 0;
    v->reset();  // no statement may be active while a migration drops an index
    for (const Migration& m : migrations()) {
        if (m.version <= have) continue;
        DK_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
        if (auto r = db.exec(std::string(m.sql)); !r) {
            (void)db.exec("ROLLBACK");
            return make_error(ErrorCode::IoError, "migration " + std::string(m.name) + ": " + r.error().message);
        }
        DK_RETURN_IF_ERROR(db.exec("PRAGMA user_version = " + std::to_string(m.version)));
        DK_RETURN_IF_ERROR(db.exec("COMMIT"));
    }
    // After the migrations, whose index builds sort through temporary files rather than memory:
    // add_many undoes a failed instance alone (a savepoint each), and SQLite keeps what a
    // savepoint would restore in a temporary file once it passes 64 KiB, two write calls per page
    // changed, about ten per instance. In memory it is a copy of those pages, dropped at each
    // release. (This connection only writes; the queries' sorts are on read connections.)
    return db.exec("PRAGMA temp_store=MEMORY");
}

Result<void> SqliteIndex::Impl::open_writer() {
    auto d = Db::open(path, false);
    if (!d) return tl::unexpected(d.error());
    db = std::move(*d);
    if (auto m = migrate(); !m) return make_error(m.error().code, path + ": " + m.error().message);
    const sql::WriteSql w = sql::write_sql(sql::Dialect::Sqlite);
    find_instance_sql = w.find_instance;
    for (auto [stmt, text] : {std::pair{&levels[0], &w.upsert[0]}, {&levels[1], &w.upsert[1]},
                              {&levels[2], &w.upsert[2]}, {&instance, &w.insert_instance},
                              {&delete_instance, &w.delete_instance},
                              {&parents, &w.parents}, {&prune[0], &w.prune[0]},
                              {&prune[1], &w.prune[1]}, {&prune[2], &w.prune[2]},
                              {&lookup[0], &w.lookup[0]}, {&lookup[1], &w.lookup[1]},
                              {&lookup[2], &w.lookup[2]}, {&insert_object, &w.insert_object},
                              {&find_object, &w.find_object}, {&delete_object, &w.delete_object}}) {
        auto s = db.prepare(*text);
        if (!s) return tl::unexpected(s.error());
        *stmt = std::move(*s);
    }
    return {};
}

Result<std::unique_ptr<SqliteIndex>> SqliteIndex::open(const std::string& path) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    DK_RETURN_IF_ERROR(impl->open_writer());
    DK_RETURN_IF_ERROR(impl->open_worklist());
    return std::unique_ptr<SqliteIndex>(new SqliteIndex(std::move(impl)));
}

Result<void> SqliteIndex::make_writable() {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->read_only) return {};
    if (auto r = impl_->open_writer(); !r) {
        for (Stmt* s : {&impl_->levels[0], &impl_->levels[1], &impl_->levels[2], &impl_->instance,
                        &impl_->delete_instance, &impl_->parents, &impl_->prune[0], &impl_->prune[1],
                        &impl_->prune[2], &impl_->lookup[0], &impl_->lookup[1], &impl_->lookup[2]})
            *s = Stmt();
        impl_->db = Db();
        return r;
    }
    if (!impl_->worklist_store) DK_RETURN_IF_ERROR(impl_->open_worklist());
    impl_->immutable = false;
    ++impl_->generation;
    {
        std::lock_guard readers(impl_->readers_mutex);
        impl_->readers.clear();
    }
    impl_->read_only = false;
    return {};
}

Result<std::unique_ptr<SqliteIndex>> SqliteIndex::open_read_only(const std::string& path) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->read_only = true;
    // A read connection of a WAL database makes the shared-memory file, which a full disk may
    // not hold. Without it, the database file alone is read: right only when the WAL holds
    // nothing (after a clean stop, which checkpoints it).
    auto version = [](Result<Db> db) -> Result<std::int64_t> {
        if (!db) return tl::unexpected(db.error());
        auto v = db->prepare("PRAGMA user_version");
        if (!v) return tl::unexpected(v.error());
        auto row = v->step();
        if (!row) return tl::unexpected(row.error());
        return *row ? v->integer(0) : 0;
    };
    auto got = version(Db::open(path, true));
    if (!got) {
        std::error_code ec;
        const auto wal = std::filesystem::file_size(path + "-wal", ec);
        if (!ec && wal > 0)
            return make_error(ErrorCode::IoError, path + ": cannot be read: " + got.error().message + " (and its WAL holds " +
                                                      std::to_string(wal) + " bytes not yet in the database file)");
        impl->immutable = true;
        got = version(Db::open_immutable(path));
        if (!got) return tl::unexpected(got.error());
    }
    const std::int64_t have = *got;
    std::int64_t want = 0;
    for (const Migration& m : migrations()) want = std::max<std::int64_t>(want, m.version);
    if (have < want)
        return make_error(ErrorCode::IoError, path + ": the index lacks migration " + std::to_string(have + 1) +
                                                  " and cannot be read before it is applied");
    impl->find_instance_sql = sql::write_sql(sql::Dialect::Sqlite).find_instance;
    return std::unique_ptr<SqliteIndex>(new SqliteIndex(std::move(impl)));
}

SqliteIndex::SqliteIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteIndex::~SqliteIndex() = default;

WorklistStore* SqliteIndex::worklist() noexcept { return impl_->worklist.load(); }

Result<bool> SqliteIndex::Impl::remove_locked(const std::string& sop) {
    auto p = parents_of(sop);
    if (!p) return tl::unexpected(p.error());
    if (*p) {
        DK_RETURN_IF_ERROR(run(delete_instance, {}, (*p)->instance));
        DK_RETURN_IF_ERROR(prune_above(**p));
        return true;
    }
    auto object = run(find_object, {sop});
    if (!object) return tl::unexpected(object.error());
    if (*object == 0) return false;
    DK_RETURN_IF_ERROR(run(delete_object, {}, *object));
    return true;
}

Result<AddStatus> SqliteIndex::Impl::add_object_locked(const DataSet& ds, const InstanceFile& file,
                                                       DuplicatePolicy policy) {
    auto row = sql::object_row(ds, file);
    if (!row) return tl::unexpected(row.error());
    const std::string& sop = row->sop_instance_uid;
    auto instance_old = parents_of(sop);
    if (!instance_old) return tl::unexpected(instance_old.error());
    auto object_old = run(find_object, {sop});
    if (!object_old) return tl::unexpected(object_old.error());
    const bool old = *instance_old || *object_old != 0;
    if (old && policy == DuplicatePolicy::Keep) return AddStatus::Kept;
    if (old && policy == DuplicatePolicy::Reject)
        return make_error(ErrorCode::InvalidValue, "duplicate SOP Instance UID " + sop);
    if (old) DK_RETURN_IF_ERROR(remove_locked(sop));
    DK_RETURN_IF_ERROR(run(insert_object, row->values, std::nullopt, &row->attrs));
    return old ? AddStatus::Replaced : AddStatus::Added;
}

Result<AddStatus> SqliteIndex::Impl::add_locked(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy) {
    if (sql::is_object(ds)) return add_object_locked(ds, file, policy);
    auto rows = sql::instance_rows(ds, file);
    if (!rows) return tl::unexpected(rows.error());
    const std::string& sop = rows->sop_instance_uid;
    AddStatus status = AddStatus::Added;
    auto old = parents_of(sop);
    if (!old) return tl::unexpected(old.error());
    auto object_old = run(find_object, {sop});  // a non-patient object of the same UID
    if (!object_old) return tl::unexpected(object_old.error());
    const bool exists = *old || *object_old != 0;
    if (exists && policy == DuplicatePolicy::Keep) return AddStatus::Kept;
    if (exists && policy == DuplicatePolicy::Reject)
        return make_error(ErrorCode::InvalidValue, "duplicate SOP Instance UID " + sop);
    if (*old) {
        DK_RETURN_IF_ERROR(run(delete_instance, {}, (*old)->instance));
        status = AddStatus::Replaced;
    }
    if (*object_old != 0) {
        DK_RETURN_IF_ERROR(run(delete_object, {}, *object_old));
        status = AddStatus::Replaced;
    }
    std::optional<std::int64_t> parent;
    for (int l = 0; l < 3; ++l) {
        auto pk = run(levels[l], rows->level[l], parent, &rows->attrs[l]);
        if (pk && *pk == 0) pk = run(lookup[l], {rows->level[l].front()});  // unchanged: no RETURNING row
        if (!pk) return tl::unexpected(pk.error());
        if (*pk == 0) return make_error(ErrorCode::IoError, "index: no row for " + rows->level[l].front());
        parent = *pk;
    }
    DK_RETURN_IF_ERROR(run(instance, rows->level[3], parent, &rows->attrs[3]));
    if (*old) DK_RETURN_IF_ERROR(prune_above(**old));  // the new copy may sit in another series, study or patient
    return status;
}

Result<AddStatus> SqliteIndex::add(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy) {
    if (impl_->read_only) return impl_->read_only_error();
    std::lock_guard lock(impl_->mutex);
    DK_RETURN_IF_ERROR(impl_->db.exec("BEGIN IMMEDIATE"));
    auto r = impl_->add_locked(ds, file, policy);
    if (!r || *r == AddStatus::Kept) {
        (void)impl_->db.exec("ROLLBACK");
        return r;
    }
    DK_RETURN_IF_ERROR(impl_->db.exec("COMMIT"));
    return r;
}

std::vector<Result<AddStatus>> SqliteIndex::add_many(const std::vector<AddItem>& items) {
    std::vector<Result<AddStatus>> out;
    out.reserve(items.size());
    std::lock_guard lock(impl_->mutex);
    auto fail_all = [&](const Error& e) {
        out.assign(items.size(), Result<AddStatus>(tl::unexpected(e)));
        return out;
    };
    if (impl_->read_only) return fail_all(impl_->read_only_error().value());
    if (auto r = impl_->db.exec("BEGIN IMMEDIATE"); !r) return fail_all(r.error());
    bool any = false;
    for (const AddItem& item : items) {
        if (auto r = impl_->db.exec("SAVEPOINT one"); !r) {
            (void)impl_->db.exec("ROLLBACK");
            return fail_all(r.error());
        }
        auto r = impl_->add_locked(*item.attributes, item.file, item.policy);
        if (!r || *r == AddStatus::Kept) (void)impl_->db.exec("ROLLBACK TO one");
        if (auto rel = impl_->db.exec("RELEASE one"); !rel) {
            (void)impl_->db.exec("ROLLBACK");
            return fail_all(rel.error());
        }
        any = any || (r && *r != AddStatus::Kept);
        out.push_back(std::move(r));
    }
    if (auto r = impl_->db.exec(any ? "COMMIT" : "ROLLBACK"); !r) {
        (void)impl_->db.exec("ROLLBACK");
        return fail_all(r.error());
    }
    return out;
}

Result<bool> SqliteIndex::remove(const std::string& sop_instance_uid) {
    if (impl_->read_only) return impl_->read_only_error();
    std::lock_guard lock(impl_->mutex);
    DK_RETURN_IF_ERROR(impl_->db.exec("BEGIN IMMEDIATE"));
    auto r = impl_->remove_locked(sop_instance_uid);
    if (!r || !*r) {
        (void)impl_->db.exec("ROLLBACK");
        return r;
    }
    DK_RETURN_IF_ERROR(impl_->db.exec("COMMIT"));
    return r;
}

Result<Counts> SqliteIndex::counts() {
    auto db = impl_->open_reader();
    if (!db) return tl::unexpected(db.error());
    auto s = db->prepare(
        "SELECT (SELECT COUNT(*) FROM patient), (SELECT COUNT(*) FROM study), (SELECT COUNT(*) FROM series), "
        "(SELECT COUNT(*) FROM instance), (SELECT COALESCE(SUM(size), 0) FROM instance)");
    if (!s) return tl::unexpected(s.error());
    auto row = s->step();
    if (!row) return tl::unexpected(row.error());
    Counts c;
    if (*row) {
        c.patients = static_cast<std::uint64_t>(s->integer(0));
        c.studies = static_cast<std::uint64_t>(s->integer(1));
        c.series = static_cast<std::uint64_t>(s->integer(2));
        c.instances = static_cast<std::uint64_t>(s->integer(3));
        c.bytes = static_cast<std::uint64_t>(s->integer(4));
    }
    return c;
}

Result<std::uint64_t> SqliteIndex::for_each_instance(const InstanceFn& fn) {
    auto db = impl_->open_reader();  // a snapshot of its own, like find
    if (!db) return tl::unexpected(db.error());
    auto s = db->prepare(sql::write_sql(sql::Dialect::Sqlite).all_instances);
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

Result<std::uint64_t> SqliteIndex::for_each_object(const std::string& sop_class_uid, const ObjectFn& fn) {
    auto db = Db::open(impl_->path, true);
    if (!db) return tl::unexpected(db.error());
    auto s = db->prepare(sql::write_sql(sql::Dialect::Sqlite).objects_of_class);
    if (!s) return tl::unexpected(s.error());
    DK_RETURN_IF_ERROR(s->bind(1, std::string_view(sop_class_uid)));
    std::uint64_t n = 0;
    for (;;) {
        auto row = s->step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        auto attrs = sql::decode_blob(s->blob(1));
        if (!attrs) return tl::unexpected(attrs.error());
        ++n;
        if (!fn(s->text(0), *attrs)) break;
    }
    return n;
}

/// Resets a kept statement however a read ends: that ends the read (the WAL may be checkpointed
/// past it) and leaves the statement ready for the next one.
struct ResetAtEnd {
    Stmt& s;
    ~ResetAtEnd() { s.reset(); }
};

/// A read connection from the pool (or a new one), given back when the find is done.
class ReaderLease {
public:
    explicit ReaderLease(SqliteIndex::Impl& impl) : impl_(impl) {
        std::lock_guard lock(impl_.readers_mutex);
        generation_ = impl_.generation;
        if (!impl_.readers.empty()) {
            reader_ = std::move(impl_.readers.back());
            impl_.readers.pop_back();
            open_ = true;
        }
    }
    ~ReaderLease() {
        std::lock_guard lock(impl_.readers_mutex);
        if (open_ && generation_ == impl_.generation && impl_.readers.size() < SqliteIndex::Impl::kMaxIdleReaders)
            impl_.readers.push_back(std::move(reader_));
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;

    Result<SqliteIndex::Impl::Reader*> reader() {
        if (open_) return &reader_;
        auto d = impl_.open_reader();
        if (!d) return tl::unexpected(d.error());
        // 16 MiB of page cache (SQLite's default is 2 MiB): a study-level answer of a few hundred
        // matches touches more pages than that, which then came from the file at each find.
        if (auto r = d->exec("PRAGMA cache_size=-16384"); !r) return tl::unexpected(r.error());
        reader_ = SqliteIndex::Impl::Reader{std::move(*d), {}};
        open_ = true;
        return &reader_;
    }

private:
    SqliteIndex::Impl& impl_;
    SqliteIndex::Impl::Reader reader_;
    bool open_ = false;
    int generation_ = 0;
};

// On a read connection, as find: a lookup need not wait while the writer commits a group.
Result<std::optional<InstanceFile>> SqliteIndex::instance(const std::string& sop_instance_uid) {
    // On a read connection of the pool, as find(): lookups in parallel need no lock of their own.
    ReaderLease lease(*impl_);
    auto reader = lease.reader();
    if (!reader) return tl::unexpected(reader.error());
    auto kept = (*reader)->statement(impl_->find_instance_sql);
    if (!kept) return tl::unexpected(kept.error());
    Stmt& s = **kept;
    ResetAtEnd reset_at_end{s};
    DK_RETURN_IF_ERROR(s.bind(1, std::string_view(sop_instance_uid)));
    auto row = s.step();
    if (!row) return tl::unexpected(row.error());
    std::optional<InstanceFile> f;
    if (*row) f = InstanceFile{s.text(1), static_cast<std::uint64_t>(s.integer(2)), s.text(3)};
    return f;
}

Result<std::optional<std::vector<Index::LocatedFile>>> SqliteIndex::files_under(const std::string& study,
                                                                               const std::string& series,
                                                                               const std::string& sop) {
    const std::string sql = sql::files_under_sql(sql::Dialect::Sqlite, !series.empty(), !sop.empty());
    ReaderLease lease(*impl_);
    auto reader = lease.reader();
    if (!reader) return tl::unexpected(reader.error());
    auto kept = (*reader)->statement(sql);
    if (!kept) return tl::unexpected(kept.error());
    Stmt& s = **kept;
    ResetAtEnd reset_at_end{s};
    int n = 1;
    DK_RETURN_IF_ERROR(s.bind(n++, std::string_view(study)));
    if (!series.empty()) DK_RETURN_IF_ERROR(s.bind(n++, std::string_view(series)));
    if (!sop.empty()) DK_RETURN_IF_ERROR(s.bind(n++, std::string_view(sop)));
    std::vector<LocatedFile> out;
    for (;;) {
        auto row = s.step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        out.push_back({s.text(0), s.text(1), InstanceFile{s.text(2), static_cast<std::uint64_t>(s.integer(3)), s.text(4)}});
    }
    return std::optional<std::vector<LocatedFile>>(std::move(out));
}

Result<std::uint64_t> SqliteIndex::find(const model::Query& q, const MatchFn& on_match) {
    const sql::FindSql f = sql::build_find_sql(q, sql::Dialect::Sqlite);
    ReaderLease lease(*impl_);
    auto reader = lease.reader();
    if (!reader) return tl::unexpected(reader.error());
    auto kept = (*reader)->statement(f.sql);
    if (!kept) return tl::unexpected(kept.error());
    Stmt& s = **kept;
    // Reset however the find ends: that ends its read (the WAL may be checkpointed past it) and
    // leaves the kept statement ready for the next find.
    ResetAtEnd reset_at_end{s};
    for (std::size_t i = 0; i < f.params.size(); ++i) DK_RETURN_IF_ERROR(s.bind(static_cast<int>(i + 1), std::string_view(f.params[i])));
    std::uint64_t n = 0;
    for (;;) {
        auto row = s.step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        const auto out = sql::match_identifier(
            q, f, [&](int column) { return s.text(column); }, [&](int column) { return s.blob(column); });
        if (!out) continue;  // failed a sequence condition
        ++n;
        if (!on_match(*out)) break;
    }
    return n;
}

}  // namespace dicomkit::server::index::sqlite
