// PostgresIndex: migrations under an advisory lock, add in one transaction per instance with
// upserts, find streamed from one SELECT (the SQL shared with SQLite, in sql/).
#include <dicomkit/server/index/postgres/postgres_index.hpp>
#include <dicomkit/base/try.hpp>

#include <charconv>
#include <cstdint>

#include <dicomkit/server/index/postgres/pg.hpp>
#include <dicomkit/server/index/postgres/postgres_worklist.hpp>
#include <dicomkit/server/index/schema/migrations.hpp>
#include <dicomkit/server/index/sql/attributes.hpp>
#include <dicomkit/server/index/sql/find.hpp>
#include <dicomkit/server/index/sql/write.hpp>

namespace dicomkit::server::index::postgres {

namespace {


/// Advisory lock keys (two int4): migrations, and one per SOP Instance UID hash for add().
constexpr std::int32_t kMigrationLock = 0x646b6d67;  // "dkmg"
constexpr std::int32_t kInstanceLock = 0x646b6978;   // "dkix"
constexpr int kAttempts = 5;

/// FNV-1a: the second key of an instance's advisory lock (equal UIDs, equal keys).
std::int32_t uid_hash(std::string_view uid) {
    std::uint32_t h = 2166136261u;
    for (char c : uid) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return static_cast<std::int32_t>(h);
}

const char* const kLevelStatements[3] = {"dk_patient", "dk_study", "dk_series"};
const char* const kTables[3] = {"patient", "study", "series"};

Result<std::int64_t> integer(const std::string& text) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        return make_error(ErrorCode::IoError, "postgres: not an integer: " + text);
    return v;
}

}  // namespace

struct PostgresIndex::Impl {
    explicit Impl(const std::string& conninfo) : pool(conninfo, prepare), worklist(conninfo) {}
    Pool pool;
    PostgresWorklist worklist;  ///< the worklist items (schema 006), on connections of its own
    std::string description;

    static Result<void> prepare(Conn& c);

    /// Runs `fn(conn, started)` on a pooled connection, once more on a new one when the pooled one
    /// turns out broken (the server restarted, say) before `fn` set `started`.
    template <typename Fn>
    auto with_connection(Fn&& fn) -> decltype(fn(std::declval<Conn&>(), std::declval<bool&>())) {
        for (int attempt = 1;; ++attempt) {
            auto c = pool.acquire();
            if (!c) return tl::unexpected(c.error());
            bool started = false;
            auto r = fn(**c, started);
            if (r || started || (*c)->connected() || attempt == 2) return r;
        }
    }
    static Result<void> migrate(Conn& c);
    static Result<AddStatus> add_once(Conn& c, const sql::InstanceRows& rows, DuplicatePolicy policy);
    static Result<bool> remove_once(Conn& c, const std::string& sop);
    /// add_once for a non-patient object.
    static Result<AddStatus> add_object_once(Conn& c, const sql::ObjectRow& row, DuplicatePolicy policy);
    /// The pk of the non-patient object `sop` (locked by lock_and_find), "" when none.
    static Result<std::string> find_object(Conn& c, const std::string& sop);
    /// Locks `sop` for the transaction; the pks of its instance, series, study and patient, if any.
    static Result<std::optional<std::vector<std::string>>> lock_and_find(Conn& c, const std::string& sop);
    /// Deletes the series, study and patient (`parents` as lock_and_find gives them) left empty.
    static Result<void> prune(Conn& c, const std::vector<std::string>& parents);
    /// Runs `once(conn)` in a transaction, committed unless it fails or `rollback(result)`, and
    /// again on a deadlock, a serialization failure, a foreign key that a concurrent add made
    /// (pruning) or a pooled connection that broke.
    template <typename T>
    Result<T> transaction(const std::function<Result<T>(Conn&)>& once, const std::function<bool(const T&)>& rollback);
};

