// The workflow services over DIMSE-N: Modality Performed Procedure Step N-CREATE and N-SET
// (PS3.4 F.7, service::Mpps) and Storage Commitment Push Model N-ACTION (PS3.4 J.3,
// service::Commitment), whose result goes back as N-EVENT-REPORT on the requesting association
// after the N-ACTION-RSP, or on a new association to the requester (a configured peer), where
// this side, the SCP of the SOP class, proposes the SCP role (PS3.4 J.3.3, PS3.7 D.3.3.4);
// failed reports are retried with backoff, and pending ones resumed at the next start.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/dimse/instance_sender.hpp>
#include <dicomkit/server/service/commitment.hpp>
#include <dicomkit/server/service/mpps.hpp>

namespace dicomkit::server::dimse {

/// N-CREATE and N-SET of the MPPS SOP class, for callers allowed "store".
class MppsHandler final : public net::dimse::NHandler {
public:
    MppsHandler(service::Mpps& mpps, AuthorizerPtr authorizer) : mpps_(mpps), authorizer_(std::move(authorizer)) {}
    net::dimse::NReply create(const net::dimse::RequestContext& rc, const net::dimse::NCreateRq& rq,
                              const DataSet* attributes) override;
    net::dimse::NReply set(const net::dimse::RequestContext& rc, const net::dimse::NSetRq& rq,
                           const DataSet& modifications) override;

private:
    service::Mpps& mpps_;
    AuthorizerPtr authorizer_;
};

/// Where the report goes: on the requesting association ("same"), on a new one ("new"), or on
/// the requesting one and, when that fails, on a new one ("auto").
enum class ReportOn { Same, New, Auto };
[[nodiscard]] std::optional<ReportOn> parse_report_on(std::string_view text) noexcept;

struct ReporterOptions {
    std::string our_ae = "DICOMKIT";
    /// Where a requester listens: a configured peer; nullopt: none (the report fails).
    std::function<std::optional<Destination>(const std::string& ae)> find_peer;
    int retries = 3;                                  ///< attempts on new associations after the first
    std::chrono::milliseconds retry_interval{10'000};  ///< doubled after each failed attempt (at most 16 times)
    std::function<void(const std::string& line)> log;
};

/// Sends the reports of pending transactions on new associations, on a thread of its own.
class CommitmentReporter {
public:
    CommitmentReporter(service::Commitment& commitment, ReporterOptions options);
    ~CommitmentReporter();  ///< stops the thread (a report under way ends first)
    CommitmentReporter(const CommitmentReporter&) = delete;
    CommitmentReporter& operator=(const CommitmentReporter&) = delete;
    /// Queues the transaction's report (now).
    void enqueue(const std::string& transaction_uid);
    /// Queues every pending transaction of the store (at the start: reports owed before a stop).
    std::size_t resume();
    /// One report on a new association; the error says why it failed.
    [[nodiscard]] Result<void> send(const index::CommitmentRecord& r);

private:
    void run();
    service::Commitment& commitment_;
    ReporterOptions options_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::map<std::string, std::chrono::steady_clock::time_point> due_;
    std::thread thread_;
};

/// N-ACTION of Storage Commitment Push Model, for callers allowed "store".
class CommitmentHandler final : public net::dimse::NHandler {
public:
    CommitmentHandler(service::Commitment& commitment, CommitmentReporter& reporter, ReportOn on,
                      AuthorizerPtr authorizer, std::function<void(const std::string&)> log = {})
        : commitment_(commitment), reporter_(reporter), on_(on), authorizer_(std::move(authorizer)), log_(std::move(log)) {}
    net::dimse::NReply action(const net::dimse::RequestContext& rc, const net::dimse::NActionRq& rq,
                              const DataSet* action_information) override;

private:
    service::Commitment& commitment_;
    CommitmentReporter& reporter_;
    ReportOn on_;
    AuthorizerPtr authorizer_;
    std::function<void(const std::string&)> log_;
};

}  // namespace dicomkit::server::dimse
