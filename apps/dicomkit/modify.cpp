// `dicomkit modify PATH... [--set P=V] [--modify P=V] [--delete P] ...`: edit attributes of many
// files by tag path (deid/modify.hpp), in place (atomically, optionally keeping a backup) or into
// another folder; elements not edited keep their encoded bytes. Files are written to temporary
// files beside them, synced a batch at a time (one syncfs, not an fsync per file), then renamed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <dicomkit/base/log.hpp>
#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/deid/modify.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"

namespace dicomkit::cli {

namespace fs = std::filesystem;

namespace {

struct ModifyArgs {
    std::vector<std::string> inputs;
    std::vector<std::string> set, modify, del, erase_all, erase_group, from_file;
    bool erase_private = false;
    bool unique = false;
    bool dry_run = false;
    bool ignore_missing = false;
    bool no_backup = false;  // dcmodify's -nb; dicomkit keeps no backup unless --backup is given
    std::string out;
    std::string backup;
    unsigned jobs = 1;
};

/// One file to edit: where it is and where the result goes ("" when in place).
struct Job {
    std::string path;
    std::string out;
    bool from_folder = false;  ///< found by walking a folder (non-DICOM files there are skipped)
};

enum class Outcome { Changed, Unchanged, Skipped, Failed };

/// A file written beside its destination, not yet renamed over it (see commit()).
struct Pending {
    std::string tmp;     ///< the temporary file, complete but not yet synced
    std::string target;  ///< what it replaces or becomes
    bool in_place = false;
    std::optional<fs::perms> mode;  ///< the replaced file's mode, given to the new one
};

struct Report {
    Outcome outcome = Outcome::Unchanged;
    std::vector<deid::Change> changes;
    std::string message;  ///< the error, or why the file was skipped
    std::optional<Pending> pending;
};

/// Writes `bytes` to a new temporary file beside `target` (no fsync: commit() syncs the whole
/// batch at once).
Result<std::string> write_temp(const std::string& target, std::span<const std::uint8_t> bytes) {
    std::string tmp = target + ".dkmod-XXXXXX";
    int fd = ::mkstemp(tmp.data());
    if (fd < 0)
        return make_error(ErrorCode::IoError, fmt::format("cannot create a file beside {}: {}",
                                                          target, std::strerror(errno)));
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return make_error(ErrorCode::IoError,
                              fmt::format("cannot write {}: {}", tmp, std::strerror(err)));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return make_error(ErrorCode::IoError,
                          fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
    }
    return tmp;
}

/// Whether a file found in a folder is taken for DICOM: "DICM" after the preamble, or (a data set
/// without Part 10 header) a first tag in group 0002 or 0008, as such files begin.
bool looks_like_dicom(const std::string& path) {
    auto head = read_file_prefix(path, 132);
    if (!head) return false;
    const auto& b = head->first;
    if (b.size() >= 132 && std::memcmp(b.data() + 128, "DICM", 4) == 0) return true;
    if (b.size() < 8) return false;
    auto group = static_cast<std::uint16_t>(b[0] | (b[1] << 8));
    auto group_be = static_cast<std::uint16_t>((b[0] << 8) | b[1]);
    return group == 0x0002 || group == 0x0008 || group_be == 0x0008;
}

/// The files to edit: each file argument, and the regular files under each folder argument.
Result<std::vector<Job>> collect_jobs(const ModifyArgs& a) {
    std::vector<Job> jobs;
    for (const std::string& in : a.inputs) {
        std::error_code ec;
        auto st = fs::status(in, ec);
        if (ec || !fs::exists(st))
            return make_error(ErrorCode::IoError, fmt::format("{}: no such file or folder", in));
        if (fs::is_directory(st)) {
            std::vector<fs::path> found;
            for (auto it = fs::recursive_directory_iterator(
                     in, fs::directory_options::skip_permission_denied, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (!it->is_regular_file()) continue;
                std::string name = it->path().filename().string();
                if (!a.backup.empty() && name.size() > a.backup.size() && name.ends_with(a.backup))
                    continue;
                found.push_back(it->path());
            }
            if (ec) return make_error(ErrorCode::IoError, fmt::format("{}: {}", in, ec.message()));
            std::sort(found.begin(), found.end());
            for (const auto& p : found) {
                Job j{p.string(), "", true};
                if (!a.out.empty()) j.out = (fs::path(a.out) / fs::relative(p, in)).string();
                jobs.push_back(std::move(j));
            }
        } else {
            Job j{in, "", false};
            if (!a.out.empty()) j.out = (fs::path(a.out) / fs::path(in).filename()).string();
            jobs.push_back(std::move(j));
        }
    }
    return jobs;
}

io::ReadOptions read_options() {
    io::ReadOptions ro;
    ro.resolve_un = false;  // an explicit UN stays UN: its bytes are written back as read
    ro.defer_larger_than = 64 * 1024;  // pixel data is copied from the mapped file when writing
    return ro;
}

/// Hard-links (or copies) `path` to `path + suffix`, replacing an older backup.
Result<void> make_backup(const std::string& path, const std::string& suffix) {
    std::string bak = path + suffix;
    std::error_code ec;
    fs::remove(bak, ec);
    fs::create_hard_link(path, bak, ec);
    if (ec) {
        ec.clear();
        fs::copy_file(path, bak, fs::copy_options::overwrite_existing, ec);
    }
    if (ec)
        return make_error(ErrorCode::IoError,
                          fmt::format("cannot keep a backup {}: {}", bak, ec.message()));
    return {};
}

Report process(const Job& job, const ModifyArgs& a, const deid::ModifyOptions& options) {
    Report r;
    if (job.from_folder && !looks_like_dicom(job.path)) {
        r.outcome = Outcome::Skipped;
        r.message = "not a DICOM file";
        return r;
    }
    auto file = io::read_file(job.path, read_options());
    if (!file) {
        r.outcome = Outcome::Failed;
        r.message = file.error().to_string();
        return r;
    }
    const Tag sop_class{0x0008, 0x0016}, sop_instance{0x0008, 0x0018};
    const std::string class_before = file->dataset.string_or(sop_class);
    const std::string instance_before = file->dataset.string_or(sop_instance);
    auto changes = deid::modify(file->dataset, options);
    if (!changes) {
        r.outcome = Outcome::Failed;
        r.message = std::move(changes.error()).in_file(job.path).to_string();
        return r;
    }
    r.changes = std::move(*changes);
    r.outcome = r.changes.empty() ? Outcome::Unchanged : Outcome::Changed;
    if (a.dry_run) return r;
    Result<Bytes> bytes;
    if (r.changes.empty()) {
        if (job.out.empty()) return r;      // in place: nothing to write
        bytes = read_whole_file(job.path);  // a copy, byte for byte
    } else {
        // The meta's SOP UIDs follow the data set only when those changed (as dcmodify does), so
        // a file whose meta disagrees with its data set is otherwise written back as it was.
        io::FileWriteOptions wo;
        wo.keep_meta_sop_uids = file->dataset.string_or(sop_class) == class_before &&
                                file->dataset.string_or(sop_instance) == instance_before;
        bytes = io::encode_file(*file, wo);
    }
    Pending p;
    p.in_place = job.out.empty();
    p.target = p.in_place ? job.path : job.out;
    if (std::error_code ec; p.in_place && fs::is_symlink(job.path, ec)) {
        auto real = fs::canonical(job.path, ec);  // a link keeps pointing at the edited file
        if (!ec) p.target = real.string();
    }
    if (bytes && p.in_place) {
        std::error_code ec;
        auto st = fs::status(job.path, ec);
        if (!ec) p.mode = st.permissions();
    } else if (bytes) {
        std::error_code ec;
        fs::create_directories(fs::path(job.out).parent_path(), ec);
    }
    Result<std::string> tmp =
        bytes ? write_temp(p.target, *bytes) : Result<std::string>(Unexpected(bytes.error()));
    if (!tmp) {
        r.outcome = Outcome::Failed;
        r.message = std::move(tmp.error()).in_file(job.path).to_string();
        return r;
    }
    p.tmp = std::move(*tmp);
    r.pending = std::move(p);
    return r;
}

/// Makes a batch's temporary files durable with one syncfs per file system, then puts each in
/// place by rename (after the backup link, with the old file's mode) and syncs the folders: a
/// crash at any point leaves every file either old or new, never half-written.
void commit(std::vector<Report*>& batch, const ModifyArgs& a) {
    std::vector<dev_t> synced;
    for (Report* r : batch) {
        struct stat st {};
        if (::stat(r->pending->tmp.c_str(), &st) != 0) continue;
        if (std::find(synced.begin(), synced.end(), st.st_dev) != synced.end()) continue;
        int fd = ::open(r->pending->tmp.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ::syncfs(fd);
            ::close(fd);
        }
        synced.push_back(st.st_dev);
    }
    std::vector<std::string> folders;
    for (Report* r : batch) {
        Pending& p = *r->pending;
        Result<void> ok;
        if (p.in_place && !a.backup.empty()) ok = make_backup(p.target, a.backup);
        if (ok && p.mode) ::chmod(p.tmp.c_str(), static_cast<mode_t>(*p.mode));
        if (ok && ::rename(p.tmp.c_str(), p.target.c_str()) != 0)
            ok = make_error(ErrorCode::IoError, fmt::format("cannot rename {} to {}: {}", p.tmp,
                                                            p.target, std::strerror(errno)));
        if (!ok) {
            ::unlink(p.tmp.c_str());
            r->outcome = Outcome::Failed;
            r->message = std::move(ok.error()).in_file(p.target).to_string();
        }
        std::string folder = fs::path(p.target).parent_path().string();
        if (folder.empty()) folder = ".";
        if (std::find(folders.begin(), folders.end(), folder) == folders.end())
            folders.push_back(folder);
        r->pending.reset();
    }
    for (const std::string& f : folders) {
        int fd = ::open(f.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            ::fsync(fd);
            ::close(fd);
        }
    }
}

/// Runs `fn(i)` for i in [0, n) on `threads` threads.
template <typename Fn>
void parallel_for(std::size_t n, unsigned threads, Fn fn) {
    threads = std::max(
        1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(n, 1))));
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < n;) fn(i);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
}

