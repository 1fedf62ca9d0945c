// PostgresIndex: migrations under an advisory lock, add in one transaction per instance with
// upserts, find streamed from one SELECT (the SQL shared with SQLite, in sql/).
#include <dicomkit/server/index/postgres/postgres_index.hpp>

#include <charconv>
#include <cstdint>

#include <dicomkit/server/index/postgres/pg.hpp>
#include <dicomkit/server/index/schema/migrations.hpp>
#include <dicomkit/server/index/sql/find.hpp>
#include <dicomkit/server/index/sql/write.hpp>

namespace dicomkit::server::index::postgres {

namespace {

#define DK_TRY(expr)                                                   \
    do {                                                               \
        if (auto r_ = (expr); !r_) return tl::unexpected(r_.error()); \
    } while (0)

/// Advisory lock keys (two int4): migrations, and one per SOP Instance UID hash for add().
constexpr std::int32_t kMigrationLock = 0x646b6d67;  // "dkmg"
constexpr std::int32_t kInstanceLock = 0x646b6978;   // "dkix"
constexpr int kAddAttempts = 5;

/// FNV-1a: the second key of an instance's advisory lock (equal UIDs, equal keys).
std::int32_t uid_hash(std::string_view uid) {
    std::uint32_t h = 2166136261u;
    for (char c : uid) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return static_cast<std::int32_t>(h);
}

const char* const kLevelStatements[3] = {"dk_patient", "dk_study", "dk_series"};

Result<std::int64_t> integer(const std::string& text) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        return make_error(ErrorCode::IoError, "postgres: not an integer: " + text);
    return v;
}

}  // namespace

struct PostgresIndex::Impl {
    explicit Impl(const std::string& conninfo) : pool(conninfo, prepare) {}
    Pool pool;
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
};

Result<void> PostgresIndex::Impl::prepare(Conn& c) {
    const sql::WriteSql w = sql::write_sql(sql::Dialect::Postgres);
    for (int l = 0; l < 3; ++l) DK_TRY(c.prepare(kLevelStatements[l], w.upsert[l]));
    DK_TRY(c.prepare("dk_instance", w.insert_instance));
    DK_TRY(c.prepare("dk_find_instance", w.find_instance));
    DK_TRY(c.prepare("dk_delete_instance", w.delete_instance));
    DK_TRY(c.prepare("dk_lock_instance",
                     "SELECT pg_advisory_xact_lock(" + std::to_string(kInstanceLock) + ", $1::integer)"));
    return {};
}

Result<void> PostgresIndex::Impl::migrate(Conn& c) {
    auto enc = c.exec("SHOW server_encoding");
    if (!enc) return tl::unexpected(enc.error());
    if (enc->text(0, 0) != "UTF8")
        return make_error(ErrorCode::Unsupported,
                          "postgres: the database's encoding is " + enc->text(0, 0) + ", the index needs UTF8");
    DK_TRY(c.exec("BEGIN"));
    auto body = [&]() -> Result<void> {
        DK_TRY(c.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ", 0)"));
        DK_TRY(c.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
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
            DK_TRY(c.exec("INSERT INTO schema_version(version, name) VALUES($1, $2)",
                          {std::to_string(m.version), std::string(m.name)}));
        }
        return {};
    }();
    if (!body) {
        (void)c.exec("ROLLBACK");
        return body;
    }
    DK_TRY(c.exec("COMMIT"));
    return {};
}

Result<std::unique_ptr<PostgresIndex>> PostgresIndex::open(const std::string& conninfo) {
    auto impl = std::make_unique<Impl>(conninfo);
    {
        auto c = Conn::connect(conninfo);
        if (!c) return tl::unexpected(c.error());
        DK_TRY(Impl::migrate(**c));
        impl->description = "postgres " + (*c)->describe();
    }
    auto lease = impl->pool.acquire();  // the statements prepare against the migrated schema
    if (!lease) return tl::unexpected(lease.error());
    return std::unique_ptr<PostgresIndex>(new PostgresIndex(std::move(impl)));
}

PostgresIndex::PostgresIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresIndex::~PostgresIndex() = default;
std::string PostgresIndex::description() const { return impl_->description; }

Result<AddStatus> PostgresIndex::Impl::add_once(Conn& c, const sql::InstanceRows& rows, DuplicatePolicy policy) {
    const std::string& sop = rows.sop_instance_uid;
    DK_TRY(c.exec_prepared("dk_lock_instance", {std::to_string(uid_hash(sop))}));
    auto old = c.exec_prepared("dk_find_instance", {sop});
    if (!old) return tl::unexpected(old.error());
    AddStatus status = AddStatus::Added;
    if (old->rows() > 0) {
        if (policy == DuplicatePolicy::Keep) return AddStatus::Kept;
        if (policy == DuplicatePolicy::Reject)
            return make_error(ErrorCode::InvalidValue, "duplicate SOP Instance UID " + sop);
        DK_TRY(c.exec_prepared("dk_delete_instance", {old->text(0, 0)}));
        status = AddStatus::Replaced;
    }
    std::vector<std::string> params;
    for (int l = 0; l < 3; ++l) {
        params.insert(params.end(), rows.level[l].begin(), rows.level[l].end());
        auto pk = c.exec_prepared(kLevelStatements[l], params, &rows.attrs[l]);
        if (!pk) return tl::unexpected(pk.error());
        params = {pk->text(0, 0)};
    }
    params.insert(params.end(), rows.level[3].begin(), rows.level[3].end());
    DK_TRY(c.exec_prepared("dk_instance", params, &rows.attrs[3]));
    return status;
}

Result<AddStatus> PostgresIndex::add(const DataSet& ds, const InstanceFile& file, DuplicatePolicy policy) {
    auto rows = sql::instance_rows(ds, file);
    if (!rows) return tl::unexpected(rows.error());
    for (int attempt = 1;; ++attempt) {
        auto c = impl_->pool.acquire();
        if (!c) return tl::unexpected(c.error());
        auto r = (*c)->exec("BEGIN").and_then([&](const PgResult&) { return Impl::add_once(**c, *rows, policy); });
        if (r && *r != AddStatus::Kept) {
            auto done = (*c)->exec("COMMIT");
            if (done) return r;
            r = tl::unexpected(done.error());
        }
        const std::string state = (*c)->sqlstate();
        // Worth another go: a serialization failure, a deadlock, a pooled connection that broke.
        const bool retry = state == "40001" || state == "40P01" || !(*c)->connected();
        if ((*c)->connected()) (void)(*c)->exec("ROLLBACK");
        if (r || !retry || attempt == kAddAttempts) return r;
    }
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

Result<std::uint64_t> PostgresIndex::find(const model::Query& q, const MatchFn& on_match) {
    const sql::FindSql f = sql::build_find_sql(q, sql::Dialect::Postgres);
    std::uint64_t n = 0;
    DK_TRY(impl_->with_connection([&](Conn& c, bool& started) {
        return c.stream(f.sql, f.params, [&](const PgResult& row) {
            started = true;
            ++n;
            return on_match(sql::match_identifier(
                q, f, [&](int column) { return row.text(0, column); },
                [&](int column) { return row.bytes(0, column); }));
        });
    }));
    return n;
}

}  // namespace dicomkit::server::index::postgres
