#include <dicomkit/hl7/listener.hpp>

#include <array>
#include <atomic>
#include <exception>
#include <list>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>
#include <fmt/format.h>

#include <dicomkit/hl7/mllp.hpp>

namespace dicomkit::hl7 {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string endpoint_text(const tcp::endpoint& ep) {
    asio::ip::address a = ep.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a.is_v6() ? fmt::format("[{}]:{}", a.to_string(), ep.port()) : fmt::format("{}:{}", a.to_string(), ep.port());
}

}  // namespace

struct Connection;

struct Listener::Impl : std::enable_shared_from_this<Listener::Impl> {
    ListenerOptions options;
    MessageHandler handler;
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::mutex stop_mutex;
    bool stopped = false;
    std::list<std::weak_ptr<Connection>> connections;
    std::uint16_t bound_port = 0;

    void accept();
    void event(ListenerEvent e) const {
        if (options.on_event) options.on_event(e);
    }
    /// The ACK (MLLP-framed) for one decoder event, and its log entry.
    std::string answer(const MllpEvent& ev, const std::string& peer);
};

struct Connection : std::enable_shared_from_this<Connection> {
    std::shared_ptr<Listener::Impl> owner;
    tcp::socket socket;
    asio::steady_timer timer;
    std::string peer;
    MllpDecoder decoder;
    std::array<char, 16384> buffer{};
    std::string outgoing;
    bool timed_out = false;
    bool closed = false;

    Connection(std::shared_ptr<Listener::Impl> o, tcp::socket s)
        : owner(std::move(o)),
          socket(std::move(s)),
          timer(owner->io),
          decoder(owner->options.limits.max_message_bytes) {
        boost::system::error_code ec;
        peer = endpoint_text(socket.remote_endpoint(ec));
    }

    void close(const std::string& why) {
        if (closed) return;
        closed = true;
        boost::system::error_code ec;
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
        timer.cancel();
        owner->event(ListenerEvent{ListenerEvent::Kind::Closed, peer, {}, {}, {}, why, 0, {}});
    }

    void arm_timer() {
        timer.expires_after(owner->options.read_timeout);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->closed) return;
            self->timed_out = true;
            self->close("read timeout");
        });
    }

    void read() {
        if (owner->stopping || closed) return;
        arm_timer();
        socket.async_read_some(asio::buffer(buffer), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                                 std::size_t n) {
            self->timer.cancel();
            if (ec) {
                if (self->owner->stopping) self->close("stopped");
                else if (!self->closed) {
                    std::vector<MllpEvent> rest;
                    self->decoder.finish(rest);
                    for (const MllpEvent& e : rest)
                        self->owner->event(ListenerEvent{ListenerEvent::Kind::Skipped, self->peer, {}, {}, {},
                                                         "unfinished frame at the end of the connection", e.size, {}});
                    self->close(ec == asio::error::eof ? "closed by peer" : ec.message());
                }
                return;
            }
            std::vector<MllpEvent> events;
            self->decoder.feed(std::string_view(self->buffer.data(), n), events);
            try {
                for (const MllpEvent& e : events) self->outgoing += self->owner->answer(e, self->peer);
            } catch (const std::exception& e) {  // never expected: the connection goes, the port stays
                self->close(std::string("internal error: ") + e.what());
                return;
            }
            self->write_or_read();
        });
    }

    void write_or_read() {
        if (outgoing.empty()) return read();
        auto data = std::make_shared<std::string>(std::move(outgoing));
        outgoing.clear();
        arm_timer();
        asio::async_write(socket, asio::buffer(*data),
                          [self = shared_from_this(), data](const boost::system::error_code& ec, std::size_t) {
                              self->timer.cancel();
                              if (ec) return self->close(self->owner->stopping ? "stopped" : ec.message());
                              self->read();
                          });
    }
};

