// libpq wrappers: statements with text parameters and results, single-row streaming, the pool.
#include <dicomkit/server/index/postgres/pg.hpp>

#include <algorithm>

#include <libpq-fe.h>

namespace dicomkit::server::index::postgres {

namespace {

constexpr Oid kTextOid = 25;  // pg_type.h: TEXTOID

/// libpq's message on one line (it puts hints on lines of their own).
std::string trimmed(const char* s) {
    std::string m;
    for (const char* p = s ? s : ""; *p; ++p) {
        if (*p != '\n') m += *p;
        else {
            while (p[1] == '\t' || p[1] == ' ') ++p;
            if (p[1]) m += ' ';
        }
    }
    while (!m.empty() && m.back() == ' ') m.pop_back();
    return m;
}

Unexpected pg_error(const std::string& what) { return make_error(ErrorCode::IoError, "postgres: " + what); }

/// Parameters as libpq wants them: text (PostgreSQL text cannot hold NUL, so NULs are dropped),
/// and a last binary one when `blob` is given.
struct Params {
    std::vector<std::string> values;
    std::vector<const char*> pointers;
    std::vector<Oid> types;
    std::vector<int> lengths, formats;
    Params(const std::vector<std::string>& v, bool text, const std::string* blob = nullptr) : values(v) {
        for (auto& s : values) {
            s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
            pointers.push_back(s.c_str());
        }
        types.assign(values.size(), text ? kTextOid : 0);
        lengths.assign(values.size(), 0);
        formats.assign(values.size(), 0);
        if (blob) {
            pointers.push_back(blob->data());
            types.push_back(0);
            lengths.push_back(static_cast<int>(blob->size()));
            formats.push_back(1);
        }
    }
    int size() const { return static_cast<int>(pointers.size()); }
};

}  // namespace

void PgResult::Free::operator()(pg_result* r) const noexcept { PQclear(r); }
int PgResult::rows() const noexcept { return PQntuples(r_.get()); }
std::string PgResult::text(int row, int column) const {
    const char* v = PQgetvalue(r_.get(), row, column);
    return v ? std::string(v, static_cast<std::size_t>(PQgetlength(r_.get(), row, column))) : std::string();
}

std::string PgResult::bytes(int row, int column) const {
    std::size_t n = 0;
    unsigned char* b = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, column)), &n);
    if (!b) return {};
    std::string out(reinterpret_cast<const char*>(b), n);
    PQfreemem(b);
    return out;
}

Result<std::unique_ptr<Conn>> Conn::connect(const std::string& conninfo) {
    // Entries before dbname may be overridden by the conninfo, the encoding after it may not.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", "client_encoding", nullptr};
    const char* values[] = {"10", "dicomkit", conninfo.c_str(), "UTF8", nullptr};
    PGconn* c = PQconnectdbParams(keys, values, 1);
    if (!c) return pg_error("out of memory");
    std::unique_ptr<Conn> conn(new Conn(c));
    if (PQstatus(c) != CONNECTION_OK) return pg_error("cannot connect: " + trimmed(PQerrorMessage(c)));
    return conn;
}

Conn::~Conn() { PQfinish(c_); }

Result<PgResult> Conn::check(pg_result* r) {
    PgResult owned(r);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE) {
        sqlstate_.clear();
        return owned;
    }
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    sqlstate_ = state ? state : "";
    std::string msg = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
    if (msg.empty()) msg = trimmed(PQerrorMessage(c_));
    return pg_error(msg);
}

Result<PgResult> Conn::exec(const std::string& sql) { return check(PQexec(c_, sql.c_str())); }

Result<PgResult> Conn::exec(const std::string& sql, const std::vector<std::string>& params, bool text_params) {
    Params p(params, text_params);
    return check(PQexecParams(c_, sql.c_str(), p.size(), p.types.data(), p.pointers.data(), nullptr, nullptr, 0));
}

Result<void> Conn::prepare(const std::string& name, const std::string& sql) {
    auto r = check(PQprepare(c_, name.c_str(), sql.c_str(), 0, nullptr));
    if (!r) return pg_error("prepare " + name + ": " + r.error().message);
    return {};
}

Result<PgResult> Conn::exec_prepared(const std::string& name, const std::vector<std::string>& params,
                                     const std::string* blob) {
    Params p(params, false, blob);
    return check(
        PQexecPrepared(c_, name.c_str(), p.size(), p.pointers.data(), p.lengths.data(), p.formats.data(), 0));
}

Result<void> Conn::stream(const std::string& sql, const std::vector<std::string>& params,
                          const std::function<bool(const PgResult&)>& on_row) {
    Params p(params, true);
    if (!PQsendQueryParams(c_, sql.c_str(), p.size(), p.types.data(), p.pointers.data(), nullptr, nullptr, 0))
        return pg_error(trimmed(PQerrorMessage(c_)));
    PQsetSingleRowMode(c_);
    Result<void> outcome;
    while (PGresult* raw = PQgetResult(c_)) {
        auto r = check(raw);
        if (!r) {
            if (outcome) outcome = tl::unexpected(r.error());
            continue;  // the error result is followed by the end (nullptr)
        }
        if (PQresultStatus(raw) != PGRES_SINGLE_TUPLE || !outcome) continue;
        if (!on_row(*r)) {
            // The rest of the rows are not wanted: rather than reading them, drop the connection
            // (its server process stops the query when it finds the client gone).
            abandoned_ = true;
            return {};
        }
    }
    return outcome;
}

bool Conn::connected() const noexcept { return PQstatus(c_) == CONNECTION_OK; }

bool Conn::reusable() const noexcept {
    return !abandoned_ && PQstatus(c_) == CONNECTION_OK && PQtransactionStatus(c_) == PQTRANS_IDLE;
}

std::string Conn::describe() const {
    auto s = [](const char* v) { return std::string(v ? v : ""); };
    std::string host = s(PQhost(c_));
    if (host.starts_with("/")) host = "[" + host + "]";  // a Unix socket folder
    return s(PQuser(c_)) + "@" + host + ":" + s(PQport(c_)) + "/" + s(PQdb(c_));
}

Pool::Lease::~Lease() {
    if (pool_ && conn_) pool_->give_back(std::move(conn_));
}

Result<Pool::Lease> Pool::acquire() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(c));
        }
    }
    auto c = Conn::connect(conninfo_);
    if (!c) return tl::unexpected(c.error());
    if (setup_)
        if (auto r = setup_(**c); !r) return tl::unexpected(r.error());
    return Lease(*this, std::move(*c));
}

void Pool::give_back(std::unique_ptr<Conn> c) {
    if (!c->reusable()) return;
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(c));
}

}  // namespace dicomkit::server::index::postgres
