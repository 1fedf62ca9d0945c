#include <dicomkit/server/web/wado_support.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>
#include <dicomkit/pixel/render/writers.hpp>
#include <dicomkit/pixel/transcode.hpp>
#include <dicomkit/server/model/uid_check.hpp>
#include <dicomkit/server/web/accept.hpp>
#include <dicomkit/server/web/metadata_cache.hpp>
#include <dicomkit/server/web/multipart.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::web {

namespace {

constexpr std::string_view kExplicitLE = "1.2.840.10008.1.2.1";

Response service_failure(const service::ServiceError& e) {
    switch (e.kind) {
        case service::ErrorKind::BadIdentifier: return Response::error(400, e.message);
        case service::ErrorKind::NoSuchObject: return Response::error(404, e.message);
        case service::ErrorKind::NotAuthorized: return Response::error(403, e.message);
        case service::ErrorKind::Unsupported: return Response::error(501, e.message);
        default: return Response::error(503, e.message);
    }
}

/// The media type of a stored frame bitstream (PS3.18 Table 8.7.3-2/-3).
std::string_view frame_media_type(std::string_view ts) {
    if (ts == "1.2.840.10008.1.2.4.50" || ts == "1.2.840.10008.1.2.4.51" || ts == "1.2.840.10008.1.2.4.57" ||
        ts == "1.2.840.10008.1.2.4.70")
        return "image/jpeg";
    if (ts == "1.2.840.10008.1.2.4.80" || ts == "1.2.840.10008.1.2.4.81") return "image/jls";
    if (ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.91") return "image/jp2";
    if (ts == "1.2.840.10008.1.2.4.92" || ts == "1.2.840.10008.1.2.4.93") return "image/jpx";
    if (ts == "1.2.840.10008.1.2.4.201" || ts == "1.2.840.10008.1.2.4.202" || ts == "1.2.840.10008.1.2.4.203")
        return "image/jphc";
    if (ts == "1.2.840.10008.1.2.5") return "image/dicom-rle";
    if (ts == "1.2.840.10008.1.2.4.110" || ts == "1.2.840.10008.1.2.4.111" || ts == "1.2.840.10008.1.2.4.112")
        return "image/jxl";
    return "application/octet-stream";
}

/// The transfer-syntax parameter of a range ("" when none).
std::string ts_param(const MediaRange& r) {
    for (const auto& [k, v] : r.params)
        if (k == "transfer-syntax") return v;
    return {};
}

std::string type_param(const MediaRange& r) {
    for (const auto& [k, v] : r.params)
        if (k == "type") return v;
    return {};
}

/// The ranges of an Accept header, best first (q descending, order kept among equals); those with
/// q=0 come last: they accept nothing, but refuse what they name (refused()).
Answer<std::vector<MediaRange>> ranges_of(std::string_view accept) {
    auto parsed = parse_accept(accept);
    if (!parsed) return tl::unexpected(Response::error(400, "Accept: " + parsed.error().message));
    std::vector<MediaRange> out = std::move(*parsed);
    std::stable_sort(out.begin(), out.end(), [](const MediaRange& a, const MediaRange& b) { return a.q > b.q; });
    return out;
}

bool matches(const MediaRange& r, std::string_view type) {
    const auto slash = type.find('/');
    const std::string_view t = type.substr(0, slash), s = type.substr(slash + 1);
    if (r.type == "*") return true;
    if (!iequals(r.type, t)) return false;
    return r.subtype == "*" || iequals(r.subtype, s);
}

/// The part type a range asks for: multipart/related's type= parameter, or the range itself.
std::string part_type(const MediaRange& r) {
    if (iequals(r.type, "multipart") && iequals(r.subtype, "related")) {
        std::string t = type_param(r);
        return t.empty() ? std::string("*/*") : t;
    }
    return r.type + "/" + r.subtype;
}

/// Pre-registration names of frame media types still sent by clients (dicomweb-client asks for
/// image/x-dicom-rle and image/x-jls): taken as the names PS3.18 Table 8.7.3-2 gives.
std::string canonical_type(std::string type) {
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type == "image/x-dicom-rle") return "image/dicom-rle";
    if (type == "image/x-jls") return "image/jls";
    return type;
}

bool part_matches(const MediaRange& r, std::string_view type) {
    MediaRange p;
    const std::string pt = canonical_type(part_type(r));
    const auto slash = pt.find('/');
    p.type = pt.substr(0, slash);
    p.subtype = slash == std::string::npos ? "*" : pt.substr(slash + 1);
    return matches(p, type);
}

/// RFC 7231 5.3.2: the most specific range that matches a representation gives its weight, so
/// `image/jpeg;q=0, */*` refuses JPEG and leaves the rest to `*/*`. True when that range (the
/// highest q among equally specific ones) has q=0. `ts`: the representation's transfer syntax,
/// empty when it has none or is sent as stored.
bool refused(const std::vector<MediaRange>& all, std::string_view type, std::string_view ts) {
    int best = -1;
    double q = 0;
    for (const MediaRange& r : all) {
        if (!part_matches(r, type)) continue;
        const std::string rts = ts_param(r);
        const bool names_ts = !rts.empty() && rts != "*";
        if (names_ts && rts != ts) continue;
        const std::string pt = canonical_type(part_type(r));
        const auto slash = pt.find('/');
        int spec = names_ts ? 1 : 0;
        if (pt.substr(0, slash) != "*") ++spec;
        if (slash != std::string::npos && pt.substr(slash + 1) != "*") ++spec;
        if (spec > best || (spec == best && r.q > q)) {
            best = spec;
            q = r.q;
        }
    }
    return best >= 0 && q <= 0;
}

}  // namespace

