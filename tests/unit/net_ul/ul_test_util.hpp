// Helpers for the net/ul tests: a local server with an echo handler, outcome recording, raw PDUs.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <dicomkit/net/pdu/codec.hpp>
#include <dicomkit/net/ul/association.hpp>
#include <dicomkit/net/ul/server.hpp>

namespace dicomkit::net::ul::test {

using namespace std::chrono_literals;

inline constexpr const char* kVerification = "1.2.840.10008.1.1";
inline constexpr const char* kImplicitLe = "1.2.840.10008.1.2";
inline constexpr const char* kExplicitLe = "1.2.840.10008.1.2.1";

/// What handlers saw, for the test thread to wait on.
class Recorder {
public:
    void add(std::string s) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(s));
        cv_.notify_all();
    }
    /// Waits until `n` events are recorded (or 10 s); returns them.
    std::vector<std::string> wait_for(std::size_t n, std::chrono::milliseconds limit = 10s) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, limit, [&] { return events_.size() >= n; });
        return events_;
    }
    std::vector<std::string> events() {
        std::lock_guard lock(mutex_);
        return events_;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::string> events_;
};

/// Echoes every P-DATA-TF back, answers a release; records how the association ended.
inline void echo_until_end(Association& a, Recorder& rec, std::chrono::milliseconds wait = 5s) {
    for (int i = 0; i < 10'000; ++i) {
        auto in = a.receive(wait);
        if (!in) {
            rec.add("error: " + in.error().message);
            return;
        }
        switch (in->kind) {
            case Incoming::Kind::PData:
                if (auto r = a.send(in->pdvs); !r) {
                    rec.add("send error: " + r.error().message);
                    return;
                }
                break;
            case Incoming::Kind::ReleaseRequested:
                rec.add(a.confirm_release() ? "released" : "release error");
                return;
            case Incoming::Kind::Aborted:
                rec.add("aborted " + std::to_string(static_cast<int>(in->abort.source)));
                return;
            case Incoming::Kind::Closed:
                rec.add("closed");
                return;
        }
    }
}

inline ServerOptions local_server_options(std::string bind = "127.0.0.1") {
    ServerOptions o;
    o.bind_address = std::move(bind);
    o.port = 0;
    o.policy.ae_title = "TESTSCP";
    o.policy.syntaxes.push_back({kVerification, {kExplicitLe, kImplicitLe}, false});
    o.association.timeouts.acse = 3s;
    o.association.timeouts.connect = 3s;
    return o;
}

inline AssociationRequest echo_request(std::string called = "TESTSCP") {
    AssociationRequest rq;
    rq.calling_ae = "TESTSCU";
    rq.called_ae = std::move(called);
    rq.contexts.push_back({0, kVerification, {kImplicitLe}});
    return rq;
}

inline AssociationOptions client_options() {
    AssociationOptions o;
    o.timeouts.connect = 3s;
    o.timeouts.acse = 3s;
    o.timeouts.dimse = 5s;
    return o;
}

/// Reads one whole PDU from a raw transport (up to 1 MiB).
inline std::optional<pdu::Bytes> read_raw_pdu(Transport& t, std::chrono::milliseconds timeout = 3s) {
    std::array<std::uint8_t, 6> h{};
    if (!t.read_exact(h, timeout)) return std::nullopt;
    const std::uint32_t len = (std::uint32_t{h[2]} << 24) | (std::uint32_t{h[3]} << 16) |
                              (std::uint32_t{h[4]} << 8) | h[5];
    if (len > (1u << 20)) return std::nullopt;
    pdu::Bytes b(6 + len);
    std::copy(h.begin(), h.end(), b.begin());
    if (!t.read_exact(std::span(b).subspan(6), timeout)) return std::nullopt;
    return b;
}

/// A raw connection that has been through A-ASSOCIATE-RQ/AC with the server on `port`.
inline std::unique_ptr<Transport> raw_associated(std::uint16_t port) {
    auto t = connect("127.0.0.1", port, 3s);
    if (!t) return nullptr;
    pdu::AssociateRq rq;
    rq.calling_ae_title = "RAW";
    rq.called_ae_title = "TESTSCP";
    rq.presentation_contexts.push_back({1, kVerification, {kImplicitLe}});
    rq.user_information.maximum_length = 16384;
    rq.user_information.implementation_class_uid = "1.2.3.4";
    auto bytes = pdu::encode(rq);
    if (!bytes || !(*t)->write_all(*bytes, 3s)) return nullptr;
    auto ac = read_raw_pdu(**t);
    if (!ac || (*ac)[0] != 0x02) return nullptr;
    return std::move(*t);
}

/// A P-DATA-TF with one PDV of `n` bytes.
inline pdu::PDataTf pdata_of(std::size_t n, std::uint8_t fill = 0x5A) {
    pdu::PDataTf p;
    p.pdvs.push_back({1, false, true, pdu::Bytes(n, fill)});
    return p;
}

}  // namespace dicomkit::net::ul::test
