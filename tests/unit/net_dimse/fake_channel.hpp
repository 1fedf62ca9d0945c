// In-memory Channel pairs for driving the DIMSE layer without sockets: what one end sends, the
// other receives, with PDU size checks against the negotiated maximum.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <dicomkit/net/dimse/channel.hpp>

namespace dicomkit::test {

/// One direction of the pipe. P-DATA PDVs are views (as from ul::Association), so each item
/// carries the bytes they view.
struct Queue {
    struct Item {
        net::ul::Incoming in;
        std::shared_ptr<std::vector<Bytes>> data;
    };
    std::mutex m;
    std::condition_variable cv;
    std::deque<Item> items;

    void push(net::ul::Incoming in, std::shared_ptr<std::vector<Bytes>> data = {}) {
        {
            std::lock_guard lock(m);
            items.push_back({std::move(in), std::move(data)});
        }
        cv.notify_all();
    }
    Result<Item> pop(net::ul::Millis timeout) {
        std::unique_lock lock(m);
        if (!cv.wait_for(lock, timeout, [&] { return !items.empty(); }))
            return make_error(ErrorCode::LimitExceeded, "timeout waiting for a PDU");
        auto item = std::move(items.front());
        items.pop_front();
        return item;
    }
};

class FakeChannel final : public net::dimse::Channel {
public:
    FakeChannel(std::shared_ptr<Queue> in, std::shared_ptr<Queue> out, std::vector<net::ul::AcceptedContext> contexts,
                std::uint32_t peer_max)
        : in_(std::move(in)), out_(std::move(out)), contexts_(std::move(contexts)), peer_max_(peer_max) {}

    Result<void> send(std::span<const net::pdu::PdvView> pdvs) override {
        net::ul::Incoming in;
        in.kind = net::ul::Incoming::Kind::PData;
        auto data = std::make_shared<std::vector<Bytes>>();
        data->reserve(pdvs.size());
        std::size_t field = 0;
        for (const auto& v : pdvs) {
            data->emplace_back(v.data.begin(), v.data.end());
            in.pdvs.push_back(net::pdu::PdvView{v.context_id, v.command, v.last, data->back()});
            field += 6 + v.data.size();
        }
        if (peer_max_ != 0 && field > peer_max_) oversized = true;
        ++pdus_sent;
        out_->push(std::move(in), std::move(data));
        return {};
    }
    /// Like ul::Association::receive(): PDVs stay valid until the next receive().
    Result<net::ul::Incoming> receive(net::ul::Millis timeout) override {
        auto item = in_->pop(timeout);
        if (!item) return tl::unexpected(item.error());
        held_ = std::move(item->data);
        return std::move(item->in);
    }
    bool has_input() noexcept override {
        std::lock_guard lock(in_->m);
        return !in_->items.empty();
    }
    Result<void> confirm_release() override {
        released = true;
        return {};
    }
    void abort(std::uint8_t, std::uint8_t) override {
        aborted = true;
        net::ul::Incoming in;
        in.kind = net::ul::Incoming::Kind::Aborted;
        out_->push(std::move(in));
    }
    const net::ul::AcceptedContext* context_by_id(std::uint8_t id) const noexcept override {
        for (const auto& c : contexts_)
            if (c.id == id) return &c;
        return nullptr;
    }
    const net::ul::AcceptedContext* find_context(std::string_view as, std::string_view ts) const noexcept override {
        for (const auto& c : contexts_)
            if (c.abstract_syntax == as && (ts.empty() || c.transfer_syntax == ts)) return &c;
        return nullptr;
    }
    std::uint32_t peer_max_pdu() const noexcept override { return peer_max_; }
    std::string calling_ae() const override { return "TESTSCU"; }
    std::string peer_address() const override { return "127.0.0.1:1"; }
    net::ul::Timeouts timeouts() const override {
        net::ul::Timeouts t;
        t.dimse = net::ul::Millis(5000);
        t.idle = net::ul::Millis(5000);
        return t;
    }
    bool tracing() const noexcept override { return false; }
    void trace(std::string_view) const override {}

    /// Queues a control event for this end (as if the peer had sent it).
    void inject(net::ul::Incoming::Kind kind) {
        net::ul::Incoming in;
        in.kind = kind;
        in_->push(std::move(in));
    }

    bool oversized = false;
    bool aborted = false;
    bool released = false;
    std::size_t pdus_sent = 0;

private:
    std::shared_ptr<Queue> in_, out_;
    std::vector<net::ul::AcceptedContext> contexts_;
    std::uint32_t peer_max_;
    std::shared_ptr<std::vector<Bytes>> held_;  ///< what the last received PDVs view
};

/// Two connected ends (SCU, SCP) sharing the accepted contexts; each end's peer maximum given.
struct ChannelPair {
    std::shared_ptr<Queue> a_to_b = std::make_shared<Queue>();
    std::shared_ptr<Queue> b_to_a = std::make_shared<Queue>();
    FakeChannel scu;
    FakeChannel scp;
    ChannelPair(std::vector<net::ul::AcceptedContext> contexts, std::uint32_t scp_max = 16384,
                std::uint32_t scu_max = 16384)
        : scu(b_to_a, a_to_b, contexts, scp_max), scp(a_to_b, b_to_a, contexts, scu_max) {}
};

}  // namespace dicomkit::test