Answer<std::vector<service::RetrieveItem>> locate(WebContext& ctx, const InstanceKey& key) {
    for (const std::string* uid : {&key.study, &key.series, &key.instance})
        if (!uid->empty() && model::uid_problem(*uid))
            return tl::unexpected(Response::error(400, "not a valid UID: " + json_quote(*uid).substr(0, 80)));
    DataSet id;
    const char* level = key.instance.empty() ? (key.series.empty() ? "STUDY" : "SERIES") : "IMAGE";
    id.set_string(Tag{0x0008, 0x0052}, VR::CS, level);
    id.set_string(Tag{0x0020, 0x000D}, VR::UI, key.study);
    if (!key.series.empty()) id.set_string(Tag{0x0020, 0x000E}, VR::UI, key.series);
    if (!key.instance.empty()) id.set_string(Tag{0x0008, 0x0018}, VR::UI, key.instance);
    auto items = ctx.retrieve->instances(model::Root::Study, id);
    if (!items) return tl::unexpected(service_failure(items.error()));
    std::erase_if(*items, [](const service::RetrieveItem& i) { return i.blob.empty(); });
    if (items->empty()) {
        const std::string_view what = !key.instance.empty() ? "instance" : !key.series.empty() ? "series" : "study";
        return tl::unexpected(Response::error(404, "no such " + std::string(what)));
    }
    return std::move(*items);
}

void audit_retrieve(WebContext& ctx, const Request& req, const InstanceKey& key,
                    const std::vector<service::RetrieveItem>& items) {
    if (!ctx.audit) return;
    AuditedRequest a;
    a.kind = AuditedRequest::Kind::Retrieve;
    a.user = req.user.value_or("");
    a.remote = req.remote;
    a.target = req.target;
    for (const auto& i : items) a.instances.push_back({key.study, i.sop_class_uid, i.sop_instance_uid});
    if (auto done = ctx.audit(a)) done(a);
}

Answer<OpenedInstance> open_instance(WebContext& ctx, const service::RetrieveItem& item, bool defer) {
    auto blob = ctx.blobs->open(item.blob);
    if (!blob) return tl::unexpected(Response::error(404, "the instance's file is gone: " + blob.error().message));
    io::ReadOptions ro;
    if (defer) ro.defer_larger_than = 64 * 1024;
    Result<io::DicomFile> file = make_error(ErrorCode::IoError, "unread");
    if (auto path = (*blob)->local_path()) {
        file = io::read_file(*path, ro);
    } else {
        auto bytes = (*blob)->read_all();
        if (!bytes) return tl::unexpected(Response::error(500, bytes.error().message));
        file = io::read_bytes(std::move(*bytes), ro, item.blob);
    }
    if (!file) return tl::unexpected(Response::error(500, "cannot read " + item.sop_instance_uid + ": " + file.error().to_string()));
    return OpenedInstance{std::move(*file), item};
}

