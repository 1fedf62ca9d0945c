// SqliteIndex: schema migrations, add (one transaction per instance) and find.
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>

#include <mutex>

#include <dicomkit/server/index/schema/migrations.hpp>
#include <dicomkit/server/index/sql/find.hpp>
#include <dicomkit/server/index/sql/write.hpp>
#include <dicomkit/server/index/sqlite/db.hpp>

namespace dicomkit::server::index::sqlite {

namespace {

#define DK_TRY(expr)                                            \
    do {                                                        \
        if (auto r_ = (expr); !r_) return tl::unexpected(r_.error()); \
    } while (0)

/// Binds `first`, `values` and `blob` to 1.. and steps once; the first column of the row
/// (RETURNING pk) or 0.
Result<std::int64_t> run(Stmt& s, const std::vector<std::string>& values, std::optional<std::int64_t> first = {},
                         const std::string* blob = nullptr) {
    s.reset();
    int i = 1;
    if (first) DK_TRY(s.bind(i++, *first));
    for (const auto& v : values) DK_TRY(s.bind(i++, std::string_view(v)));
    if (blob) DK_TRY(s.bind_blob(i++, *blob));
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
    Stmt levels[3], instance, find_instance, delete_instance;  ///< levels: patient, study, series upserts

    Result<void> migrate();
    Result<AddStatus> add_locked(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy);
};

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
    const sql::WriteSql w = sql::write_sql(sql::Dialect::Sqlite);
    for (auto [stmt, text] : {std::pair{&impl->levels[0], &w.upsert[0]}, {&impl->levels[1], &w.upsert[1]},
                              {&impl->levels[2], &w.upsert[2]}, {&impl->instance, &w.insert_instance},
                              {&impl->find_instance, &w.find_instance}, {&impl->delete_instance, &w.delete_instance}}) {
        auto s = impl->db.prepare(*text);
        if (!s) return tl::unexpected(s.error());
        *stmt = std::move(*s);
    }
    return std::unique_ptr<SqliteIndex>(new SqliteIndex(std::move(impl)));
}

SqliteIndex::SqliteIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteIndex::~SqliteIndex() = default;

Result<AddStatus> SqliteIndex::Impl::add_locked(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy) {
    auto rows = sql::instance_rows(ds, file);
    if (!rows) return tl::unexpected(rows.error());
    const std::string& sop = rows->sop_instance_uid;
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
    std::optional<std::int64_t> parent;
    for (int l = 0; l < 3; ++l) {
        auto pk = run(levels[l], rows->level[l], parent, &rows->attrs[l]);
        if (!pk) return tl::unexpected(pk.error());
        parent = *pk;
    }
    DK_TRY(run(instance, rows->level[3], parent, &rows->attrs[3]));
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

Result<std::uint64_t> SqliteIndex::find(const model::Query& q, const MatchFn& on_match) {
    const sql::FindSql f = sql::build_find_sql(q, sql::Dialect::Sqlite);
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
        const DataSet out = sql::match_identifier(
            q, f, [&](int column) { return s->text(column); }, [&](int column) { return s->blob(column); });
        ++n;
        if (!on_match(out)) break;
    }
    return n;
}

}  // namespace dicomkit::server::index::sqlite
