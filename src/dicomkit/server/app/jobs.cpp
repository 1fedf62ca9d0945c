// JobRunner: the queue, the threads, the list as JSON; the request body's checks.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <dicomkit/server/app/jobs.hpp>
#include <dicomkit/server/model/uid_check.hpp>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

namespace dicomkit::server::app {

namespace {

using SystemClock = std::chrono::system_clock;

const char* type_name(JobType t) {
    return t == JobType::Send ? "send" : t == JobType::Retrieve ? "retrieve" : "import";
}

/// "send study 1.2.3 to PEER" / "retrieve series 1.2.3.4 from PEER" / "import /media/cd".
std::string describe(const JobRequest& r) {
    if (r.type == JobType::Import) return "import " + r.path;
    const std::string what = !r.instance.empty() ? "instance " + r.instance
                             : !r.series.empty() ? "series " + r.series
                                                 : "study " + r.study;
    return std::string(type_name(r.type)) + " " + what +
           (r.type == JobType::Send ? " to " : " from ") + r.peer;
}

}  // namespace

std::string iso_utc(SystemClock::time_point t) {
    const std::time_t s = SystemClock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Result<JobRequest> parse_job_request(std::string_view body) {
    const auto bad = [](const std::string& m) { return make_error(ErrorCode::InvalidValue, m); };
    const auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return bad(
            "the body is not a JSON object: "
            "{\"type\":\"send\"|\"retrieve\",\"peer\":AE,\"study\":UID,...} or "
            "{\"type\":\"import\",\"path\":\"/media/cdrom/DICOMDIR\"}");
    JobRequest r;
    std::string type;
    for (const auto& [key, value] : j.items()) {
        std::string* field = key == "type"       ? &type
                             : key == "peer"     ? &r.peer
                             : key == "study"    ? &r.study
                             : key == "series"   ? &r.series
                             : key == "instance" ? &r.instance
                             : key == "path"     ? &r.path
                                                 : nullptr;
        if (!field)
            return bad("unknown key \"" + key.substr(0, 64) +
                       "\" (type, peer, study, series, instance, path)");
        if (!value.is_string()) return bad("\"" + key + "\" must be a string");
        *field = value.get<std::string>();
    }
    if (type == "send")
        r.type = JobType::Send;
    else if (type == "retrieve")
        r.type = JobType::Retrieve;
    else if (type == "import")
        r.type = JobType::Import;
    else
        return bad(type.empty() ? "\"type\" is missing (\"send\", \"retrieve\" or \"import\")"
                                : "\"type\" must be \"send\", \"retrieve\" or \"import\"");
    if (r.type == JobType::Import) {
        if (r.path.empty() || r.path.front() != '/')
            return bad("\"path\" must be an absolute path on the server (a DICOMDIR or a folder)");
        if (r.path.size() > 4096 || r.path.find('\0') != std::string::npos) return bad("\"path\" is not a path");
        if (!r.peer.empty() || !r.study.empty() || !r.series.empty() || !r.instance.empty())
            return bad("an import takes only \"path\"");
        return r;
    }
    if (!r.path.empty()) return bad("\"path\" is for an import");
    if (r.peer.empty()) return bad("\"peer\" is missing (a configured peer's AE title)");
    if (r.study.empty()) return bad("\"study\" is missing (a Study Instance UID)");
    for (const auto& [key, uid] : {std::pair<const char*, const std::string*>{"study", &r.study},
                                   {"series", &r.series},
                                   {"instance", &r.instance}})
        if (!uid->empty())
            if (auto why = model::uid_problem(*uid))
                return bad("\"" + std::string(key) + "\" is not a UID: " + *why);
    if (!r.instance.empty() && r.type == JobType::Retrieve)
        return bad("a retrieve is of a study or a series (\"instance\" is for send)");
    if (!r.instance.empty() && r.series.empty()) return bad("\"instance\" needs its \"series\"");
    return r;
}

struct JobRunner::Job {
    std::uint64_t id = 0;
    JobRequest request;
    Peer peer;
    JobCounters counters;
    // The rest under the runner's mutex.
    const char* state = "queued";
    std::string error;
    std::string note;
    std::optional<SystemClock::time_point> started, ended;
    std::thread thread;
    bool exited = false;  ///< finished: its thread does nothing more but return

    [[nodiscard]] nlohmann::json to_json() const {
        nlohmann::json j{
            {"id", id},
            {"type", type_name(request.type)},
            {"peer", request.type == JobType::Import ? nlohmann::json() : nlohmann::json(request.peer)},
            {"study", request.type == JobType::Import ? nlohmann::json() : nlohmann::json(request.study)},
            {"state", state},
            {"total", counters.total.load()},
            {"done", counters.done.load()},
            {"failed", counters.failed.load()},
            {"error", error.empty() ? nlohmann::json() : nlohmann::json(error)},
            {"started", started ? nlohmann::json(iso_utc(*started)) : nlohmann::json()},
            {"ended", ended ? nlohmann::json(iso_utc(*ended)) : nlohmann::json()}};
        if (!request.series.empty()) j["series"] = request.series;
        if (!request.instance.empty()) j["instance"] = request.instance;
        if (request.type == JobType::Import) j["path"] = request.path;
        if (!note.empty()) j["note"] = note;
        return j;
    }
};

JobRunner::JobRunner(JobContext context, std::function<void(const std::string&)> log,
                     JobRunnerOptions options)
    : ctx_(std::move(context)), log_(std::move(log)), options_(std::move(options)) {
    if (options_.max_running == 0) options_.max_running = 1;
    if (options_.max_kept < options_.max_running) options_.max_kept = options_.max_running;
    if (!options_.run)
        options_.run = [](const JobContext& c, const JobRequest& r, const Peer& p, JobCounters& n) {
            return r.type == JobType::Send       ? run_send(c, r, p, n)
                   : r.type == JobType::Retrieve ? run_retrieve(c, r, p, n)
                                                 : run_import(c, r, n);
        };
}

JobRunner::~JobRunner() { stop(); }

Result<std::uint64_t> JobRunner::submit(JobRequest request) {
    const Peer* peer = nullptr;
    static const Peer kNoPeer{};
    if (request.type == JobType::Import) {
        // Refused at once when the path is outside the roots or names nothing; read again when
        // the job runs.
        auto files = import_files(request.path, ctx_.config->import_roots);
        if (!files) return tl::unexpected(files.error());
        peer = &kNoPeer;
    } else {
        for (const Peer& p : ctx_.config->peers)
            if (p.ae_title == request.peer) peer = &p;
    }
    if (!peer)
        return make_error(ErrorCode::NotFound,
                          "no peer " + request.peer.substr(0, 64) + " (GET /api/peers lists them)");
    std::lock_guard lock(mutex_);
    if (stopped_) return make_error(ErrorCode::LimitExceeded, "serve is stopping");
    std::size_t unfinished = 0;
    for (const auto& j : jobs_) unfinished += j->exited ? 0 : 1;
    if (unfinished >= options_.max_kept)
        return make_error(ErrorCode::LimitExceeded,
                          std::to_string(unfinished) + " jobs are queued or running already");
    auto job = std::make_shared<Job>();
    job->id = next_id_++;
    job->request = std::move(request);
    job->peer = *peer;
    jobs_.push_back(job);
    reap();
    if (running_ < options_.max_running)
        launch(job);
    else if (log_)
        log_("I: job " + std::to_string(job->id) + " queued: " + describe(job->request));
    return job->id;
}

Result<std::string> JobRunner::start_json(std::string_view body) {
    auto rq = parse_job_request(body);
    if (!rq) return tl::unexpected(rq.error());
    auto id = submit(std::move(*rq));
    if (!id) return tl::unexpected(id.error());
    return "{\"id\":" + std::to_string(*id) + "}";
}

void JobRunner::launch(const std::shared_ptr<Job>& job) {
    job->state = "running";
    job->started = SystemClock::now();
    ++running_;
    if (log_)
        log_("I: job " + std::to_string(job->id) + " started: " + describe(job->request) +
             (job->request.type == JobType::Import
                  ? std::string()
                  : " (" + job->peer.host + ":" + std::to_string(job->peer.port) + (job->peer.tls ? ", TLS" : "") + ")"));
    job->thread = std::thread([this, job] {
        JobOutcome out;
        try {
            out = options_.run(ctx_, job->request, job->peer, job->counters);
        } catch (const std::exception& e) {
            out.error = std::string("internal error: ") + e.what();
        }
        finish(job, std::move(out));
    });
}

void JobRunner::finish(const std::shared_ptr<Job>& job, JobOutcome outcome) {
    std::lock_guard lock(mutex_);
    job->ended = SystemClock::now();
    job->state = outcome.error.empty() ? "done" : "failed";
    job->error = std::move(outcome.error);
    job->note = std::move(outcome.note);
    --running_;
    if (log_) {
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.2f",
                      std::chrono::duration<double>(*job->ended - *job->started).count());
        log_(std::string(job->error.empty() ? "I: " : "W: ") + "job " + std::to_string(job->id) +
             " " + job->state + ": " + describe(job->request) + ": " +
             std::to_string(job->counters.done.load()) + " of " +
             std::to_string(job->counters.total.load()) + " instances, " +
             std::to_string(job->counters.failed.load()) + " failed, " + secs + " s" +
             (job->error.empty() ? "" : " (" + job->error + ")"));
    }
    job->exited = true;
    if (stopped_) return;
    for (const auto& next : jobs_) {
        if (running_ >= options_.max_running) break;
        if (!next->exited && !next->started) launch(next);
    }
}

void JobRunner::reap() {
    for (const auto& j : jobs_)
        if (j->exited && j->thread.joinable()) j->thread.join();  // it only returns
    while (jobs_.size() > options_.max_kept) {
        auto oldest =
            std::find_if(jobs_.begin(), jobs_.end(), [](const auto& j) { return j->exited; });
        if (oldest == jobs_.end()) break;
        jobs_.erase(oldest);
    }
}

std::string JobRunner::list_json() const {
    std::lock_guard lock(mutex_);
    auto out = nlohmann::json::array();
    for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) out.push_back((*it)->to_json());
    return out.dump();
}

