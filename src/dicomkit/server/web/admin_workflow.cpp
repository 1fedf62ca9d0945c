// The REST admin API of the workflow services: Modality Performed Procedure Steps (with which of
// their performed instances the archive holds) and Storage Commitment transactions.
//   GET /api/mpps[?limit=N]            newest first
//   GET /api/mpps/{uid}                one, with its attributes (DICOM JSON) and performed instances
//   GET /api/commitments[?state=pending|reported|failed&limit=N]
//   GET /api/commitments/{uid}
#include <cstdio>

#include <dicomkit/json/json.hpp>
#include <dicomkit/server/web/web_app.hpp>

namespace dicomkit::server::web {

namespace {

Response not_configured() { return Response::error(501, "MPPS and Storage Commitment are not offered here"); }

/// The value of `name` in a query string ("" when absent); values are UIDs, words and numbers.
std::string query_value(const std::string& query, std::string_view name) {
    std::size_t pos = 0;
    while (pos <= query.size()) {
        std::size_t end = query.find('&', pos);
        if (end == std::string::npos) end = query.size();
        const std::string_view part(query.data() + pos, end - pos);
        if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=')
            return std::string(part.substr(name.size() + 1));
        pos = end + 1;
    }
    return {};
}

std::size_t limit_of(const Request& r) {
    const std::string v = query_value(r.query, "limit");
    std::size_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9' || n > 100000) return 100;
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return v.empty() || n == 0 ? 100 : std::min<std::size_t>(n, 10000);
}

std::string uids_json(const std::vector<std::string>& uids) {
    std::string out = "[";
    for (std::size_t i = 0; i < uids.size(); ++i) out += (i ? "," : "") + json_quote(uids[i]);
    return out + "]";
}

std::string mpps_json(const service::MppsView& v, bool full) {
    const DataSet& a = v.attributes;
    std::string out = "{\"sop_instance_uid\":" + json_quote(v.record.sop_instance_uid) +
                      ",\"status\":" + json_quote(v.record.status) +
                      ",\"created\":" + std::to_string(v.record.created) +
                      ",\"updated\":" + std::to_string(v.record.updated) +
                      ",\"studies\":" + uids_json(v.record.study_uids) +
                      ",\"patient_id\":" + json_quote(a.string_or(Tag{0x0010, 0x0020})) +
                      ",\"modality\":" + json_quote(a.string_or(Tag{0x0008, 0x0060})) +
                      ",\"station_ae\":" + json_quote(a.string_or(Tag{0x0040, 0x0241})) +
                      ",\"pps_id\":" + json_quote(a.string_or(Tag{0x0040, 0x0253})) +
                      ",\"performed_instances\":" + std::to_string(v.performed.size());
    if (full) {
        std::size_t stored = 0;
        out += ",\"performed\":[";
        for (std::size_t i = 0; i < v.performed.size(); ++i) {
            const service::PerformedInstance& p = v.performed[i];
            stored += p.stored ? 1 : 0;
            out += std::string(i ? "," : "") + "{\"series\":" + json_quote(p.series_uid) + ",\"sop_class\":" +
                   json_quote(p.sop_class_uid) + ",\"sop_instance\":" + json_quote(p.sop_instance_uid) +
                   ",\"stored\":" + (p.stored ? "true" : "false") + "}";
        }
        out += "],\"stored_instances\":" + std::to_string(stored);
        auto j = json::to_json(a);
        out += ",\"attributes\":" + (j ? *j : std::string("null"));
    }
    return out + "}";
}

std::string items_json(const std::vector<index::CommitmentItem>& items, bool with_reason) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += std::string(i ? "," : "") + "{\"sop_class\":" + json_quote(items[i].sop_class_uid) +
               ",\"sop_instance\":" + json_quote(items[i].sop_instance_uid);
        if (with_reason) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "%04X", items[i].failure_reason);
            out += ",\"failure_reason\":\"" + std::string(buf) + "\"";
        }
        out += "}";
    }
    return out + "]";
}

std::string commitment_json(const index::CommitmentRecord& r, bool full) {
    std::string out = "{\"transaction_uid\":" + json_quote(r.transaction_uid) +
                      ",\"requester_ae\":" + json_quote(r.requester_ae) +
                      ",\"state\":\"" + index::to_string(r.state) + "\"" +
                      ",\"attempts\":" + std::to_string(r.attempts) +
                      ",\"last_error\":" + json_quote(r.last_error) +
                      ",\"created\":" + std::to_string(r.created) +
                      ",\"updated\":" + std::to_string(r.updated) +
                      ",\"requested\":" + std::to_string(r.requested.size()) +
                      ",\"committed\":" + std::to_string(r.committed.size()) +
                      ",\"failed\":" + std::to_string(r.failed.size());
    if (full) out += ",\"committed_instances\":" + items_json(r.committed, false) +
                     ",\"failed_instances\":" + items_json(r.failed, true);
    return out + "}";
}

}  // namespace

void add_workflow_routes(Router& router, WebContext& ctx) {
    WebContext* c = &ctx;
    router.add("GET", "/api/mpps", Role::Admin, [c](Request& r) {
        if (!c->mpps) return not_configured();
        auto list = c->mpps->list(limit_of(r));
        if (!list) return Response::error(503, list.error().message);
        std::string out = "[";
        for (std::size_t i = 0; i < list->size(); ++i) out += (i ? "," : "") + mpps_json((*list)[i], false);
        return Response::json(200, out + "]");
    });
    router.add("GET", "/api/mpps/{uid}", Role::Admin, [c](Request& r) {
        if (!c->mpps) return not_configured();
        auto one = c->mpps->get(r.params[0]);
        if (!one) return Response::error(503, one.error().message);
        if (!*one) return Response::error(404, "no MPPS " + r.params[0]);
        return Response::json(200, mpps_json(**one, true));
    });
    router.add("GET", "/api/commitments", Role::Admin, [c](Request& r) {
        if (!c->commitment) return not_configured();
        const std::string s = query_value(r.query, "state");
        std::optional<index::CommitmentState> state;
        if (!s.empty()) {
            state = index::parse_commitment_state(s);
            if (!state) return Response::error(400, "state: expected pending, reported or failed");
        }
        auto list = c->commitment->list(state, limit_of(r));
        if (!list) return Response::error(503, list.error().message);
        std::string out = "[";
        for (std::size_t i = 0; i < list->size(); ++i) out += (i ? "," : "") + commitment_json((*list)[i], false);
        return Response::json(200, out + "]");
    });
    router.add("GET", "/api/commitments/{uid}", Role::Admin, [c](Request& r) {
        if (!c->commitment) return not_configured();
        auto one = c->commitment->get(r.params[0]);
        if (!one) return Response::error(503, one.error().message);
        if (!*one) return Response::error(404, "no commitment transaction " + r.params[0]);
        return Response::json(200, commitment_json(**one, true));
    });
}

}  // namespace dicomkit::server::web
