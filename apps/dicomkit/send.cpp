// `dicomkit send`: C-STORE files and folders to a peer (like DCMTK storescu), over one or more
// associations in parallel, with progress on a terminal and a summary of every failure.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/media/dicomdir.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/net/dimse/transcoder.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/server/dimse/codec_transcoder.hpp>

#include "commands.hpp"
#include "net_common.hpp"

namespace dicomkit::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kExplicitLE = "1.2.840.10008.1.2.1";
constexpr std::string_view kImplicitLE = "1.2.840.10008.1.2";
constexpr std::size_t kMaxContexts = 128;  // odd context IDs 1..255 (PS3.8 9.3.2.2)

struct SendArgs {
    std::string host;
    std::uint16_t port = 104;
    std::vector<std::string> paths;
    int parallel = 1;
    int window = 64;  ///< outstanding C-STOREs per association (PS3.7 D.3.3.3), if the peer agrees
    NetArgs net;
    /// Converts a file whose transfer syntax the peer did not accept (the codec seam): decodes
    /// compressed files the codecs of this build decode, losslessly encodes where asked.
    std::shared_ptr<const pixel::CodecRegistry> codecs =
        std::make_shared<const pixel::CodecRegistry>(pixel::standard_codecs());
    std::shared_ptr<const net::dimse::Transcoder> transcoder = std::make_shared<server::dimse::CodecTranscoder>(codecs);
};

struct Job {
    net::dimse::StoreFile file;  ///< header read once, before the associations are requested
    std::uint64_t size = 0;
};

struct Failure {
    std::string path;
    std::string why;
};

/// Shared state of the workers.
struct Progress {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<std::size_t> ok{0};
    std::atomic<int> alive{0};  ///< workers still running
    std::atomic<std::uint64_t> bytes{0};
    std::size_t not_dicom = 0;  ///< files skipped before sending (scan)
    std::mutex m;
    std::vector<Failure> failures;
    void fail(std::string path, std::string why) {
        std::lock_guard lock(m);
        failures.push_back({std::move(path), std::move(why)});
    }
};

void collect(const std::string& path, std::vector<std::string>& out, Progress& p) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            if (it->is_regular_file(ec)) out.push_back(it->path().string());
        if (ec) p.fail(path, ec.message());
    } else if (fs::is_regular_file(path, ec) && fs::path(path).filename() == "DICOMDIR") {
        // A DICOMDIR names its files: each File ID is relative to the DICOMDIR's folder.
        auto dir = media::read_dicomdir(path);
        if (!dir) {
            p.fail(path, dir.error().to_string());
            return;
        }
        const fs::path base = fs::path(path).parent_path();
        auto walk = [&](auto&& self, const std::vector<media::Record>& records) -> void {
            for (const auto& r : records) {
                const auto id = media::referenced_file_id(r.data);
                if (!id.empty()) {
                    fs::path file = base;
                    for (const auto& c : id) file /= c;
                    out.push_back(file.string());
                }
                self(self, r.children);
            }
        };
        walk(walk, dir->roots);
    } else if (fs::is_regular_file(path, ec)) {
        out.push_back(path);
    } else {
        p.fail(path, "no such file or folder");
    }
}

/// Reads each file's header: SOP class and transfer syntax. Unreadable files and files that are not
/// DICOM (a text file, an empty one) become failures: skipped, each named, and the exit status is 1.
std::vector<Job> scan(const std::vector<std::string>& paths, Progress& p) {
    std::vector<std::string> files;
    for (const auto& path : paths) collect(path, files, p);
    std::sort(files.begin(), files.end());
    std::vector<Job> jobs;
    jobs.reserve(files.size());
    for (const auto& f : files) {
        auto h = net::dimse::inspect_for_store(f);
        if (!h) {
            const Error& e = h.error();
            if (e.code == ErrorCode::NotDicom) {
                p.fail(f, e.message == "empty file" ? "not a DICOM file (empty file)" : "not a DICOM file");
                ++p.not_dicom;
            } else {
                p.fail(f, e.code == ErrorCode::NotFound ? "no SOP Class/Instance UID"
                                                        : "not readable as DICOM: " + e.message);
            }
            continue;
        }
        std::error_code ec;
        jobs.push_back({std::move(*h), fs::file_size(f, ec)});
    }
    return jobs;
}

