// JobRunner: serve's send and retrieve jobs (POST /api/jobs, GET /api/jobs[/{id}]). A bounded
// queue: at most `max_running` jobs run at once, each on its own thread; the others wait in
// order. The list keeps the last `max_kept` jobs (older finished ones are dropped); a request
// beyond that many unfinished jobs is refused. Each start and end is logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <dicomkit/base/error.hpp>
#include <dicomkit/server/app/job_run.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace dicomkit::server::app {

/// The body of POST /api/jobs: {"type":"send","peer":AE,"study":UID,"series":UID?,"instance":UID?}
/// or {"type":"retrieve","peer":AE,"study":UID,"series":UID?}. InvalidValue, with what is wrong.
[[nodiscard]] Result<JobRequest> parse_job_request(std::string_view body);

/// "2026-12-05T18:55:55Z": ISO 8601 UTC, to the second.
[[nodiscard]] std::string iso_utc(std::chrono::system_clock::time_point t);

struct JobRunnerOptions {
    std::size_t max_running = 2;
    std::size_t max_kept = 100;
    /// How a job runs (tests put their own); unset: run_send / run_retrieve.
    std::function<JobOutcome(const JobContext&, const JobRequest&, const Peer&, JobCounters&)> run;
};

class JobRunner {
  public:
    JobRunner(JobContext context, std::function<void(const std::string&)> log,
              JobRunnerOptions options = {});
    ~JobRunner();
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    /// Queues a job: its id. NotFound for a peer the configuration does not name, LimitExceeded
    /// when max_kept jobs are unfinished or once stopped.
    [[nodiscard]] Result<std::uint64_t> submit(JobRequest request);
    /// POST /api/jobs: parse_job_request, submit; {"id":n}.
    [[nodiscard]] Result<std::string> start_json(std::string_view body);
    /// GET /api/jobs: every kept job, newest first.
    [[nodiscard]] std::string list_json() const;
    /// GET /api/jobs/{id}; empty when there is no such job.
    [[nodiscard]] std::string job_json(std::uint64_t id) const;
    /// POST /api/jobs/{id}/cancel: a queued job never runs (failed, "cancelled"); a running one is
    /// asked to stop between instances (a retrieve sends C-CANCEL) and ends failed, "cancelled".
    /// The job's JSON; NotFound for an unknown id, InvalidArgument once it has ended.
    [[nodiscard]] Result<std::string> cancel_json(std::uint64_t id);
    /// Cancels the queued jobs, asks the running ones to stop (between instances) and waits for
    /// them. Later submits are refused.
    void stop();

    struct Job;

  private:
    void launch(const std::shared_ptr<Job>& job);  // mutex_ held
    void finish(const std::shared_ptr<Job>& job, JobOutcome outcome);
    void reap();  // mutex_ held: joins the threads of the finished jobs, drops the oldest

    JobContext ctx_;
    std::function<void(const std::string&)> log_;
    JobRunnerOptions options_;
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<Job>> jobs_;  ///< oldest first
    std::uint64_t next_id_ = 1;
    std::size_t running_ = 0;
    bool stopped_ = false;
};

}  // namespace dicomkit::server::app
