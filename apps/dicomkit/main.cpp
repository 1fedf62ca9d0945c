// dicomkit: one binary, one subcommand per task (dump, convert, modify, ...).
#include <cstdio>

#include "commands.hpp"
#include "log_options.hpp"
#include "net_common.hpp"

int main(int argc, char** argv) {
    CLI::App app{"dicomkit: read, write, send, store and serve DICOM"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "dicomkit 0.1.0");
    // The log options may follow the subcommand (dicomkit send --log-format json ...).
    app.fallthrough();
    dicomkit::cli::add_log_options(app);
    dicomkit::cli::Action run;
    dicomkit::cli::add_dump(app, run);
    dicomkit::cli::add_convert(app, run);
    dicomkit::cli::add_echo(app, run);
    dicomkit::cli::add_send(app, run);
    dicomkit::cli::add_receive(app, run);
    dicomkit::cli::add_serve(app, run);
    dicomkit::cli::add_find(app, run);
    dicomkit::cli::add_move(app, run);
    dicomkit::cli::add_get(app, run);
    dicomkit::cli::add_render(app, run);
    dicomkit::cli::add_anonymize(app, run);
    dicomkit::cli::add_modify(app, run);
    dicomkit::cli::add_worklist(app, run);
    dicomkit::cli::add_hl7(app, run);
    dicomkit::cli::add_mpps(app, run);
    dicomkit::cli::add_commit(app, run);
    dicomkit::cli::add_rt(app, run);
    dicomkit::cli::add_dicomdir(app, run);
    dicomkit::cli::add_validate(app, run);
    dicomkit::cli::rewrite_dcmtk_flags(argc, argv);
    dicomkit::cli::rewrite_modify_flags(argc, argv);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (auto r = dicomkit::cli::apply_log_settings(dicomkit::log::Level::Info, dicomkit::log::Format::Text, {});
        !r) {
        std::fprintf(stderr, "E: %s\n", r.error().message.c_str());
        return 2;
    }
    return run ? run() : 2;
}