/// The encapsulated syntaxes the transcoder converts native data sets to (losslessly: it refuses
/// lossy ones), in the registry's order.
std::vector<std::string> encodable_alternatives(const pixel::CodecRegistry& codecs, const net::dimse::Transcoder& tc) {
    std::vector<std::string> out;
    for (const auto& c : codecs.codecs())
        for (auto uid : c->encodes()) {
            const io::TransferSyntax* ts = io::find_transfer_syntax(uid);
            if (ts && ts->encapsulated && tc.can_convert(io::ts::ExplicitVRLittleEndian, *ts) &&
                std::find(out.begin(), out.end(), uid) == out.end())
                out.emplace_back(uid);
        }
    return out;
}

/// One context per (SOP class, file syntax); uncompressed files offer both little endian syntaxes
/// in the same context, other ones the transcoder can decode get an extra little endian context
/// (so that a compressed file reaches a peer that takes only uncompressed ones). Then, while
/// context IDs remain, one more per SOP class with the compressed syntaxes the transcoder encodes
/// losslessly (`alternatives`), for a peer that takes only those; a file goes in one of them only
/// when its own syntax and the uncompressed ones were refused.
std::vector<net::pdu::PresentationContextRq> propose(const std::vector<Job>& jobs, const net::dimse::Transcoder& tc,
                                                     const std::vector<std::string>& alternatives) {
    std::vector<net::pdu::PresentationContextRq> out;
    std::set<std::pair<std::string, std::string>> seen;
    auto add = [&](const std::string& cls, std::vector<std::string> ts) {
        if (seen.insert({cls, ts.front()}).second && out.size() < kMaxContexts)
            out.push_back({0, cls, std::move(ts)});
    };
    for (const auto& j : jobs) {
        const std::string& cls = j.file.sop_class_uid;
        const io::TransferSyntax& ts = j.file.transfer_syntax;
        const std::string uid(ts.uid);
        if (ts.uid == kExplicitLE || ts.uid == kImplicitLE) {
            add(cls, {uid, std::string(ts.uid == kExplicitLE ? kImplicitLE : kExplicitLE)});
        } else {
            add(cls, {uid});
            if (tc.can_convert(ts, io::ts::ExplicitVRLittleEndian))
                add(cls, {std::string(kExplicitLE), std::string(kImplicitLE)});
        }
    }
    if (!alternatives.empty())
        for (const auto& j : jobs)
            if (tc.can_convert(j.file.transfer_syntax, io::ts::ExplicitVRLittleEndian))
                add(j.file.sop_class_uid, alternatives);
    for (std::size_t i = 0; i < out.size(); ++i) out[i].id = static_cast<std::uint8_t>(2 * i + 1);
    return out;
}

/// The requestor's window as the acceptor answered (PS3.7 D.3.3.3: absent means 1, 0 unlimited).
std::size_t accepted_window(const net::ul::Association& a, int proposed) {
    const auto& w = a.accept_pdu().user_information.asynchronous_operations_window;
    if (!w) return 1;
    const std::size_t n = w->max_operations_invoked == 0 ? static_cast<std::size_t>(proposed) : w->max_operations_invoked;
    return std::clamp<std::size_t>(n, 1, static_cast<std::size_t>(std::max(proposed, 1)));
}

void record(const std::vector<Job>& jobs, Progress& p, std::vector<net::dimse::StoreWindow::Completion> done) {
    for (auto& c : done) {
        const Job& j = jobs[c.tag];
        p.done++;
        if (!c.result) {
            p.fail(j.file.path, c.result.error().to_string());
            continue;
        }
        p.bytes += j.size;
        if (net::dimse::status_kind(c.result->status) == net::dimse::StatusKind::Failure)
            p.fail(j.file.path, net::dimse::describe_status(c.result->status) +
                                    (c.result->error_comment.empty() ? "" : " (" + c.result->error_comment + ")"));
        else
            p.ok++;
    }
}

