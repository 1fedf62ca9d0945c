// HttpServer over Boost.Beast: blocking reads and writes in a thread per connection; a watchdog
// thread shuts down the sockets whose deadline passed (Asio's blocking calls have no timeout of
// their own), so a silent or slow peer costs a thread for at most the idle timeout.
#include <dicomkit/server/web/http_server.hpp>

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <list>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace dicomkit::server::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

/// One connection's socket and deadline, watched by the watchdog.
struct Watched {
    int fd = -1;
    std::atomic<std::int64_t> deadline{0};  ///< 0: none
    std::atomic<bool> expired{false};
    void arm(std::chrono::milliseconds d) { deadline = now_ms() + d.count(); }
};

std::string endpoint_text(const tcp::endpoint& e) {
    const auto a = e.address();
    if (a.is_v6() && !a.to_v6().is_v4_mapped()) return "[" + a.to_string() + "]:" + std::to_string(e.port());
    const std::string text = a.is_v6() ? a.to_v6().to_v4().to_string() : a.to_string();
    return text + ":" + std::to_string(e.port());
}

}  // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    Handler handler;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::unique_ptr<asio::ssl::context> tls;
    std::uint16_t port = 0;
    std::thread accept_thread, watchdog;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    struct Conn {
        std::thread thread;
        std::shared_ptr<Watched> watched;
        std::atomic<bool> done{false};
    };
    std::list<Conn> conns;

    void log(const std::string& line) const {
        if (options.log) options.log(line);
    }
    void accept_loop();
    void watch_loop();
    void reap_finished();
    template <class Stream>
    void serve(Stream& stream, Watched& w, const std::string& remote, bool is_tls);
};

namespace {

/// The body of the request being served, read through the parser.
template <class Stream>
class ParserBody final : public BodySource {
public:
    ParserBody(Stream& s, beast::flat_buffer& b, http::request_parser<http::buffer_body>& p, Watched& w,
               std::chrono::milliseconds idle, bool expect_continue, int version)
        : stream_(s), buffer_(b), parser_(p), watched_(w), idle_(idle), continue_(expect_continue), version_(version) {}

    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        if (parser_.is_done() || out.empty()) return std::size_t{0};
        if (continue_) {
            continue_ = false;
            http::response<http::empty_body> c{http::status::continue_, version_};
            beast::error_code ec;
            watched_.arm(idle_);
            http::write(stream_, c, ec);
            if (ec) return make_error(ErrorCode::IoError, "writing 100 Continue: " + ec.message());
        }
        while (!parser_.is_done()) {
            parser_.get().body().data = out.data();
            parser_.get().body().size = out.size();
            beast::error_code ec;
            watched_.arm(idle_);
            http::read(stream_, buffer_, parser_, ec);
            if (ec == http::error::need_buffer) ec = {};
            if (ec) {
                failed_ = true;
                return make_error(watched_.expired ? ErrorCode::LimitExceeded : ErrorCode::IoError,
                                  watched_.expired ? "the request body stopped arriving (timeout)"
                                                   : "reading the request body: " + ec.message());
            }
            const std::size_t n = out.size() - parser_.get().body().size;
            received_ += n;
            if (n > 0) return n;
        }
        return std::size_t{0};
    }
    std::optional<std::uint64_t> length() const override {
        if (auto l = parser_.content_length()) return static_cast<std::uint64_t>(*l);
        return std::nullopt;
    }
    [[nodiscard]] bool failed() const { return failed_; }
    [[nodiscard]] bool continue_pending() const { return continue_; }

private:
    Stream& stream_;
    beast::flat_buffer& buffer_;
    http::request_parser<http::buffer_body>& parser_;
    Watched& watched_;
    std::chrono::milliseconds idle_;
    bool continue_;
    int version_;
    bool failed_ = false;
    std::uint64_t received_ = 0;
};