std::string Listener::Impl::answer(const MllpEvent& ev, const std::string& peer) {
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    };
    if (ev.kind == MllpEvent::Kind::Skipped) {
        event(ListenerEvent{ListenerEvent::Kind::Skipped, peer, {}, {}, {}, "bytes outside an MLLP frame", ev.size, {}});
        return {};
    }
    if (ev.kind == MllpEvent::Kind::TooLarge) {
        Ack ack{AckCode::Reject,
                fmt::format("message of {} bytes or more is over the limit of {} bytes", ev.size,
                            options.limits.max_message_bytes),
                "207", {}};
        std::string text = build_ack_raw(ev.data, ack, options.ack);
        AckSummary s = read_ack(text);
        event(ListenerEvent{ListenerEvent::Kind::TooLarge, peer, {}, s.control_id, "AR", ack.text, ev.size, elapsed()});
        return mllp_frame(text);
    }
    auto parsed = parse(ev.data, options.limits);
    if (!parsed) {
        Ack ack = ack_for(parsed.error());
        std::string text = build_ack_raw(ev.data, ack, options.ack);
        AckSummary s = read_ack(text);
        event(ListenerEvent{ListenerEvent::Kind::Message, peer, {}, s.control_id, std::string(to_string(ack.code)),
                            ack.text, ev.size, elapsed()});
        return mllp_frame(text);
    }
    Ack ack;
    try {
        ack = handler ? handler(*parsed) : Ack::accept();
    } catch (const std::exception& e) {
        ack = Ack{AckCode::Error, fmt::format("internal error: {}", e.what()), "207", {}};
    } catch (...) {
        ack = Ack{AckCode::Error, "internal error", "207", {}};
    }
    std::string type = parsed->message_type();
    if (!parsed->trigger_event().empty()) type += "^" + parsed->trigger_event();
    event(ListenerEvent{ListenerEvent::Kind::Message, peer, type, parsed->control_id(), std::string(to_string(ack.code)),
                        ack.text, ev.size, elapsed()});
    return mllp_frame(build_ack(*parsed, ack, options.ack));
}

void Listener::Impl::accept() {
    acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        if (self->stopping || !self->acceptor.is_open()) return;
        if (!ec) {
            self->connections.remove_if([](const std::weak_ptr<Connection>& w) { return w.expired(); });
            auto c = std::make_shared<Connection>(self, std::move(socket));
            if (self->connections.size() >= self->options.max_connections) {
                self->event(ListenerEvent{ListenerEvent::Kind::Refused, c->peer, {}, {}, {},
                                          fmt::format("more than {} connections", self->options.max_connections), 0, {}});
                c->closed = true;
                boost::system::error_code ignored;
                c->socket.close(ignored);
            } else {
                self->connections.push_back(c);
                c->read();
            }
        }
        self->accept();
    });
}

