// Worklist: item validation, the C-FIND matching of PS3.4 K over the store's preselection, and
// the changes orders, patients and procedure steps make.
#include <dicomkit/server/service/worklist.hpp>

#include <algorithm>
#include <charconv>
#include <random>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/sql/attributes.hpp>
#include <dicomkit/server/model/query.hpp>
#include <dicomkit/server/model/text.hpp>

namespace dicomkit::server::service {

namespace {

const SpecificCharacterSet& utf8() {
    static const SpecificCharacterSet cs = SpecificCharacterSet::lenient_parse("ISO_IR 192");
    return cs;
}

SpecificCharacterSet charset_of(const DataSet& ds) {
    const Element* e = ds.find(tags::SpecificCharacterSet);
    if (!e || !e->is_bytes()) return SpecificCharacterSet::lenient_parse("");
    std::string v(reinterpret_cast<const char*>(e->bytes().data()), e->bytes().size());
    return SpecificCharacterSet::lenient_parse(v);
}

/// PS3.5 B.2: a UID from a random 128-bit number.
std::string new_uid() {
    std::random_device rd;
    unsigned __int128 v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 32) | rd();
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v);
    return "2.25." + digits;
}

/// A Scheduled Procedure Step ID (SH, 16 characters) from the order key: the same order gets
/// the same ID when put again.
std::string step_id_for(std::string_view order_key) {
    std::uint64_t h = 14695981039346656037ull;
    for (char c : order_key) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = hex[h & 15];
    return out;
}

/// The one Scheduled Procedure Step Sequence item of `item`, null when it has none.
DataSet* step_of(DataSet& item) {
    Element* s = item.find(tags::ScheduledProcedureStepSequence);
    if (!s || !s->is_sequence() || s->sequence().items.empty()) return nullptr;
    return &s->sequence().items.front();
}
const DataSet* step_of(const DataSet& item) { return step_of(const_cast<DataSet&>(item)); }

std::string value(const DataSet& ds, Tag t) { return model::decoded_value(ds, t, utf8()); }

const std::vector<std::string>& final_statuses() {
    static const std::vector<std::string> s{"COMPLETED", "CANCELED", "DISCONTINUED"};
    return s;
}

Result<std::int64_t> id_number(std::string_view id) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
    if (id.empty() || ec != std::errc() || end != id.data() + id.size() || v <= 0)
        return make_error(ErrorCode::InvalidValue, "not a worklist item id: " + std::string(id));
    return v;
}

bool non_ascii(const DataSet& ds) {
    for (const Element& e : ds) {
        if (e.is_sequence()) {
            for (const DataSet& item : e.sequence().items)
                if (non_ascii(item)) return true;
        } else if (e.is_bytes()) {
            for (std::uint8_t b : e.bytes())
                if (b >= 0x80) return true;
        }
    }
    return false;
}

/// The keys of the identifier that the store can preselect on (index::WorklistFilter).
void preselect(const std::vector<model::ItemKey>& keys, bool in_step, index::WorklistFilter& f, bool& status_matched) {
    using model::Match;
    for (const model::ItemKey& k : keys) {
        if (k.sequence) {
            if (!in_step && k.key.tag == tags::ScheduledProcedureStepSequence) preselect(k.item, true, f, status_matched);
            continue;
        }
        if (k.match == Match::Universal) continue;
        const Tag t = k.key.tag;
        const bool text = k.match == Match::Single || k.match == Match::Wildcard;
        const std::string v = text ? k.values[0] : std::string();
        if (!in_step) {
            if (t == tags::PatientID && text) f.patient_id = v;
            else if (t == tags::IssuerOfPatientID && text) f.issuer = v;
            else if (t == tags::PatientName && text) f.patient_name = v;
            else if (t == tags::AccessionNumber && text) f.accession = v;
            else if (t == tags::RequestedProcedureID && text) f.requested_procedure_id = v;
            else if (t == tags::StudyInstanceUID && k.match == Match::Single) f.study_uid = v;
            else if (t == tags::StudyInstanceUID && k.match == Match::List) f.study_uids = k.values;
            continue;
        }
        if (t == tags::Modality && text) f.modality = v;
        else if (t == tags::ScheduledPerformingPhysicianName && text) f.performing = v;
        else if (t == tags::ScheduledProcedureStepID && text) f.sps_id = v;
        else if (t == tags::ScheduledProcedureStepStartDate && k.match == Match::Single) f.date_low = f.date_high = v;
        else if (t == tags::ScheduledProcedureStepStartDate && k.match == Match::Range) {
            f.date_low = k.values[0];
            f.date_high = k.values[1];
        } else if (t == tags::ScheduledProcedureStepStatus) {
            status_matched = true;
            if (k.match == Match::Single) f.statuses = {v};
            else if (k.match == Match::List) f.statuses = k.values;
        }
    }
}