/// Chunked output, in pieces of up to 64 KiB. The head goes out (`start`) only when the first
/// piece does: an answer that ends before 64 KiB has gathered never starts, and the caller sends
/// it whole, with a Content-Length, in one write.
template <class Stream>
class ChunkSink final : public BodySink {
public:
    ChunkSink(Stream& s, Watched& w, std::chrono::milliseconds idle, std::function<Result<void>()> start)
        : stream_(s), watched_(w), idle_(idle), start_(std::move(start)) {}
    Result<void> write(std::string_view bytes) override {
        pending_.append(bytes);
        if (pending_.size() < kChunk) return {};
        return flush();
    }
    Result<void> flush() {
        if (pending_.empty()) return {};
        if (!started_) {
            started_ = true;
            if (auto r = start_(); !r) return r;
        }
        beast::error_code ec;
        watched_.arm(idle_);
        asio::write(stream_, http::make_chunk(asio::buffer(pending_)), ec);
        if (ec) return make_error(ErrorCode::IoError, "writing the response: " + ec.message());
        written_ += pending_.size();
        pending_.clear();
        return {};
    }
    Result<void> finish() {
        if (auto r = flush(); !r) return r;
        beast::error_code ec;
        watched_.arm(idle_);
        asio::write(stream_, http::make_chunk_last(), ec);
        if (ec) return make_error(ErrorCode::IoError, "writing the response: " + ec.message());
        return {};
    }
    [[nodiscard]] bool started() const { return started_; }
    [[nodiscard]] std::string take() { return std::move(pending_); }
    [[nodiscard]] std::uint64_t written() const { return written_; }

private:
    static constexpr std::size_t kChunk = 64 * 1024;
    Stream& stream_;
    Watched& watched_;
    std::chrono::milliseconds idle_;
    std::function<Result<void>()> start_;
    std::string pending_;
    bool started_ = false;
    std::uint64_t written_ = 0;
};

/// A minimal answer for a request that could not be read (no handler ran).
template <class Stream>
void answer_plain(Stream& stream, unsigned status, int version, std::string_view message) {
    http::response<http::string_body> res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::connection, "close");
    res.body() = "{\"error\":" + json_quote(message) + "}";
    res.prepare_payload();
    beast::error_code ec;
    http::write(stream, res, ec);
}

}  // namespace

