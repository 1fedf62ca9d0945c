// Thin RAII wrappers over the SQLite C API (connection, prepared statement) returning Result.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace dicomkit::server::index::sqlite {

class Stmt {
public:
    Stmt() = default;
    explicit Stmt(sqlite3_stmt* s) : s_(s) {}
    Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    Stmt& operator=(Stmt&& o) noexcept;
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt();

    /// Binds parameter `i` (1-based) as text or integer.
    [[nodiscard]] Result<void> bind(int i, std::string_view text);
    [[nodiscard]] Result<void> bind(int i, std::int64_t value);
    [[nodiscard]] Result<void> bind_blob(int i, std::string_view bytes);
    /// One step: true when a row is ready, false when done.
    [[nodiscard]] Result<bool> step();
    /// Ready for the next execution (bindings cleared).
    void reset() noexcept;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] std::string blob(int column) const;
    [[nodiscard]] std::int64_t integer(int column) const;
    [[nodiscard]] bool is_null(int column) const;

private:
    sqlite3_stmt* s_ = nullptr;
};

class Db {
public:
    /// Opens (creating unless read-only) a database file, with a busy timeout.
    [[nodiscard]] static Result<Db> open(const std::string& path, bool read_only);
    /// Opens a database file that nothing writes, read-only, without its WAL and shared-memory
    /// files (SQLite's immutable=1): for a full disk, where even the shared-memory file of a
    /// read-only connection cannot be made. Only right when the WAL is empty or missing.
    [[nodiscard]] static Result<Db> open_immutable(const std::string& path);
    Db() = default;
    Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
    Db& operator=(Db&& o) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db();

    [[nodiscard]] Result<void> exec(const std::string& sql);
    [[nodiscard]] Result<Stmt> prepare(std::string_view sql);
    [[nodiscard]] std::int64_t last_insert_rowid() const noexcept;
    [[nodiscard]] std::string last_error() const;

private:
    sqlite3* db_ = nullptr;
};

}  // namespace dicomkit::server::index::sqlite
