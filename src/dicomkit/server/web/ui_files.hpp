// The web page's files (ui/ in the source tree), compiled into the binary at build time.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace dicomkit::server::web {

/// One file of the page as served: its URL path, media type, bytes and entity tag.
struct StaticFile {
    std::string_view path;          ///< "/ui/app.js": ui/X is served as /ui/X
    std::string_view content_type;  ///< by extension, text types with "; charset=utf-8"
    std::string_view body;
    std::string_view etag;  ///< a strong entity tag (RFC 9110 8.8.3), quotes included
};

/// The file served at `path` (no query string): "/ui/X" for ui/X; "/", "/index.html" and "/ui/"
/// are ui/index.html. nullptr when there is none. Paths with "..", "//", or a backslash never
/// match.
[[nodiscard]] const StaticFile* find_static(std::string_view path) noexcept;

/// Every file, sorted by path (index.html once, under /ui/index.html).
[[nodiscard]] std::span<const StaticFile> static_files() noexcept;

/// The media type for a file name by its extension; "application/octet-stream" when unknown.
[[nodiscard]] std::string_view content_type_for(std::string_view path) noexcept;

namespace detail {
/// What the generated source (embed_ui.cmake) provides.
struct EmbeddedFile {
    const char* path;
    const unsigned char* data;
    std::size_t size;
    const char* etag;
};
extern const EmbeddedFile embedded_files[];
extern const std::size_t embedded_file_count;
}  // namespace detail

}  // namespace dicomkit::server::web