Result<void> PostgresIndex::Impl::prepare(Conn& c) {
    const sql::WriteSql w = sql::write_sql(sql::Dialect::Postgres);
    for (int l = 0; l < 3; ++l) {
        DK_RETURN_IF_ERROR(c.prepare(kLevelStatements[l], w.upsert[l]));
        DK_RETURN_IF_ERROR(c.prepare("dk_lookup_" + std::to_string(l), w.lookup[l]));
    }
    DK_RETURN_IF_ERROR(c.prepare("dk_instance", w.insert_instance));
    DK_RETURN_IF_ERROR(c.prepare("dk_find_instance", w.find_instance));
    DK_RETURN_IF_ERROR(c.prepare("dk_delete_instance", w.delete_instance));
    DK_RETURN_IF_ERROR(c.prepare("dk_parents", w.parents));
    DK_RETURN_IF_ERROR(c.prepare("dk_insert_object", w.insert_object));
    DK_RETURN_IF_ERROR(c.prepare("dk_find_object", w.find_object));
    DK_RETURN_IF_ERROR(c.prepare("dk_delete_object", w.delete_object));
    for (int l = 0; l < 3; ++l) {
        DK_RETURN_IF_ERROR(c.prepare("dk_prune_" + std::to_string(l), w.prune[l]));
        DK_RETURN_IF_ERROR(c.prepare("dk_lock_" + std::to_string(l),
                         std::string("SELECT 1 FROM ") + kTables[l] + " WHERE pk = $1 FOR UPDATE"));
    }
    DK_RETURN_IF_ERROR(c.prepare("dk_lock_instance",
                     "SELECT pg_advisory_xact_lock(" + std::to_string(kInstanceLock) + ", $1::integer)"));
    return {};
}

Result<void> PostgresIndex::Impl::migrate(Conn& c) {
    auto enc = c.exec("SHOW server_encoding");
    if (!enc) return tl::unexpected(enc.error());
    if (enc->text(0, 0) != "UTF8")
        return make_error(ErrorCode::Unsupported,
                          "postgres: the database's encoding is " + enc->text(0, 0) + ", the index needs UTF8");
    DK_RETURN_IF_ERROR(c.exec("BEGIN"));
    auto body = [&]() -> Result<void> {
        DK_RETURN_IF_ERROR(c.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ", 0)"));
        DK_RETURN_IF_ERROR(c.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                      "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
        auto v = c.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version");
        if (!v) return tl::unexpected(v.error());
        auto have = integer(v->text(0, 0));
        if (!have) return tl::unexpected(have.error());
        const auto& all = postgres_migrations();
        if (!all.empty() && *have > all.back().version)
            return make_error(ErrorCode::Unsupported, "postgres: the index schema is at version " +
                                                          std::to_string(*have) + ", newer than this dicomkit's " +
                                                          std::to_string(all.back().version));
        for (const Migration& m : all) {
            if (m.version <= *have) continue;
            if (auto r = c.exec(std::string(m.sql)); !r)
                return make_error(ErrorCode::IoError, "migration " + std::string(m.name) + ": " + r.error().message);
            DK_RETURN_IF_ERROR(c.exec("INSERT INTO schema_version(version, name) VALUES($1, $2)",
                          {std::to_string(m.version), std::string(m.name)}));
        }
        return {};
    }();
    if (!body) {
        (void)c.exec("ROLLBACK");
        return body;
    }
    DK_RETURN_IF_ERROR(c.exec("COMMIT"));
    return {};
}

Result<std::unique_ptr<PostgresIndex>> PostgresIndex::open(const std::string& conninfo) {
    auto impl = std::make_unique<Impl>(conninfo);
    {
        auto c = Conn::connect(conninfo);
        if (!c) return tl::unexpected(c.error());
        DK_RETURN_IF_ERROR(Impl::migrate(**c));
        impl->description = "postgres " + (*c)->describe();
    }
    auto lease = impl->pool.acquire();  // the statements prepare against the migrated schema
    if (!lease) return tl::unexpected(lease.error());
    return std::unique_ptr<PostgresIndex>(new PostgresIndex(std::move(impl)));
}

PostgresIndex::PostgresIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresIndex::~PostgresIndex() = default;
WorklistStore* PostgresIndex::worklist() noexcept { return &impl_->worklist; }
std::string PostgresIndex::description() const { return impl_->description; }