/// One association: stores files taken from the shared list until none is left, keeping up to
/// the negotiated window of C-STOREs outstanding.
void worker(const SendArgs& a, const std::vector<Job>& jobs, const net::ul::AssociationRequest& rq, Progress& p) {
    net::ul::FailureKind kind = net::ul::FailureKind::None;
    auto assoc = net::ul::Association::request({a.host, a.port}, rq, association_options(a.net), &kind);
    if (!assoc) {
        p.fail(a.host + ":" + std::to_string(a.port), failure_text(kind, assoc.error()));
        return;
    }
    net::dimse::AssociationChannel ch(*assoc);
    net::dimse::StoreWindow window(ch, accepted_window(*assoc, a.window));
    std::uint16_t id = 0;
    for (std::size_t i = p.next++; i < jobs.size(); i = p.next++) {
        net::dimse::StoreOptions so;
        so.message_id = ++id;
        so.transcoder = a.transcoder;
        record(jobs, p, window.submit(i, jobs[i].file, so));
        if (window.broken()) return;  // the association is gone; other workers take the rest
    }
    record(jobs, p, window.drain());
    if (window.broken()) return;
    if (auto r = assoc->release(); !r) log::warn("release: {}", r.error().to_string().c_str());
}

void show_progress(const Progress& p, std::size_t total, std::uint64_t total_bytes, Clock::time_point t0) {
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    double mb = static_cast<double>(p.bytes.load()) / 1e6;
    double rate = s > 0 ? mb / s : 0;
    double left = rate > 0 ? (static_cast<double>(total_bytes) / 1e6 - mb) / rate : 0;
    std::fprintf(stderr, "\r%zu/%zu files  %.1f MB/s  ETA %d:%02d   ", p.done.load(), total, rate,
                 static_cast<int>(left) / 60, static_cast<int>(left) % 60);
}

int run_send(const SendArgs& a) {
    Progress p;
    std::vector<Job> jobs = scan(a.paths, p);
    const std::size_t unreadable = p.failures.size();
    net::ul::AssociationRequest rq;
    rq.calling_ae = a.net.aet;
    rq.called_ae = a.net.aec;
    rq.contexts = propose(jobs, *a.transcoder, encodable_alternatives(*a.codecs, *a.transcoder));
    if (a.window > 1)
        rq.async_window = net::pdu::AsynchronousOperationsWindow{static_cast<std::uint16_t>(a.window), 1};
    std::uint64_t total_bytes = 0;
    for (const auto& j : jobs) total_bytes += j.size;
    auto t0 = Clock::now();
    if (!jobs.empty()) {
        std::vector<std::thread> threads;
        int n = std::max(1, std::min<int>(a.parallel, static_cast<int>(jobs.size())));
        p.alive = n;
        for (int i = 0; i < n; ++i)
            threads.emplace_back([&] {
                worker(a, jobs, rq, p);
                p.alive--;
            });
        bool tty = ::isatty(STDERR_FILENO) != 0;
        while (tty && p.alive.load() > 0) {
            show_progress(p, jobs.size(), total_bytes, t0);
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        for (auto& t : threads) t.join();
        if (tty) std::fprintf(stderr, "\n");
    }
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    for (std::size_t i = p.next.load(); i < jobs.size(); ++i) p.fail(jobs[i].file.path, "not sent");
    std::printf("sent %zu of %zu files%s, %.1f MB in %.2f s (%.1f MB/s, %.1f files/s)\n", p.ok.load(),
                jobs.size() + unreadable,
                p.not_dicom ? (" (" + std::to_string(p.not_dicom) + " not DICOM, skipped)").c_str() : "",
                static_cast<double>(p.bytes.load()) / 1e6, s, s > 0 ? static_cast<double>(p.bytes.load()) / 1e6 / s : 0,
                s > 0 ? static_cast<double>(p.done.load()) / s : 0);
    for (const auto& f : p.failures) std::printf("FAILED %s: %s\n", f.path.c_str(), f.why.c_str());
    std::fflush(stdout);
    return p.failures.empty() ? 0 : 1;
}

}  // namespace

void add_send(CLI::App& app, Action& run) {
    auto a = std::make_shared<SendArgs>();
    CLI::App* cmd = app.add_subcommand("send", "Send files and folders with C-STORE (like storescu)");
    cmd->add_option("host", a->host, "Peer host name or address")->required();
    cmd->add_option("port", a->port, "Peer port")->required();
    cmd->add_option("paths", a->paths, "Files and folders (recursive); a file named DICOMDIR stands for the files it references")->required();
    cmd->add_option("--parallel,-j", a->parallel, "Associations in parallel")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--async", a->window,
                    "C-STOREs sent ahead of their responses on each association, if the peer agrees "
                    "(PS3.7 asynchronous operations window); 1: wait for each response")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    add_net_options(cmd, a->net, true);
    cmd->callback([a, &run] { run = [a] { return run_send(*a); }; });
}

}  // namespace dicomkit::cli
