// The page's files compiled into the binary: all of ui/, their media types and entity tags, and no
// reference to another site in any of them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <dicomkit/server/web/ui_files.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace web = dicomkit::server::web;
namespace fs = std::filesystem;

namespace {

const fs::path kUi = fs::path(DICOMKIT_SOURCE_DIR) / "ui";

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return out;
}

const web::StaticFile& get(std::string_view path) {
    const auto* f = web::find_static(path);
    if (!f) throw std::runtime_error("no file " + std::string(path));
    return *f;
}

}  // namespace

TEST(UiFiles, EveryFileOfUiIsServedWithItsBytes) {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(kUi)) {
        if (!e.is_regular_file() || e.path().filename().string().starts_with(".")) continue;
        auto path = "/ui/" + fs::relative(e.path(), kUi).generic_string();
        const auto* f = web::find_static(path);
        ASSERT_NE(f, nullptr) << path;
        EXPECT_EQ(f->body, read(e.path())) << path;
        ++n;
    }
    EXPECT_EQ(n, web::static_files().size());
    for (auto name : {"/ui/index.html", "/ui/app.js", "/ui/app.css", "/ui/api.js",
                      "/ui/viewer.html", "/ui/viewer.js"})
        EXPECT_NE(web::find_static(name), nullptr) << name;
}

TEST(UiFiles, MediaTypesByExtension) {
    EXPECT_EQ(get("/ui/index.html").content_type, "text/html; charset=utf-8");
    EXPECT_EQ(get("/ui/app.js").content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(get("/ui/app.css").content_type, "text/css; charset=utf-8");
    EXPECT_EQ(web::content_type_for("/ui/x.PNG"), "image/png");
    EXPECT_EQ(web::content_type_for("a.svg"), "image/svg+xml");
    EXPECT_EQ(web::content_type_for("/ui/js.data"), "application/octet-stream");
    EXPECT_EQ(web::content_type_for("/ui/noext"), "application/octet-stream");
    for (const auto& f : web::static_files())
        EXPECT_NE(f.content_type, "application/octet-stream") << f.path;
}

TEST(UiFiles, IndexAliasesAndRefusedPaths) {
    const auto* index = web::find_static("/ui/index.html");
    ASSERT_NE(index, nullptr);
    EXPECT_EQ(web::find_static("/"), index);
    EXPECT_EQ(web::find_static("/index.html"), index);
    EXPECT_EQ(web::find_static("/ui/"), index);
    EXPECT_EQ(web::find_static("/ui/missing.js"), nullptr);
    EXPECT_EQ(web::find_static("/app.js"), nullptr);
    EXPECT_EQ(web::find_static("/ui/../ui/app.js"), nullptr);
    EXPECT_EQ(web::find_static("/ui//app.js"), nullptr);
    EXPECT_EQ(web::find_static("/ui\\app.js"), nullptr);
    EXPECT_EQ(web::find_static(""), nullptr);
    EXPECT_NE(index->body.find("<!doctype html>"), std::string_view::npos);
}

TEST(UiFiles, EntityTagsAreQuotedAndFollowTheBytes) {
    std::set<std::string_view> tags;
    for (const auto& f : web::static_files()) {
        ASSERT_GE(f.etag.size(), 18u) << f.path;
        EXPECT_EQ(f.etag.front(), '"');
        EXPECT_EQ(f.etag.back(), '"');
        EXPECT_EQ(f.etag.find_first_not_of("0123456789abcdef", 1), f.etag.size() - 1) << f.etag;
        tags.insert(f.etag);
    }
    EXPECT_EQ(tags.size(), web::static_files().size()) << "two files share an entity tag";
}

// The page must work offline from the server alone: no URL of another site anywhere, not even in
// a comment, and every reference in the HTML and every module import is a file of ui/.
TEST(UiFiles, NoExternalUrls) {
    for (const auto& f : web::static_files()) {
        auto body = lower(f.body);
        EXPECT_EQ(body.find("http://"), std::string::npos) << f.path;
        EXPECT_EQ(body.find("https://"), std::string::npos) << f.path;
        if (f.path.ends_with(".css")) {
            EXPECT_EQ(body.find("url("), std::string::npos)
                << f.path << ": no fonts or images from CSS";
            EXPECT_EQ(body.find("@import"), std::string::npos) << f.path;
        }
    }
}

TEST(UiFiles, HtmlReferencesAreFilesOfThePage) {
    const std::regex attr(R"re((src|href)\s*=\s*"([^"]*)")re", std::regex::icase);
    std::size_t checked = 0;
    for (const auto& f : web::static_files()) {
        if (!f.path.ends_with(".html")) continue;
        std::string body(f.body);
        for (auto it = std::sregex_iterator(body.begin(), body.end(), attr);
             it != std::sregex_iterator(); ++it) {
            auto url = (*it)[2].str();
            if (url == "data:," || url == "/" || url.starts_with("#"))
                continue;  // empty icon, the page, anchors
            ASSERT_TRUE(url.starts_with("/ui/")) << f.path << ": " << url;
            EXPECT_NE(web::find_static(url), nullptr) << f.path << ": " << url;
            ++checked;
        }
    }
    EXPECT_GE(checked, 4u);  // the style sheet and the script of each page
}

TEST(UiFiles, ModuleImportsAreFilesOfThePage) {
    const std::regex import(R"re(\bfrom\s+'([^']*)')re");
    std::size_t checked = 0;
    for (const auto& f : web::static_files()) {
        if (!f.path.ends_with(".js")) continue;
        std::string body(f.body);
        for (auto it = std::sregex_iterator(body.begin(), body.end(), import);
             it != std::sregex_iterator(); ++it) {
            auto spec = (*it)[1].str();
            ASSERT_TRUE(spec.starts_with("./")) << f.path << ": " << spec;
            EXPECT_NE(web::find_static("/ui/" + spec.substr(2)), nullptr) << f.path << ": " << spec;
            ++checked;
        }
    }
    EXPECT_GE(checked, 5u);
}
