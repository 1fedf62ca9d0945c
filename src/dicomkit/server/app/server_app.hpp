// The composition root of `dicomkit serve`: storage folder, index (SQLite or PostgreSQL), services, DIMSE
// handlers and the listening server, built from a Config.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <dicomkit/base/error.hpp>
#include <dicomkit/hl7/ack.hpp>
#include <dicomkit/hl7/interpret.hpp>
#include <dicomkit/net/ul/server.hpp>
#include <dicomkit/server/app/config.hpp>

namespace dicomkit::server::app {

struct ServerAppOptions {
    std::string bind = "0.0.0.0";
    bool durable = true;     ///< fsync each file and the folder before a store is acknowledged
    bool reconcile = false;  ///< reconcile index and storage at start even after a clean stop
    /// One line per event ("I: ...", "W: ..."); unset: the process's logger (log_event), with
    /// the event's fields for the JSON format.
    std::function<void(const std::string& line)> log;
    /// What an HL7 event ([hl7] port) does: an order, a patient update or merge, answered by the
    /// returned ACK. Unset: ServerApp's own (hl7_event), which applies it to the worklist.
    std::function<hl7::Ack(const hl7::Event&)> on_hl7_event;
};

class ServerApp {
public:
    /// Checks the TLS files (check_tls), locks DATA, opens DATA/storage/ and the index
    /// (DATA/index.db, or the PostgreSQL database of config.index.url), reconciles them when the
    /// last stop was not clean (or when asked), and starts listening (port 0: any free port): on
    /// config.port (with TLS when config.port_tls) and, with TLS, on config.tls_port when set.
    [[nodiscard]] static Result<std::unique_ptr<ServerApp>> start(const Config& config, ServerAppOptions options = {});
    ~ServerApp();
    /// The bound config.port (plain, or TLS when config.port_tls).
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// The bound HTTP port ([http] port); 0 when the web front is off.
    [[nodiscard]] std::uint16_t http_port() const noexcept;
    /// The bound [hl7] port; 0 when the HL7 listener is off.
    [[nodiscard]] std::uint16_t hl7_port() const noexcept;
    /// The bound config.tls_port; 0 when there is none.
    [[nodiscard]] std::uint16_t tls_port() const noexcept;
    /// Which index runs, for the log: "sqlite PATH" or "postgres user@host:port/database".
    [[nodiscard]] const std::string& index_description() const noexcept;
    /// Stops listening, ends the associations, closes the index and marks the stop as clean.
    void stop();

    struct Impl;

private:
    explicit ServerApp(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::server::app
