// `dicomkit anonymize PATH... --out DIR`: de-identifies files and folders (recursively) by PS3.15
// Annex E into a new tree, in parallel, with a keyed (repeatable) replacement of UIDs, patient IDs
// and dates. Never writes in place; each output is written to a temporary file and renamed.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <dicomkit/base/log.hpp>
#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/deid/anonymizer.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/pixel/codecs.hpp>

#include "batch_io.hpp"
#include "commands.hpp"

namespace fs = std::filesystem;

namespace dicomkit::cli {

namespace {

struct AnonymizeArgs {
    std::vector<std::string> inputs;
    std::string out, key, key_file, recipe, map_in, map_out, retain_dates;
    bool retain_safe_private = false, retain_uids = false, retain_device = false, retain_institution = false,
         retain_patient_chars = false, clean_descriptors = false, clean_structured = false, clean_graphics = false,
         clean_pixels = false, keep_names = false;
    unsigned jobs = 0;
};

struct Job {
    std::string in;    ///< the file's path, for messages
    std::string dir;   ///< its folder and name, read through an open folder
    std::string name;
    bool regular = true;  ///< a regular file (else read through io::read_file: a pipe, a device)
    fs::path rel;      ///< for --keep-names: the path under the output folder
};

Job make_job(const fs::path& file, fs::path rel, bool regular) {
    return Job{file.string(), file.parent_path().string(), file.filename().string(), regular, std::move(rel)};
}

/// Orders paths as fs::path compares them (component by component), on the text alone: '/'
/// ranks below every other byte.
bool path_less(const std::string& a, const std::string& b) noexcept {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] == b[i]) continue;
        if (a[i] == '/') return true;
        if (b[i] == '/') return false;
        return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
    }
    return a.size() < b.size();
}

/// A file found under an input folder: its folder (an entry of `folders`) and its name.
struct Found {
    std::size_t folder;
    std::string name;
    std::string path;  ///< folder/name, the sort key
};

/// Every regular file under `dir` (symbolic links to files included, linked folders not
/// entered, folders that cannot be read skipped), from the entries' types alone where the file
/// system gives them: no stat a file.
void scan_folder(const std::string& dir, std::vector<std::string>& folders, std::vector<Found>& found, int depth = 0) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno != EACCES) log::warn("{}: cannot read the folder: {}", dir, std::strerror(errno));
        return;
    }
    const std::size_t index = folders.size();
    folders.push_back(dir);
    std::vector<std::string> subfolders;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name = e->d_name;
        if (name == "." || name == "..") continue;
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN || type == DT_LNK) {
            struct stat st {};
            const bool link = type == DT_LNK ||
                              (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
            if (type == DT_UNKNOWN && !link) {
                type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
            } else {  // a link counts as the file it names, but a linked folder is not entered
                type = ::fstatat(::dirfd(d), e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
            }
        }
        std::string path = dir;
        if (path.empty() || path.back() != '/') path += '/';
        path += name;
        if (type == DT_REG) found.push_back(Found{index, std::string(name), std::move(path)});
        else if (type == DT_DIR && depth < 256) subfolders.push_back(std::move(path));
    }
    ::closedir(d);
    for (const std::string& sub : subfolders) scan_folder(sub, folders, found, depth + 1);
}

/// The jobs cut into one contiguous run a worker: neighbours in the sorted list share an input
/// folder and mostly an output folder, so workers do not create and rename files in the same
/// folder at once (each such call locks the folder), and each keeps its folders open. A worker
/// whose run is done takes files from the others' runs.
class WorkSplit {
public:
    WorkSplit(std::size_t jobs, unsigned workers) : runs_(workers) {
        for (unsigned w = 0; w < workers; ++w) {
            runs_[w].next = jobs * w / workers;
            runs_[w].end = jobs * (w + 1) / workers;
        }
    }
    /// The next job for `worker`, or SIZE_MAX when none is left.
    std::size_t next(unsigned worker) {
        for (std::size_t k = 0; k < runs_.size(); ++k) {
            Run& r = runs_[(worker + k) % runs_.size()];
            if (r.next.load(std::memory_order_relaxed) >= r.end) continue;
            const std::size_t i = r.next.fetch_add(1, std::memory_order_relaxed);
            if (i < r.end) return i;
        }
        return SIZE_MAX;
    }

private:
    struct alignas(64) Run {  // one cache line each: workers do not share counters
        std::atomic<std::size_t> next{0};
        std::size_t end = 0;
    };
    std::vector<Run> runs_;
};

