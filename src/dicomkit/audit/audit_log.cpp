// AuditLog: bounded queues and a delivery thread per sink.
#include <dicomkit/audit/audit_log.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace dicomkit::audit {

struct Queued {
    std::shared_ptr<const std::string> xml;
    std::chrono::system_clock::time_point time;
};

struct AuditLog::Lane {
    std::unique_ptr<Sink> sink;
    const AuditLogOptions* options = nullptr;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Queued> queue;
    bool stopping = false;
    std::chrono::steady_clock::time_point drain_until{};
    std::atomic<std::uint64_t> delivered{0}, dropped{0}, failures{0}, submitted{0};
    std::uint64_t dropped_logged = 0;  ///< the drop count last logged (thread only)
    std::thread thread;

    void log(const std::string& line) const {
        if (options->log) options->log(line);
    }

    void push(Queued q) {
        bool dropped_one = false;
        {
            std::lock_guard lock(mutex);
            if (stopping) return;
            submitted.fetch_add(1, std::memory_order_relaxed);
            if (queue.size() >= options->queue_capacity) {
                queue.pop_front();  // the oldest goes: the newest events are the ones being asked about
                dropped.fetch_add(1, std::memory_order_relaxed);
                dropped_one = true;
            }
            queue.push_back(std::move(q));
        }
        if (!dropped_one) wake.notify_one();
    }

    void run() {
        auto backoff = options->first_retry;
        bool failing = false;
        std::unique_lock lock(mutex);
        for (;;) {
            wake.wait(lock, [&] { return stopping || !queue.empty(); });
            if (queue.empty()) return;  // stopping, all delivered
            if (stopping && std::chrono::steady_clock::now() >= drain_until) {
                dropped.fetch_add(queue.size(), std::memory_order_relaxed);
                log("W: audit: " + sink->name() + ": " + std::to_string(queue.size()) +
                    " messages not delivered at stop");
                queue.clear();
                return;
            }
            Queued q = queue.front();
            lock.unlock();
            report_drops();
            auto r = sink->write(*q.xml, q.time);
            lock.lock();
            if (r) {
                // The queue may have dropped it meanwhile (full): then it was not lost after all.
                if (!queue.empty() && queue.front().xml == q.xml) queue.pop_front();
                else dropped.fetch_sub(1, std::memory_order_relaxed);
                delivered.fetch_add(1, std::memory_order_relaxed);
                if (failing) {
                    lock.unlock();
                    log("I: audit: " + sink->name() + " delivering again");
                    lock.lock();
                }
                failing = false;
                backoff = options->first_retry;
                continue;
            }
            failures.fetch_add(1, std::memory_order_relaxed);
            if (!failing) {
                lock.unlock();
                log("W: audit: " + r.error().message + " (retrying with backoff up to " +
                    std::to_string(options->max_retry.count() / 1000) + " s; messages queue meanwhile, up to " +
                    std::to_string(options->queue_capacity) + ", then the oldest are dropped)");
                lock.lock();
            }
            failing = true;
            if (stopping) {
                // No more waiting at stop: what cannot be delivered now is dropped.
                dropped.fetch_add(queue.size(), std::memory_order_relaxed);
                lock.unlock();
                log("W: audit: " + sink->name() + ": " + std::to_string(queue.size()) +
                    " messages not delivered at stop");
                lock.lock();
                queue.clear();
                return;
            }
            wake.wait_for(lock, backoff, [&] { return stopping; });
            backoff = std::min(backoff * 2, options->max_retry);
        }
    }

    void report_drops() {
        const std::uint64_t d = dropped.load(std::memory_order_relaxed);
        if (d == dropped_logged) return;
        // A line at the first drop and as the count reaches each power of ten: the rest is in the stats.
        const auto magnitude = [](std::uint64_t v) {
            std::uint64_t m = 1;
            while (m <= v / 10) m *= 10;
            return m;
        };
        if (dropped_logged == 0 || magnitude(d) > magnitude(dropped_logged)) {
            log("W: audit: " + sink->name() + ": " + std::to_string(d) +
                " messages dropped so far (queue full: the oldest are dropped)");
        }
        dropped_logged = d;
    }
};

AuditLog::AuditLog(std::vector<std::unique_ptr<Sink>> sinks, AuditLogOptions options) : options_(std::move(options)) {
    for (auto& s : sinks) {
        auto lane = std::make_unique<Lane>();
        lane->sink = std::move(s);
        lane->options = &options_;
        lanes_.push_back(std::move(lane));
    }
    for (auto& lane : lanes_) {
        Lane* l = lane.get();
        l->thread = std::thread([l] { l->run(); });
    }
}

AuditLog::~AuditLog() { stop(); }

void AuditLog::submit(Message m) {
    if (lanes_.empty()) return;
    m.source = options_.source;
    auto xml = std::make_shared<const std::string>(to_xml(m));
    for (auto& lane : lanes_) lane->push(Queued{xml, m.time});
}

void AuditLog::stop() {
    const auto until = std::chrono::steady_clock::now() + options_.stop_drain;
    for (auto& lane : lanes_) {
        {
            std::lock_guard lock(lane->mutex);
            lane->stopping = true;
            lane->drain_until = until;
        }
        lane->wake.notify_all();
    }
    for (auto& lane : lanes_)
        if (lane->thread.joinable()) lane->thread.join();
}

AuditStats AuditLog::stats() const {
    AuditStats s;
    for (const auto& lane : lanes_) {
        s.submitted = std::max<std::uint64_t>(s.submitted, lane->submitted.load());
        s.delivered += lane->delivered.load();
        s.dropped += lane->dropped.load();
        s.failures += lane->failures.load();
        std::lock_guard lock(lane->mutex);
        s.queued += lane->queue.size();
    }
    return s;
}

std::string AuditLog::stats_json() const {
    const AuditStats s = stats();
    return "{\"sinks\":" + std::to_string(lanes_.size()) + ",\"submitted\":" + std::to_string(s.submitted) +
           ",\"delivered\":" + std::to_string(s.delivered) + ",\"dropped\":" + std::to_string(s.dropped) +
           ",\"failures\":" + std::to_string(s.failures) + ",\"queued\":" + std::to_string(s.queued) + "}";
}

}  // namespace dicomkit::audit