template <class Stream>
void HttpServer::Impl::serve(Stream& stream, Watched& w, const std::string& remote, bool is_tls) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::buffer_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
        // Each handler limits what it reads. (Not boost::none: Boost 1.74 compares a length with an
        // empty optional as greater, so "no limit" refuses every body.)
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        beast::error_code ec;
        // The first byte of the next request may take the idle time; its head the header time.
        w.arm(buffer.size() ? options.header_timeout : options.idle_timeout);
        http::read_header(stream, buffer, parser, ec);
        if (ec) {
            if (ec == http::error::header_limit)
                answer_plain(stream, 431, 11, "the request head is over " + std::to_string(options.max_header_bytes) + " bytes");
            else if (!w.expired && ec != http::error::end_of_stream &&
                     ec.category() == http::make_error_code(http::error::bad_target).category())
                answer_plain(stream, 400, 11, "malformed request: " + ec.message());
            return;
        }
        const auto t0 = Clock::now();
        auto& head = parser.get();
        Request req;
        req.method = std::string(head.method_string());
        req.target = std::string(head.target());
        const auto q = req.target.find('?');
        req.path = req.target.substr(0, q);
        if (q != std::string::npos) req.query = req.target.substr(q + 1);
        for (const auto& f : head) req.headers.push_back({std::string(f.name_string()), std::string(f.value())});
        req.remote = remote;
        req.tls = is_tls;
        const int version = static_cast<int>(head.version());
        const bool keep_alive = head.keep_alive();
        const bool expect_continue = iequals(req.header("Expect"), "100-continue");
        ParserBody<Stream> body(stream, buffer, parser, w, options.idle_timeout, expect_continue, version);
        req.body = &body;
        Response res = handler(req);
        if (body.failed()) return;  // the peer went or stalled: nothing more can be said
        // Whatever the handler left unread is read and dropped (up to 1 MiB; more: the connection
        // closes after the answer), unless the peer waits for 100 Continue: then it is not sent.
        bool reusable = keep_alive;
        if (!parser.is_done()) {
            if (body.continue_pending()) {
                reusable = false;
            } else {
                std::array<std::uint8_t, 16384> sink{};
                std::uint64_t drained = 0;
                while (!parser.is_done() && drained < (1u << 20)) {
                    auto n = body.read(sink);
                    if (!n || *n == 0) break;
                    drained += *n;
                }
                if (!parser.is_done()) reusable = false;
            }
        }
        const bool head_only = req.method == "HEAD";
        std::uint64_t bytes_out = 0;
        w.arm(options.idle_timeout);
        bool whole = !res.stream || head_only;
        if (!whole) {
            http::response<http::empty_body> out{static_cast<http::status>(res.status), version};
            for (const Header& h : res.headers) out.insert(h.name, h.value);
            out.set(http::field::server, "dicomkit");
            out.keep_alive(reusable);
            out.chunked(true);
            http::response_serializer<http::empty_body> sr{out};
            auto start = [&]() -> Result<void> {
                http::write_header(stream, sr, ec);
                if (ec) return make_error(ErrorCode::IoError, "writing the response head: " + ec.message());
                return {};
            };
            ChunkSink<Stream> sink(stream, w, options.idle_timeout, start);
            auto r = res.stream(sink);
            if (!sink.started()) {
                // All of it fits in one piece (or it failed before anything went out): sent whole below.
                if (r) {
                    res.body = sink.take();
                } else {
                    log("W: HTTP " + remote + " " + req.method + " " + req.target + ": " + r.error().to_string());
                    const int status = 500;
                    res = Response::error(status, r.error().message);
                }
                whole = true;
            } else {
                if (r) r = sink.finish();
                bytes_out = sink.written();
                if (!r) {
                    log("W: HTTP " + remote + " " + req.method + " " + req.target + ": response cut short: " +
                        r.error().to_string());
                    if (options.on_request)
                        options.on_request({remote, req.user.value_or(""), req.method, req.target, res.status,
                                            bytes_out, std::chrono::duration<double, std::milli>(Clock::now() - t0).count()});
                    return;
                }
            }
        }
        if (whole) {
            http::response<http::string_body> out{static_cast<http::status>(res.status), version};
            for (const Header& h : res.headers) out.insert(h.name, h.value);
            out.set(http::field::server, "dicomkit");
            out.keep_alive(reusable);
            bytes_out = res.body.size();
            if (head_only) {
                out.content_length(res.body.size());
                http::response_serializer<http::string_body> sr{out};
                http::write_header(stream, sr, ec);
                bytes_out = 0;
            } else {
                out.body() = std::move(res.body);
                out.prepare_payload();
                http::write(stream, out, ec);
            }
            if (ec) return;
        }
        if (options.on_request)
            options.on_request({remote, req.user.value_or(""), req.method, req.target, res.status, bytes_out,
                                std::chrono::duration<double, std::milli>(Clock::now() - t0).count()});
        if (!reusable) return;
    }
}

void HttpServer::Impl::reap_finished() {
    for (auto it = conns.begin(); it != conns.end();) {
        if (it->done) {
            it->thread.join();
            it = conns.erase(it);
        } else {
            ++it;
        }
    }
}

