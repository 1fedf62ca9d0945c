// `dicomkit convert IN OUT --ts NAME|UID`: rewrite a file in another transfer syntax.
#include <cstdio>
#include <string>

#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>

#include "commands.hpp"

namespace dicomkit::cli {

namespace {
struct ConvertArgs {
    std::string in, out, ts;
    bool explicit_lengths = false;
    bool undefined_lengths = false;
    bool strict = false;
};
}  // namespace

void add_convert(CLI::App& app, Action& run) {
    auto a = std::make_shared<ConvertArgs>();
    CLI::App* cmd = app.add_subcommand("convert", "Rewrite a DICOM file in another transfer syntax");
    cmd->add_option("in", a->in, "Input file")->required();
    cmd->add_option("out", a->out, "Output file")->required();
    cmd->add_option("--ts", a->ts, "Target transfer syntax: UID, keyword, or implicit/explicit/big/deflated");
    cmd->add_flag("--explicit-lengths", a->explicit_lengths, "Write sequences and items with explicit lengths");
    cmd->add_flag("--undefined-lengths", a->undefined_lengths, "Write sequences and items with undefined lengths");
    cmd->add_flag("--strict", a->strict, "Refuse input that deviates from the standard");
    cmd->callback([a, &run] {
        run = [a] {
            io::ReadOptions ro;
            ro.strict = a->strict;
            auto file = io::read_file(a->in, ro);
            if (!file) {
                std::fprintf(stderr, "E: %s\n", file.error().to_string().c_str());
                return 1;
            }
            for (const auto& w : file->diagnostics.warnings) std::fprintf(stderr, "W: %s\n", w.to_string().c_str());
            io::FileWriteOptions wo;
            if (!a->ts.empty()) {
                wo.transfer_syntax = io::find_transfer_syntax_by_name(a->ts);
                if (!wo.transfer_syntax) {
                    std::fprintf(stderr, "E: unknown transfer syntax '%s'\n", a->ts.c_str());
                    return 2;
                }
            }
            if (a->explicit_lengths) wo.write.lengths = io::LengthEncoding::Explicit;
            if (a->undefined_lengths) wo.write.lengths = io::LengthEncoding::Undefined;
            auto ok = io::write_file(a->out, *file, wo);
            if (!ok) {
                std::fprintf(stderr, "E: %s\n", ok.error().to_string().c_str());
                return 1;
            }
            return 0;
        };
    });
}

}  // namespace dicomkit::cli