bool inside(const fs::path& child, const fs::path& parent) {
    auto c = child.begin(), p = parent.begin();
    for (; p != parent.end(); ++p, ++c) {
        if (p->empty()) continue;
        if (c == child.end() || *c != *p) return false;
    }
    return true;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return s.substr(i);
}

Result<std::string> read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::IoError, fmt::format("{}: cannot open", path));
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s;
}

/// Folders already made (output folders are shared by many files).
class FolderCache {
public:
    Result<void> ensure(const std::string& dir) {
        {
            std::lock_guard lock(mu_);
            if (made_.count(dir)) return {};
        }
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) return make_error(ErrorCode::IoError, fmt::format("{}: cannot create: {}", dir, ec.message()));
        std::lock_guard lock(mu_);
        made_.insert(dir);
        return {};
    }

private:
    std::mutex mu_;
    std::set<std::string> made_;
};

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`.
Result<void> write_replace(const fs::path& path, std::span<const std::uint8_t> bytes, FolderCache* folders = nullptr) {
    if (folders) {
        if (auto ok = folders->ensure(path.parent_path().string()); !ok) return ok;
    } else {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
    }
    const std::string tmp = (path.parent_path() / fmt::format(".{}.tmp{}", path.filename().string(), ::getpid())).string();
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return make_error(ErrorCode::IoError, fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return make_error(ErrorCode::IoError, fmt::format("{}: write failed: {}", tmp, std::strerror(err)));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return make_error(ErrorCode::IoError, fmt::format("{}: write failed: {}", path.string(), std::strerror(err)));
    }
    return {};
}

bool has_dicm(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    char buf[132];
    if (!in.read(buf, sizeof buf)) return false;
    return std::string_view(buf + 128, 4) == "DICM";
}

std::string safe_component(std::string s) {
    for (char& c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
    return s.empty() ? std::string("unknown") : s;
}

int run_anonymize(const AnonymizeArgs& a) {
    const auto t0 = std::chrono::steady_clock::now();
    std::error_code ec;
    const fs::path out = fs::weakly_canonical(fs::absolute(a.out), ec);
    // Inputs: every regular file under each path (sorted, so runs are reproducible).
    std::vector<Job> jobs;
    for (const std::string& in : a.inputs) {
        const fs::path p = fs::weakly_canonical(fs::absolute(in), ec);
        if (!fs::exists(p)) {
            log::error("{}: no such file or folder", in);
            return 2;
        }
        if (p == out || inside(out, p) || inside(p, out)) {
            log::error("the output folder {} must not be inside, or be, the input {}", out.string(), p.string());
            return 2;
        }
        if (fs::is_directory(p)) {
            std::vector<std::string> folders;
            std::vector<Found> found;
            scan_folder(p.string(), folders, found);
            std::sort(found.begin(), found.end(), [](const Found& x, const Found& y) { return path_less(x.path, y.path); });
            jobs.reserve(jobs.size() + found.size());
            for (Found& f : found) {
                fs::path rel;
                if (a.keep_names) rel = p.filename() / fs::path(f.path).lexically_relative(p);
                jobs.push_back(Job{std::move(f.path), folders[f.folder], std::move(f.name), true, std::move(rel)});
            }
        } else {
            jobs.push_back(make_job(p, p.filename(), fs::is_regular_file(p, ec)));
        }
    }
    fs::create_directories(out, ec);
    if (ec) {
        log::error("{}: cannot create the output folder: {}", out.string(), ec.message());
        return 2;
    }
    // The key: given, from a file, the one an earlier run left in the output folder, or new.
    std::string key = a.key;
    if (!a.key_file.empty()) {
        auto k = read_text(a.key_file);
        if (!k) {
            log::error("{}", k.error().to_string());
            return 2;
        }
        key = trim(*k);
    }
    const fs::path key_path = out / "deid.key";
    if (key.empty() && fs::exists(key_path)) {
        auto k = read_text(key_path.string());
        if (k) key = trim(*k);
        log::warn("using the key of an earlier run in {}", key_path.string());
    }
    if (key.empty()) {
        std::random_device rd;
        std::string k;
        for (int i = 0; i < 32; ++i) k += fmt::format("{:02x}", rd() & 0xFF);
        key = k;
        std::vector<std::uint8_t> bytes(k.begin(), k.end());
        bytes.push_back('\n');
        if (auto ok = write_replace(key_path, bytes); !ok) {
            log::error("{}", ok.error().to_string());
            return 2;
        }
        fs::permissions(key_path, fs::perms::owner_read | fs::perms::owner_write, ec);
        log::warn("no --key: a new random key is in {}; keep it secret, and give it (--key-file) to later "
                  "batches so that their UIDs and IDs match", key_path.string());
    }
    // Options: the recipe's, then the flags.
    deid::Recipe recipe;
    if (!a.recipe.empty()) {
        auto r = deid::read_recipe(a.recipe);
        if (!r) {
            log::error("{}", r.error().to_string());
            return 2;
        }
        recipe = std::move(*r);
    }
    deid::Options& o = recipe.options;
    o.retain_safe_private |= a.retain_safe_private;
    o.retain_uids |= a.retain_uids;
    o.retain_device_identity |= a.retain_device;
    o.retain_institution_identity |= a.retain_institution;
    o.retain_patient_characteristics |= a.retain_patient_chars;
    o.clean_descriptors |= a.clean_descriptors;
    o.clean_structured_content |= a.clean_structured;
    o.clean_graphics |= a.clean_graphics;
    o.clean_pixel_data |= a.clean_pixels;
    if (a.retain_dates == "full") o.dates = deid::DateOption::Full;
    else if (a.retain_dates == "modified") o.dates = deid::DateOption::Modified;
    deid::PatientMap patients;
    if (!a.map_in.empty()) {
        auto m = deid::read_patient_map(a.map_in);
        if (!m) {
            log::error("{}", m.error().to_string());
            return 2;
        }
        patients = std::move(*m);
    }
    const pixel::CodecRegistry codecs = pixel::standard_codecs();
    auto anonymizer = deid::Anonymizer::create(key, std::move(recipe), std::move(patients), &codecs);
    if (!anonymizer) {
        log::error("{}", anonymizer.error().to_string());
        return 2;
    }

    FolderCache folders;
    std::atomic<std::size_t> done{0}, written{0}, skipped{0};
    std::mutex mu;
    std::vector<std::string> failures, notes;
    std::map<std::string, std::pair<std::string, deid::PatientIdentity>> seen;  // id -> (name, new)
    const bool tty = ::isatty(2);
    const pid_t pid = ::getpid();
    const std::string out_root = out.string();
    unsigned n = a.jobs ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
    n = static_cast<unsigned>(std::min<std::size_t>(n, std::max<std::size_t>(jobs.size(), 1)));
    WorkSplit split(jobs.size(), n);
    auto work = [&](unsigned worker) {
        BatchFileIo fio(pid);
        std::string target_dir, target_name, made_dir;
        for (;;) {
            const std::size_t i = split.next(worker);
            if (i == SIZE_MAX) return;
            const Job& job = jobs[i];
            Result<io::DicomFile> file = Unexpected(Error());
            if (job.regular) {
                auto bytes = fio.read(job.dir, job.name);
                file = bytes ? io::read_view(*bytes, {}, job.in) : Result<io::DicomFile>(Unexpected(bytes.error()));
            } else {
                file = io::read_file(job.in);
            }
            // Without the DICM magic a lenient read takes almost anything: such a file counts
            // as DICOM only when it reads as a data set naming its SOP class and instance.
            if (file && file->meta.empty() &&
                (file->dataset.string_or(tags::SOPClassUID).empty() || file->dataset.string_or(tags::SOPInstanceUID).empty()))
                file = Unexpected(Error(ErrorCode::NotDicom, "not DICOM"));
            if (!file) {
                const bool dicm = has_dicm(job.in);
                std::lock_guard lock(mu);
                if (!dicm) {
                    notes.push_back(fmt::format("{}: skipped (not DICOM)", job.in));
                    ++skipped;
                } else {
                    failures.push_back(file.error().to_string());
                }
                ++done;
                continue;
            }
            deid::Context ctx;
            ctx.source = job.in;
            auto result = anonymizer->apply(std::move(*file), ctx);
            Result<void> ok;
            if (!result) {
                ok = Unexpected(result.error());
            } else {
                if (a.keep_names) {
                    const fs::path target = out / job.rel;
                    target_dir = target.parent_path().string();
                    target_name = target.filename().string();
                } else {
                    const DataSet& ds = result->dataset;
                    target_dir = out_root;
                    target_dir += '/';
                    target_dir += safe_component(ds.string_or(tags::StudyInstanceUID));
                    target_dir += '/';
                    target_dir += safe_component(ds.string_or(tags::SeriesInstanceUID));
                    target_name = safe_component(ds.string_or(tags::SOPInstanceUID, fmt::format("file{}", i))) + ".dcm";
                }
                if (target_dir != made_dir) {
                    ok = folders.ensure(target_dir);
                    if (ok) made_dir = target_dir;
                }
                if (ok) ok = io::encode_file_into(*result, fio.out);
                if (ok) ok = fio.write(target_dir, target_name, fio.out);
            }
            {
                std::lock_guard lock(mu);
                if (!ok) {
                    failures.push_back(ok.error().to_string());
                } else {
                    ++written;
                    seen.emplace(ctx.original.id, std::pair{ctx.original.name, ctx.replacement});
                }
                const std::size_t d = ++done;
                if (tty && (d % 50 == 0 || d == jobs.size()))
                    std::fprintf(stderr, "\ranonymize: %zu/%zu", d, jobs.size());
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < n; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& t : pool) t.join();
    if (tty && !jobs.empty()) std::fputc('\n', stderr);

    if (!a.map_out.empty()) {
        std::string csv = "original_id,new_id,new_name,original_name\n";
        for (const auto& [id, v] : seen)
            csv += fmt::format("{},{},{},{}\n", deid::csv_field(id), deid::csv_field(v.second.id),
                               deid::csv_field(v.second.name), deid::csv_field(v.first));
        if (auto ok = write_replace(fs::absolute(a.map_out), std::span(reinterpret_cast<const std::uint8_t*>(csv.data()), csv.size()));
            !ok) {
            log::error("{}", ok.error().to_string());
            return 1;
        }
    }
    for (const auto& note : notes) log::info("{}", note);
    for (const auto& f : failures) log::error("{}", f);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "anonymize: %zu files: %zu written, %zu failed, %zu skipped (not DICOM) in %.2f s (%.0f files/s)\n",
                 jobs.size(), written.load(), failures.size(), skipped.load(), secs,
                 secs > 0 ? static_cast<double>(written.load()) / secs : 0.0);
    return failures.empty() ? 0 : 1;
}

}  // namespace

void add_anonymize(CLI::App& app, Action& run) {
    auto a = std::make_shared<AnonymizeArgs>();
    CLI::App* cmd = app.add_subcommand("anonymize", "De-identify files and folders by PS3.15 Annex E into a new folder");
    cmd->add_option("paths", a->inputs, "Input files and folders (folders recursively)")->required();
    cmd->add_option("--out", a->out, "Output folder (not inside an input)")->required();
    cmd->add_option("--key", a->key, "Secret that makes UIDs, IDs and date shifts repeatable across runs");
    cmd->add_option("--key-file", a->key_file, "File holding the secret");
    cmd->add_option("--recipe", a->recipe, "TOML recipe: options, per-tag actions, pixel regions, safe private attributes");
    cmd->add_flag("--retain-safe-private", a->retain_safe_private, "Retain Safe Private Option");
    cmd->add_flag("--retain-uids", a->retain_uids, "Retain UIDs Option");
    cmd->add_flag("--retain-device", a->retain_device, "Retain Device Identity Option");
    cmd->add_flag("--retain-institution", a->retain_institution, "Retain Institution Identity Option");
    cmd->add_flag("--retain-patient-chars", a->retain_patient_chars, "Retain Patient Characteristics Option");
    cmd->add_option("--retain-dates", a->retain_dates, "Retain Longitudinal Temporal Information: full or modified")
        ->check(CLI::IsMember({"full", "modified"}));
    cmd->add_flag("--clean-descriptors", a->clean_descriptors, "Clean Descriptors Option");
    cmd->add_flag("--clean-structured-content", a->clean_structured, "Clean Structured Content Option");
    cmd->add_flag("--clean-graphics", a->clean_graphics, "Clean Graphics Option");
    cmd->add_flag("--clean-pixel-data", a->clean_pixels, "Clean Pixel Data Option (regions from the recipe)");
    cmd->add_option("--map-in", a->map_in, "CSV original_id,new_id,new_name: the patients' new identities");
    cmd->add_option("--map-out", a->map_out, "Write the patients' original and new identities to this CSV");
    cmd->add_flag("--keep-names", a->keep_names,
                  "Mirror the input file names under the output folder (default: STUDY/SERIES/SOP.dcm by the new UIDs)");
    cmd->add_option("-j,--jobs", a->jobs, "Files processed at once (default: one per core)");
    cmd->callback([a, &run] { run = [a] { return run_anonymize(*a); }; });
}

}  // namespace dicomkit::cli
