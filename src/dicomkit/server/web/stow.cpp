// STOW-RS (PS3.18 10.5): POST /dicom-web/studies[/{study}] with multipart/related parts of
// application/dicom, each streamed into an incoming blob and handed to Ingest, as a C-STORE is.
// The answer is the Store Instances Response Module (PS3.18 Annex I) as DICOM JSON.
#include <array>
#include <memory>

#include <dicomkit/server/web/accept.hpp>
#include <dicomkit/server/web/multipart.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::web {

namespace {

/// PS3.18 Table I.2-2.
constexpr std::uint16_t kOutOfResources = 0xA700;
constexpr std::uint16_t kDoesNotMatch = 0xA900;
constexpr std::uint16_t kCannotUnderstand = 0xC000;
constexpr std::uint16_t kProcessingFailure = 0x0110;

struct Outcome {
    std::string sop_class, sop_instance, study, series;
    std::uint16_t failure = 0;  ///< 0: stored
    std::string why;
};

std::string sop_reference(const Outcome& o) {
    return "\"00081150\":{\"vr\":\"UI\"" + (o.sop_class.empty() ? std::string() : ",\"Value\":[" + json_quote(o.sop_class) + "]") +
           "},\"00081155\":{\"vr\":\"UI\"" +
           (o.sop_instance.empty() ? std::string() : ",\"Value\":[" + json_quote(o.sop_instance) + "]") + "}";
}

/// One part: its bytes go to an incoming blob; at its end the blob is read and handed to Ingest.
class PartStore {
public:
    PartStore(WebContext& ctx, std::string study) : ctx_(ctx), study_(std::move(study)) {}

    Result<void> begin(const PartHeaders& h) {
        current_ = Outcome{};
        blob_.reset();
        if (h.content_type && h.content_type->essence() != "application/dicom") {
            current_.failure = kCannotUnderstand;
            current_.why = "part of type " + h.content_type->essence() + " (only application/dicom is stored)";
            return {};
        }
        auto blob = ctx_.ingest->begin_incoming();
        if (!blob) {
            current_.failure = kOutOfResources;
            current_.why = blob.error().message;
            return {};
        }
        blob_ = std::move(*blob);
        return {};
    }
    Result<void> data(std::span<const std::uint8_t> bytes) {
        if (!blob_ || current_.failure) return {};
        if (auto w = blob_->write(bytes); !w) {
            current_.failure = kOutOfResources;
            current_.why = w.error().message;
            blob_->abort();
            blob_.reset();
        }
        return {};
    }
    Result<void> end() {
        if (blob_ && !current_.failure) finish_part();
        blob_.reset();
        outcomes_.push_back(std::move(current_));
        return {};
    }
    [[nodiscard]] const std::vector<Outcome>& outcomes() const { return outcomes_; }

private:
    void finish_part() {
        if (auto f = blob_->finish(); !f) return fail(kOutOfResources, f.error().message);
        auto staged = blob_->stage();
        if (!staged) return fail(kOutOfResources, staged.error().message);
        auto attrs = ctx_.ingest->read_staged(*staged, nullptr, false);
        if (!attrs) {
            ctx_.blobs->discard(*staged);
            return fail(kCannotUnderstand, "not a DICOM file that can be read: " + attrs.error().to_string());
        }
        current_.sop_class = attrs->dataset.string_or(Tag{0x0008, 0x0016});
        current_.sop_instance = attrs->dataset.string_or(Tag{0x0008, 0x0018});
        current_.study = attrs->dataset.string_or(Tag{0x0020, 0x000D});
        current_.series = attrs->dataset.string_or(Tag{0x0020, 0x000E});
        if (!study_.empty() && current_.study != study_) {
            ctx_.blobs->discard(*staged);
            return fail(kDoesNotMatch, "Study Instance UID " + current_.study + " is not the " + study_ + " of the request");
        }
        auto stored = ctx_.ingest->store(std::move(*staged));
        if (!stored) {
            const auto kind = service::store_error_kind(stored.error());
            return fail(kind == service::ErrorKind::OutOfResources  ? kOutOfResources
                        : kind == service::ErrorKind::BadIdentifier ? kDoesNotMatch
                                                                    : kProcessingFailure,
                        stored.error().message);
        }
        if (stored->action == service::StoreAction::Rejected)
            return fail(kProcessingFailure, "a copy of this instance is stored and duplicates are refused");
    }
    void fail(std::uint16_t code, std::string why) {
        current_.failure = code;
        current_.why = std::move(why);
    }

