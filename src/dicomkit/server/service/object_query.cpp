// ObjectQuery: matching over Index::for_each_object, retrieval by SOP Instance UID.
#include <dicomkit/server/service/object_query.hpp>

#include <set>

#include <dicomkit/dict/tags.hpp>

namespace dicomkit::server::service {

ServiceResult<std::uint64_t> ObjectQuery::find(const model::NonPatientModel& m, const DataSet& identifier,
                                        const index::MatchFn& on_match) {
    auto q = model::parse_object_query(identifier);
    if (!q) return service_error(ErrorKind::BadIdentifier, q.error());
    std::uint64_t n = 0;
    bool stopped = false;
    for (std::string_view sop_class : m.storage) {
        if (stopped) break;
        auto r = index_.for_each_object(std::string(sop_class), [&](const std::string&, const DataSet& attrs) {
            auto answer = model::match_object(*q, attrs);
            if (!answer) return true;
            ++n;
            stopped = !on_match(*answer);
            return !stopped;
        });
        if (!r) return service_error(index_error_kind(r.error()), r.error());
    }
    return n;
}

ServiceResult<std::vector<RetrieveItem>> ObjectQuery::instances(const model::NonPatientModel& m, const DataSet& identifier) {
    const Element* e = identifier.find(tags::SOPInstanceUID);
    auto uids = e ? e->strings() : Result<std::vector<std::string_view>>(std::vector<std::string_view>{});
    if (!uids) return service_error(ErrorKind::BadIdentifier, uids.error());
    std::set<std::string> wanted;
    for (const auto& u : *uids)
        if (!trim_padding(u).empty()) wanted.insert(std::string(trim_padding(u)));
    if (wanted.empty())
        return service_error(ErrorKind::BadIdentifier, "SOP Instance UID (0008,0018) is required to retrieve " +
                                                       std::string(m.name) + " objects");
    std::vector<RetrieveItem> out;
    for (std::string_view sop_class : m.storage) {
        std::vector<std::string> found;
        auto r = index_.for_each_object(std::string(sop_class), [&](const std::string& uid, const DataSet&) {
            if (wanted.contains(uid)) found.push_back(uid);
            return true;
        });
        if (!r) return service_error(index_error_kind(r.error()), r.error());
        for (const std::string& uid : found) {
            auto f = index_.instance(uid);
            if (!f) return service_error(index_error_kind(f.error()), f.error());
            if (!*f) continue;  // removed meanwhile
            out.push_back({std::string(sop_class), uid, (*f)->path, (*f)->transfer_syntax});
        }
    }
    return out;
}

}  // namespace dicomkit::server::service