Result<deid::ModifyOptions> build_options(const ModifyArgs& a) {
    deid::ModifyOptions o;
    o.erase_private = a.erase_private;
    o.ignore_missing = a.ignore_missing;
    for (const std::string& g : a.erase_group) {
        unsigned v = 0;
        auto r = std::from_chars(g.data(), g.data() + g.size(), v, 16);
        if (g.size() != 4 || r.ec != std::errc() || r.ptr != g.data() + g.size())
            return make_error(ErrorCode::InvalidArgument,
                              fmt::format("--erase-group \"{}\": expected 4 hex digits", g));
        if (v == 0x0002)
            return make_error(ErrorCode::InvalidArgument,
                              "--erase-group 0002: the File Meta Information is required");
        o.erase_groups.push_back(static_cast<std::uint16_t>(v));
    }
    auto add = [&](deid::EditOp op, const std::vector<std::string>& args) -> Result<void> {
        for (const std::string& s : args) {
            auto e = deid::parse_edit(op, s);
            if (!e) return Unexpected(e.error());
            o.edits.push_back(std::move(*e));
        }
        return {};
    };
    if (auto ok = add(deid::EditOp::Delete, a.del); !ok) return Unexpected(ok.error());
    if (auto ok = add(deid::EditOp::EraseAll, a.erase_all); !ok) return Unexpected(ok.error());
    if (auto ok = add(deid::EditOp::Modify, a.modify); !ok) return Unexpected(ok.error());
    if (auto ok = add(deid::EditOp::Set, a.set); !ok) return Unexpected(ok.error());
    for (const std::string& s : a.from_file) {
        auto e = deid::parse_edit(deid::EditOp::Set, s);
        if (!e) return Unexpected(e.error());
        auto bytes = read_whole_file(e->value);
        if (!bytes) return Unexpected(std::move(bytes.error()).in_file(e->value));
        e->binary = std::move(*bytes);
        e->value.clear();
        o.edits.push_back(std::move(*e));
    }
    return o;
}

