// Non-patient object models and C-FIND matching over them.
#include <dicomkit/server/model/non_patient.hpp>

#include <algorithm>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/dict/tags.hpp>

namespace dicomkit::server::model {

namespace {

// PS3.4 GG.3 (storage), U.1, X.1, BB.1, CC.1, DD.1, HH.1 and the Defined Procedure Protocol
// Query/Retrieve model (the SOP Class UIDs of PS3.6 Table A-1).
const NonPatientModel kModels[] = {
    {"Hanging Protocol", "1.2.840.10008.5.1.4.38.2", "1.2.840.10008.5.1.4.38.3", "1.2.840.10008.5.1.4.38.4",
     {"1.2.840.10008.5.1.4.38.1"}},
    {"Color Palette", "1.2.840.10008.5.1.4.39.2", "1.2.840.10008.5.1.4.39.3", "1.2.840.10008.5.1.4.39.4",
     {"1.2.840.10008.5.1.4.39.1"}},
    {"Generic Implant Template", "1.2.840.10008.5.1.4.43.2", "1.2.840.10008.5.1.4.43.3",
     "1.2.840.10008.5.1.4.43.4", {"1.2.840.10008.5.1.4.43.1"}},
    {"Implant Assembly Template", "1.2.840.10008.5.1.4.44.2", "1.2.840.10008.5.1.4.44.3",
     "1.2.840.10008.5.1.4.44.4", {"1.2.840.10008.5.1.4.44.1"}},
    {"Implant Template Group", "1.2.840.10008.5.1.4.45.2", "1.2.840.10008.5.1.4.45.3", "1.2.840.10008.5.1.4.45.4",
     {"1.2.840.10008.5.1.4.45.1"}},
    {"Defined Procedure Protocol", "1.2.840.10008.5.1.4.20.1", "1.2.840.10008.5.1.4.20.2",
     "1.2.840.10008.5.1.4.20.3", {"1.2.840.10008.5.1.4.1.1.200.1", "1.2.840.10008.5.1.4.1.1.200.7"}},
    {"Protocol Approval", "1.2.840.10008.5.1.4.1.1.200.4", "1.2.840.10008.5.1.4.1.1.200.5",
     "1.2.840.10008.5.1.4.1.1.200.6", {"1.2.840.10008.5.1.4.1.1.200.3"}},
    {"Inventory", "", "", "", {"1.2.840.10008.5.1.4.1.1.201.1"}},
};

bool has_non_ascii(const DataSet& ds) {
    for (const Element& e : ds) {
        if (e.is_sequence()) {
            for (const DataSet& item : e.sequence().items)
                if (has_non_ascii(item)) return true;
        } else if (e.is_bytes() && is_string(e.vr())) {
            for (std::uint8_t b : e.bytes())
                if (b >= 0x80) return true;
        }
    }
    return false;
}

}  // namespace

std::span<const NonPatientModel> non_patient_models() noexcept { return kModels; }

bool is_non_patient_storage(std::string_view uid) noexcept {
    return std::any_of(std::begin(kModels), std::end(kModels), [&](const NonPatientModel& m) {
        return std::find(m.storage.begin(), m.storage.end(), uid) != m.storage.end();
    });
}

const NonPatientModel* non_patient_model(std::string_view uid) noexcept {
    if (uid.empty()) return nullptr;
    for (const NonPatientModel& m : kModels)
        if (m.find == uid || m.move == uid || m.get == uid) return &m;
    return nullptr;
}

Result<ObjectQuery> parse_object_query(const DataSet& identifier) {
    DataSet keys;
    for (const Element& e : identifier) {
        const Tag t = e.tag();
        if (t == tags::QueryRetrieveLevel || t.group == 0x0000 || t.group == 0x0002) continue;
        keys.insert(e);
    }
    const auto charset = SpecificCharacterSet::lenient_parse(identifier.string_or(tags::SpecificCharacterSet));
    auto item = parse_item_keys(keys, charset);
    if (!item) return tl::unexpected(item.error());
    ObjectQuery q;
    q.keys.tag = Tag(0xFFFE, 0xE000);
    q.keys.matching = any_matching(*item);
    q.keys.item = std::move(*item);
    return q;
}

std::optional<DataSet> match_object(const ObjectQuery& query, const DataSet& object) {
    const Element wrapped(Tag(0xFFFE, 0xE000), VR::SQ, Sequence{{object}});
    auto out = match_sequence(query.keys, &wrapped);
    if (!out || !out->is_sequence() || out->sequence().items.empty()) return std::nullopt;
    DataSet answer = std::move(out->sequence().items.front());
    if (has_non_ascii(answer)) answer.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
    return answer;
}

}  // namespace dicomkit::server::model