Result<void> InstanceBytes::write_to(BodySink& out) {
    if (!blob_) return out.write(std::span<const std::uint8_t>(encoded_));
    constexpr std::uint64_t kPiece = 1 << 20;
    for (std::uint64_t at = 0; at < blob_->size(); at += kPiece) {
        auto piece = blob_->read_range(at, kPiece);
        if (!piece) return tl::unexpected(piece.error());
        if (auto w = out.write(std::span<const std::uint8_t>(*piece)); !w) return w;
    }
    return {};
}

Result<InstanceBytes> instance_bytes(WebContext& ctx, const service::RetrieveItem& item, const std::string& target) {
    if (target.empty() || target == item.transfer_syntax) {
        auto blob = ctx.blobs->open(item.blob);
        if (!blob) return tl::unexpected(blob.error());
        return InstanceBytes(std::move(*blob));
    }
    const io::TransferSyntax* to = pixel::find_syntax(target);
    if (!to) return make_error(ErrorCode::Unsupported, "unknown transfer syntax " + target);
    auto opened = open_instance(ctx, item, false);
    if (!opened) return make_error(ErrorCode::IoError, opened.error().body);
    io::DicomFile& f = opened->file;
    pixel::TranscodeOptions o;
    o.source = item.sop_instance_uid;
    if (auto r = pixel::transcode(f.dataset, f.transfer_syntax, *to, *ctx.codecs, o); !r)
        return make_error(ErrorCode::Unsupported, r.error().message);
    f.meta = io::make_meta(f.dataset, *to, &f.meta);
    io::FileWriteOptions wo;
    wo.transfer_syntax = to;
    auto bytes = io::encode_file(f, wo);
    if (!bytes) return tl::unexpected(bytes.error());
    return InstanceBytes(std::move(*bytes));
}

Answer<DicomChoice> choose_dicom_syntax(std::string_view accept, const std::vector<service::RetrieveItem>& items,
                                        const pixel::CodecRegistry& codecs) {
    auto ranges = ranges_of(accept.empty() ? "multipart/related; type=\"application/dicom\"" : accept);
    if (!ranges) return tl::unexpected(ranges.error());
    auto all_to = [&](std::string_view uid) {
        const io::TransferSyntax* to = pixel::find_syntax(uid);
        if (!to) return false;
        for (const auto& i : items) {
            if (i.transfer_syntax == uid) continue;
            const io::TransferSyntax* from = pixel::find_syntax(i.transfer_syntax);
            if (!from || !pixel::can_transcode(*from, *to, codecs)) return false;
            if (pixel::transcode_is_lossy(*to, codecs, {})) return false;
        }
        return true;
    };
    for (const MediaRange& r : *ranges) {
        if (r.q <= 0) break;
        if (!(iequals(r.type, "multipart") && iequals(r.subtype, "related")) && !matches(r, "application/dicom") &&
            !(r.type == "*"))
            continue;
        if (!part_matches(r, "application/dicom")) continue;
        const std::string ts = ts_param(r);
        if (ts == "*") {
            if (refused(*ranges, "application/dicom", "")) continue;
            return DicomChoice{""};
        }
        const std::string want = ts.empty() ? std::string(kExplicitLE) : ts;
        if (refused(*ranges, "application/dicom", want)) continue;
        if (all_to(want)) return DicomChoice{want};
    }
    return tl::unexpected(Response::error(406, "no representation the Accept header allows can be made: the instances "
                                               "cannot be converted to the transfer syntax asked for (ask with "
                                               "transfer-syntax=* to have them as stored)"));
}

