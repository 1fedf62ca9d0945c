// The table of the page's files over the generated data, lookups by path.
#include <algorithm>
#include <array>
#include <dicomkit/server/web/ui_files.hpp>
#include <vector>

namespace dicomkit::server::web {

namespace {

struct Extension {
    std::string_view ext, type;
};
constexpr std::array<Extension, 14> kTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
}};

bool ends_with_nocase(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    return std::equal(suffix.begin(), suffix.end(),
                      s.end() - static_cast<std::ptrdiff_t>(suffix.size()), [](char a, char b) {
                          return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
                      });
}

const std::vector<StaticFile>& table() {
    static const std::vector<StaticFile> files = [] {
        std::vector<StaticFile> v;
        v.reserve(detail::embedded_file_count);
        for (std::size_t i = 0; i < detail::embedded_file_count; ++i) {
            const auto& f = detail::embedded_files[i];
            std::string_view path{f.path};
            v.push_back({path, content_type_for(path),
                         std::string_view{reinterpret_cast<const char*>(f.data), f.size},
                         std::string_view{f.etag}});
        }
        std::sort(v.begin(), v.end(),
                  [](const StaticFile& a, const StaticFile& b) { return a.path < b.path; });
        return v;
    }();
    return files;
}

}  // namespace

std::string_view content_type_for(std::string_view path) noexcept {
    auto slash = path.rfind('/');
    auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    for (const auto& t : kTypes)
        if (ends_with_nocase(name, t.ext)) return t.type;
    return "application/octet-stream";
}

std::span<const StaticFile> static_files() noexcept { return table(); }

const StaticFile* find_static(std::string_view path) noexcept {
    if (path == "/" || path == "/index.html" || path == "/ui" || path == "/ui/")
        path = "/ui/index.html";
    if (!path.starts_with("/ui/") || path.find("..") != std::string_view::npos ||
        path.find("//") != std::string_view::npos || path.find('\\') != std::string_view::npos)
        return nullptr;
    const auto& files = table();
    auto it = std::lower_bound(files.begin(), files.end(), path,
                               [](const StaticFile& f, std::string_view p) { return f.path < p; });
    return it != files.end() && it->path == path ? &*it : nullptr;
}

}  // namespace dicomkit::server::web