int run_modify(const ModifyArgs& a) {
    if (!a.out.empty() && !a.backup.empty()) {
        log::error("--backup is for edits in place; with --out the originals are not touched");
        return 2;
    }
    auto options = build_options(a);
    if (!options) {
        log::error("{}", options.error().to_string().c_str());
        return 2;
    }
    if (options->edits.empty() && !a.erase_private && options->erase_groups.empty() && !a.unique) {
        log::error(
            "nothing to do: give --set, --modify, --delete, --erase-all, --erase-private, "
            "--erase-group or --unique");
        return 2;
    }
    auto jobs = collect_jobs(a);
    if (!jobs) {
        log::error("{}", jobs.error().to_string().c_str());
        return 2;
    }
    // --unique: the identifying UIDs of every file first, so that a reference to a file edited
    // later in the run follows it.
    deid::UidMap uids;
    if (a.unique) {
        parallel_for(jobs->size(), a.jobs, [&](std::size_t i) {
            io::ReadOptions ro = read_options();
            ro.stop_before = Tag{0x7FE0, 0x0010};
            if (auto f = io::read_file((*jobs)[i].path, ro)) uids.collect(f->dataset);
        });
        options->unique = &uids;
    }
    // In batches: the files of a batch are edited (on -j threads) into temporary files, which are
    // then synced at once and renamed into place; the temporary space is at most a batch's.
    std::vector<Report> reports(jobs->size());
    constexpr std::size_t kBatch = 256;
    for (std::size_t from = 0; from < jobs->size(); from += kBatch) {
        std::size_t n = std::min(kBatch, jobs->size() - from);
        parallel_for(n, a.jobs, [&](std::size_t i) {
            reports[from + i] = process((*jobs)[from + i], a, *options);
        });
        std::vector<Report*> batch;
        for (std::size_t i = from; i < from + n; ++i)
            if (reports[i].pending) batch.push_back(&reports[i]);
        if (!batch.empty()) commit(batch, a);
    }

    std::size_t changed = 0, unchanged = 0, skipped = 0, failed = 0;
    for (std::size_t i = 0; i < reports.size(); ++i) {
        const Report& r = reports[i];
        const std::string& path = (*jobs)[i].path;
        switch (r.outcome) {
            case Outcome::Changed:
                ++changed;
                break;
            case Outcome::Unchanged:
                ++unchanged;
                break;
            case Outcome::Skipped:
                ++skipped;
                break;
            case Outcome::Failed:
                ++failed;
                break;
        }
        if (r.outcome == Outcome::Failed) {
            log::error("{}", r.message.c_str());
            continue;
        }
        if (a.dry_run && r.outcome != Outcome::Skipped) {
            std::string out = path + (r.changes.empty() ? ": no change\n" : ":\n");
            for (const auto& c : r.changes) out += "  " + deid::to_string(c) + "\n";
            std::fwrite(out.data(), 1, out.size(), stdout);
        }
    }
    std::fprintf(stderr,
                 "modify: %zu file(s) %s, %zu unchanged, %zu skipped (not DICOM), %zu failed\n",
                 changed, a.dry_run ? "would change" : "changed", unchanged, skipped, failed);
    return failed ? 1 : 0;
}

}  // namespace