Answer<FrameChoice> choose_frame_syntax(std::string_view accept, const io::TransferSyntax& stored,
                                        const pixel::CodecRegistry& codecs) {
    auto ranges = ranges_of(accept.empty() ? "multipart/related; type=\"application/octet-stream\"" : accept);
    if (!ranges) return tl::unexpected(ranges.error());
    const std::string stored_uid(stored.uid);
    const bool encapsulated = stored.encapsulated;
    const std::string_view stored_type = encapsulated ? frame_media_type(stored_uid) : "application/octet-stream";
    for (const MediaRange& r : *ranges) {
        if (r.q <= 0) break;
        const std::string ts = ts_param(r);
        // Uncompressed (decoded, little endian): octet-stream, with no transfer syntax or Explicit VR LE.
        if (part_matches(r, "application/octet-stream") && (ts.empty() || ts == kExplicitLE) &&
            !refused(*ranges, "application/octet-stream", kExplicitLE)) {
            if (!encapsulated || codecs.decoder(stored.uid)) {
                const bool native = !encapsulated;
                return FrameChoice{"application/octet-stream", std::string(kExplicitLE),
                                   "application/octet-stream; transfer-syntax=" + std::string(kExplicitLE), native};
            }
            continue;
        }
        // A compressed type named without transfer syntax: its default one (PS3.18 Table 8.7.3-5), or
        // what is stored when that is lossy (PS3.18 8.7.3: the server has the pixels in that form only).
        if (ts.empty() && encapsulated && canonical_type(part_type(r)) == stored_type &&
            (default_transfer_syntax(stored_type) == stored_uid || pixel::transcode_is_lossy(stored, codecs, {})) &&
            !refused(*ranges, stored_type, stored_uid))
            return FrameChoice{std::string(stored_type), stored_uid,
                               std::string(stored_type) + "; transfer-syntax=" + stored_uid, true};
        // As stored.
        if (ts == "*" || ts == stored_uid) {
            if (part_matches(r, stored_type) || part_matches(r, "application/octet-stream")) {
                const std::string type = part_matches(r, stored_type) && !(r.type == "*" || part_type(r) == "*/*")
                                             ? std::string(stored_type)
                                             : std::string(part_matches(r, "application/octet-stream") ? "application/octet-stream" : stored_type);
                if (refused(*ranges, type, stored_uid)) continue;
                return FrameChoice{type, stored_uid, type + "; transfer-syntax=" + stored_uid,
                                   true};
            }
        }
    }
    return tl::unexpected(Response::error(406, "the frames are stored as " + stored_uid +
                                               "; the Accept header allows neither that (transfer-syntax=*) nor "
                                               "uncompressed application/octet-stream"));
}

Answer<void> accepts_any(std::string_view accept, std::initializer_list<std::string_view> types) {
    if (accept.empty()) return {};
    auto ranges = ranges_of(accept);
    if (!ranges) return tl::unexpected(ranges.error());
    for (const MediaRange& r : *ranges) {
        if (r.q <= 0) break;
        for (const std::string_view t : types)
            if ((matches(r, t) || part_matches(r, t)) && !refused(*ranges, t, "")) return {};
    }
    return tl::unexpected(Response::error(406, "the Accept header allows none of the types this resource has"));
}

namespace {

/// Stands for the request's ".../dicom-web" in cached JSON: the same instance is asked for under
/// other host names (a proxy, localhost), and its BulkDataURIs follow the request.
constexpr std::string_view kBasePlaceholder = "dicomkit-base-3f9c1e7a:";

std::string with_base(const std::string& json, const std::string& base) {
    std::string out;
    out.reserve(json.size() + 256);
    std::size_t at = 0;
    for (std::size_t hit; (hit = json.find(kBasePlaceholder, at)) != std::string::npos;
         at = hit + kBasePlaceholder.size()) {
        out.append(json, at, hit - at);
        out += base;
    }
    out.append(json, at, std::string::npos);
    return out;
}

}  // namespace

