// Retrieve: identifier -> instances, via an IMAGE-level query on the unique keys.
#include <dicomkit/server/service/retrieve.hpp>

#include <array>
#include <optional>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/service/query.hpp>

namespace dicomkit::server::service {

namespace {

using model::Level;


/// A query at `level` over `keys`, returning that level's unique key (and the SOP class at IMAGE).
DataSet level_query(const DataSet& keys, Level level) {
    DataSet q = keys;
    q.set_string(tags::QueryRetrieveLevel, VR::CS, model::to_string(level));
    if (!q.find(model::unique_key(level))) q.set_string(model::unique_key(level), VR::UI, "");
    if (level == Level::Image) q.set_string(tags::SOPClassUID, VR::UI, "");
    return q;
}

/// The Study, Series and SOP Instance UIDs of `keys` ("" below `level`) when they are exactly the
/// unique keys from the study down to `level`, each a single UID: nothing else to match, so the
/// instances are those under them (Index::files_under). nullopt otherwise.
std::optional<std::array<std::string, 3>> single_uids(const DataSet& keys, Level level) {
    if (level == Level::Patient || keys.find(tags::PatientID)) return std::nullopt;
    std::array<std::string, 3> out;
    std::size_t n = 0;
    for (Level l : {Level::Study, Level::Series, Level::Image}) {
        if (static_cast<int>(l) > static_cast<int>(level)) break;
        const Element* e = keys.find(model::unique_key(l));
        if (!e) return std::nullopt;
        // A list of UIDs (several values: string_or would give the first only) walks the levels.
        auto values = e->strings();
        if (!values || values->size() != 1) return std::nullopt;
        std::string v(trim_padding((*values)[0]));
        if (v.empty() || v.find_first_of("\\*?") != std::string::npos) return std::nullopt;
        out[static_cast<std::size_t>(l) - static_cast<std::size_t>(Level::Study)] = std::move(v);
        ++n;
    }
    if (keys.size() != n) return std::nullopt;
    return out;
}

}  // namespace

/// The entities at `level` matching `keys` (unique keys, PS3.4 C.4.2.2.1), then, level by level,
/// everything below each of them down to the instances.
ServiceResult<void> Retrieve::descend(model::Root root, const DataSet& keys, Level level, std::vector<RetrieveItem>& out,
                               bool relational) {
    std::vector<DataSet> children;
    auto q = Query::parse(root, level_query(keys, level), relational);
    if (!q) return tl::unexpected(q.error());
    auto n = index_.find(*q, [&](const DataSet& m) {
        if (level == Level::Image) {
            out.push_back({std::string(trim_padding(m.string_or(tags::SOPClassUID))),
                           std::string(trim_padding(m.string_or(tags::SOPInstanceUID))), {}, {}});
        } else {
            DataSet k = keys;
            k.remove(tags::QueryRetrieveLevel);
            if (const Element* e = m.find(model::unique_key(level))) k.set(*e);
            children.push_back(std::move(k));
        }
        return true;
    });
    if (!n) return service_error(index_error_kind(n.error()), n.error());
    // Each child carries the unique keys given and its own: relational ones may still lack a
    // parent's, which its unique key makes unnecessary.
    for (const DataSet& k : children)
        if (auto r = descend(root, k, static_cast<Level>(static_cast<int>(level) + 1), out, relational); !r) return r;
    return {};
}

ServiceResult<std::vector<RetrieveItem>> Retrieve::instances(model::Root root, const DataSet& identifier, bool relational) {
    const auto level = model::parse_level(trim_padding(identifier.string_or(tags::QueryRetrieveLevel)));
    if (!level) return service_error(ErrorKind::BadIdentifier, "Query/Retrieve Level missing or unknown");
    if (relational && trim_padding(identifier.string_or(model::unique_key(*level))).empty())
        return service_error(ErrorKind::BadIdentifier, std::string("the unique key of level ") +
                                                       std::string(model::to_string(*level)) + " is required");
    DataSet keys;
    for (const model::KeyInfo& k : model::known_keys()) {
        if (!k.unique || model::key_level(k, root) > *level) continue;
        if (root == model::Root::Study && k.tag == tags::PatientID) continue;
        if (const Element* e = identifier.find(k.tag)) keys.set(*e);
    }
    std::vector<RetrieveItem> items;
    if (auto uids = single_uids(keys, *level)) {
        // Every unique key from the study down to the level, one UID each: one read of the index.
        auto files = index_.files_under((*uids)[0], (*uids)[1], (*uids)[2]);
        if (!files) return service_error(index_error_kind(files.error()), files.error());
        if (*files) {
            items.reserve((*files)->size());
            for (auto& f : **files)
                items.push_back({std::move(f.sop_class_uid), std::move(f.sop_instance_uid), std::move(f.file.path),
                                 std::move(f.file.transfer_syntax)});
            return items;
        }
    }
    if (auto r = descend(root, keys, *level, items, relational); !r) return tl::unexpected(r.error());
    for (auto& it : items) {
        auto f = index_.instance(it.sop_instance_uid);
        if (!f) return service_error(index_error_kind(f.error()), f.error());
        if (!*f) continue;  // removed meanwhile: the sub-operation fails
        it.blob = (*f)->path;
        it.transfer_syntax = (*f)->transfer_syntax;
    }
    return items;
}

}  // namespace dicomkit::server::service