void HttpServer::Impl::accept_loop() {
    for (;;) {
        beast::error_code ec;
        tcp::socket socket(io);
        acceptor.accept(socket, ec);
        {
            std::lock_guard lock(mutex);
            if (stopping) return;
            reap_finished();
            if (ec) continue;
            if (conns.size() >= options.max_connections) {
                log("W: HTTP connection from " + endpoint_text(socket.remote_endpoint(ec)) + " refused: " +
                    std::to_string(conns.size()) + " connections open (the limit)");
                socket.close(ec);
                continue;
            }
        }
        socket.set_option(tcp::no_delay(true), ec);
        const std::string remote = endpoint_text(socket.remote_endpoint(ec));
        auto watched = std::make_shared<Watched>();
        watched->fd = socket.native_handle();
        std::lock_guard lock(mutex);
        conns.emplace_back();
        Conn& c = conns.back();
        c.watched = watched;
        c.thread = std::thread([this, &c, s = std::move(socket), remote]() mutable {
            Watched& w = *c.watched;
            if (tls) {
                asio::ssl::stream<tcp::socket> stream(std::move(s), *tls);
                beast::error_code hec;
                w.arm(options.header_timeout);
                stream.handshake(asio::ssl::stream_base::server, hec);
                if (!hec) {
                    serve(stream, w, remote, true);
                    w.arm(std::chrono::milliseconds(2000));
                    stream.shutdown(hec);
                }
                w.deadline = 0;  // before the descriptor can be reused
                beast::error_code cec;
                stream.next_layer().close(cec);
            } else {
                serve(s, w, remote, false);
                w.deadline = 0;
                beast::error_code cec;
                s.shutdown(tcp::socket::shutdown_send, cec);
                s.close(cec);
            }
            c.done = true;
        });
    }
}

void HttpServer::Impl::watch_loop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
        wake.wait_for(lock, std::chrono::milliseconds(250));
        const auto now = now_ms();
        for (Conn& c : conns) {
            Watched& w = *c.watched;
            const auto d = w.deadline.load();
            if (!c.done && d != 0 && now > d && !w.expired) {
                w.expired = true;
                ::shutdown(w.fd, SHUT_RDWR);
            }
        }
    }
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerOptions options, Handler handler) {
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->handler = std::move(handler);
    const auto& o = impl->options;
    if (!o.tls_certificate.empty()) {
        impl->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        beast::error_code ec;
        impl->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                                   asio::ssl::context::no_tlsv1_1,
                               ec);
        impl->tls->use_certificate_chain_file(o.tls_certificate, ec);
        if (ec) return make_error(ErrorCode::InvalidArgument, "HTTP TLS certificate " + o.tls_certificate + ": " + ec.message());
        impl->tls->use_private_key_file(o.tls_private_key.empty() ? o.tls_certificate : o.tls_private_key,
                                        asio::ssl::context::pem, ec);
        if (ec) return make_error(ErrorCode::InvalidArgument, "HTTP TLS private key: " + ec.message());
    }
    beast::error_code ec;
    const auto address = asio::ip::make_address(o.bind, ec);
    if (ec) return make_error(ErrorCode::InvalidArgument, "HTTP bind address '" + o.bind + "': " + ec.message());
    const tcp::endpoint ep(address, o.port);
    impl->acceptor.open(ep.protocol(), ec);
    if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(ep, ec);
    if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return make_error(ErrorCode::IoError,
                          "cannot listen for HTTP on " + o.bind + ":" + std::to_string(o.port) + ": " + ec.message());
    impl->port = impl->acceptor.local_endpoint().port();
    Impl* raw = impl.get();
    impl->accept_thread = std::thread([raw] { raw->accept_loop(); });
    impl->watchdog = std::thread([raw] { raw->watch_loop(); });
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { stop(); }
std::uint16_t HttpServer::port() const noexcept { return impl_ ? impl_->port : 0; }

void HttpServer::stop() {
    if (!impl_) return;
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->stopping) return;
        impl_->stopping = true;
        for (Impl::Conn& c : impl_->conns)
            if (!c.done) ::shutdown(c.watched->fd, SHUT_RDWR);
    }
    impl_->wake.notify_all();
    beast::error_code ec;
    // Wakes the blocking accept().
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
    if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
    impl_->acceptor.close(ec);
    if (impl_->watchdog.joinable()) impl_->watchdog.join();
    std::list<Impl::Conn> conns;
    {
        std::lock_guard lock(impl_->mutex);
        conns.swap(impl_->conns);
    }
    for (Impl::Conn& c : conns)
        if (c.thread.joinable()) c.thread.join();
}

}  // namespace dicomkit::server::web