Result<std::optional<std::vector<std::string>>> PostgresIndex::Impl::lock_and_find(Conn& c, const std::string& sop) {
    DK_RETURN_IF_ERROR(c.exec_prepared("dk_lock_instance", {std::to_string(uid_hash(sop))}));
    auto r = c.exec_prepared("dk_parents", {sop});
    if (!r) return tl::unexpected(r.error());
    if (r->rows() == 0) return std::optional<std::vector<std::string>>{};
    return std::vector<std::string>{r->text(0, 0), r->text(0, 1), r->text(0, 2), r->text(0, 3)};
}

Result<void> PostgresIndex::Impl::prune(Conn& c, const std::vector<std::string>& parents) {
    // Lock the rows first, top down as add()'s upserts do (no deadlock between the two): a
    // transaction adding below them has then committed, and the deletes, each a statement with
    // a new snapshot, see what it added.
    for (int l = 0; l < 3; ++l) DK_RETURN_IF_ERROR(c.exec_prepared("dk_lock_" + std::to_string(l), {parents[3 - l]}));
    for (int l = 2; l >= 0; --l) DK_RETURN_IF_ERROR(c.exec_prepared("dk_prune_" + std::to_string(l), {parents[3 - l]}));
    return {};
}

Result<std::string> PostgresIndex::Impl::find_object(Conn& c, const std::string& sop) {
    auto r = c.exec_prepared("dk_find_object", {sop});
    if (!r) return tl::unexpected(r.error());
    return r->rows() == 0 ? std::string() : r->text(0, 0);
}

Result<AddStatus> PostgresIndex::Impl::add_object_once(Conn& c, const sql::ObjectRow& row, DuplicatePolicy policy) {
    const std::string& sop = row.sop_instance_uid;
    auto old = lock_and_find(c, sop);
    if (!old) return tl::unexpected(old.error());
    auto object = find_object(c, sop);
    if (!object) return tl::unexpected(object.error());
    const bool exists = *old || !object->empty();
    if (exists && policy == DuplicatePolicy::Keep) return AddStatus::Kept;
    if (exists && policy == DuplicatePolicy::Reject)
        return make_error(ErrorCode::InvalidValue, "duplicate SOP Instance UID " + sop);
    if (*old) {
        DK_RETURN_IF_ERROR(c.exec_prepared("dk_delete_instance", {(**old)[0]}));
        DK_RETURN_IF_ERROR(prune(c, **old));
    }
    if (!object->empty()) DK_RETURN_IF_ERROR(c.exec_prepared("dk_delete_object", {*object}));
    DK_RETURN_IF_ERROR(c.exec_prepared("dk_insert_object", row.values, &row.attrs));
    return exists ? AddStatus::Replaced : AddStatus::Added;
}

Result<AddStatus> PostgresIndex::Impl::add_once(Conn& c, const sql::InstanceRows& rows, DuplicatePolicy policy) {
    const std::string& sop = rows.sop_instance_uid;
    auto old = lock_and_find(c, sop);
    if (!old) return tl::unexpected(old.error());
    auto object = find_object(c, sop);  // a non-patient object of the same UID
    if (!object) return tl::unexpected(object.error());
    AddStatus status = AddStatus::Added;
    if (*old || !object->empty()) {
        if (policy == DuplicatePolicy::Keep) return AddStatus::Kept;
        if (policy == DuplicatePolicy::Reject)
            return make_error(ErrorCode::InvalidValue, "duplicate SOP Instance UID " + sop);
        if (*old) DK_RETURN_IF_ERROR(c.exec_prepared("dk_delete_instance", {(**old)[0]}));
        if (!object->empty()) DK_RETURN_IF_ERROR(c.exec_prepared("dk_delete_object", {*object}));
        status = AddStatus::Replaced;
    }
    std::vector<std::string> params;
    for (int l = 0; l < 3; ++l) {
        params.insert(params.end(), rows.level[l].begin(), rows.level[l].end());
        auto pk = c.exec_prepared(kLevelStatements[l], params, &rows.attrs[l]);
        if (pk && pk->rows() == 0)  // the row was there as it is: no RETURNING row (but locked)
            pk = c.exec_prepared("dk_lookup_" + std::to_string(l), {rows.level[l].front()});
        if (!pk) return tl::unexpected(pk.error());
        if (pk->rows() == 0) return make_error(ErrorCode::IoError, "postgres: no row for " + rows.level[l].front());
        params = {pk->text(0, 0)};
    }
    params.insert(params.end(), rows.level[3].begin(), rows.level[3].end());
    DK_RETURN_IF_ERROR(c.exec_prepared("dk_instance", params, &rows.attrs[3]));
    if (*old) DK_RETURN_IF_ERROR(prune(c, **old));  // the new copy may sit in another series, study or patient
    return status;
}