void rewrite_modify_flags(int argc, char** argv) {
    if (argc < 2 || std::string_view(argv[1]) != "modify") return;
    static std::string storage[] = {"--erase-all", "--erase-private", "--ignore-missing",
                                    "--no-backup"};
    for (int i = 2; i < argc; ++i) {
        std::string_view s = argv[i];
        if (s == "-ea")
            argv[i] = storage[0].data();
        else if (s == "-ep")
            argv[i] = storage[1].data();
        else if (s == "-imt")
            argv[i] = storage[2].data();
        else if (s == "-nb")
            argv[i] = storage[3].data();
    }
}

void add_modify(CLI::App& app, Action& run) {
    auto a = std::make_shared<ModifyArgs>();
    CLI::App* cmd =
        app.add_subcommand("modify", "Edit attributes of DICOM files by tag path (like dcmodify)");
    cmd->footer(
        "Tag paths: (0010,0010), 00100010, PatientName, (0008,1140)[0].(0008,1155),\n"
        "  ReferencedImageSequence[*].ReferencedSOPInstanceUID, (0029,\"ACME RT 1.0\",10) "
        "(private, by creator).\n"
        "Values: text in the file's Specific Character Set (a character it cannot hold is an "
        "error);\n"
        "  numbers for US SS UL SL UV SV FL FD, several separated by '\\'; tags for AT; hex "
        "bytes/words\n"
        "  for OB/OW/UN (00\\1f); --set-from-file for raw bytes.\n"
        "Order: --unique, --erase-private, --erase-group, --delete, --erase-all, --modify, --set.\n"
        "Files are rewritten in their own transfer syntax; elements not edited keep their bytes.\n"
        "In place, a file is replaced atomically (temporary file, synced, renamed); unchanged "
        "files are\n"
        "not rewritten. Exit status 1 when any file failed, 2 on a usage error.\n"
        "DCMTK spellings -i -m -e -ea -ep -imt -nb are accepted (no backup unless --backup).\n");
    cmd->add_option("paths", a->inputs, "Files and folders (folders recursively)")->required();
    cmd->add_option("--set,-i,--insert", a->set,
                    "PATH=VALUE: insert or modify, creating sequences, items and private blocks as "
                    "needed (dcmodify -i)")
        ->allow_extra_args(false);
    cmd->add_option("--modify,-m", a->modify,
                    "PATH=VALUE: modify an existing element; absent is an error (dcmodify -m)")
        ->allow_extra_args(false);
    cmd->add_option("--delete,-e", a->del,
                    "PATH: delete the element(s) or item(s) ([*] for all); absent is an error")
        ->allow_extra_args(false);
    cmd->add_option("--erase-all", a->erase_all,
                    "TAG: delete this tag at every level (dcmodify -ea)")
        ->allow_extra_args(false);
    cmd->add_flag("--erase-private", a->erase_private,
                  "Delete every private element at every level (dcmodify -ep)");
    cmd->add_option("--erase-group", a->erase_group,
                    "GGGG: delete every element of this group at every level")
        ->allow_extra_args(false);
    cmd->add_option("--set-from-file", a->from_file,
                    "PATH=FILE: set a value (OB, OW, UN, ...) to the bytes of FILE")
        ->allow_extra_args(false);
    cmd->add_flag(
        "--unique", a->unique,
        "Fresh SOP Instance, Study, Series and Frame of Reference UIDs, one map for all files, so "
        "references between the files keep resolving");
    cmd->add_flag("--ignore-missing", a->ignore_missing,
                  "--modify and --delete of absent elements are no error (dcmodify -imt)");
    cmd->add_flag("--dry-run,-n", a->dry_run,
                  "Print each file's changes (path: old -> new) and write nothing");
    cmd->add_option("--out,-o", a->out,
                    "Write the results into this folder (folder arguments keep their layout)");
    cmd->add_option("--backup", a->backup,
                    "In place: keep the original as FILE+SUFFIX (e.g. --backup .bak)");
    cmd->add_flag("--no-backup", a->no_backup,
                  "Accepted for dcmodify's -nb; no backup is the default")
        ->group("");
    cmd->add_option("--jobs,-j", a->jobs, "Files edited at once (default 1)")
        ->check(CLI::Range(1u, 256u));
    cmd->callback([a, &run] { run = [a] { return run_modify(*a); }; });
}

}  // namespace dicomkit::cli
