// Retrieve: identifier -> instances, via an IMAGE-level query on the unique keys.
#include <dicomkit/server/service/retrieve.hpp>

#include <dicomkit/dict/tags.hpp>

namespace dicomkit::server::service {

namespace {

/// The IMAGE-level query that lists the instances below the entities `identifier` names: its
/// unique keys at or above its level (PS3.4 C.4.2.2.1), returning the SOP Class/Instance UIDs.
Result<DataSet> image_query(model::Root root, const DataSet& identifier) {
    const auto level = model::parse_level(trim_padding(identifier.string_or(tags::QueryRetrieveLevel)));
    if (!level) return make_error(ErrorCode::InvalidValue, "Query/Retrieve Level missing or unknown");
    if (root == model::Root::Study && *level == model::Level::Patient)
        return make_error(ErrorCode::InvalidValue, "PATIENT level in the Study Root model");
    DataSet q;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, "IMAGE");
    for (const model::KeyInfo& k : model::known_keys()) {
        if (!k.unique || model::key_level(k, root) > *level) continue;
        if (root == model::Root::Study && k.tag == tags::PatientID) continue;
        const Element* e = identifier.find(k.tag);
        if (!e) continue;
        q.set(*e);
    }
    if (!q.find(tags::SOPInstanceUID)) q.set_string(tags::SOPInstanceUID, VR::UI, "");
    q.set_string(tags::SOPClassUID, VR::UI, "");
    return q;
}

}  // namespace

Result<std::vector<RetrieveItem>> Retrieve::instances(model::Root root, const DataSet& identifier) {
    auto q = image_query(root, identifier);
    if (!q) return tl::unexpected(q.error());
    std::vector<RetrieveItem> items;
    auto n = index_.find(root, *q, [&](const DataSet& m) {
        items.push_back({std::string(trim_padding(m.string_or(tags::SOPClassUID))),
                         std::string(trim_padding(m.string_or(tags::SOPInstanceUID))), {}, {}});
        return true;
    });
    if (!n) return tl::unexpected(n.error());
    for (auto& it : items) {
        auto f = index_.instance(it.sop_instance_uid);
        if (!f) return tl::unexpected(f.error());
        if (!*f) continue;  // removed meanwhile: counted as failed by the caller when missing
        it.path = root_ + "/" + (*f)->path;
        it.transfer_syntax = (*f)->transfer_syntax;
    }
    return items;
}

}  // namespace dicomkit::server::service