Result<bool> PostgresIndex::Impl::remove_once(Conn& c, const std::string& sop) {
    auto old = lock_and_find(c, sop);
    if (!old) return tl::unexpected(old.error());
    if (!*old) {
        auto object = find_object(c, sop);
        if (!object) return tl::unexpected(object.error());
        if (object->empty()) return false;
        DK_RETURN_IF_ERROR(c.exec_prepared("dk_delete_object", {*object}));
        return true;
    }
    DK_RETURN_IF_ERROR(c.exec_prepared("dk_delete_instance", {(**old)[0]}));
    DK_RETURN_IF_ERROR(prune(c, **old));
    return true;
}

template <typename T>
Result<T> PostgresIndex::Impl::transaction(const std::function<Result<T>(Conn&)>& once,
                                           const std::function<bool(const T&)>& rollback) {
    for (int attempt = 1;; ++attempt) {
        auto c = pool.acquire();
        if (!c) return tl::unexpected(c.error());
        auto r = (*c)->exec("BEGIN").and_then([&](const PgResult&) { return once(**c); });
        if (r && !rollback(*r)) {
            auto done = (*c)->exec("COMMIT");
            if (done) return r;
            r = tl::unexpected(done.error());
        }
        const std::string state = (*c)->sqlstate();
        // Worth another go: a serialization failure, a deadlock, a parent pruned while another
        // transaction added to it (foreign key violation), a pooled connection that broke.
        const bool retry = state == "40001" || state == "40P01" || state == "23503" || !(*c)->connected();
        if ((*c)->connected()) (void)(*c)->exec("ROLLBACK");
        if (r || !retry || attempt == kAttempts) return r;
    }
}

Result<AddStatus> PostgresIndex::add(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy) {
    if (sql::is_object(ds)) {
        auto row = sql::object_row(ds, file);
        if (!row) return tl::unexpected(row.error());
        return impl_->transaction<AddStatus>([&](Conn& c) { return Impl::add_object_once(c, *row, policy); },
                                             [](const AddStatus& s) { return s == AddStatus::Kept; });
    }
    auto rows = sql::instance_rows(ds, file);
    if (!rows) return tl::unexpected(rows.error());
    return impl_->transaction<AddStatus>([&](Conn& c) { return Impl::add_once(c, *rows, policy); },
                                         [](const AddStatus& s) { return s == AddStatus::Kept; });
}

Result<bool> PostgresIndex::remove(const std::string& sop_instance_uid) {
    return impl_->transaction<bool>([&](Conn& c) { return Impl::remove_once(c, sop_instance_uid); },
                                    [](const bool& removed) { return !removed; });
}

Result<Counts> PostgresIndex::counts() {
    Counts out;
    DK_RETURN_IF_ERROR(impl_->with_connection([&](Conn& c, bool& started) {
        return c.stream("SELECT (SELECT COUNT(*) FROM patient), (SELECT COUNT(*) FROM study), "
                        "(SELECT COUNT(*) FROM series), (SELECT COUNT(*) FROM instance), "
                        "(SELECT COALESCE(SUM(size), 0) FROM instance)",
                        {}, [&](const PgResult& row) {
                            started = true;
                            auto n = [&](int col) {
                                auto v = integer(row.text(0, col));
                                return v ? static_cast<std::uint64_t>(*v) : 0;
                            };
                            out = Counts{n(0), n(1), n(2), n(3), n(4)};
                            return true;
                        });
    }));
    return out;
}

