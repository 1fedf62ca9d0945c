// WADO-RS (PS3.18 10.4): instances, metadata, frames, bulk data, rendered and thumbnail
// resources at study, series and instance level; WADO-URI (PS3.18 9) at /wado.
#include <algorithm>
#include <cstdio>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>
#include <dicomkit/pixel/render/writers.hpp>
#include <dicomkit/pixel/transcode.hpp>
#include <dicomkit/server/web/wado_support.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::web {

namespace {


/// GET .../studies/{s}[/series/{se}[/instances/{i}]]: the instances as application/dicom parts,
/// in the stored transfer syntax when the Accept header allows it, else transcoded.
Response retrieve_instances(Request& req, WebContext& ctx, const InstanceKey& key) {
    auto items = locate(ctx, key);
    if (!items) return items.error();
    audit_retrieve(ctx, req, key, *items);
    auto choice = choose_dicom_syntax(req.header("Accept"), *items, *ctx.codecs);
    if (!choice) return choice.error();
    auto writer = std::make_shared<MultipartWriter>(random_boundary());
    Response r;
    r.set("Content-Type", multipart_content_type("application/dicom", writer->boundary(), choice->transfer_syntax));
    r.stream = [&ctx, items = std::move(*items), target = choice->transfer_syntax, writer](BodySink& out) -> Result<void> {
        for (const service::RetrieveItem& item : items) {
            auto part = instance_bytes(ctx, item, target);
            if (!part) return tl::unexpected(part.error());
            const std::string ts = target.empty() ? item.transfer_syntax : target;
            auto head = writer->begin_part("application/dicom; transfer-syntax=" + ts);
            if (!head) return tl::unexpected(head.error());
            if (auto w = out.write(*head); !w) return w;
            if (auto w = part->write_to(out); !w) return w;
        }
        return out.write(writer->close());
    };
    return r;
}

/// GET .../metadata: DICOM JSON of every instance, bulk data by BulkDataURI, streamed as one array.
Response retrieve_metadata(Request& req, WebContext& ctx, const InstanceKey& key) {
    auto items = locate(ctx, key);
    if (!items) return items.error();
    audit_retrieve(ctx, req, key, *items);
    if (auto ok = accepts_any(req.header("Accept"), {"application/dicom+json", "application/json"}); !ok)
        return ok.error();
    Response r;
    r.set("Content-Type", "application/dicom+json");
    const std::string base = base_url(req, ctx) + "/dicom-web";
    r.stream = [&ctx, items = std::move(*items), base](BodySink& out) -> Result<void> {
        if (auto w = out.write("["); !w) return w;
        bool first = true;
        for (const service::RetrieveItem& item : items) {
            auto json = instance_metadata(ctx, item, base);
            if (!json) return tl::unexpected(json.error());
            if (auto w = out.write(first ? "" : ","); !w) return w;
            first = false;
            if (auto w = out.write(*json); !w) return w;
        }
        return out.write("]");
    };
    return r;
}

Response retrieve_frames(Request& req, WebContext& ctx, const InstanceKey& key, std::string_view list) {
    auto numbers = parse_frame_list(list);
    if (!numbers) return Response::error(400, numbers.error().message);
    auto items = locate(ctx, key);
    if (!items) return items.error();
    audit_retrieve(ctx, req, key, *items);
    auto opened = open_instance(ctx, items->front());
    if (!opened) return opened.error();
    auto frames = pixel::FrameSet::open(opened->file);
    if (!frames) return Response::error(404, "no pixel data: " + frames.error().message);
    for (const std::uint32_t n : *numbers)
        if (n < 1 || n > frames->size())
            return Response::error(404, "frame " + std::to_string(n) + " asked for; the instance has " +
                                            std::to_string(frames->size()));
    auto choice = choose_frame_syntax(req.header("Accept"), frames->transfer_syntax(), *ctx.codecs);
    if (!choice) return choice.error();
    auto writer = std::make_shared<MultipartWriter>(random_boundary());
    Response r;
    r.set("Content-Type", multipart_content_type(choice->media_type, writer->boundary(), choice->transfer_syntax));
    auto shared = std::make_shared<OpenedInstance>(std::move(*opened));
    auto set = std::make_shared<pixel::FrameSet>(std::move(*frames));
    r.stream = [&ctx, shared, set, numbers = std::move(*numbers), choice = std::move(*choice),
                writer](BodySink& out) -> Result<void> {
        for (const std::uint32_t n : numbers) {
            auto bytes = choice.as_stored ? set->stored(n - 1) : set->decoded(n - 1, *ctx.codecs);
            if (!bytes) return tl::unexpected(bytes.error());
            if (auto w = write_part(out, *writer, choice.part_content_type, *bytes); !w) return w;
        }
        return out.write(writer->close());
    };
    return r;
}

/// rendered and thumbnail: one frame through the display pipeline. For a study or series, the
/// instance in the middle of it that has an image (presentation states, reports... have none).
Response rendered(Request& req, WebContext& ctx, const InstanceKey& key, std::optional<std::uint32_t> frame,
                  bool thumbnail) {
    auto items = locate(ctx, key);
    if (!items) return items.error();
    if (!thumbnail) audit_retrieve(ctx, req, key, *items);
    auto params = parse_query(req.query);
    if (!params) return Response::error(400, params.error().message);
    RenderRequest rr;
    rr.thumbnail = thumbnail;
    if (auto ok = rr.read(*params, req.header("Accept")); !ok)
        return Response::error(ok.error().code == ErrorCode::Unsupported ? 406 : 400, ok.error().message);
    std::vector<std::size_t> order;
    const std::size_t n = items->size(), mid = n / 2;
    for (std::size_t d = 0; order.size() < n && d <= n; ++d) {
        if (mid + d < n) order.push_back(mid + d);
        if (d > 0 && d <= mid) order.push_back(mid - d);
    }
    Error last(ErrorCode::NotFound, "nothing to render");
    for (std::size_t k = 0; k < order.size() && k < 64; ++k) {
        auto opened = open_instance(ctx, (*items)[order[k]]);
        if (!opened) return opened.error();
        auto image = render_instance(ctx, *opened, frame, rr);
        if (image) {
            Response r;
            r.set("Content-Type", rr.png ? "image/png" : "image/jpeg");
            r.body.assign(image->begin(), image->end());
            return r;
        }
        last = image.error();
        if (!key.instance.empty() || last.code != ErrorCode::NotFound) break;
    }
    return Response::error(last.code == ErrorCode::NotFound ? 404 : 422, last.message);
}

InstanceKey key_of(const Request& req) {
    InstanceKey k;
    if (req.params.size() > 0) k.study = req.params[0];
    if (req.params.size() > 1) k.series = req.params[1];
    if (req.params.size() > 2) k.instance = req.params[2];
    return k;
}

/// WADO-URI (PS3.18 9): /wado?requestType=WADO&studyUID=..&seriesUID=..&objectUID=..
Response wado_uri(Request& req, WebContext& ctx) {
    auto params = parse_query(req.query);
    if (!params) return Response::error(400, params.error().message);
    InstanceKey key;
    std::string request_type, content_type, ts;
    std::vector<std::pair<std::string, std::string>> render_params;
    for (auto& [k, v] : *params) {
        if (k == "requestType") request_type = v;
        else if (k == "studyUID") key.study = v;
        else if (k == "seriesUID") key.series = v;
        else if (k == "objectUID") key.instance = v;
        else if (k == "contentType") content_type = v;
        else if (k == "transferSyntax") ts = v;
        else render_params.emplace_back(k, v);
    }
    if (request_type != "WADO") return Response::error(400, "requestType must be WADO");
    if (key.study.empty() || key.series.empty() || key.instance.empty())
        return Response::error(400, "studyUID, seriesUID and objectUID are required");
    auto items = locate(ctx, key);
    if (!items) return items.error();
    audit_retrieve(ctx, req, key, *items);
    // contentType may list several types, the first one this server makes wins.
    std::string chosen = "image/jpeg";
    if (!content_type.empty()) {
        chosen.clear();
        std::string_view list = content_type;
        while (!list.empty() && chosen.empty()) {
            const auto comma = list.find(',');
            std::string_view t = list.substr(0, comma);
            while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
            if (const auto semi = t.find(';'); semi != std::string_view::npos) t = t.substr(0, semi);
            if (t == "application/dicom" || t == "image/jpeg" || t == "image/png" || t == "image/*" || t == "*/*")
                chosen = t == "image/*" || t == "*/*" ? "image/jpeg" : std::string(t);
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
        if (chosen.empty()) return Response::error(406, "contentType " + content_type + " is not one this server makes");
    }
    if (chosen == "application/dicom") {
        // "*" (as dicomweb-client's buildInstanceWadoURIUrl always asks): as stored, like an absent one.
        std::string target = ts == "*" ? std::string() : ts;
        if (!target.empty() && !pixel::find_syntax(target))
            return Response::error(406, "unknown transferSyntax " + target);
        auto bytes = instance_bytes(ctx, items->front(), target);
        if (!bytes)
            return Response::error(bytes.error().code == ErrorCode::Unsupported ? 406 : 500, bytes.error().message);
        Response r;
        r.set("Content-Type", "application/dicom");
        struct Collect final : BodySink {
            std::string out;
            Result<void> write(std::string_view b) override {
                out.append(b);
                return {};
            }
        } collect;
        if (auto w = bytes->write_to(collect); !w) return Response::error(500, w.error().message);
        r.body = std::move(collect.out);
        return r;
    }
    RenderRequest rr;
    if (auto ok = rr.read_wado_uri(render_params, chosen); !ok) return Response::error(400, ok.error().message);
    auto opened = open_instance(ctx, items->front());
    if (!opened) return opened.error();
    std::optional<std::uint32_t> frame;
    if (rr.frame_number) frame = rr.frame_number;
    auto image = render_instance(ctx, *opened, frame, rr);
    if (!image) return Response::error(image.error().code == ErrorCode::NotFound ? 404 : 422, image.error().message);
    Response r;
    r.set("Content-Type", chosen);
    r.body.assign(image->begin(), image->end());
    return r;
}

}  // namespace

void add_wado_routes(Router& router, WebContext& ctx) {
    WebContext* c = &ctx;
    const std::string s = "/dicom-web/studies/{study}";
    const std::string se = s + "/series/{series}";
    const std::string i = se + "/instances/{instance}";
    for (const std::string& base : {s, se, i}) {
        router.add("GET", base, Role::Read, [c](Request& r) { return retrieve_instances(r, *c, key_of(r)); });
        router.add("GET", base + "/metadata", Role::Read, [c](Request& r) { return retrieve_metadata(r, *c, key_of(r)); });
        router.add("GET", base + "/rendered", Role::Read,
                   [c](Request& r) { return rendered(r, *c, key_of(r), std::nullopt, false); });
        router.add("GET", base + "/thumbnail", Role::Read,
                   [c](Request& r) { return rendered(r, *c, key_of(r), std::nullopt, true); });
    }
    router.add("GET", i + "/frames/{frames}", Role::Read, [c](Request& r) {
        const std::string list = r.params.back();
        r.params.pop_back();
        return retrieve_frames(r, *c, key_of(r), list);
    });
    for (const std::string_view kind : {"rendered", "thumbnail"})
        router.add("GET", i + "/frames/{frame}/" + std::string(kind), Role::Read, [c, kind](Request& r) {
            const std::string n = r.params.back();
            r.params.pop_back();
            auto numbers = parse_frame_list(n);
            if (!numbers || numbers->size() != 1) return Response::error(400, "one frame number expected: " + n);
            return rendered(r, *c, key_of(r), numbers->front(), kind == "thumbnail");
        });
    router.add("GET", i + "/bulkdata/{*}", Role::Read, [c](Request& r) {
        const std::string path = r.params.back();
        r.params.pop_back();
        return retrieve_bulkdata(r, *c, key_of(r), path);
    });
    router.add("GET", "/wado", Role::Read, [c](Request& r) { return wado_uri(r, *c); });
}

}  // namespace dicomkit::server::web
