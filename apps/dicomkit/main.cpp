// dicomkit: one binary, one subcommand per task (dump, convert, ...).
#include <cstdio>

#include "commands.hpp"
#include "net_common.hpp"

int main(int argc, char** argv) {
    CLI::App app{"dicomkit: read, write, send, store and serve DICOM"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "dicomkit 0.1.0");
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
    dicomkit::cli::rewrite_dcmtk_flags(argc, argv);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return run ? run() : 2;
}
