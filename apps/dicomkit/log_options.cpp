// --log-level, --log-format, --log-file: parsed once, applied over a default or serve's [log].
#include "log_options.hpp"

namespace dicomkit::cli {

LogFlags& log_flags() {
    static LogFlags flags;
    return flags;
}

void add_log_options(CLI::App& app) {
    LogFlags& f = log_flags();
    app.add_option("--log-level", f.level, "Log records at this level and above: debug, info (default), warn, error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
    app.add_option("--log-format", f.format,
                   "Log lines as text (\"2026-12-05T08:00:00.123Z I: ...\", the default) or json (one object a "
                   "line: time, level, message and the event's fields)")
        ->check(CLI::IsMember({"text", "json"}));
    app.add_option("--log-file", f.file,
                   "Append log lines to this file instead of stderr (serve: and its event lines instead of "
                   "stdout; reopened on SIGHUP)");
}

Result<void> apply_log_settings(log::Level level, log::Format format, std::string file) {
    const LogFlags& f = log_flags();
    if (!f.level.empty()) {
        auto l = log::parse_level(f.level);
        if (!l) return tl::unexpected(l.error());
        level = *l;
    }
    if (!f.format.empty()) {
        auto fm = log::parse_format(f.format);
        if (!fm) return tl::unexpected(fm.error());
        format = *fm;
    }
    if (!f.file.empty()) file = f.file;
    log::set_level(level);
    log::set_format(format);
    return log::set_file(file);
}

}  // namespace dicomkit::cli
