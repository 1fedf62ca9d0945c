// Mpps: the PS3.4 F.7.2 rules of N-CREATE and N-SET, and the records behind them.
#include <dicomkit/server/service/mpps.hpp>

#include <algorithm>
#include <chrono>
#include <random>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/server/model/uid_check.hpp>

namespace dicomkit::server::service {

namespace {

constexpr std::uint16_t kInvalidAttributeValue = 0x0106;
constexpr std::uint16_t kProcessingFailure = 0x0110;
constexpr std::uint16_t kDuplicateInstance = 0x0111;
constexpr std::uint16_t kNoSuchInstance = 0x0112;
constexpr std::uint16_t kMissingAttribute = 0x0120;
constexpr std::uint16_t kMissingAttributeValue = 0x0121;
constexpr std::uint16_t kResourceLimitation = 0x0213;

tl::unexpected<NRefusal> refuse(std::uint16_t status, std::string comment) {
    return tl::unexpected(NRefusal{status, std::move(comment)});
}

/// The element is there and not empty (a sequence: at least one item).
bool has_value(const DataSet& ds, Tag t) {
    const Element* e = ds.find(t);
    if (!e) return false;
    if (e->is_sequence()) return !e->sequence().items.empty();
    return !ds.string_or(t).empty() || e->length() > 0;
}

NCheck<void> require(const DataSet& ds, Tag t, std::string_view name, std::string_view when) {
    if (!ds.contains(t))
        return refuse(kMissingAttribute, std::string(name) + " " + t.str() + " is missing (type 1 " + std::string(when) +
                                             ", PS3.4 F.7.2)");
    if (!has_value(ds, t))
        return refuse(kMissingAttributeValue, std::string(name) + " " + t.str() + " is empty (type 1 " +
                                                  std::string(when) + ", PS3.4 F.7.2)");
    return {};
}

/// require() for a sequence: present, a sequence (0x0106 otherwise: e.g. another VR in an explicit
/// VR data set) and with an item.
NCheck<void> require_items(const DataSet& ds, Tag t, std::string_view name, std::string_view when) {
    if (const Element* e = ds.find(t); e && !e->is_sequence())
        return refuse(kInvalidAttributeValue, std::string(name) + " " + t.str() + " is not a sequence (VR " +
                                                  std::string(to_string(e->vr())) + ")");
    return require(ds, t, name, when);
}

std::string status_of(const DataSet& ds) { return ds.string_or(tags::PerformedProcedureStepStatus); }

bool is_final(std::string_view s) { return s == kCompleted || s == kDiscontinued; }

/// The checks of a final status (F.7.2, Table F.7.2-1 final-state column and its notes): end date
/// and time set, a Performed Series Sequence with at least one item, each with its Series
/// Instance UID.
NCheck<void> check_final(const DataSet& ds) {
    const std::string_view when = "when the status is COMPLETED or DISCONTINUED";
    if (auto r = require(ds, tags::PerformedProcedureStepEndDate, "Performed Procedure Step End Date", when); !r) return r;
    if (auto r = require(ds, tags::PerformedProcedureStepEndTime, "Performed Procedure Step End Time", when); !r) return r;
    if (auto r = require_items(ds, tags::PerformedSeriesSequence, "Performed Series Sequence", when); !r) return r;
    for (const DataSet& item : ds.find(tags::PerformedSeriesSequence)->sequence().items)
        if (auto r = require(item, tags::SeriesInstanceUID, "Performed Series Sequence > Series Instance UID", when); !r)
            return r;
    return {};
}

std::vector<std::string> study_uids_of(const DataSet& ds) {
    std::vector<std::string> out;
    if (const Element* e = ds.find(tags::ScheduledStepAttributesSequence); e && e->is_sequence())
        for (const DataSet& item : e->sequence().items) {
            std::string uid = item.string_or(tags::StudyInstanceUID);
            if (!uid.empty() && std::find(out.begin(), out.end(), uid) == out.end()) out.push_back(std::move(uid));
        }
    return out;
}

}  // namespace

bool mpps_settable(Tag t) noexcept {
    // PS3.4 Table F.7.2-1: the attributes whose N-SET usage is not "Not allowed".
    static constexpr Tag kSettable[] = {
        tags::SpecificCharacterSet,
        Tag{0x0008, 0x1032},  // Procedure Code Sequence
        Tag{0x0018, 0x115E},  // Image and Fluoroscopy Area Dose Product
        Tag{0x0040, 0x0250},  // Performed Procedure Step End Date
        Tag{0x0040, 0x0251},  // Performed Procedure Step End Time
        Tag{0x0040, 0x0252},  // Performed Procedure Step Status
        Tag{0x0040, 0x0254},  // Performed Procedure Step Description
        Tag{0x0040, 0x0255},  // Performed Procedure Type Description
        Tag{0x0040, 0x0260},  // Performed Protocol Code Sequence
        Tag{0x0040, 0x0280},  // Comments on the Performed Procedure Step
        Tag{0x0040, 0x0281},  // Performed Procedure Step Discontinuation Reason Code Sequence
        Tag{0x0040, 0x0300},  // Total Time of Fluoroscopy
        Tag{0x0040, 0x0301},  // Total Number of Exposures
        Tag{0x0040, 0x0302},  // Entrance Dose
        Tag{0x0040, 0x0303},  // Exposed Area
        Tag{0x0040, 0x0306},  // Distance Source to Entrance
        Tag{0x0040, 0x030E},  // Exposure Dose Sequence
        Tag{0x0040, 0x0310},  // Comments on Radiation Dose
        Tag{0x0040, 0x0320},  // Billing Procedure Step Sequence
        Tag{0x0040, 0x0321},  // Film Consumption Sequence
        Tag{0x0040, 0x0324},  // Billing Supplies and Devices Sequence
        Tag{0x0040, 0x0340},  // Performed Series Sequence
        Tag{0x0040, 0x8302},  // Entrance Dose in mGy
    };
    for (Tag s : kSettable)
        if (s == t) return true;
    return false;
}

NCheck<void> check_mpps_create(const DataSet& ds) {
    const std::string_view when = "in N-CREATE";
    if (auto r = require_items(ds, tags::ScheduledStepAttributesSequence, "Scheduled Step Attributes Sequence", when); !r)
        return r;
    for (const DataSet& item : ds.find(tags::ScheduledStepAttributesSequence)->sequence().items)
        if (auto r = require(item, tags::StudyInstanceUID, "Scheduled Step Attributes Sequence > Study Instance UID", when); !r)
            return r;
    if (auto r = require(ds, tags::PerformedProcedureStepID, "Performed Procedure Step ID", when); !r) return r;
    if (auto r = require(ds, tags::PerformedStationAETitle, "Performed Station AE Title", when); !r) return r;
    if (auto r = require(ds, tags::PerformedProcedureStepStartDate, "Performed Procedure Step Start Date", when); !r) return r;
    if (auto r = require(ds, tags::PerformedProcedureStepStartTime, "Performed Procedure Step Start Time", when); !r) return r;
    if (auto r = require(ds, tags::PerformedProcedureStepStatus, "Performed Procedure Step Status", when); !r) return r;
    if (auto r = require(ds, tags::Modality, "Modality", when); !r) return r;
    if (status_of(ds) != kInProgress)
        return refuse(kInvalidAttributeValue, "Performed Procedure Step Status is \"" + status_of(ds) +
                                                  "\": an N-CREATE must set IN PROGRESS (PS3.4 F.7.2)");
    if (const Element* e = ds.find(tags::PerformedSeriesSequence); e && e->is_sequence()) {
        for (const DataSet& item : e->sequence().items)
            if (item.string_or(tags::SeriesInstanceUID).empty())
                return refuse(kMissingAttributeValue, "Performed Series Sequence item without Series Instance UID");
    }
    return {};
}

NCheck<DataSet> apply_mpps_set(const DataSet& current, const DataSet& mods) {
    const std::string was = status_of(current);
    if (was != kInProgress)
        return refuse(kProcessingFailure, "PPS may no longer be updated: its status is " +
                                              (was.empty() ? std::string("not set") : was) + " (F.7.2.2.3)");
    DataSet next = current;
    for (const Element& e : mods) {
        if (e.tag().group == 0x0000 || e.tag().group == 0x0002) continue;
        if (!mpps_settable(e.tag()))
            return refuse(kInvalidAttributeValue, "attribute " + e.tag().str() +
                                                      " may not be changed by N-SET (PS3.4 F.7.2 Table F.7.2-1)");
        next.set(e);
    }
    const std::string now = status_of(next);
    if (now != kInProgress && !is_final(now))
        return refuse(kInvalidAttributeValue, "Performed Procedure Step Status \"" + now +
                                                  "\" is none of IN PROGRESS, COMPLETED, DISCONTINUED");
    if (is_final(now))
        if (auto r = check_final(next); !r) return tl::unexpected(r.error());
    return next;
}

std::vector<PerformedInstance> performed_instances(const DataSet& mpps) {
    std::vector<PerformedInstance> out;
    const Element* ps = mpps.find(tags::PerformedSeriesSequence);
    if (!ps || !ps->is_sequence()) return out;
    for (const DataSet& series : ps->sequence().items) {
        const std::string series_uid = series.string_or(tags::SeriesInstanceUID);
        for (Tag t : {tags::ReferencedImageSequence, tags::ReferencedNonImageCompositeSOPInstanceSequence}) {
            const Element* refs = series.find(t);
            if (!refs || !refs->is_sequence()) continue;
            for (const DataSet& r : refs->sequence().items)
                out.push_back({series_uid, r.string_or(tags::ReferencedSOPClassUID),
                               r.string_or(tags::ReferencedSOPInstanceUID), false});
        }
    }
    return out;
}

std::string random_uid() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    unsigned __int128 v = (static_cast<unsigned __int128>(rng()) << 64) | rng();
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v != 0);
    return "2.25." + digits;
}

