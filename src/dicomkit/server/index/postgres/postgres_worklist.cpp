// PostgresWorklist: prepared upsert and update on pooled connections; the SQL shared with SQLite.
#include <dicomkit/server/index/postgres/postgres_worklist.hpp>
#include <dicomkit/base/try.hpp>

#include <charconv>

#include <dicomkit/server/index/postgres/pg.hpp>
#include <dicomkit/server/index/sql/attributes.hpp>
#include <dicomkit/server/index/sql/worklist.hpp>

namespace dicomkit::server::index::postgres {

namespace {


Result<void> prepare(Conn& c) {
    DK_RETURN_IF_ERROR(c.prepare("dk_wl_upsert", sql::worklist_upsert(sql::Dialect::Postgres)));
    DK_RETURN_IF_ERROR(c.prepare("dk_wl_update", sql::worklist_update(sql::Dialect::Postgres)));
    return {};
}

std::int64_t integer(const std::string& text) {
    std::int64_t v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
}

/// The parameters of an upsert or update: `first`, the columns; the blob apart.
std::vector<std::string> params_of(std::string first, const DataSet& item, const SpecificCharacterSet& cs) {
    std::vector<std::string> p{std::move(first)};
    for (std::string& v : sql::worklist_columns(item, cs)) p.push_back(std::move(v));
    return p;
}

Result<std::int64_t> put_on(Conn& c, std::string_view key, const DataSet& item, const SpecificCharacterSet& cs) {
    if (key.empty()) return make_error(ErrorCode::InvalidValue, "worklist: an item needs an order key");
    const std::string blob = sql::object_blob(item, cs);
    auto r = c.exec_prepared("dk_wl_upsert", params_of(std::string(key), item, cs), &blob);
    if (!r) return tl::unexpected(r.error());
    return r->rows() ? integer(r->text(0, 0)) : 0;
}

}  // namespace

struct PostgresWorklist::Impl {
    explicit Impl(const std::string& conninfo) : pool(conninfo, prepare, 4) {}
    Pool pool;
};

PostgresWorklist::PostgresWorklist(const std::string& conninfo) : impl_(std::make_unique<Impl>(conninfo)) {}
PostgresWorklist::~PostgresWorklist() = default;

Result<std::int64_t> PostgresWorklist::put(std::string_view order_key, const DataSet& item,
                                           const SpecificCharacterSet& charset) {
    auto c = impl_->pool.acquire();
    if (!c) return tl::unexpected(c.error());
    return put_on(**c, order_key, item, charset);
}

Result<std::vector<std::int64_t>> PostgresWorklist::put_many(const std::vector<std::pair<std::string, DataSet>>& items,
                                                             const SpecificCharacterSet& charset) {
    auto c = impl_->pool.acquire();
    if (!c) return tl::unexpected(c.error());
    DK_RETURN_IF_ERROR((*c)->exec("BEGIN"));
    std::vector<std::int64_t> ids;
    ids.reserve(items.size());
    for (const auto& [key, item] : items) {
        auto id = put_on(**c, key, item, charset);
        if (!id) {
            (void)(*c)->exec("ROLLBACK");
            return tl::unexpected(id.error());
        }
        ids.push_back(*id);
    }
    DK_RETURN_IF_ERROR((*c)->exec("COMMIT"));
    return ids;
}

Result<bool> PostgresWorklist::replace(std::int64_t id, const DataSet& item, const SpecificCharacterSet& charset) {
    auto c = impl_->pool.acquire();
    if (!c) return tl::unexpected(c.error());
    const std::string blob = sql::object_blob(item, charset);
    auto r = (*c)->exec_prepared("dk_wl_update", params_of(std::to_string(id), item, charset), &blob);
    if (!r) return tl::unexpected(r.error());
    auto exists = (*c)->exec("SELECT 1 FROM worklist WHERE pk = $1", {std::to_string(id)});
    if (!exists) return tl::unexpected(exists.error());
    return exists->rows() > 0;
}

Result<std::optional<WorklistEntry>> PostgresWorklist::get(std::int64_t id) {
    auto c = impl_->pool.acquire();
    if (!c) return tl::unexpected(c.error());
    auto r = (*c)->exec("SELECT pk, order_key, item FROM worklist WHERE pk = $1", {std::to_string(id)});
    if (!r) return tl::unexpected(r.error());
    if (r->rows() == 0) return std::optional<WorklistEntry>{};
    auto item = sql::decode_blob(r->bytes(0, 2));
    if (!item) return tl::unexpected(item.error());
    return std::optional<WorklistEntry>(WorklistEntry{integer(r->text(0, 0)), r->text(0, 1), std::move(*item)});
}

Result<std::uint64_t> PostgresWorklist::find(const WorklistFilter& filter, const WorklistFn& fn) {
    auto c = impl_->pool.acquire();
    if (!c) return tl::unexpected(c.error());
    std::vector<std::string> params;
    const std::string text = sql::worklist_select(sql::Dialect::Postgres, filter, params);
    std::uint64_t n = 0;
    Result<void> bad;
    // Rows streamed (single-row mode): a query over many items is not held in memory whole.
    auto r = (*c)->stream(text, params, [&](const PgResult& row) {
        auto item = sql::decode_blob(row.bytes(0, 2));
        if (!item) {
            bad = tl::unexpected(item.error());
            return false;
        }
        ++n;
        return fn(WorklistEntry{integer(row.text(0, 0)), row.text(0, 1), std::move(*item)});
    });
    if (!r) return tl::unexpected(r.error());
    if (!bad) return tl::unexpected(bad.error());
    return n;
}

Result<bool> PostgresWorklist::remove(std::int64_t id) {
    auto c = impl_->pool.acquire();
    if (!c) return tl::unexpected(c.error());
    auto r = (*c)->exec("DELETE FROM worklist WHERE pk = $1 RETURNING pk", {std::to_string(id)});
    if (!r) return tl::unexpected(r.error());
    return r->rows() > 0;
}

}  // namespace dicomkit::server::index::postgres
