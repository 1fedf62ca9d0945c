// SqliteWorklist: one writer connection, read connections kept for reuse by find().
#include <dicomkit/server/index/sqlite/sqlite_worklist.hpp>
#include <dicomkit/base/try.hpp>

#include <mutex>
#include <optional>

#include <dicomkit/server/index/sql/attributes.hpp>
#include <dicomkit/server/index/sql/worklist.hpp>
#include <dicomkit/server/index/sqlite/db.hpp>

namespace dicomkit::server::index::sqlite {

namespace {


constexpr std::size_t kMaxIdleReaders = 4;

}  // namespace

struct SqliteWorklist::Impl {
    std::string path;
    std::mutex mutex;  ///< the writer
    Db db;
    Stmt upsert, update, get, remove;
    std::mutex readers_mutex;
    std::vector<Db> readers;

    /// Binds the columns and blob of `item` from parameter `first` on, runs `s`; the first
    /// column of its row, 0 when none.
    Result<std::int64_t> write(Stmt& s, int first, const DataSet& item, const SpecificCharacterSet& cs) {
        int i = first;
        for (const std::string& v : sql::worklist_columns(item, cs)) DK_RETURN_IF_ERROR(s.bind(i++, std::string_view(v)));
        DK_RETURN_IF_ERROR(s.bind_blob(i, sql::object_blob(item, cs)));
        auto row = s.step();
        if (!row) {
            s.reset();
            return tl::unexpected(row.error());
        }
        const std::int64_t pk = *row ? s.integer(0) : 0;
        s.reset();
        return pk;
    }
    Result<std::int64_t> put_locked(std::string_view key, const DataSet& item, const SpecificCharacterSet& cs) {
        if (key.empty()) return make_error(ErrorCode::InvalidValue, "worklist: an item needs an order key");
        upsert.reset();
        DK_RETURN_IF_ERROR(upsert.bind(1, key));
        return write(upsert, 2, item, cs);
    }
};

SqliteWorklist::SqliteWorklist(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteWorklist::~SqliteWorklist() = default;

Result<std::unique_ptr<SqliteWorklist>> SqliteWorklist::open(const std::string& path) {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    auto d = Db::open(path, false);
    if (!d) return tl::unexpected(d.error());
    impl->db = std::move(*d);
    DK_RETURN_IF_ERROR(impl->db.exec("PRAGMA foreign_keys=ON"));
    for (auto [stmt, text] : {std::pair{&impl->upsert, sql::worklist_upsert(sql::Dialect::Sqlite)},
                              {&impl->update, sql::worklist_update(sql::Dialect::Sqlite)},
                              {&impl->get, std::string("SELECT pk, order_key, item FROM worklist WHERE pk = ?1")},
                              {&impl->remove, std::string("DELETE FROM worklist WHERE pk = ?1")}}) {
        auto s = impl->db.prepare(text);
        if (!s) return make_error(s.error().code, path + ": worklist: " + s.error().message);
        *stmt = std::move(*s);
    }
    return std::unique_ptr<SqliteWorklist>(new SqliteWorklist(std::move(impl)));
}

Result<std::int64_t> SqliteWorklist::put(std::string_view order_key, const DataSet& item,
                                         const SpecificCharacterSet& charset) {
    std::lock_guard lock(impl_->mutex);
    return impl_->put_locked(order_key, item, charset);
}

Result<std::vector<std::int64_t>> SqliteWorklist::put_many(const std::vector<std::pair<std::string, DataSet>>& items,
                                                           const SpecificCharacterSet& charset) {
    std::lock_guard lock(impl_->mutex);
    DK_RETURN_IF_ERROR(impl_->db.exec("BEGIN IMMEDIATE"));
    std::vector<std::int64_t> ids;
    ids.reserve(items.size());
    for (const auto& [key, item] : items) {
        auto id = impl_->put_locked(key, item, charset);
        if (!id) {
            (void)impl_->db.exec("ROLLBACK");
            return tl::unexpected(id.error());
        }
        ids.push_back(*id);
    }
    DK_RETURN_IF_ERROR(impl_->db.exec("COMMIT"));
    return ids;
}

Result<bool> SqliteWorklist::replace(std::int64_t id, const DataSet& item, const SpecificCharacterSet& charset) {
    std::lock_guard lock(impl_->mutex);
    impl_->update.reset();
    DK_RETURN_IF_ERROR(impl_->update.bind(1, id));
    auto r = impl_->write(impl_->update, 2, item, charset);
    if (!r) return tl::unexpected(r.error());
    auto changed = impl_->db.prepare("SELECT changes()");
    if (!changed) return tl::unexpected(changed.error());
    auto row = changed->step();
    if (!row) return tl::unexpected(row.error());
    return *row && changed->integer(0) > 0;
}

Result<std::optional<WorklistEntry>> SqliteWorklist::get(std::int64_t id) {
    std::lock_guard lock(impl_->mutex);
    Stmt& s = impl_->get;
    s.reset();
    DK_RETURN_IF_ERROR(s.bind(1, id));
    auto row = s.step();
    if (!row) return tl::unexpected(row.error());
    std::optional<WorklistEntry> out;
    if (*row) {
        auto item = sql::decode_blob(s.blob(2));
        if (!item) {
            s.reset();
            return tl::unexpected(item.error());
        }
        out = WorklistEntry{s.integer(0), s.text(1), std::move(*item)};
    }
    s.reset();
    return out;
}

Result<std::uint64_t> SqliteWorklist::find(const WorklistFilter& filter, const WorklistFn& fn) {
    std::optional<Db> db;
    {
        std::lock_guard lock(impl_->readers_mutex);
        if (!impl_->readers.empty()) {
            db = std::move(impl_->readers.back());
            impl_->readers.pop_back();
        }
    }
    if (!db) {
        auto d = Db::open(impl_->path, true);
        if (!d) return tl::unexpected(d.error());
        db = std::move(*d);
    }
    std::uint64_t n = 0;
    auto read = [&]() -> Result<void> {
        std::vector<std::string> params;
        const std::string text = sql::worklist_select(sql::Dialect::Sqlite, filter, params);
        auto s = db->prepare(text);
        if (!s) return tl::unexpected(s.error());
        for (std::size_t i = 0; i < params.size(); ++i)
            DK_RETURN_IF_ERROR(s->bind(static_cast<int>(i + 1), std::string_view(params[i])));
        // Rows are handed over as they are read: the read transaction is this connection's,
        // so `fn` may write through the store's writer meanwhile (WAL).
        for (;;) {
            auto row = s->step();
            if (!row) return tl::unexpected(row.error());
            if (!*row) break;
            auto item = sql::decode_blob(s->blob(2));
            if (!item) return tl::unexpected(item.error());
            ++n;
            if (!fn(WorklistEntry{s->integer(0), s->text(1), std::move(*item)})) break;
        }
        return {};
    }();
    {
        std::lock_guard lock(impl_->readers_mutex);
        if (impl_->readers.size() < kMaxIdleReaders) impl_->readers.push_back(std::move(*db));
    }
    if (!read) return tl::unexpected(read.error());
    return n;
}

Result<bool> SqliteWorklist::remove(std::int64_t id) {
    std::lock_guard lock(impl_->mutex);
    Stmt& s = impl_->remove;
    s.reset();
    DK_RETURN_IF_ERROR(s.bind(1, id));
    auto row = s.step();
    s.reset();
    if (!row) return tl::unexpected(row.error());
    auto changed = impl_->db.prepare("SELECT changes()");
    if (!changed) return tl::unexpected(changed.error());
    auto c = changed->step();
    if (!c) return tl::unexpected(c.error());
    return *c && changed->integer(0) > 0;
}

}  // namespace dicomkit::server::index::sqlite
