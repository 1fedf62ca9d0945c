// serve's answers for the page's files (ui/, compiled in): the paths, media types, ETag and 304.
#include <gtest/gtest.h>

#include <dicomkit/server/web/static_routes.hpp>
#include <dicomkit/server/web/ui_files.hpp>

namespace web = dicomkit::server::web;

namespace {

web::Request get(std::string path, std::string if_none_match = {}) {
    web::Request r;
    r.method = "GET";
    r.target = r.path = std::move(path);
    if (!if_none_match.empty()) r.headers.push_back({"If-None-Match", std::move(if_none_match)});
    return r;
}

}  // namespace

TEST(UiResponse, PageAndAssets) {
    const auto* index = web::find_static("/ui/index.html");
    ASSERT_NE(index, nullptr);
    for (const char* path : {"/", "/index.html", "/login"}) {
        auto r = web::ui_response(get(path));
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->header("Content-Type"), "text/html; charset=utf-8");
        EXPECT_EQ(r->body, index->body) << path;
        EXPECT_EQ(r->header("ETag"), index->etag);
        EXPECT_EQ(r->header("Cache-Control"), "no-cache");
        EXPECT_NE(r->header("Content-Security-Policy").find("default-src 'self'"),
                  std::string_view::npos);
    }
    auto js = web::ui_response(get("/ui/viewer.js"));
    ASSERT_TRUE(js);
    EXPECT_EQ(js->header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js->body, web::find_static("/ui/viewer.js")->body);
    EXPECT_FALSE(web::ui_response(get("/ui/missing.js")));
    EXPECT_FALSE(web::ui_response(get("/dicom-web/studies")));
}

TEST(UiResponse, NotModifiedForAMatchingEntityTag) {
    const auto* css = web::find_static("/ui/app.css");
    ASSERT_NE(css, nullptr);
    const std::string etag(css->etag);
    for (const std::string& h : {etag, "W/" + etag, "\"x\", " + etag, std::string("*")}) {
        auto r = web::ui_response(get("/ui/app.css", h));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 304) << h;
        EXPECT_TRUE(r->body.empty());
        EXPECT_EQ(r->header("ETag"), etag);
    }
    auto changed = web::ui_response(get("/ui/app.css", "\"0123\""));
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, 200);
    EXPECT_EQ(changed->body, css->body);
}
