// The logger's command-line options, shared by every subcommand: --log-level, --log-format, --log-file.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include <dicomkit/base/error.hpp>
#include <dicomkit/base/log.hpp>

namespace dicomkit::cli {

/// What the flags said; empty: not given.
struct LogFlags {
    std::string level, format, file;
};

/// The process's flags (filled by CLI11).
[[nodiscard]] LogFlags& log_flags();

/// Adds the options to the top-level app; subcommands take them too (fallthrough).
void add_log_options(CLI::App& app);

/// Sets the logger from `base` (serve's [log] section, or the defaults) with the flags over it.
[[nodiscard]] Result<void> apply_log_settings(log::Level level, log::Format format, std::string file);

}  // namespace dicomkit::cli