    WebContext& ctx_;
    std::string study_;
    std::unique_ptr<storage::IncomingBlob> blob_;
    Outcome current_;
    std::vector<Outcome> outcomes_;
};

Response stow(Request& req, WebContext& ctx, const std::string& study) {
    auto type = parse_content_type(req.header("Content-Type"));
    if (!type || type->essence() != "multipart/related")
        return Response::error(415, "STOW-RS takes multipart/related; type=\"application/dicom\"");
    const auto part_type = type->param("type");
    if (part_type && *part_type != "application/dicom")
        return Response::error(415, "parts of type " + std::string(*part_type) + " are not taken (application/dicom only)");
    const auto boundary = type->param("boundary");
    if (!boundary) return Response::error(400, "the Content-Type has no boundary");
    if (auto n = req.body->length(); n && *n > ctx.max_upload_bytes)
        return Response::error(413, "the request is over the upload limit of " + std::to_string(ctx.max_upload_bytes >> 20) + " MiB");
    PartStore store(ctx, study);
    MultipartCallbacks cb;
    cb.part_begin = [&store](const PartHeaders& h) { return store.begin(h); };
    cb.part_data = [&store](std::span<const std::uint8_t> d) { return store.data(d); };
    cb.part_end = [&store]() { return store.end(); };
    MultipartLimits limits;
    limits.max_total = ctx.max_upload_bytes;
    auto parser = MultipartParser::create(*boundary, std::move(cb), limits);
    if (!parser) return Response::error(400, parser.error().message);
    // Not value-initialised: zeroing 256 KiB was close to half the work of a one-instance request.
    constexpr std::size_t kReadSize = 256 * 1024;
    const auto buf = std::make_unique_for_overwrite<std::uint8_t[]>(kReadSize);
    for (;;) {
        auto n = req.body->read(std::span<std::uint8_t>(buf.get(), kReadSize));
        if (!n) return Response::error(400, "reading the request: " + n.error().message);
        if (*n == 0) break;
        if (auto f = parser->feed(std::span<const std::uint8_t>(buf.get(), *n)); !f)
            return Response::error(f.error().code == ErrorCode::LimitExceeded ? 413 : 400,
                                   "multipart body: " + f.error().to_string());
    }
    if (auto f = parser->finish(); !f) return Response::error(400, "multipart body: " + f.error().to_string());
    const auto& outcomes = store.outcomes();
    if (outcomes.empty()) return Response::error(400, "no parts in the request");
    const std::string base = base_url(req, ctx) + "/dicom-web/studies/";
    std::string referenced, failed;
    std::size_t ok = 0;
    std::string first_study = study;
    for (const Outcome& o : outcomes) {
        if (o.failure) {
            failed += (failed.empty() ? "" : ",") + std::string("{") + sop_reference(o) +
                      ",\"00081197\":{\"vr\":\"US\",\"Value\":[" + std::to_string(o.failure) + "]}}";
            if (ctx.log)
                ctx.log("W: STOW-RS from " + req.user.value_or("") + "@" + req.remote + ": " +
                        (o.sop_instance.empty() ? std::string("a part") : o.sop_instance) + " refused: " + o.why);
            continue;
        }
        ++ok;
        if (first_study.empty()) first_study = o.study;
        referenced += (referenced.empty() ? "" : ",") + std::string("{") + sop_reference(o) +
                      ",\"00081190\":{\"vr\":\"UR\",\"Value\":[" +
                      json_quote(base + o.study + "/series/" + o.series + "/instances/" + o.sop_instance) + "]}}";
    }
    std::string body = "{\"00081190\":{\"vr\":\"UR\"" +
                       (first_study.empty() ? std::string() : ",\"Value\":[" + json_quote(base + first_study) + "]") + "}";
    if (!failed.empty()) body += ",\"00081198\":{\"vr\":\"SQ\",\"Value\":[" + failed + "]}";
    if (!referenced.empty()) body += ",\"00081199\":{\"vr\":\"SQ\",\"Value\":[" + referenced + "]}";
    body += "}";
    Response r = Response::json(ok == outcomes.size() ? 200 : ok > 0 ? 202 : 409, std::move(body));
    r.set("Content-Type", "application/dicom+json");
    return r;
}

}  // namespace

void add_stow_routes(Router& router, WebContext& ctx) {
    WebContext* c = &ctx;
    router.add("POST", "/dicom-web/studies", Role::Write, [c](Request& r) { return stow(r, *c, ""); });
    router.add("POST", "/dicom-web/studies/{study}", Role::Write, [c](Request& r) { return stow(r, *c, r.params[0]); });
}

}  // namespace dicomkit::server::web
