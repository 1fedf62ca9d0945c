// The import job: the files of a medium (its DICOMDIR, PS3.10 and PS3.11) or of a folder on the
// server, stored through the ingest service as received instances are.
#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/media/dicomdir.hpp>
#include <dicomkit/server/app/job_run.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

namespace dicomkit::server::app {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxFiles = 1'000'000;
constexpr std::size_t kInFlight = 32;  ///< files handed to ingest and not yet answered
constexpr std::size_t kReasons = 5;    ///< refusals named in the outcome

bool same_name(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

/// `dir / name`, or the entry of `dir` whose name differs from `name` only in case: a CD
/// mounted without Rock Ridge shows File IDs in lower case (iso9660's map=normal).
std::optional<fs::path> child(const fs::path& dir, const std::string& name) {
    std::error_code ec;
    fs::path exact = dir / name;
    if (fs::exists(fs::symlink_status(exact, ec))) return exact;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
        if (same_name(it->path().filename().string(), name)) return it->path();
    return std::nullopt;
}

/// Whether `p` (canonical) is `root` (canonical) or under it.
bool under(const fs::path& p, const fs::path& root) {
    auto r = root.begin();
    auto i = p.begin();
    for (; r != root.end(); ++r, ++i) {
        if (r->empty()) continue;  // a trailing separator
        if (i == p.end() || *i != *r) return false;
    }
    return true;
}

Result<std::vector<std::string>> dicomdir_files(const fs::path& dicomdir, const std::vector<fs::path>& roots) {
    auto dir = media::read_dicomdir(dicomdir.string());
    if (!dir) return tl::unexpected(dir.error());
    const fs::path base = dicomdir.parent_path();
    std::vector<std::string> out;
    std::string bad;
    auto walk = [&](auto&& self, const std::vector<media::Record>& records) -> void {
        for (const auto& r : records) {
            const auto id = media::referenced_file_id(r.data);
            if (!id.empty() && bad.empty() && out.size() < kMaxFiles) {
                fs::path file = base;
                std::string shown;
                for (const auto& c : id) {
                    shown += (shown.empty() ? "" : "\\") + c;
                    if (c.empty() || c == "." || c == ".." || c.find('/') != std::string::npos ||
                        c.find('\0') != std::string::npos) {
                        bad = "record at offset " + std::to_string(r.offset) + ": Referenced File ID " + shown +
                              " leaves the medium's folder";
                        return;
                    }
                    auto next = child(file, c);
                    file = next ? *next : file / c;
                }
                // What the File ID names must be on the medium (symbolic links included).
                std::error_code ec;
                const fs::path real = fs::weakly_canonical(file, ec);
                if (ec || !under(real, base) ||
                    std::none_of(roots.begin(), roots.end(), [&](const fs::path& root) { return under(real, root); })) {
                    bad = "record at offset " + std::to_string(r.offset) + ": Referenced File ID " + shown +
                          " leaves the medium's folder";
                    return;
                }
                out.push_back(file.string());
            }
            self(self, r.children);
        }
    };
    walk(walk, dir->roots);
    if (!bad.empty()) return make_error(ErrorCode::InvalidValue, dicomdir.string() + ": " + bad);
    if (out.size() >= kMaxFiles)
        return make_error(ErrorCode::LimitExceeded,
                          dicomdir.string() + ": more than " + std::to_string(kMaxFiles) + " files");
    return out;
}

Result<ImportList> from_dicomdir(const fs::path& dicomdir, const std::vector<fs::path>& roots) {
    auto files = dicomdir_files(dicomdir, roots);
    if (!files) return tl::unexpected(files.error());
    return ImportList{std::move(*files), true};
}


}  // namespace

Result<ImportList> import_files(const std::string& path, const std::vector<std::string>& roots) {
    if (roots.empty())
        return make_error(ErrorCode::InvalidArgument,
                          "imports are off: [storage] import_roots names no folder serve may read from");
    std::error_code ec;
    const fs::path real = fs::canonical(path, ec);
    if (ec) return make_error(ErrorCode::NotFound, path + ": " + ec.message());
    std::vector<fs::path> real_roots;
    std::string listed;
    for (const auto& r : roots) {
        listed += (listed.empty() ? "" : ", ") + r;
        std::error_code rec;
        auto c = fs::canonical(r, rec);
        if (!rec) real_roots.push_back(c);
    }
    if (std::none_of(real_roots.begin(), real_roots.end(), [&](const fs::path& root) { return under(real, root); }))
        return make_error(ErrorCode::InvalidArgument,
                          path + " is not under a folder of [storage] import_roots (" + listed + ")");
    if (fs::is_regular_file(real, ec)) {
        if (same_name(real.filename().string(), "DICOMDIR")) return from_dicomdir(real, real_roots);
        return ImportList{{real.string()}, false};
    }
    if (!fs::is_directory(real, ec)) return make_error(ErrorCode::InvalidValue, path + ": neither a file nor a folder");
    if (auto dicomdir = child(real, "DICOMDIR"); dicomdir && fs::is_regular_file(*dicomdir, ec))
        return from_dicomdir(*dicomdir, real_roots);
    std::vector<std::string> out;
    for (auto it = fs::recursive_directory_iterator(real, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
        if (out.size() >= kMaxFiles)
            return make_error(ErrorCode::LimitExceeded, path + ": more than " + std::to_string(kMaxFiles) + " files");
        out.push_back(it->path().string());
    }
    if (ec) return make_error(ErrorCode::IoError, path + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return ImportList{std::move(out), false};
}

JobOutcome run_import(const JobContext& ctx, const JobRequest& rq, JobCounters& counters) {
    if (!ctx.ingest) return {"this serve stores nothing (no ingest service)"};
    auto list = import_files(rq.path, ctx.config->import_roots);
    if (!list) return {list.error().to_string()};
    const std::vector<std::string>* files = &list->files;
    counters.total = files->size();

    std::mutex m;
    std::condition_variable cv;
    std::size_t in_flight = 0;
    std::uint64_t skipped = 0;
    std::vector<std::string> reasons;
    const auto refused = [&](const std::string& file, const std::string& why) {
        ++counters.failed;
        std::lock_guard lock(m);
        if (reasons.size() < kReasons) reasons.push_back(file + ": " + why);
    };
    bool cancelled = false;
    const bool walked = !list->from_dicomdir;
    for (const auto& file : *files) {
        if (counters.cancel) {
            cancelled = true;
            break;
        }
        // A folder without a DICOMDIR holds what a folder holds: what is not a Part 10 file (a
        // README, a viewer, a DICOMDIR further down) is left alone.
        const std::string name = std::filesystem::path(file).filename().string();
        std::error_code ec;
        if (!walked && !std::filesystem::is_regular_file(file, ec)) {
            refused(file, ec ? ec.message() : "not a file");
            continue;
        }
        if (!io::has_part10_preamble(file) || same_name(name, "DICOMDIR")) {
            if (walked) {
                ++skipped;
                ++counters.done;
            } else {
                refused(file, "not a DICOM Part 10 file");
            }
            continue;
        }
        auto blob = ctx.ingest->begin_incoming();
        if (!blob) {
            refused(file, blob.error().to_string());
            continue;
        }
        std::ifstream in(file, std::ios::binary);
        std::vector<std::uint8_t> buffer(256 * 1024);
        Result<void> written;
        while (in && written) {
            in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
            const auto n = static_cast<std::size_t>(in.gcount());
            if (n > 0) written = (*blob)->write(std::span<const std::uint8_t>(buffer.data(), n));
        }
        if (!written || in.bad()) {
            (*blob)->abort();
            refused(file, written ? std::string("read error") : written.error().to_string());
            continue;
        }
        if (auto f = (*blob)->finish(); !f) {
            refused(file, f.error().to_string());
            continue;
        }
        auto staged = (*blob)->stage();
        if (!staged) {
            refused(file, staged.error().to_string());
            continue;
        }
        {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return in_flight < kInFlight; });
            ++in_flight;
        }
        ctx.ingest->submit(
            std::move(*staged),
            [&, file](Result<service::Stored> stored) {
                if (!stored)
                    refused(file, stored.error().message);
                else if (stored->action == service::StoreAction::Rejected)
                    refused(file, "a copy of this instance is stored and duplicates are refused");
                else if (stored->action == service::StoreAction::Quarantined)
                    refused(file, "kept in quarantine: " + stored->path);
                else {
                    ++counters.done;
                    if (ctx.on_imported) ctx.on_imported(*stored);
                }
                std::lock_guard lock(m);
                --in_flight;
                cv.notify_all();
            },
            false);
    }
    {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return in_flight == 0; });
    }
    JobOutcome out;
    if (cancelled) out.error = "cancelled";
    if (counters.failed > 0) {
        std::string why = std::to_string(counters.failed.load()) + " of " + std::to_string(files->size()) +
                          " files not stored";
        for (std::size_t i = 0; i < reasons.size(); ++i) why += (i ? "; " : ": ") + reasons[i];
        out.error = out.error.empty() ? why : out.error + "; " + why;
    }
    if (skipped > 0 && out.error.empty()) out.note = std::to_string(skipped) + " files that are not DICOM left alone";
    return out;
}

}  // namespace dicomkit::server::app
