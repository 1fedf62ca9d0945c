// The logger's formats and its sink (stderr/stdout or an append-only file, reopened on demand).
#include <dicomkit/base/log.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

namespace dicomkit::log {

namespace {

std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::atomic<int> g_format{static_cast<int>(Format::Text)};
std::mutex g_mutex;
std::string g_path;       // the log file, empty: the standard streams
std::FILE* g_file = nullptr;

const char* letter(Level l) {
    switch (l) {
        case Level::Trace: return "T";
        case Level::Debug: return "D";
        case Level::Info: return "I";
        case Level::Warn: return "W";
        case Level::Error: return "E";
    }
    return "?";
}

/// The code point of the UTF-8 sequence at s[i], advancing i; -1 (one byte consumed) when the
/// bytes there are not a shortest-form UTF-8 scalar value.
long next_code_point(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int n = 0;  // continuation bytes
    if (b0 >= 0xc2 && b0 <= 0xdf) n = 1;
    else if (b0 >= 0xe0 && b0 <= 0xef) n = 2;
    else if (b0 >= 0xf0 && b0 <= 0xf4) n = 3;
    if (n == 0 || i + static_cast<std::size_t>(n) >= s.size()) {
        ++i;
        return -1;
    }
    long cp = b0 & (n == 1 ? 0x1f : n == 2 ? 0x0f : 0x07);
    for (int k = 1; k <= n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((b & 0xc0) != 0x80) {
            ++i;
            return -1;
        }
        cp = (cp << 6) | (b & 0x3f);
    }
    const long min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        ++i;
        return -1;
    }
    i += static_cast<std::size_t>(n) + 1;
    return cp;
}

void put_u(std::string& out, long u) { out += fmt::format("\\u{:04x}", u); }

void emit(std::FILE* f, const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), f);
    std::fputc('\n', f);
    std::fflush(f);
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

std::string timestamp(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
    return buf;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    out.reserve(s.size() + 2);
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                default:
                    if (c < 0x20 || c == 0x7f) put_u(out, c);
                    else out += static_cast<char>(c);
            }
            continue;
        }
        const long cp = next_code_point(s, i);
        if (cp < 0) {
            put_u(out, 0xfffd);
        } else if (cp > 0xffff) {
            const long v = cp - 0x10000;
            put_u(out, 0xd800 + (v >> 10));
            put_u(out, 0xdc00 + (v & 0x3ff));
        } else {
            put_u(out, cp);
        }
    }
    return out + "\"";
}

std::string_view to_string(Level level) noexcept {
    switch (level) {
        case Level::Trace: return "trace";
        case Level::Debug: return "debug";
        case Level::Info: return "info";
        case Level::Warn: return "warn";
        case Level::Error: return "error";
    }
    return "?";
}

std::string format(const Record& r, Format f) {
    if (f == Format::Text) return timestamp(r.time) + " " + letter(r.level) + ": " + std::string(r.message);
    std::string line = "{\"time\":" + json_string(timestamp(r.time)) + ",\"level\":" +
                       json_string(to_string(r.level)) + ",\"message\":" + json_string(r.message);
    if (r.fields) {
        for (const auto& [k, v] : *r.fields) {
            if (k == "time" || k == "level" || k == "message") continue;
            line += "," + json_string(k) + ":" + json_string(v);
        }
    }
    return line + "}";
}

Result<Level> parse_level(std::string_view s) {
    if (s == "trace") return Level::Trace;
    if (s == "debug") return Level::Debug;
    if (s == "info") return Level::Info;
    if (s == "warn" || s == "warning") return Level::Warn;
    if (s == "error") return Level::Error;
    return make_error(ErrorCode::InvalidValue,
                      "log level \"" + printable(s, 32) + "\": expected debug, info, warn or error");
}

Result<Format> parse_format(std::string_view s) {
    if (s == "text") return Format::Text;
    if (s == "json") return Format::Json;
    return make_error(ErrorCode::InvalidValue, "log format \"" + printable(s, 32) + "\": expected text or json");
}

void set_level(Level level) { g_level = static_cast<int>(level); }
void set_format(Format f) { g_format = static_cast<int>(f); }
bool enabled(Level level) noexcept { return static_cast<int>(level) >= g_level.load(); }

namespace {
Result<std::FILE*> open_log(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "a");
    if (!f) return make_error(ErrorCode::IoError, "log file " + path + ": " + std::strerror(errno));
    return f;
}
}  // namespace

Result<void> set_file(const std::string& path) {
    std::FILE* f = nullptr;
    if (!path.empty()) {
        auto o = open_log(path);
        if (!o) return tl::unexpected(o.error());
        f = *o;
    }
    std::lock_guard lock(g_mutex);
    if (g_file) std::fclose(g_file);
    g_file = f;
    g_path = path;
    return {};
}

Result<void> reopen() {
    std::string path;
    {
        std::lock_guard lock(g_mutex);
        path = g_path;
    }
    if (path.empty()) return {};
    auto o = open_log(path);
    if (!o) return tl::unexpected(o.error());
    std::lock_guard lock(g_mutex);
    if (g_file) std::fclose(g_file);
    g_file = *o;
    return {};
}

void write(Level level, std::string_view message, const Fields& fields, Stream stream) {
    if (!enabled(level)) return;
    const Record r{std::chrono::system_clock::now(), level, message, &fields};
    const std::string line = format(r, static_cast<Format>(g_format.load()));
    std::lock_guard lock(g_mutex);
    emit(g_file ? g_file : stream == Stream::Event ? stdout : stderr, line);
}

}  // namespace dicomkit::log