/// PS3.4 C.2.2.2.5: Scheduled Procedure Step Start Date and Time, both matched, as one
/// date-time range (low, high; "" open). The two keys are then made universal in `step_keys`.
struct DateTimeRange {
    std::string low, high;
};

std::optional<DateTimeRange> take_date_time(std::vector<model::ItemKey>& step_keys) {
    using model::Match;
    auto find = [&](Tag t) -> model::ItemKey* {
        for (auto& k : step_keys)
            if (k.key.tag == t && !k.sequence) return &k;
        return nullptr;
    };
    model::ItemKey* date = find(tags::ScheduledProcedureStepStartDate);
    model::ItemKey* time = find(tags::ScheduledProcedureStepStartTime);
    auto bounds = [](const model::ItemKey& k) -> std::optional<std::pair<std::string, std::string>> {
        if (k.match == Match::Single) return std::pair{k.values[0], k.values[0]};
        if (k.match == Match::Range) return std::pair{k.values[0], k.values[1]};
        return std::nullopt;
    };
    if (!date || !time) return std::nullopt;
    auto d = bounds(*date), t = bounds(*time);
    if (!d || !t) return std::nullopt;
    DateTimeRange r;
    if (!d->first.empty()) r.low = d->first + t->first;
    if (!d->second.empty()) r.high = d->second + (t->second.empty() ? "~" : t->second);
    date->match = time->match = Match::Universal;
    date->values.clear();
    time->values.clear();
    return r;
}

bool in_range(const DateTimeRange& r, const DataSet& step) {
    const std::string dt = value(step, tags::ScheduledProcedureStepStartDate) +
                           value(step, tags::ScheduledProcedureStepStartTime);
    if (dt.empty()) return false;
    if (!r.low.empty() && dt < r.low) return false;
    // The upper end includes every time it is a prefix of (as model::values_match does for TM).
    if (!r.high.empty() && dt >= r.high + "~") return false;
    return true;
}

}  // namespace

DataSet worklist_utf8(const DataSet& ds) {
    if (!ds.contains(tags::SpecificCharacterSet)) return ds;
    auto back = index::sql::decode_blob(index::sql::object_blob(ds, charset_of(ds)));
    return back ? *back : ds;
}

ServiceResult<std::string> Worklist::put(std::string_view order_key, DataSet item) {
    index::WorklistStore* store = index_.worklist();
    if (!store) return service_error(ErrorKind::Unsupported, "this index keeps no worklist");
    if (order_key.empty()) return service_error(ErrorKind::BadIdentifier, "a worklist item needs an order key");
    const SpecificCharacterSet cs = charset_of(item);
    Element* seq = item.find(tags::ScheduledProcedureStepSequence);
    if (!seq || !seq->is_sequence() || seq->sequence().items.size() != 1)
        return service_error(ErrorKind::BadIdentifier,
                             "a worklist item needs a Scheduled Procedure Step Sequence (0040,0100) of one item");
    if (model::decoded_value(item, tags::PatientID, cs).empty())
        return service_error(ErrorKind::BadIdentifier, "a worklist item needs a Patient ID (0010,0020)");
    DataSet& step = seq->sequence().items.front();
    for (Tag t : {tags::Modality, tags::ScheduledProcedureStepStartDate})
        if (model::decoded_value(step, t, cs).empty())
            return service_error(ErrorKind::BadIdentifier,
                                 "the Scheduled Procedure Step Sequence item needs " + t.str());
    if (model::decoded_value(step, tags::ScheduledProcedureStepID, cs).empty())
        step.set_string(tags::ScheduledProcedureStepID, VR::SH, step_id_for(order_key));
    if (model::decoded_value(step, tags::ScheduledProcedureStepStatus, cs).empty())
        step.set_string(tags::ScheduledProcedureStepStatus, VR::CS, "SCHEDULED");
    if (model::decoded_value(item, tags::StudyInstanceUID, cs).empty())
        item.set_string(tags::StudyInstanceUID, VR::UI, new_uid());
    auto id = store->put(order_key, item, cs);
    if (!id) return service_error(index_error_kind(id.error()), id.error());
    return std::to_string(*id);
}

