// `dicomkit rt check PATH... [--format text|json|dot]`: the DICOM-RT references among the files given
// (images <- RTSTRUCT <- RTPLAN <- RTDOSE and treatment records), each resolved, the Frames of
// Reference compared. Exit 0 when everything resolves, 1 when something is broken, 2 for input
// that cannot be read.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <dicomkit/base/log.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/rt/reference_check.hpp>

#include "commands.hpp"
#include "input_files.hpp"

namespace dicomkit::cli {

namespace {

namespace fs = std::filesystem;

struct RtCheckArgs {
    std::vector<std::string> inputs;
    std::string format = "text";
};

int run_check(const RtCheckArgs& a) {
    std::vector<InputFile> inputs;
    if (!collect_input_files(a.inputs, inputs)) return 2;
    rt::Checker checker;
    io::ReadOptions ro;
    ro.stop_before = Tag(0x7FE0, 0x0010);  // the references are all before Pixel Data
    ro.defer_larger_than = 256;            // contour points, LUTs: never copied
    std::size_t skipped = 0;
    int status = 0;
    for (const InputFile& in : inputs) {
        // In folders, files that are neither Part 10 nor readable as a data set are not DICOM
        // (notes, checksums): they are left out. A file named on the command line must read.
        bool part10 = io::has_part10_preamble(in.path);
        auto file = io::read_file(in.path, ro);
        if (!file) {
            if (in.from_folder && !part10) {
                ++skipped;
                log::debug("{}: not DICOM, left out", in.path);
                continue;
            }
            log::error("{}", file.error().to_string());
            status = 2;
            continue;
        }
        if (file->meta.string_or(Tag(0x0002, 0x0002)).starts_with("1.2.840.10008.1.3.10")) {
            ++skipped;  // a DICOMDIR: no composite instance
            continue;
        }
        if (file->dataset.find(Tag(0x0008, 0x0018)) == nullptr) {
            if (in.from_folder && !part10) {
                ++skipped;
                continue;
            }
            log::error("{}: no SOP Instance UID (0008,0018): cut short, or not a composite instance", in.path);
            status = 2;
            continue;
        }
        checker.add(in.path, file->dataset);
    }
    if (status != 0) return status;
    rt::Report report = checker.check();
    std::string out;
    if (a.format == "json") {
        out = rt::to_json(report);
    } else if (a.format == "dot") {
        out = rt::to_dot(report);
    } else {
        out = rt::to_text(report);
        if (skipped) out += std::to_string(skipped) + " files left out (not DICOM, or a DICOMDIR)\n";
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return report.ok() ? 0 : 1;
}

}  // namespace

void add_rt(CLI::App& app, Action& run) {
    CLI::App* rt = app.add_subcommand("rt", "DICOM-RT tools");
    rt->require_subcommand(1);
    auto a = std::make_shared<RtCheckArgs>();
    CLI::App* cmd = rt->add_subcommand(
        "check", "Check the references between images, RTSTRUCT, RTPLAN, RTDOSE and treatment records");
    cmd->footer(
        "Every Referenced SOP Instance UID must be one of the files given, with the Referenced SOP\n"
        "Class UID it states; the Frames of Reference of the structure set, its images, the plan\n"
        "and the dose must agree. Each problem names the file, the tag path and the UID.\n"
        "Exit status 0 when everything resolves, 1 when something is broken, 2 when an input\n"
        "cannot be read. Folders are read recursively; their files that are not DICOM are left out.");
    cmd->add_option("paths", a->inputs, "Files and folders (folders recursively)")->required();
    cmd->add_option("--format", a->format, "text (default), json (nodes, edges, problems) or dot (Graphviz)")
        ->check(CLI::IsMember({"text", "json", "dot"}));
    cmd->callback([a, &run] { run = [a] { return run_check(*a); }; });
}

}  // namespace dicomkit::cli
