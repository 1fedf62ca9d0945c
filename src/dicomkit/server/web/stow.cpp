// STOW-RS (PS3.18 10.5): POST /dicom-web/studies[/{study}] with multipart/related parts of
// application/dicom, each streamed into an incoming blob and handed to Ingest, as a C-STORE is.
// The answer is the Store Instances Response Module (PS3.18 Annex I) as DICOM JSON.
#include <algorithm>
#include <array>
#include <map>
#include <memory>

#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/json/json.hpp>
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
    bool quarantined = false;   ///< taken, but kept aside (not retrievable): warning B007
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
        // The first bytes, to name the instance in the answer should it be refused.
        if (head_.size() < kHead) head_.insert(head_.end(), bytes.begin(), bytes.begin() + std::min(bytes.size(), kHead - head_.size()));
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
        if (current_.failure) name_from(head_);
        head_.clear();
        blob_.reset();
        outcomes_.push_back(std::move(current_));
        return {};
    }
    [[nodiscard]] const std::vector<Outcome>& outcomes() const { return outcomes_; }

    /// A whole Part 10 file made here (from DICOM JSON and bulk data), stored as a part would be.
    void store_file(const Bytes& file) {
        current_ = Outcome{};
        auto blob = ctx_.ingest->begin_incoming();
        if (!blob) {
            fail(kOutOfResources, blob.error().message);
        } else {
            blob_ = std::move(*blob);
            if (auto w = blob_->write(file); !w) fail(kOutOfResources, w.error().message);
            else finish_part();
        }
        if (current_.failure) name_from(file);
        blob_.reset();
        outcomes_.push_back(std::move(current_));
    }
    /// A data set that could not be made into a file.
    void refuse(std::uint16_t code, std::string why) {
        current_ = Outcome{};
        fail(code, std::move(why));
        outcomes_.push_back(std::move(current_));
    }

private:
    void finish_part() {
        if (auto f = blob_->finish(); !f) return fail(kOutOfResources, f.error().message);
        auto staged = blob_->stage();
        if (!staged) return fail(kOutOfResources, staged.error().message);
        // Ingest reads the data set once: it must be whole, its UIDs valid, and of the study of
        // the request's path when there is one.
        service::Received expected{"", "", study_};
        auto stored = ctx_.ingest->store(std::move(*staged), study_.empty() ? nullptr : &expected);
        if (!stored) {
            const auto kind = service::store_error_kind(stored.error());
            return fail(kind == service::ErrorKind::OutOfResources  ? kOutOfResources
                        : kind == service::ErrorKind::BadIdentifier ? kDoesNotMatch
                                                                    : kCannotUnderstand,
                        stored.error().message);
        }
        current_.sop_class = stored->sop_class_uid;
        current_.sop_instance = stored->sop_instance_uid;
        current_.study = stored->study_instance_uid;
        current_.series = stored->series_instance_uid;
        if (stored->action == service::StoreAction::Rejected)
            return fail(kProcessingFailure, "a copy of this instance is stored and duplicates are refused");
        if (stored->action == service::StoreAction::Quarantined) {
            current_.quarantined = true;
            current_.why = stored->path;
        }
    }
    void fail(std::uint16_t code, std::string why) {
        current_.failure = code;
        current_.why = std::move(why);
    }
    /// A refused instance's SOP Class and Instance UIDs, from its first bytes when they say them
    /// (PS3.18 I.2: the Failed SOP Sequence names each instance).
    void name_from(std::span<const std::uint8_t> bytes) {
        if (!current_.sop_instance.empty() || bytes.empty()) return;
        io::ReadOptions ro;
        ro.stop_before = Tag{0x0008, 0x0019};
        auto f = io::read_bytes(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), ro, "part");
        if (!f) return;
        current_.sop_class = f->dataset.string_or(Tag{0x0008, 0x0016});
        current_.sop_instance = f->dataset.string_or(Tag{0x0008, 0x0018});
    }
    static constexpr std::size_t kHead = 64 * 1024;
    std::vector<std::uint8_t> head_;

    WebContext& ctx_;
    std::string study_;
    std::unique_ptr<storage::IncomingBlob> blob_;
    Outcome current_;
    std::vector<Outcome> outcomes_;
};