Result<std::uint64_t> PostgresIndex::for_each_instance(const InstanceFn& fn) {
    const std::string sql = sql::write_sql(sql::Dialect::Postgres).all_instances;
    std::uint64_t n = 0;
    DK_RETURN_IF_ERROR(impl_->with_connection([&](Conn& c, bool& started) {
        return c.stream(sql, {}, [&](const PgResult& row) {
            started = true;
            ++n;
            auto size = integer(row.text(0, 2));
            return fn(row.text(0, 0), InstanceFile{row.text(0, 1), size ? static_cast<std::uint64_t>(*size) : 0,
                                                   row.text(0, 3)});
        });
    }));
    return n;
}

Result<std::uint64_t> PostgresIndex::for_each_object(const std::string& sop_class_uid, const ObjectFn& fn) {
    const std::string sql = sql::write_sql(sql::Dialect::Postgres).objects_of_class;
    std::uint64_t n = 0;
    std::optional<Error> damaged;
    DK_RETURN_IF_ERROR(impl_->with_connection([&](Conn& c, bool& started) {
        return c.stream(sql, {sop_class_uid}, [&](const PgResult& row) {
            started = true;
            auto attrs = sql::decode_blob(row.bytes(0, 1));
            if (!attrs) {
                damaged = attrs.error();
                return false;
            }
            ++n;
            return fn(row.text(0, 0), *attrs);
        });
    }));
    if (damaged) return tl::unexpected(*damaged);
    return n;
}

Result<std::optional<InstanceFile>> PostgresIndex::instance(const std::string& sop_instance_uid) {
    auto r = impl_->with_connection(
        [&](Conn& c, bool&) { return c.exec_prepared("dk_find_instance", {sop_instance_uid}); });
    if (!r) return tl::unexpected(r.error());
    if (r->rows() == 0) return std::optional<InstanceFile>{};
    auto size = integer(r->text(0, 2));
    if (!size) return tl::unexpected(size.error());
    return InstanceFile{r->text(0, 1), static_cast<std::uint64_t>(*size), r->text(0, 3)};
}

Result<std::optional<std::vector<Index::LocatedFile>>> PostgresIndex::files_under(const std::string& study,
                                                                                 const std::string& series,
                                                                                 const std::string& sop) {
    std::vector<std::string> params{study};
    if (!series.empty()) params.push_back(series);
    if (!sop.empty()) params.push_back(sop);
    const std::string sql = sql::files_under_sql(sql::Dialect::Postgres, !series.empty(), !sop.empty());
    std::vector<LocatedFile> out;
    Result<void> bad;
    DK_RETURN_IF_ERROR(impl_->with_connection([&](Conn& c, bool&) {
        out.clear();
        return c.stream(sql, params, [&](const PgResult& row) {
            auto size = integer(row.text(0, 3));
            if (!size) {
                bad = tl::unexpected(size.error());
                return false;
            }
            out.push_back({row.text(0, 0), row.text(0, 1),
                           InstanceFile{row.text(0, 2), static_cast<std::uint64_t>(*size), row.text(0, 4)}});
            return true;
        });
    }));
    if (!bad) return tl::unexpected(bad.error());
    return std::optional<std::vector<LocatedFile>>(std::move(out));
}

Result<std::uint64_t> PostgresIndex::find(const model::Query& q, const MatchFn& on_match) {
    const sql::FindSql f = sql::build_find_sql(q, sql::Dialect::Postgres);
    std::uint64_t n = 0;
    DK_RETURN_IF_ERROR(impl_->with_connection([&](Conn& c, bool& started) {
        return c.stream(f.sql, f.params, [&](const PgResult& row) {
            const auto out = sql::match_identifier(
                q, f, [&](int column) { return row.text(0, column); },
                [&](int column) { return row.bytes(0, column); });
            if (!out) return true;  // failed a sequence condition: nothing handed over
            started = true;
            ++n;
            return on_match(*out);
        });
    }));
    return n;
}

}  // namespace dicomkit::server::index::postgres
