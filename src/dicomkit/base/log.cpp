// Default stderr sink.
#include <dicomkit/base/log.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>

namespace dicomkit::log {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::mutex g_mutex;
Sink g_sink;

const char* name(Level l) {
    switch (l) {
        case Level::Trace: return "T";
        case Level::Debug: return "D";
        case Level::Info: return "I";
        case Level::Warn: return "W";
        case Level::Error: return "E";
    }
    return "?";
}
}  // namespace

std::string printable(std::string_view value, std::size_t max) {
    static constexpr char kHex[] = "0123456789abcdef";
    const std::size_t n = std::min(value.size(), max);
    std::string out;
    out.reserve(n + 8);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c == '\\') {
            out += "\\\\";
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    if (n < value.size()) out += "...(" + std::to_string(value.size()) + " bytes)";
    return out;
}

void set_sink(Sink sink) {
    std::lock_guard lock(g_mutex);
    g_sink = std::move(sink);
}

void set_level(Level level) { g_level = static_cast<int>(level); }

bool enabled(Level level) noexcept { return static_cast<int>(level) >= g_level.load(); }

void write(Level level, std::string_view message) {
    std::lock_guard lock(g_mutex);
    if (g_sink) {
        g_sink(level, message);
        return;
    }
    std::fprintf(stderr, "%s: %.*s\n", name(level), static_cast<int>(message.size()), message.data());
}

}  // namespace dicomkit::log
