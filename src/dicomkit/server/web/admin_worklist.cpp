// The REST admin API of the Modality Worklist (docs/worklist.md): items listed with filters,
// read, added as DICOM JSON (PS3.18 F) and removed, through service::Worklist.
#include <random>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::web {

namespace {

Response failure(const service::ServiceError& e) {
    using service::ErrorKind;
    const int status = e.kind == ErrorKind::BadIdentifier ? 400
                       : e.kind == ErrorKind::Unsupported ? 501
                       : e.kind == ErrorKind::NoSuchObject ? 404
                                                           : 503;
    return Response::error(status, e.message);
}

/// {"id":..., "order_key":..., "item": DICOM JSON}
Result<std::string> item_json(const service::WorklistItem& w) {
    DataSet item = w.item;  // text UTF-8
    item.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
    json::JsonOptions options;
    options.lenient_charset = true;
    auto j = json::to_json(item, options);
    if (!j) return tl::unexpected(j.error());
    return "{\"id\":" + json_quote(w.id) + ",\"order_key\":" + json_quote(w.order_key) + ",\"item\":" + *j + "}";
}

/// The filter of GET /api/worklist: PatientID, IssuerOfPatientID, PatientName, AccessionNumber,
/// Modality, ScheduledStationAETitle, StudyInstanceUID, ScheduledProcedureStepID, order_key,
/// date (YYYYMMDD or YYYYMMDD-YYYYMMDD), status (one, or "all"; default: not final), limit, offset.
Result<index::WorklistFilter> filter_of(const Request& req) {
    auto params = parse_query(req.query);
    if (!params) return tl::unexpected(params.error());
    index::WorklistFilter f;
    f.statuses = {"COMPLETED", "CANCELED", "DISCONTINUED"};
    f.exclude_statuses = true;
    f.limit = 1000;
    for (const auto& param : *params) {
        // Named references, not a structured binding: clang 14 lets no lambda capture those.
        const auto& name = param.first;
        const auto& value = param.second;
        auto number = [&](std::uint64_t& out) -> Result<void> {
            out = 0;
            if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos)
                return make_error(ErrorCode::InvalidValue, name + ": not a number: " + value);
            out = std::stoull(value);
            return {};
        };
        if (name == "PatientID") f.patient_id = value;
        else if (name == "IssuerOfPatientID") f.issuer = value;
        else if (name == "PatientName") f.patient_name = value;
        else if (name == "AccessionNumber") f.accession = value;
        else if (name == "Modality") f.modality = value;
        else if (name == "ScheduledStationAETitle") f.station_ae = value;
        else if (name == "StudyInstanceUID") f.study_uid = value;
        else if (name == "ScheduledProcedureStepID") f.sps_id = value;
        else if (name == "order_key") f.order_key = value;
        else if (name == "date") {
            const auto dash = value.find('-');
            f.date_low = value.substr(0, dash);
            f.date_high = dash == std::string::npos ? value : value.substr(dash + 1);
        } else if (name == "status") {
            if (value == "all") f.statuses.clear();
            else f.statuses = {value};
            f.exclude_statuses = false;
        } else if (name == "limit") {
            if (auto r = number(f.limit); !r) return tl::unexpected(r.error());
        } else if (name == "offset") {
            if (auto r = number(f.offset); !r) return tl::unexpected(r.error());
        } else {
            return make_error(ErrorCode::InvalidValue, "unknown parameter: " + name);
        }
    }
    return f;
}

Response list(Request& req, service::Worklist& w) {
    auto f = filter_of(req);
    if (!f) return Response::error(400, f.error().message);
    auto items = w.list(*f);
    if (!items) return failure(items.error());
    std::string out = "[";
    for (const auto& item : *items) {
        auto j = item_json(item);
        if (!j) return Response::error(500, j.error().message);
        out += (out.size() > 1 ? "," : "") + *j;
    }
    return Response::json(200, out + "]");
}

Response one(Request& req, service::Worklist& w) {
    auto item = w.get(req.params[0]);
    if (!item) return failure(item.error());
    if (!*item) return Response::error(404, "no such worklist item");
    auto j = item_json(**item);
    if (!j) return Response::error(500, j.error().message);
    return Response::json(200, *j);
}

/// A key for an item posted without order_key: unique, so each POST adds one.
std::string new_order_key() {
    std::random_device rd;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "rest:";
    for (int i = 0; i < 4; ++i)
        for (std::uint32_t v = rd(), n = 0; n < 8; ++n, v >>= 4) out += hex[v & 15];
    return out;
}

Response add(Request& req, WebContext& ctx) {
    auto body = req.read_body(ctx.max_request_bytes);
    if (!body) return Response::error(413, body.error().message);
    auto params = parse_query(req.query);
    if (!params) return Response::error(400, params.error().message);
    std::string key;
    for (const auto& [name, value] : *params) {
        if (name != "order_key") return Response::error(400, "unknown parameter: " + name);
        key = value;
    }
    json::JsonReadOptions options;
    options.infer_missing_vr = true;
    auto item = json::from_json(*body, options);
    if (!item) return Response::error(400, "the body is not a DICOM JSON object: " + item.error().to_string());
    if (key.empty()) key = new_order_key();
    auto id = ctx.worklist->put(key, std::move(*item));
    if (!id) return failure(id.error());
    if (ctx.log)
        ctx.log("I: HTTP " + req.user.value_or("") + "@" + req.remote + " put worklist item " + *id + " (order " +
                key + ")");
    return Response::json(201, "{\"id\":" + json_quote(*id) + ",\"order_key\":" + json_quote(key) + "}");
}

Response remove(Request& req, WebContext& ctx) {
    auto gone = ctx.worklist->remove(req.params[0]);
    if (!gone) return failure(gone.error());
    if (!*gone) return Response::error(404, "no such worklist item");
    if (ctx.log)
        ctx.log("I: HTTP " + req.user.value_or("") + "@" + req.remote + " removed worklist item " + req.params[0]);
    return Response::json(200, "{\"deleted\":1}");
}

}  // namespace

void add_worklist_routes(Router& router, WebContext& ctx) {
    WebContext* c = &ctx;
    auto guarded = [c](Response (*fn)(Request&, WebContext&)) {
        return [c, fn](Request& r) {
            if (!c->worklist) return Response::error(501, "not available in this configuration");
            return fn(r, *c);
        };
    };
    router.add("GET", "/api/worklist", Role::Read, guarded([](Request& r, WebContext& x) { return list(r, *x.worklist); }));
    router.add("GET", "/api/worklist/{id}", Role::Read,
               guarded([](Request& r, WebContext& x) { return one(r, *x.worklist); }));
    router.add("POST", "/api/worklist", Role::Write, guarded(add));
    router.add("DELETE", "/api/worklist/{id}", Role::Write, guarded(remove));
}

}  // namespace dicomkit::server::web
