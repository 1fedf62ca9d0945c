// Thin RAII wrappers over libpq returning Result: a query result, a connection, a pool of them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>

struct pg_conn;
struct pg_result;

namespace dicomkit::server::index::postgres {

/// A result (PGresult) of a statement that succeeded; values are in text format.
class PgResult {
public:
    explicit PgResult(pg_result* r) : r_(r) {}
    [[nodiscard]] int rows() const noexcept;
    /// The value at (row, column) as text, "" when NULL.
    [[nodiscard]] std::string text(int row, int column) const;
    /// A bytea value at (row, column) as its bytes.
    [[nodiscard]] std::string bytes(int row, int column) const;

private:
    struct Free {
        void operator()(pg_result* r) const noexcept;
    };
    std::unique_ptr<pg_result, Free> r_;
};

/// One connection. Not thread-safe: a thread leases it from the Pool.
class Conn {
public:
    /// Connects with `conninfo` (key=value pairs or a postgresql:// URI), client encoding UTF-8
    /// and a connect timeout of 10 s unless the conninfo says otherwise.
    [[nodiscard]] static Result<std::unique_ptr<Conn>> connect(const std::string& conninfo);
    ~Conn();
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;

    /// One or more statements without parameters (the simple query protocol).
    [[nodiscard]] Result<PgResult> exec(const std::string& sql);
    /// One statement with text parameters $1.. (all typed text when `text_params`, else inferred).
    [[nodiscard]] Result<PgResult> exec(const std::string& sql, const std::vector<std::string>& params,
                                        bool text_params = false);
    [[nodiscard]] Result<void> prepare(const std::string& name, const std::string& sql);
    /// A prepared statement with text parameters and, when given, `blob` as the last one (binary).
    [[nodiscard]] Result<PgResult> exec_prepared(const std::string& name, const std::vector<std::string>& params,
                                                 const std::string* blob = nullptr);
    /// Runs a query with text parameters and hands each row over as it arrives (single-row mode);
    /// `on_row` returning false stops, leaving the connection unusable (the pool drops it).
    [[nodiscard]] Result<void> stream(const std::string& sql, const std::vector<std::string>& params,
                                      const std::function<bool(const PgResult& row)>& on_row);

    /// The SQLSTATE of the last failed statement ("" when none): 40001, 40P01 are worth a retry.
    [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }
    /// Whether the connection to the server is (still) up.
    [[nodiscard]] bool connected() const noexcept;
    /// Whether the connection can serve another statement: open, not in a transaction, not abandoned.
    [[nodiscard]] bool reusable() const noexcept;
    /// "user@host:port/database", for logs (no password).
    [[nodiscard]] std::string describe() const;

private:
    explicit Conn(pg_conn* c) : c_(c) {}
    Result<PgResult> check(pg_result* r);
    pg_conn* c_ = nullptr;
    std::string sqlstate_;
    bool abandoned_ = false;
};

/// Connections to one database, opened on demand and kept for reuse (up to `max_idle`); each new
/// connection is set up by `on_connect` (e.g. to prepare statements).
class Pool {
public:
    using Setup = std::function<Result<void>(Conn&)>;
    Pool(std::string conninfo, Setup on_connect, std::size_t max_idle = 8)
        : conninfo_(std::move(conninfo)), setup_(std::move(on_connect)), max_idle_(max_idle) {}

    /// A connection for the lease's lifetime; it goes back to the pool if still reusable.
    class Lease {
    public:
        Lease(Pool& p, std::unique_ptr<Conn> c) : pool_(&p), conn_(std::move(c)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) noexcept = delete;
        ~Lease();
        Conn& operator*() const noexcept { return *conn_; }
        Conn* operator->() const noexcept { return conn_.get(); }

    private:
        Pool* pool_;
        std::unique_ptr<Conn> conn_;
    };

    [[nodiscard]] Result<Lease> acquire();

private:
    void give_back(std::unique_ptr<Conn> c);
    std::string conninfo_;
    Setup setup_;
    std::size_t max_idle_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace dicomkit::server::index::postgres