Result<std::string> encode_for_store(const DataSet& ds) {
    auto b = io::encode_dataset(ds, io::ts::ExplicitVRLittleEndian);
    if (!b) return tl::unexpected(b.error());
    return std::string(reinterpret_cast<const char*>(b->data()), b->size());
}

Result<DataSet> decode_from_store(const std::string& bytes) {
    return io::read_dataset(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                            io::ts::ExplicitVRLittleEndian);
}

Mpps::Mpps(index::WorkflowStore& store, index::Index* archive, MppsOptions options)
    : store_(store), archive_(archive), options_(std::move(options)) {}

std::int64_t Mpps::now() const {
    if (options_.now) return options_.now();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

NCheck<Mpps::Created> Mpps::create(std::string uid, const DataSet& attributes) {
    if (auto r = check_mpps_create(attributes); !r) return tl::unexpected(r.error());
    if (uid.empty()) uid = random_uid();
    if (auto why = model::uid_problem(uid)) return refuse(kInvalidAttributeValue, "Affected SOP Instance UID: " + *why);
    DataSet kept = attributes;
    kept.remove_range(Tag{0x0000, 0x0000}, Tag{0x0002, 0xFFFF});
    kept.set_string(tags::SOPClassUID, VR::UI, kMppsSopClass);
    kept.set_string(tags::SOPInstanceUID, VR::UI, uid);
    auto bytes = encode_for_store(kept);
    if (!bytes) return refuse(kProcessingFailure, "cannot encode the attributes: " + bytes.error().message);
    index::MppsRecord rec{uid, std::string(kInProgress), std::move(*bytes), study_uids_of(kept), now(), 0};
    rec.updated = rec.created;
    auto added = store_.add_mpps(rec);
    if (!added) return refuse(kResourceLimitation, "the workflow store failed: " + added.error().message);
    if (!*added) return refuse(kDuplicateInstance, "an MPPS with SOP Instance UID " + uid + " exists already");
    if (options_.on_state_change) options_.on_state_change(kept);
    return Created{uid, std::move(kept)};
}

NCheck<DataSet> Mpps::set(const std::string& uid, const DataSet& mods) {
    auto rec = store_.mpps(uid);
    if (!rec) return refuse(kResourceLimitation, "the workflow store failed: " + rec.error().message);
    if (!*rec) return refuse(kNoSuchInstance, "no MPPS with SOP Instance UID " + uid);
    auto current = decode_from_store((*rec)->dataset);
    if (!current) return refuse(kProcessingFailure, "the stored MPPS cannot be read: " + current.error().message);
    auto next = apply_mpps_set(*current, mods);
    if (!next) return next;
    auto bytes = encode_for_store(*next);
    if (!bytes) return refuse(kProcessingFailure, "cannot encode the attributes: " + bytes.error().message);
    index::MppsRecord updated = **rec;
    updated.status = status_of(*next);
    updated.dataset = std::move(*bytes);
    updated.study_uids = study_uids_of(*next);
    updated.updated = now();
    auto ok = store_.update_mpps(updated, (*rec)->status);
    if (!ok) return refuse(kResourceLimitation, "the workflow store failed: " + ok.error().message);
    if (!*ok) return refuse(kProcessingFailure, "Performed Procedure Step Object may no longer be updated: it changed meanwhile");
    if (options_.on_state_change) options_.on_state_change(*next);
    return next;
}

ServiceResult<std::optional<MppsView>> Mpps::get(const std::string& uid) {
    auto rec = store_.mpps(uid);
    if (!rec) return service_error(ErrorKind::OutOfResources, rec.error());
    if (!*rec) return std::optional<MppsView>{};
    auto ds = decode_from_store((*rec)->dataset);
    if (!ds) return service_error(ErrorKind::UnableToProcess, ds.error());
    MppsView v{std::move(**rec), std::move(*ds), {}};
    v.performed = performed_instances(v.attributes);
    if (archive_)
        for (PerformedInstance& p : v.performed) {
            auto f = archive_->instance(p.sop_instance_uid);
            if (!f) return service_error(index_error_kind(f.error()), f.error());
            p.stored = f->has_value();
        }
    return std::optional<MppsView>(std::move(v));
}

ServiceResult<std::vector<MppsView>> Mpps::list(std::size_t limit) {
    auto recs = store_.list_mpps(limit);
    if (!recs) return service_error(ErrorKind::OutOfResources, recs.error());
    std::vector<MppsView> out;
    for (index::MppsRecord& r : *recs) {
        auto ds = decode_from_store(r.dataset);
        MppsView v{std::move(r), ds ? std::move(*ds) : DataSet{}, {}};
        v.performed = performed_instances(v.attributes);
        out.push_back(std::move(v));
    }
    return out;
}

}  // namespace dicomkit::server::service