ServiceResult<std::size_t> Worklist::change_each(const index::WorklistFilter& filter,
                                                 const std::function<bool(DataSet&)>& change) {
    index::WorklistStore* store = index_.worklist();
    if (!store) return service_error(ErrorKind::Unsupported, "this index keeps no worklist");
    std::vector<index::WorklistEntry> changed;
    auto r = store->find(filter, [&](const index::WorklistEntry& e) {
        index::WorklistEntry copy = e;
        if (change(copy.item)) changed.push_back(std::move(copy));
        return true;
    });
    if (!r) return service_error(index_error_kind(r.error()), r.error());
    for (const auto& e : changed) {
        auto ok = store->replace(e.id, e.item, utf8());
        if (!ok) return service_error(index_error_kind(ok.error()), ok.error());
    }
    return changed.size();
}

namespace {

bool set_status(DataSet& item, std::string_view status) {
    DataSet* step = step_of(item);
    if (!step) return false;
    step->set_string(tags::ScheduledProcedureStepStatus, VR::CS, status);
    return true;
}

/// `patient`'s attributes (UTF-8) over `item`'s.
bool copy_patient(DataSet& item, const DataSet& patient) {
    for (const Element& e : patient)
        if (e.tag() != tags::SpecificCharacterSet) item.set(e);
    return true;
}

}  // namespace

ServiceResult<std::size_t> Worklist::cancel(std::string_view order_key, std::string_view sps_status) {
    if (order_key.empty()) return service_error(ErrorKind::BadIdentifier, "no order key");
    index::WorklistFilter f;
    f.order_key = order_key;
    if (f.order_key.find_first_of("*?") != std::string::npos)
        return service_error(ErrorKind::BadIdentifier, "an order key has no wild card");
    return change_each(f, [&](DataSet& item) { return set_status(item, sps_status); });
}

ServiceResult<std::size_t> Worklist::update_patient(const DataSet& patient) {
    const DataSet p = worklist_utf8(patient);
    index::WorklistFilter f;
    f.patient_id = value(p, tags::PatientID);
    f.issuer = value(p, tags::IssuerOfPatientID);
    if (f.patient_id.empty()) return service_error(ErrorKind::BadIdentifier, "a patient update needs a Patient ID");
    if ((f.patient_id + f.issuer).find_first_of("*?") != std::string::npos)
        return service_error(ErrorKind::BadIdentifier, "a Patient ID has no wild card");
    return change_each(f, [&](DataSet& item) { return copy_patient(item, p); });
}

ServiceResult<std::size_t> Worklist::merge_patient(std::string_view old_id, std::string_view old_issuer,
                                                   const DataSet& patient) {
    const DataSet p = worklist_utf8(patient);
    if (old_id.empty() || value(p, tags::PatientID).empty())
        return service_error(ErrorKind::BadIdentifier, "a merge needs the old and the new Patient ID");
    index::WorklistFilter f;
    f.patient_id = old_id;
    f.issuer = old_issuer;
    if ((f.patient_id + f.issuer).find_first_of("*?") != std::string::npos)
        return service_error(ErrorKind::BadIdentifier, "a Patient ID has no wild card");
    return change_each(f, [&](DataSet& item) { return copy_patient(item, p); });
}

ServiceResult<std::size_t> Worklist::set_step_status(std::string_view study_uid, std::string_view sps_id,
                                                     std::string_view sps_status) {
    if (study_uid.empty()) return service_error(ErrorKind::BadIdentifier, "no Study Instance UID");
    index::WorklistFilter f;
    f.study_uid = study_uid;
    f.sps_id = sps_id;
    if ((f.study_uid + f.sps_id).find_first_of("*?") != std::string::npos)
        return service_error(ErrorKind::BadIdentifier, "a step is named without wild cards");
    return change_each(f, [&](DataSet& item) { return set_status(item, sps_status); });
}