Listener::Listener(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Listener::~Listener() { stop(); }

std::uint16_t Listener::port() const noexcept { return impl_->bound_port; }

Result<std::unique_ptr<Listener>> Listener::start(ListenerOptions options, MessageHandler handler) {
    auto impl = std::make_shared<Impl>();
    impl->options = std::move(options);
    impl->handler = std::move(handler);
    boost::system::error_code ec;
    auto failed = [&](const char* what) {
        return make_error(ErrorCode::IoError, fmt::format("HL7 listener on {}:{}: {}: {}", impl->options.bind_address,
                                                          impl->options.port, what, ec.message()));
    };
    asio::ip::address address = asio::ip::make_address(impl->options.bind_address, ec);
    if (ec) return failed("address");
    tcp::endpoint ep(address, impl->options.port);
    if (impl->acceptor.open(ep.protocol(), ec); ec) return failed("open");
    if (impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return failed("option");
    if (address.is_v6()) impl->acceptor.set_option(asio::ip::v6_only(false), ec);
    if (impl->acceptor.bind(ep, ec); ec) return failed("bind");
    if (impl->acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return failed("listen");
    impl->bound_port = impl->acceptor.local_endpoint(ec).port();
    impl->accept();
    Impl* raw = impl.get();
    impl->thread = std::thread([raw] {
        for (;;) {
            try {
                raw->io.run();
                return;
            } catch (...) {
                // A handler threw past its own catch: keep serving.
            }
        }
    });
    return std::unique_ptr<Listener>(new Listener(std::move(impl)));
}

void Listener::stop() {
    if (!impl_) return;
    std::lock_guard lock(impl_->stop_mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
    impl_->stopping = true;
    asio::post(impl_->io, [impl = impl_.get()] {
        boost::system::error_code ec;
        impl->acceptor.close(ec);
        for (auto& w : impl->connections)
            if (auto c = w.lock()) c->close("stopped");
    });
    if (impl_->thread.joinable()) impl_->thread.join();
    impl_->connections.clear();
}

Result<std::vector<std::string>> send_messages(const std::string& host, std::uint16_t port,
                                               const std::vector<std::string>& messages,
                                               std::chrono::milliseconds timeout) {
    asio::io_context io;
    tcp::socket socket(io);
    const std::string peer = fmt::format("{}:{}", host, port);
    boost::system::error_code result;
    bool done = false;
    // Runs the io_context until the operation started by `start` completes or `timeout` passes.
    auto run = [&](const char* what) -> Result<void> {
        io.restart();
        io.run_for(timeout);
        if (!done) {
            boost::system::error_code ignored;
            socket.close(ignored);
            io.restart();
            io.run();
            return make_error(ErrorCode::IoError, fmt::format("{}: {}: no answer in {} ms", peer, what, timeout.count()));
        }
        if (result) return make_error(ErrorCode::IoError, fmt::format("{}: {}: {}", peer, what, result.message()));
        return {};
    };

    tcp::resolver resolver(io);
    tcp::resolver::results_type endpoints;
    done = false;
    resolver.async_resolve(host, std::to_string(port), [&](const boost::system::error_code& ec, tcp::resolver::results_type r) {
        result = ec;
        endpoints = std::move(r);
        done = true;
    });
    if (auto r = run("resolve"); !r) return tl::unexpected(r.error());
    done = false;
    asio::async_connect(socket, endpoints, [&](const boost::system::error_code& ec, const tcp::endpoint&) {
        result = ec;
        done = true;
    });
    if (auto r = run("connect"); !r) return tl::unexpected(r.error());

    std::vector<std::string> acks;
    MllpDecoder decoder(16 << 20);
    std::vector<MllpEvent> pending;
    std::array<char, 16384> buffer{};
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const std::string what = fmt::format("message {}", i + 1);
        std::string frame = mllp_frame(messages[i]);
        done = false;
        asio::async_write(socket, asio::buffer(frame), [&](const boost::system::error_code& ec, std::size_t) {
            result = ec;
            done = true;
        });
        if (auto r = run((what + ": send").c_str()); !r) return tl::unexpected(r.error());
        std::string ack;
        bool have = false;
        while (!have) {
            for (auto it = pending.begin(); it != pending.end(); ++it) {
                if (it->kind == MllpEvent::Kind::Message) {
                    ack = std::move(it->data);
                    pending.erase(pending.begin(), it + 1);
                    have = true;
                    break;
                }
            }
            if (have) break;
            pending.clear();
            done = false;
            std::size_t got = 0;
            socket.async_read_some(asio::buffer(buffer), [&](const boost::system::error_code& ec, std::size_t n) {
                result = ec;
                got = n;
                done = true;
            });
            if (auto r = run((what + ": waiting for the ACK").c_str()); !r) return tl::unexpected(r.error());
            decoder.feed(std::string_view(buffer.data(), got), pending);
        }
        acks.push_back(std::move(ack));
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    return acks;
}

Result<std::string> send(const std::string& host, std::uint16_t port, std::string_view message,
                         std::chrono::milliseconds timeout) {
    auto r = send_messages(host, port, {std::string(message)}, timeout);
    if (!r) return tl::unexpected(r.error());
    return std::move(r->front());
}

}  // namespace dicomkit::hl7