std::string JobRunner::job_json(std::uint64_t id) const {
    std::lock_guard lock(mutex_);
    for (const auto& j : jobs_)
        if (j->id == id) return j->to_json().dump();
    return {};
}

Result<std::string> JobRunner::cancel_json(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    for (const auto& j : jobs_) {
        if (j->id != id) continue;
        if (j->exited)
            return make_error(ErrorCode::InvalidArgument,
                              "job " + std::to_string(id) + " has ended (" + j->state + ")");
        if (!j->started) {  // queued: never runs
            j->state = "failed";
            j->error = "cancelled";
            j->started = j->ended = SystemClock::now();
            j->exited = true;
            if (log_) log_("W: job " + std::to_string(id) + " cancelled before it started");
        } else if (!j->counters.cancel.exchange(true) && log_) {
            log_("W: job " + std::to_string(id) + " asked to stop: " + describe(j->request));
        }
        return j->to_json().dump();
    }
    return make_error(ErrorCode::NotFound, "no job " + std::to_string(id));
}

void JobRunner::stop() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        for (const auto& j : jobs_) {
            if (!j->started) {  // queued: never runs
                j->state = "failed";
                j->error = "cancelled: serve stopped";
                j->started = j->ended = SystemClock::now();
                j->exited = true;
                if (log_)
                    log_("W: job " + std::to_string(j->id) +
                         " cancelled before it started: serve stopped");
            } else if (!j->exited) {
                j->counters.cancel = true;
            }
            if (j->thread.joinable()) threads.push_back(std::move(j->thread));
        }
    }
    for (auto& t : threads) t.join();
}

}  // namespace dicomkit::server::app