Result<std::string> instance_metadata(WebContext& ctx, const service::RetrieveItem& item, const std::string& base) {
    // Cached by the file's identity (see MetadataCache), with the base URL put in at each request.
    std::optional<std::string> key;
    if (ctx.metadata_cache) {
        if (auto path = ctx.blobs->local_path(item.blob)) key = MetadataCache::key_of(*path);
        if (key)
            if (auto hit = ctx.metadata_cache->find(*key)) return with_base(*hit, base);
    }
    auto opened = open_instance(ctx, item);
    if (!opened) return make_error(ErrorCode::IoError, opened.error().body);
    const std::string prefix = std::string(kBasePlaceholder) + "/studies/" +
                               opened->file.dataset.string_or(Tag{0x0020, 0x000D}) + "/series/" +
                               opened->file.dataset.string_or(Tag{0x0020, 0x000E}) + "/instances/" +
                               item.sop_instance_uid + "/bulkdata/";
    json::JsonOptions jo;
    jo.lenient_charset = true;
    jo.bulk_data = json::refer_values_over(1024, prefix);
    auto json = json::to_json(opened->file.dataset, jo);
    if (!json) return json;
    std::string out = with_base(*json, base);
    if (key) ctx.metadata_cache->put(*key, std::move(*json));
    return out;
}

Result<std::vector<std::uint32_t>> parse_frame_list(std::string_view list) {
    std::vector<std::uint32_t> out;
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view n = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        std::uint64_t v = 0;
        if (n.empty() || n.size() > 9) return make_error(ErrorCode::InvalidArgument, "bad frame number list");
        for (const char c : n) {
            if (c < '0' || c > '9') return make_error(ErrorCode::InvalidArgument, "bad frame number '" + std::string(n) + "'");
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (v == 0) return make_error(ErrorCode::InvalidArgument, "frame numbers start at 1");
        out.push_back(static_cast<std::uint32_t>(v));
        if (out.size() > 100000) return make_error(ErrorCode::LimitExceeded, "too many frames asked for");
    }
    if (out.empty()) return make_error(ErrorCode::InvalidArgument, "no frame number");
    return out;
}

namespace {

Result<double> number(std::string_view name, std::string_view text) {
    std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
        return make_error(ErrorCode::InvalidArgument, std::string(name) + ": not a number: " + s.substr(0, 40));
    return v;
}

Result<std::uint32_t> dimension(std::string_view name, std::string_view text) {
    auto v = number(name, text);
    if (!v) return tl::unexpected(v.error());
    if (*v < 1 || *v > 8192) return make_error(ErrorCode::InvalidArgument, std::string(name) + " must be 1 to 8192");
    return static_cast<std::uint32_t>(*v);
}

std::vector<std::string_view> split_commas(std::string_view s) {
    std::vector<std::string_view> out;
    while (true) {
        const auto c = s.find(',');
        out.push_back(s.substr(0, c));
        if (c == std::string_view::npos) return out;
        s = s.substr(c + 1);
    }
}

}  // namespace

Result<void> RenderRequest::read(const std::vector<std::pair<std::string, std::string>>& params,
                                 std::string_view accept) {
    if (!accept.empty()) {
        auto ranges = parse_accept(accept);
        if (!ranges) return make_error(ErrorCode::InvalidArgument, "Accept: " + ranges.error().message);
        // JPEG unless the header prefers PNG or refuses JPEG (`image/jpeg;q=0, */*`).
        static const std::vector<Representation> kRendered{{"image/jpeg", "", false, false},
                                                           {"image/png", "", false, false}};
        auto chosen = negotiate(*ranges, kRendered);
        if (!chosen) return make_error(ErrorCode::Unsupported, "rendered resources are image/jpeg or image/png");
        png = chosen->candidate == 1;
    }
    for (const auto& [k, v] : params) {
        if (k == "window") {
            const auto parts = split_commas(v);
            if (parts.size() < 2 || parts.size() > 3)
                return make_error(ErrorCode::InvalidArgument, "window wants center,width[,function]");
            auto c = number("window center", parts[0]);
            auto w = number("window width", parts[1]);
            if (!c || !w) return tl::unexpected(!c ? c.error() : w.error());
            if (*w <= 0) return make_error(ErrorCode::InvalidArgument, "window width must be positive");
            center = *c;
            width = *w;
            if (parts.size() == 3) {
                function = std::string(parts[2]);
                if (function != "linear" && function != "linear-exact" && function != "sigmoid")
                    return make_error(ErrorCode::InvalidArgument, "window function must be linear, linear-exact or sigmoid");
            }
        } else if (k == "viewport") {
            const auto parts = split_commas(v);
            if (parts.size() != 2 && parts.size() != 6)
                return make_error(ErrorCode::InvalidArgument, "viewport wants vw,vh[,sx,sy,sw,sh]");
            auto w = dimension("viewport width", parts[0]);
            auto h = dimension("viewport height", parts[1]);
            if (!w || !h) return tl::unexpected(!w ? w.error() : h.error());
            viewport_width = *w;
            viewport_height = *h;
        } else if (k == "quality") {
            auto q = number("quality", v);
            if (!q || *q < 1 || *q > 100) return make_error(ErrorCode::InvalidArgument, "quality must be 1 to 100");
            quality = static_cast<int>(*q);
        }
    }
    return {};
}

