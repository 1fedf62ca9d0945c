// AuditLog: audit messages handed to sinks without ever making the caller wait. Each sink has a
// bounded queue drained by a thread of its own; when a queue is full the oldest message is
// dropped and counted; a sink that fails is retried with backoff (the message kept), its
// failure and recovery logged once each.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <dicomkit/audit/message.hpp>
#include <dicomkit/audit/sinks.hpp>

namespace dicomkit::audit {

struct AuditLogOptions {
    std::size_t queue_capacity = 10000;  ///< messages waiting per sink
    std::chrono::milliseconds first_retry{200};
    std::chrono::milliseconds max_retry{30000};
    /// How long stop() keeps delivering what is queued before it gives up (the rest is dropped).
    std::chrono::milliseconds stop_drain{2000};
    Source source;  ///< AuditSourceIdentification of every message
    /// "W: audit: ..." lines (failures, recoveries, drops); unset: none.
    std::function<void(const std::string&)> log;
};

/// Counts for the status endpoint and the log.
struct AuditStats {
    std::uint64_t submitted = 0;  ///< messages handed to submit()
    std::uint64_t delivered = 0;  ///< sink writes that succeeded (over all sinks)
    std::uint64_t dropped = 0;    ///< messages dropped because a sink's queue was full or at stop
    std::uint64_t failures = 0;   ///< failed sink writes (each retried)
    std::uint64_t queued = 0;     ///< waiting now, over all sinks
};

class AuditLog {
public:
    AuditLog(std::vector<std::unique_ptr<Sink>> sinks, AuditLogOptions options);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    /// Sets the message's source, writes its XML and queues it for every sink. Never waits for a
    /// sink; after stop() it does nothing.
    void submit(Message m);
    /// Delivers what is queued (for at most options.stop_drain), then ends the threads.
    void stop();
    [[nodiscard]] AuditStats stats() const;
    /// {"sinks":N,"submitted":..,"delivered":..,"dropped":..,"failures":..,"queued":..}
    [[nodiscard]] std::string stats_json() const;

    struct Lane;

private:
    AuditLogOptions options_;
    std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace dicomkit::audit
