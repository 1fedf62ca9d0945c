// The process's logger: levels, ISO-8601 UTC timestamps, text or JSON lines, stderr or a file.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <dicomkit/base/error.hpp>

namespace dicomkit::log {

enum class Level { Trace, Debug, Info, Warn, Error };

/// Text: `2026-12-05T08:00:00.123Z I: message`. Json: one object a line, {"time", "level",
/// "message", then the record's fields}, for log shippers.
enum class Format { Text, Json };

/// Where a record goes when the logger writes to the standard streams: diagnostics to stderr,
/// events (serve's line per request and association) to stdout. With a log file, both go there.
enum class Stream { Diagnostic, Event };

/// Named values of an event (calling AE, command, status ...): JSON members after the message.
using Fields = std::vector<std::pair<std::string, std::string>>;

struct Record {
    std::chrono::system_clock::time_point time;
    Level level = Level::Info;
    std::string_view message;
    const Fields* fields = nullptr;
};

/// A value that came from outside (a peer's AE title or UID, a file's attribute) made safe for a
/// log line: printable ASCII is kept, a backslash is doubled, and every other byte (control
/// characters such as CR and LF, NUL, bytes of non-ASCII text) becomes \xNN, so that it can
/// neither forge a line nor hide in one. Longer than `max` bytes: cut, with "..." and the length.
[[nodiscard]] std::string printable(std::string_view value, std::size_t max = 256);

/// ISO 8601 in UTC with milliseconds: "2026-12-05T08:00:00.123Z".
[[nodiscard]] std::string timestamp(std::chrono::system_clock::time_point t);
/// A JSON string literal (RFC 8259 7) of UTF-8 text, quotes included: quote, backslash and
/// control characters escaped, non-ASCII as \uXXXX (surrogate pairs above U+FFFF), a byte that
/// is not UTF-8 as \uFFFD; the line stays ASCII whatever the text.
[[nodiscard]] std::string json_string(std::string_view text);
/// The line (without its newline) a record becomes in a format.
[[nodiscard]] std::string format(const Record& r, Format f);

[[nodiscard]] std::string_view to_string(Level level) noexcept;
/// "debug", "info", "warn" (or "warning"), "error" (and "trace").
[[nodiscard]] Result<Level> parse_level(std::string_view s);
/// "text" or "json".
[[nodiscard]] Result<Format> parse_format(std::string_view s);

void set_level(Level level);
void set_format(Format f);
[[nodiscard]] bool enabled(Level level) noexcept;
/// Appends every record to the file at `path` (created 0644 when missing) instead of the
/// standard streams; an empty path goes back to them.
[[nodiscard]] Result<void> set_file(const std::string& path);
/// Opens the log file again by its name (after logrotate moved it: SIGHUP); nothing without one.
[[nodiscard]] Result<void> reopen();

void write(Level level, std::string_view message, const Fields& fields = {},
           Stream stream = Stream::Diagnostic);

template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::Info)) write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::Warn)) write(Level::Warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::Error)) write(Level::Error, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::Debug)) write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace dicomkit::log
