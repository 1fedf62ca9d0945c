// `dicomkit validate PATH... [--format text|json]`: each file checked against its IOD (PS3.3), the
// encoding of its values (PS3.5, PS3.6) and its File Meta Information (PS3.10). Exit 0 when no
// file has an error, 1 when one has, 2 when a file cannot be read.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <dicomkit/base/log.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/validate/validator.hpp>

#include "commands.hpp"
#include "input_files.hpp"

namespace dicomkit::cli {

namespace {

namespace fs = std::filesystem;

struct ValidateArgs {
    std::vector<std::string> inputs;
    std::string format = "text";
    bool no_retired = false;
};

int run_validate(const ValidateArgs& a) {
    std::vector<InputFile> inputs;
    int status = collect_input_files(a.inputs, inputs) ? 0 : 2;
    std::vector<std::string> files;
    for (auto& in : inputs) files.push_back(std::move(in.path));
    io::ReadOptions ro;
    ro.defer_larger_than = 1 << 16;  // pixel data and other bulk values are not copied
    validate::Options vo;
    vo.warn_retired = !a.no_retired;
    bool json = a.format == "json";
    bool any_error = false;
    std::string out;
    if (json) out += "[";
    bool first = true;
    for (const std::string& path : files) {
        auto file = io::read_file(path, ro);
        if (!file) {
            log::error("{}: cannot be read: {}", path, file.error().to_string());
            status = 2;
            continue;
        }
        if (file->meta.empty() && !file->dataset.contains(Tag(0x0008, 0x0016))) {
            // The lenient reader takes almost any bytes for an implicit VR data set; without a
            // File Meta and without a SOP Class UID there is nothing DICOM to check.
            log::error("{}: cannot be read: not DICOM (no File Meta Information, no SOP Class UID)", path);
            status = 2;
            continue;
        }
        validate::Report report = validate::validate(file->meta, file->dataset, vo);
        // What the reader accepted with a warning (odd lengths, wrong group lengths, a value cut
        // short, ...) breaks PS3.5 too.
        for (const Error& w : file->diagnostics.warnings) {
            validate::Finding f;
            f.kind = "encoding";
            f.path = w.tag_path;
            f.message = w.message + (w.offset ? " at byte offset " + std::to_string(*w.offset) : std::string());
            report.findings.push_back(std::move(f));
        }
        any_error = any_error || report.has_errors();
        if (json) {
            out += first ? "\n" : ",\n";
            out += validate::to_json(path, report);
        } else {
            out += validate::to_text(path, report);
        }
        first = false;
        if (out.size() > (1u << 16)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    }
    if (json) out += "\n]\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (status != 0) return status;
    return any_error ? 1 : 0;
}

}  // namespace

void add_validate(CLI::App& app, Action& run) {
    auto a = std::make_shared<ValidateArgs>();
    CLI::App* cmd = app.add_subcommand("validate", "Check files against their IOD (PS3.3) and the encoding rules");
    cmd->footer(
        "The IOD comes from the SOP Class UID. Each module of the IOD (mandatory ones, conditional\n"
        "ones whose condition holds, user optional ones when present) is checked at every nesting\n"
        "level: attribute types 1, 1C, 2, 2C, enumerated values and defined terms, item counts;\n"
        "then every element's VR, VM and value syntax, and the File Meta Information.\n"
        "Exit status 0 when no file has an error, 1 when one has, 2 when a file cannot be read.");
    cmd->add_option("paths", a->inputs, "Files and folders (folders recursively)")->required();
    cmd->add_option("--format", a->format, "text (default) or json (an array of one object per file)")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_flag("--no-retired", a->no_retired, "Do not warn about retired attributes");
    cmd->callback([a, &run] { run = [a] { return run_validate(*a); }; });
}

}  // namespace dicomkit::cli
