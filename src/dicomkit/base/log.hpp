// Logging facade: one process-wide sink (the only mutable global), levels, fmt-style messages.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace dicomkit::log {

enum class Level { Trace, Debug, Info, Warn, Error };

using Sink = std::function<void(Level, std::string_view)>;

/// A value that came from outside (a peer's AE title or UID, a file's attribute) made safe for a
/// log line: printable ASCII is kept, a backslash is doubled, and every other byte (control
/// characters such as CR and LF, NUL, bytes of non-ASCII text) becomes \xNN, so that it can
/// neither forge a line nor hide in one. Longer than `max` bytes: cut, with "..." and the length.
[[nodiscard]] std::string printable(std::string_view value, std::size_t max = 256);

/// Replaces the sink (default: stderr, level Info and above).
void set_sink(Sink sink);
void set_level(Level level);
[[nodiscard]] bool enabled(Level level) noexcept;
void write(Level level, std::string_view message);

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