Result<void> RenderRequest::read_wado_uri(const std::vector<std::pair<std::string, std::string>>& params,
                                          std::string_view content_type) {
    png = content_type == "image/png";
    for (const auto& [k, v] : params) {
        if (k == "windowCenter") {
            auto c = number(k, v);
            if (!c) return tl::unexpected(c.error());
            center = *c;
        } else if (k == "windowWidth") {
            auto w = number(k, v);
            if (!w || *w <= 0) return make_error(ErrorCode::InvalidArgument, "windowWidth must be a positive number");
            width = *w;
        } else if (k == "rows") {
            auto r = dimension(k, v);
            if (!r) return tl::unexpected(r.error());
            viewport_height = *r;
        } else if (k == "columns") {
            auto c = dimension(k, v);
            if (!c) return tl::unexpected(c.error());
            viewport_width = *c;
        } else if (k == "frameNumber") {
            auto n = parse_frame_list(v);
            if (!n || n->size() != 1) return make_error(ErrorCode::InvalidArgument, "frameNumber: one frame number");
            frame_number = n->front();
        } else if (k == "imageQuality") {
            auto q = number(k, v);
            if (!q || *q < 1 || *q > 100) return make_error(ErrorCode::InvalidArgument, "imageQuality must be 1 to 100");
            quality = static_cast<int>(*q);
        }
    }
    if (center.has_value() != width.has_value())
        return make_error(ErrorCode::InvalidArgument, "windowCenter and windowWidth go together");
    return {};
}

Result<std::vector<std::uint8_t>> render_instance(WebContext& ctx, const OpenedInstance& instance,
                                                  std::optional<std::uint32_t> frame, const RenderRequest& rq) {
    auto frames = pixel::FrameSet::open(instance.file);
    if (!frames) return make_error(ErrorCode::NotFound, "the instance has no image: " + frames.error().message);
    std::size_t index = 0;
    if (frame) {
        if (*frame < 1 || *frame > frames->size())
            return make_error(ErrorCode::NotFound, "frame " + std::to_string(*frame) + " asked for; the instance has " +
                                                       std::to_string(frames->size()));
        index = *frame - 1;
    } else if (rq.thumbnail) {
        index = frames->size() / 2;
    }
    auto info = frames->decoded_info(*ctx.codecs);
    if (!info) return tl::unexpected(info.error());
    auto bytes = frames->decoded(index, *ctx.codecs);
    if (!bytes) return tl::unexpected(bytes.error());
    auto pipeline = pixel::render::pipeline_for(instance.file.dataset, index);
    if (!pipeline) return tl::unexpected(pipeline.error());
    pipeline->output_bits = 8;
    if (rq.center && rq.width) {
        pixel::render::VoiFunction fn = pipeline->window ? pipeline->window->function : pixel::render::VoiFunction::Linear;
        if (rq.function == "linear") fn = pixel::render::VoiFunction::Linear;
        else if (rq.function == "linear-exact") fn = pixel::render::VoiFunction::LinearExact;
        else if (rq.function == "sigmoid") fn = pixel::render::VoiFunction::Sigmoid;
        pipeline->window = pixel::render::Window{*rq.center, *rq.width, fn, "request"};
        pipeline->voi_lut.reset();
    }
    auto raster = pixel::render::render_frame(*pipeline, *info, *bytes);
    if (!raster) return tl::unexpected(raster.error());
    std::uint32_t vw = rq.viewport_width, vh = rq.viewport_height;
    if (rq.thumbnail && vw == 0 && vh == 0) vw = vh = 128;
    if (vw || vh) {
        const auto [w, h] = pixel::render::fit_size(raster->width, raster->height, vw, vh);
        if (w != raster->width || h != raster->height) *raster = pixel::render::resize(*raster, w, h);
    }
    return rq.png ? pixel::render::encode_png(*raster) : pixel::render::encode_jpeg(*raster, rq.quality);
}