/// PS3.18 10.5.1.2: DICOM JSON parts (an array of data sets each) and the bulk data parts their
/// BulkDataURIs name by Content-Location, kept in memory (up to `limit` bytes in all) until the
/// body has ended; then each data set is made into a Part 10 file and stored. Bulk data in a
/// compressed media type (its transfer-syntax parameter, PS3.18 8.7.3) is one frame of
/// encapsulated pixel data in that syntax.
class JsonParts {
public:
    explicit JsonParts(std::uint64_t limit) : limit_(limit) {}
    Result<void> begin(const PartHeaders& h) {
        parts_.push_back(Part{h.content_type ? h.content_type->essence() : std::string("text/plain"), {}, {},
                              h.content_location});
        if (h.content_type)
            if (auto ts = h.content_type->param("transfer-syntax")) parts_.back().transfer_syntax = std::string(*ts);
        return {};
    }
    Result<void> data(std::span<const std::uint8_t> d) {
        used_ += d.size();
        if (used_ > limit_)
            return make_error(ErrorCode::LimitExceeded, "DICOM JSON with bulk data over " + std::to_string(limit_ >> 20) +
                                                            " MiB (send application/dicom parts instead)");
        parts_.back().bytes.insert(parts_.back().bytes.end(), d.begin(), d.end());
        return {};
    }
    Result<void> store_all(PartStore& store) {
        std::map<std::string, const Part*> by_location;
        for (const Part& p : parts_)
            if (!p.location.empty()) by_location[p.location] = &p;
        std::size_t documents = 0;
        for (const Part& p : parts_) {
            if (p.type != "application/dicom+json" && p.type != "application/json") continue;
            ++documents;
            const io::TransferSyntax* syntax = &io::ts::ExplicitVRLittleEndian;
            json::JsonReadOptions ro;
            ro.bulk_data = [&](std::string_view uri, Tag tag, VR, std::string_view) -> Result<Bytes> {
                auto it = by_location.find(std::string(uri));
                if (it == by_location.end())
                    return make_error(ErrorCode::NotFound, "no part with Content-Location " + std::string(uri));
                const Part& bulk = *it->second;
                if (tag != Tag{0x7FE0, 0x0010} || bulk.transfer_syntax.empty() ||
                    bulk.transfer_syntax == io::ts::ExplicitVRLittleEndian.uid)
                    return bulk.bytes;
                const io::TransferSyntax* ts = io::find_transfer_syntax(bulk.transfer_syntax);
                if (!ts || !ts->encapsulated)
                    return make_error(ErrorCode::UnsupportedTransferSyntax, "bulk data transfer syntax " + bulk.transfer_syntax);
                syntax = ts;
                return encapsulate(bulk.bytes);
            };
            auto sets = json::from_json_array(std::string_view(reinterpret_cast<const char*>(p.bytes.data()), p.bytes.size()), ro);
            if (!sets) {
                store.refuse(kCannotUnderstand, "DICOM JSON: " + sets.error().to_string());
                continue;
            }
            for (DataSet& ds : *sets) {
                io::DicomFile f;
                f.transfer_syntax = *syntax;
                f.meta = io::make_meta(ds, *syntax);
                f.dataset = std::move(ds);
                io::FileWriteOptions wo;
                wo.transfer_syntax = syntax;
                auto bytes = io::encode_file(f, wo);
                if (!bytes) store.refuse(kCannotUnderstand, "cannot write the data set: " + bytes.error().message);
                else store.store_file(*bytes);
            }
        }
        if (documents == 0) return make_error(ErrorCode::InvalidArgument, "no application/dicom+json part in the request");
        return {};
    }

private:
    struct Part {
        std::string type;
        Bytes bytes;
        std::string transfer_syntax;
        std::string location;
    };
    /// PS3.5 A.4: an empty Basic Offset Table, the frame as one fragment, the delimiter.
    static Bytes encapsulate(const Bytes& frame) {
        Bytes out;
        auto item = [&out](std::uint16_t e, std::uint32_t length) {
            const std::uint8_t h[8] = {0xFE, 0xFF, static_cast<std::uint8_t>(e & 0xFF), static_cast<std::uint8_t>(e >> 8),
                                       static_cast<std::uint8_t>(length), static_cast<std::uint8_t>(length >> 8),
                                       static_cast<std::uint8_t>(length >> 16), static_cast<std::uint8_t>(length >> 24)};
            out.insert(out.end(), h, h + 8);
        };
        const std::uint32_t even = static_cast<std::uint32_t>(frame.size() + (frame.size() & 1));
        item(0xE000, 0);
        item(0xE000, even);
        out.insert(out.end(), frame.begin(), frame.end());
        if (frame.size() & 1) out.push_back(0);
        item(0xE0DD, 0);
        return out;
    }
    std::uint64_t limit_;
    std::uint64_t used_ = 0;
    std::vector<Part> parts_;
};

