// Writes the page's files as compiled into dicomkit (server/web/ui_files) to a folder, with a
// MANIFEST.tsv of path, media type and entity tag, so that the browser test's stand-in server
// serves exactly those bytes.
// usage: dk_ui_export OUT_DIR
#include <cstdio>
#include <dicomkit/server/web/ui_files.hpp>
#include <filesystem>
#include <fstream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: dk_ui_export OUT_DIR\n");
        return 2;
    }
    namespace fs = std::filesystem;
    const fs::path out = argv[1];
    std::error_code ec;
    fs::create_directories(out, ec);
    std::ofstream manifest(out / "MANIFEST.tsv");
    for (const auto& f : dicomkit::server::web::static_files()) {
        const fs::path file = out / fs::path(std::string(f.path.substr(1)));  // "/ui/x" -> OUT/ui/x
        fs::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary)
            .write(f.body.data(), static_cast<std::streamsize>(f.body.size()));
        manifest << f.path << '\t' << f.content_type << '\t' << f.etag << '\n';
    }
    return manifest ? 0 : 1;
}