namespace {

/// "(GGGG,EEEE)[n].(GGGG,EEEE)" (as refer_values_over writes it) -> the element.
const Element* element_at(const DataSet& ds, std::string_view path) {
    const DataSet* cur = &ds;
    while (!path.empty()) {
        unsigned g = 0, e = 0;
        int used = 0;
        const std::string head(path.substr(0, 11));
        if (std::sscanf(head.c_str(), "(%4x,%4x)%n", &g, &e, &used) != 2 || used != 11) return nullptr;
        path.remove_prefix(11);
        const Element* el = cur->find(Tag{static_cast<std::uint16_t>(g), static_cast<std::uint16_t>(e)});
        if (!el) return nullptr;
        if (path.empty()) return el;
        unsigned item = 0;
        int n = 0;
        const std::string idx(path.substr(0, 16));
        if (std::sscanf(idx.c_str(), "[%u].%n", &item, &n) != 1 || n == 0) return nullptr;
        path.remove_prefix(static_cast<std::size_t>(n));
        if (!el->is_sequence() || item >= el->sequence().items.size()) return nullptr;
        cur = &el->sequence().items[item];
    }
    return nullptr;
}

}  // namespace

Response retrieve_bulkdata(Request& req, WebContext& ctx, const InstanceKey& key, const std::string& path) {
    auto items = locate(ctx, key);
    if (!items) return items.error();
    audit_retrieve(ctx, req, key, *items);
    auto opened = open_instance(ctx, items->front());
    if (!opened) return opened.error();
    const Element* el = element_at(opened->file.dataset, path);
    if (!el) return Response::error(404, "no element " + path + " in the instance");
    Response r;
    if (el->tag() == Tag{0x7FE0, 0x0010} && el->is_fragments()) {
        // Encapsulated pixel data: its frames, each as stored.
        auto frames = pixel::FrameSet::open(opened->file);
        if (!frames) return Response::error(422, frames.error().message);
        const std::string ts(frames->transfer_syntax().uid);
        const std::string type = std::string(frame_media_type(ts)) + "; transfer-syntax=" + ts;
        auto writer = std::make_shared<MultipartWriter>(random_boundary());
        r.set("Content-Type", multipart_content_type(frame_media_type(ts), writer->boundary(), ts));
        auto shared = std::make_shared<OpenedInstance>(std::move(*opened));
        auto set = std::make_shared<pixel::FrameSet>(std::move(*frames));
        r.stream = [shared, set, writer, type](BodySink& out) -> Result<void> {
            for (std::size_t i = 0; i < set->size(); ++i) {
                auto bytes = set->stored(i);
                if (!bytes) return tl::unexpected(bytes.error());
                if (auto w = write_part(out, *writer, type, *bytes); !w) return w;
            }
            return out.write(writer->close());
        };
        return r;
    }
    Result<Bytes> value = el->is_deferred() ? io::load_deferred(opened->file, *el)
                                            : Result<Bytes>(Bytes(el->bytes().begin(), el->bytes().end()));
    if (!value) return Response::error(500, value.error().message);
    (void)req;
    MultipartWriter writer(random_boundary());
    r.set("Content-Type", multipart_content_type("application/octet-stream", writer.boundary()));
    auto head = writer.begin_part("application/octet-stream");
    if (!head) return Response::error(500, head.error().message);
    r.body = std::move(*head);
    r.body.append(reinterpret_cast<const char*>(value->data()), value->size());
    r.body += writer.close();
    return r;
}

Result<void> write_part(BodySink& out, MultipartWriter& writer, std::string_view content_type,
                        std::span<const std::uint8_t> data) {
    auto head = writer.begin_part(content_type);
    if (!head) return tl::unexpected(head.error());
    if (auto w = out.write(*head); !w) return w;
    return out.write(data);
}

}  // namespace dicomkit::server::web
