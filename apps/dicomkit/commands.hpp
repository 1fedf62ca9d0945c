// The subcommands of the dicomkit binary: each registers its options on the CLI11 app.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace dicomkit::cli {

/// Registers a subcommand; `run` is set to its action, which returns the process exit code.
using Action = std::function<int()>;

void add_dump(CLI::App& app, Action& run);
void add_convert(CLI::App& app, Action& run);
void add_echo(CLI::App& app, Action& run);
void add_send(CLI::App& app, Action& run);
void add_receive(CLI::App& app, Action& run);
void add_serve(CLI::App& app, Action& run);
void add_find(CLI::App& app, Action& run);
void add_move(CLI::App& app, Action& run);
void add_get(CLI::App& app, Action& run);
void add_render(CLI::App& app, Action& run);
void add_anonymize(CLI::App& app, Action& run);
void add_modify(CLI::App& app, Action& run);
void add_worklist(CLI::App& app, Action& run);
void add_hl7(CLI::App& app, Action& run);
void add_mpps(CLI::App& app, Action& run);
void add_commit(CLI::App& app, Action& run);
void add_rt(CLI::App& app, Action& run);
void add_dicomdir(CLI::App& app, Action& run);
void add_validate(CLI::App& app, Action& run);
/// Rewrites dcmodify's multi-letter flags (-ea, -ep, -imt, -nb) after `modify` to their long names.
void rewrite_modify_flags(int argc, char** argv);

}  // namespace dicomkit::cli
