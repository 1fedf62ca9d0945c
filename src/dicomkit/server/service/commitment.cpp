// Commitment: the N-ACTION checks, the lookups in the index and the transaction records.
#include <dicomkit/server/service/commitment.hpp>

#include <chrono>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/model/query.hpp>
#include <dicomkit/server/model/uid_check.hpp>

namespace dicomkit::server::service {

namespace {

tl::unexpected<NRefusal> refuse(std::uint16_t status, std::string comment) {
    return tl::unexpected(NRefusal{status, std::move(comment)});
}

Element item_sequence(Tag tag, const std::vector<index::CommitmentItem>& items, bool with_reason) {
    Sequence seq;
    for (const index::CommitmentItem& i : items) {
        DataSet d;
        d.set_string(tags::ReferencedSOPClassUID, VR::UI, i.sop_class_uid);
        d.set_string(tags::ReferencedSOPInstanceUID, VR::UI, i.sop_instance_uid);
        if (with_reason) d.set(Element::from_number<std::uint16_t>(tags::FailureReason, VR::US, i.failure_reason));
        seq.items.push_back(std::move(d));
    }
    return Element(tag, VR::SQ, std::move(seq));
}

std::vector<index::CommitmentItem> items_of(const DataSet& ds, Tag tag) {
    std::vector<index::CommitmentItem> out;
    const Element* e = ds.find(tag);
    if (!e || !e->is_sequence()) return out;
    for (const DataSet& d : e->sequence().items) {
        index::CommitmentItem i{d.string_or(tags::ReferencedSOPClassUID), d.string_or(tags::ReferencedSOPInstanceUID), 0};
        if (auto r = d.get_number<std::uint16_t>(tags::FailureReason)) i.failure_reason = *r;
        out.push_back(std::move(i));
    }
    return out;
}

/// The SOP Class UID the index keeps for `uid`: "" when not there.
Result<std::optional<std::string>> stored_class(index::Index& archive, const std::string& uid) {
    DataSet id;
    id.set_string(tags::QueryRetrieveLevel, VR::CS, "IMAGE");
    id.set_string(tags::SOPInstanceUID, VR::UI, uid);
    id.set(Element(tags::SOPClassUID, VR::UI));
    auto q = model::parse_query(model::Root::Study, id, model::ParseOptions{.relational = true});
    if (!q) return tl::unexpected(q.error());
    std::optional<std::string> found;
    auto n = archive.find(*q, [&](const DataSet& m) {
        found = m.string_or(tags::SOPClassUID);
        return false;
    });
    if (!n) return tl::unexpected(n.error());
    if (found) return found;
    // Non-patient objects (Color Palette, Hanging Protocol...) are kept apart from the hierarchy.
    auto f = archive.instance(uid);
    if (!f) return tl::unexpected(f.error());
    if (!*f) return std::optional<std::string>{};
    return std::optional<std::string>(std::string());  // there, class unknown to find()
}

}  // namespace

NCheck<CommitmentRequest> parse_commitment_request(std::uint16_t action_type, const DataSet* info, std::size_t max_items) {
    if (action_type != 1)
        return refuse(0x0123, "Action Type ID " + std::to_string(action_type) +
                                  " is not 1 (Request Storage Commitment, PS3.4 J.3.2.1)");
    if (!info) return refuse(0x0120, "no Action Information: Transaction UID and Referenced SOP Sequence are required");
    CommitmentRequest r;
    r.transaction_uid = info->string_or(tags::TransactionUID);
    if (!info->contains(tags::TransactionUID)) return refuse(0x0120, "Transaction UID (0008,1195) is missing");
    if (r.transaction_uid.empty()) return refuse(0x0121, "Transaction UID (0008,1195) is empty");
    if (auto why = model::uid_problem(r.transaction_uid)) return refuse(0x0106, "Transaction UID: " + *why);
    const Element* refs = info->find(tags::ReferencedSOPSequence);
    if (!refs) return refuse(0x0120, "Referenced SOP Sequence (0008,1199) is missing");
    if (!refs->is_sequence() || refs->sequence().items.empty())
        return refuse(0x0121, "Referenced SOP Sequence (0008,1199) has no item");
    if (refs->sequence().items.size() > max_items)
        return refuse(0x0213, "Referenced SOP Sequence has " + std::to_string(refs->sequence().items.size()) +
                                  " items, more than " + std::to_string(max_items));
    std::size_t n = 0;
    for (const DataSet& d : refs->sequence().items) {
        ++n;
        index::CommitmentItem i{d.string_or(tags::ReferencedSOPClassUID), d.string_or(tags::ReferencedSOPInstanceUID), 0};
        if (i.sop_class_uid.empty() || i.sop_instance_uid.empty())
            return refuse(0x0121, "Referenced SOP Sequence item " + std::to_string(n) +
                                      ": Referenced SOP Class UID and Instance UID are required");
        if (i.sop_class_uid.find_first_of("\\\n") != std::string::npos ||
            i.sop_instance_uid.find_first_of("\\\n") != std::string::npos)
            return refuse(0x0106, "Referenced SOP Sequence item " + std::to_string(n) + ": not a UID");
        r.items.push_back(std::move(i));
    }
    return r;
}

DataSet event_information(const index::CommitmentRecord& r) {
    DataSet ds;
    ds.set_string(tags::TransactionUID, VR::UI, r.transaction_uid);
    if (!r.committed.empty()) ds.set(item_sequence(tags::ReferencedSOPSequence, r.committed, false));
    if (!r.failed.empty()) ds.set(item_sequence(tags::FailedSOPSequence, r.failed, true));
    return ds;
}

std::uint16_t event_type(const index::CommitmentRecord& r) noexcept { return r.failed.empty() ? 1 : 2; }

index::CommitmentRecord parse_event_information(const DataSet& info) {
    index::CommitmentRecord r;
    r.transaction_uid = info.string_or(tags::TransactionUID);
    r.committed = items_of(info, tags::ReferencedSOPSequence);
    r.failed = items_of(info, tags::FailedSOPSequence);
    return r;
}

Commitment::Commitment(index::WorkflowStore& store, index::Index& archive, CommitmentOptions options)
    : store_(store), archive_(archive), options_(std::move(options)) {}

std::int64_t Commitment::now() const {
    if (options_.now) return options_.now();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ServiceResult<void> Commitment::resolve(index::CommitmentRecord& r) {
    r.committed.clear();
    r.failed.clear();
    for (const index::CommitmentItem& i : r.requested) {
        auto cls = stored_class(archive_, i.sop_instance_uid);
        if (!cls) return service_error(index_error_kind(cls.error()), cls.error());
        index::CommitmentItem out = i;
        if (!*cls) out.failure_reason = kFailureNoSuchObject;
        else if (!(*cls)->empty() && **cls != i.sop_class_uid) out.failure_reason = kFailureClassMismatch;
        (out.failure_reason ? r.failed : r.committed).push_back(std::move(out));
    }
    return {};
}

NCheck<index::CommitmentRecord> Commitment::request(const std::string& requester_ae, std::uint16_t action_type,
                                                    const DataSet* info) {
    auto rq = parse_commitment_request(action_type, info);
    if (!rq) return tl::unexpected(rq.error());
    index::CommitmentRecord r;
    r.transaction_uid = rq->transaction_uid;
    r.requester_ae = requester_ae;
    r.requested = std::move(rq->items);
    r.created = r.updated = now();
    if (auto ok = resolve(r); !ok) return refuse(0x0213, "the index failed: " + ok.error().message);
    if (auto ok = store_.put_commitment(r); !ok) return refuse(0x0213, "the workflow store failed: " + ok.error().message);
    return r;
}

ServiceResult<index::CommitmentRecord> Commitment::report_done(const std::string& uid, bool delivered,
                                                               const std::string& error, bool give_up) {
    auto rec = store_.commitment(uid);
    if (!rec) return service_error(ErrorKind::OutOfResources, rec.error());
    if (!*rec) return service_error(ErrorKind::NoSuchObject, "no commitment transaction " + uid);
    index::CommitmentRecord r = std::move(**rec);
    ++r.attempts;
    r.updated = now();
    if (delivered) {
        r.state = index::CommitmentState::Reported;
        r.last_error.clear();
    } else {
        r.last_error = error;
        if (give_up) r.state = index::CommitmentState::Failed;
    }
    if (auto ok = store_.put_commitment(r); !ok) return service_error(ErrorKind::OutOfResources, ok.error());
    return r;
}

ServiceResult<std::optional<index::CommitmentRecord>> Commitment::get(const std::string& uid) {
    auto rec = store_.commitment(uid);
    if (!rec) return service_error(ErrorKind::OutOfResources, rec.error());
    return std::move(*rec);
}

ServiceResult<std::vector<index::CommitmentRecord>> Commitment::list(std::optional<index::CommitmentState> state,
                                                                     std::size_t limit) {
    auto recs = store_.list_commitments(state, limit);
    if (!recs) return service_error(ErrorKind::OutOfResources, recs.error());
    return std::move(*recs);
}

}  // namespace dicomkit::server::service
