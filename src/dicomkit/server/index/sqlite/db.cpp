// SQLite wrappers.
#include <dicomkit/server/index/sqlite/db.hpp>

#include <sqlite3.h>

namespace dicomkit::server::index::sqlite {

namespace {
Unexpected db_error(sqlite3* db, std::string_view what) {
    return make_error(ErrorCode::IoError, "sqlite: " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "?"));
}
}  // namespace

Stmt& Stmt::operator=(Stmt&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(s_);
        s_ = o.s_;
        o.s_ = nullptr;
    }
    return *this;
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Result<void> Stmt::bind(int i, std::string_view text) {
    if (sqlite3_bind_text(s_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
        return db_error(sqlite3_db_handle(s_), "bind");
    return {};
}

Result<void> Stmt::bind(int i, std::int64_t value) {
    if (sqlite3_bind_int64(s_, i, value) != SQLITE_OK) return db_error(sqlite3_db_handle(s_), "bind");
    return {};
}

Result<void> Stmt::bind_blob(int i, std::string_view bytes) {
    if (sqlite3_bind_blob64(s_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT) != SQLITE_OK)
        return db_error(sqlite3_db_handle(s_), "bind");
    return {};
}

Result<bool> Stmt::step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return db_error(sqlite3_db_handle(s_), "step");
}

void Stmt::reset() noexcept {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
}

std::string Stmt::text(int column) const {
    const auto* p = sqlite3_column_text(s_, column);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, column)));
}

std::string Stmt::blob(int column) const {
    const auto* p = sqlite3_column_blob(s_, column);
    if (!p) return {};
    return std::string(static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, column)));
}

std::int64_t Stmt::integer(int column) const { return sqlite3_column_int64(s_, column); }
bool Stmt::is_null(int column) const { return sqlite3_column_type(s_, column) == SQLITE_NULL; }

Result<Db> Db::open(const std::string& path, bool read_only) {
    Db d;
    const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &d.db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
        return db_error(d.db_, "open " + path);
    sqlite3_busy_timeout(d.db_, 10000);
    return d;
}

Result<Db> Db::open_immutable(const std::string& path) {
    std::string uri = "file:";
    for (char c : path) {
        if (c == '%' || c == '?' || c == '#') {
            static constexpr char hex[] = "0123456789abcdef";
            uri += '%';
            uri += hex[(static_cast<unsigned char>(c) >> 4) & 15];
            uri += hex[static_cast<unsigned char>(c) & 15];
        } else {
            uri += c;
        }
    }
    uri += "?immutable=1";
    Db d;
    if (sqlite3_open_v2(uri.c_str(), &d.db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK)
        return db_error(d.db_, "open " + path + " (immutable)");
    return d;
}

Db& Db::operator=(Db&& o) noexcept {
    if (this != &o) {
        sqlite3_close_v2(db_);
        db_ = o.db_;
        o.db_ = nullptr;
    }
    return *this;
}

Db::~Db() { sqlite3_close_v2(db_); }

Result<void> Db::exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string m = msg ? msg : "?";
        sqlite3_free(msg);
        return make_error(ErrorCode::IoError, "sqlite: " + m);
    }
    return {};
}

Result<Stmt> Db::prepare(std::string_view sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
        return db_error(db_, "prepare");
    return Stmt(s);
}

std::int64_t Db::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }
std::string Db::last_error() const { return db_ ? sqlite3_errmsg(db_) : "?"; }

}  // namespace dicomkit::server::index::sqlite