ServiceResult<WorklistFound> Worklist::find(const DataSet& identifier, const index::MatchFn& on_match) {
    index::WorklistStore* store = index_.worklist();
    if (!store) return service_error(ErrorKind::Unsupported, "this index keeps no worklist");
    DataSet keys_ds = identifier;
    keys_ds.remove(tags::SpecificCharacterSet);
    auto keys = model::parse_item_keys(keys_ds, charset_of(identifier));
    if (!keys) return service_error(ErrorKind::BadIdentifier, keys.error());
    index::WorklistFilter filter;
    bool status_matched = false;
    preselect(*keys, false, filter, status_matched);
    if (!status_matched) {
        filter.statuses = final_statuses();
        filter.exclude_statuses = true;
    }
    std::optional<DateTimeRange> when;
    for (model::ItemKey& k : *keys)
        if (k.sequence && k.key.tag == tags::ScheduledProcedureStepSequence) when = take_date_time(k.item);
    // The whole item is matched as the one item of a sequence key (model::match_sequence): the
    // answer is that item reduced to the requested keys, nested sequences included.
    model::SequenceCondition cond;
    cond.tag = Tag(0xFFFE, 0xE000);
    cond.item = std::move(*keys);
    cond.matching = true;
    WorklistFound found;
    bool stopped = false;
    auto r = store->find(filter, [&](const index::WorklistEntry& e) {
        const DataSet* entity = &e.item;
        DataSet narrowed;
        if (when) {
            narrowed = e.item;
            DataSet* step = step_of(narrowed);
            if (!step || !in_range(*when, *step)) return true;
            entity = &narrowed;
        }
        if (!status_matched) {
            const DataSet* step = step_of(*entity);
            const std::string s = step ? value(*step, tags::ScheduledProcedureStepStatus) : std::string();
            if (std::find(final_statuses().begin(), final_statuses().end(), s) != final_statuses().end()) return true;
        }
        const Element wrapper(cond.tag, VR::SQ, Sequence{{*entity}});
        auto answer = model::match_sequence(cond, &wrapper);
        if (!answer || answer->sequence().items.empty()) return true;
        if (found.matches >= options_.max_matches) {
            found.truncated = true;
            return false;
        }
        DataSet response = std::move(answer->sequence().items.front());
        if (non_ascii(response)) response.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
        ++found.matches;
        stopped = !on_match(response);
        return !stopped;
    });
    if (!r) return service_error(index_error_kind(r.error()), r.error());
    if (stopped) return service_error(ErrorKind::Cancelled, "cancelled");
    return found;
}

ServiceResult<std::vector<WorklistItem>> Worklist::list(const index::WorklistFilter& filter) {
    index::WorklistStore* store = index_.worklist();
    if (!store) return service_error(ErrorKind::Unsupported, "this index keeps no worklist");
    std::vector<WorklistItem> out;
    auto r = store->find(filter, [&](const index::WorklistEntry& e) {
        out.push_back({std::to_string(e.id), e.order_key, e.item});
        return true;
    });
    if (!r) return service_error(index_error_kind(r.error()), r.error());
    return out;
}

ServiceResult<std::optional<WorklistItem>> Worklist::get(std::string_view id) {
    index::WorklistStore* store = index_.worklist();
    if (!store) return service_error(ErrorKind::Unsupported, "this index keeps no worklist");
    auto n = id_number(id);
    if (!n) return std::optional<WorklistItem>{};
    auto e = store->get(*n);
    if (!e) return service_error(index_error_kind(e.error()), e.error());
    if (!*e) return std::optional<WorklistItem>{};
    return std::optional<WorklistItem>(WorklistItem{std::to_string((*e)->id), (*e)->order_key, (*e)->item});
}

ServiceResult<bool> Worklist::remove(std::string_view id) {
    index::WorklistStore* store = index_.worklist();
    if (!store) return service_error(ErrorKind::Unsupported, "this index keeps no worklist");
    auto n = id_number(id);
    if (!n) return false;
    auto r = store->remove(*n);
    if (!r) return service_error(index_error_kind(r.error()), r.error());
    return *r;
}

}  // namespace dicomkit::server::service