Response stow(Request& req, WebContext& ctx, const std::string& study) {
    auto type = parse_content_type(req.header("Content-Type"));
    if (!type || type->essence() != "multipart/related")
        return Response::error(415, "STOW-RS takes multipart/related; type=\"application/dicom\"");
    const auto part_type = type->param("type");
    const bool json = part_type && *part_type == "application/dicom+json";
    if (part_type && *part_type != "application/dicom" && !json)
        return Response::error(415, "parts of type " + std::string(*part_type) +
                                        " are not taken (application/dicom, or application/dicom+json with bulk data)");
    const auto boundary = type->param("boundary");
    if (!boundary) return Response::error(400, "the Content-Type has no boundary");
    if (auto n = req.body->length(); n && *n > ctx.max_upload_bytes)
        return Response::error(413, "the request is over the upload limit of " + std::to_string(ctx.max_upload_bytes >> 20) + " MiB");
    PartStore store(ctx, study);
    JsonParts collected(ctx.max_request_bytes * 64);
    MultipartCallbacks cb;
    if (json) {
        cb.part_begin = [&collected](const PartHeaders& h) { return collected.begin(h); };
        cb.part_data = [&collected](std::span<const std::uint8_t> d) { return collected.data(d); };
        cb.part_end = []() { return Result<void>{}; };
    } else {
        cb.part_begin = [&store](const PartHeaders& h) { return store.begin(h); };
        cb.part_data = [&store](std::span<const std::uint8_t> d) { return store.data(d); };
        cb.part_end = [&store]() { return store.end(); };
    }
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
    if (json)
        if (auto made = collected.store_all(store); !made) return Response::error(400, made.error().message);
    const auto& outcomes = store.outcomes();
    if (outcomes.empty()) return Response::error(400, "no parts in the request");
    const std::string base = base_url(req, ctx) + "/dicom-web/studies/";
    std::string referenced, failed;
    std::size_t ok = 0;
    bool warned = false;
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
        if (o.quarantined) {
            // PS3.18 I.2: taken with a warning (Data Set does not match SOP Class), no URL to it.
            referenced += (referenced.empty() ? "" : ",") + std::string("{") + sop_reference(o) +
                          ",\"00081196\":{\"vr\":\"US\",\"Value\":[" + std::to_string(0xB007) + "]}}";
            warned = true;
            continue;
        }
        if (first_study.empty()) first_study = o.study;
        referenced += (referenced.empty() ? "" : ",") + std::string("{") + sop_reference(o) +
                      ",\"00081190\":{\"vr\":\"UR\",\"Value\":[" +
                      json_quote(base + o.study + "/series/" + o.series + "/instances/" + o.sop_instance) + "]}}";
    }
    if (ctx.audit) {
        AuditedRequest a;
        a.kind = AuditedRequest::Kind::Store;
        a.user = req.user.value_or("");
        a.remote = req.remote;
        a.target = req.target;
        for (const Outcome& o : outcomes)
            if (!o.failure) a.instances.push_back({o.study, o.sop_class, o.sop_instance});
        a.ok = ok == outcomes.size();
        if (!a.ok) a.why = std::to_string(outcomes.size() - ok) + " of " + std::to_string(outcomes.size()) + " refused";
        if (auto done = ctx.audit(a)) done(a);
    }
    std::string body = "{\"00081190\":{\"vr\":\"UR\"" +
                       (first_study.empty() ? std::string() : ",\"Value\":[" + json_quote(base + first_study) + "]") + "}";
    if (!failed.empty()) body += ",\"00081198\":{\"vr\":\"SQ\",\"Value\":[" + failed + "]}";
    if (!referenced.empty()) body += ",\"00081199\":{\"vr\":\"SQ\",\"Value\":[" + referenced + "]}";
    body += "}";
    Response r = Response::json(ok == outcomes.size() && !warned ? 200 : ok > 0 ? 202 : 409, std::move(body));
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
