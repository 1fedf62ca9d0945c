// C-MOVE / C-GET SCP: sub-operations, counts and final status (PS3.4 C.4.2.3, C.4.3.3).
#include <dicomkit/server/dimse/retrieve_handler.hpp>

#include <algorithm>
#include <cstdio>
#include <utility>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/dimse/status_map.hpp>

namespace dicomkit::server::dimse {

namespace {

namespace nd = net::dimse;
namespace st = nd::status;

using StoreItem = std::function<Result<nd::StoreResult>(const service::RetrieveItem&)>;
using OnFailure = std::function<void(const service::RetrieveItem&, const SendFailure&)>;

/// Runs the sub-operations through `store`, reporting progress after each but the last. The
/// final outcome's Error Comment (PS3.7 Annex C) counts the failures and gives the first reason;
/// the Failed SOP Instance UID List of the response identifier names them (PS3.4 C.4.2.1, C.4.3.1).
nd::RetrieveOutcome run_all(const std::vector<service::RetrieveItem>& items, const StoreItem& store,
                            const nd::RetrieveHandler::Progress& progress, const OnFailure& on_failure) {
    nd::RetrieveOutcome out;
    out.counts.remaining = static_cast<std::uint16_t>(items.size());
    std::string first_reason;
    bool several_reasons = false;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& it = items[i];
        auto r = it.blob.empty()
                     ? Result<nd::StoreResult>(make_error(ErrorCode::NotFound, "the instance is no longer stored"))
                     : store(it);
        --out.counts.remaining;
        const auto kind = r ? nd::status_kind(r->status) : nd::StatusKind::Failure;
        if (kind == nd::StatusKind::Success) ++out.counts.completed;
        else if (kind == nd::StatusKind::Warning) ++out.counts.warning;
        else {
            ++out.counts.failed;
            out.failed_uids.push_back(it.sop_instance_uid);
            const SendFailure why = describe_send_failure(r, it);
            if (first_reason.empty()) first_reason = why.brief;
            else if (why.brief != first_reason) several_reasons = true;
            if (on_failure) on_failure(it, why);
        }
        if (out.counts.remaining > 0 && !progress(out.counts)) {
            out.outcome = {st::Cancel, {}};
            for (std::size_t k = i + 1; k < items.size(); ++k) out.failed_uids.push_back(items[k].sop_instance_uid);
            return out;
        }
    }
    if (out.counts.failed == 0 && out.counts.warning == 0) return out;
    const bool none = out.counts.completed == 0 && out.counts.warning == 0;
    std::string comment;
    if (out.counts.failed > 0)
        comment = std::to_string(out.counts.failed) + " of " + std::to_string(items.size()) + " failed" +
                  (several_reasons ? ", first: " : ": ") + first_reason;
    out.outcome = {none ? st::OutOfResourcesSubOperations : st::SubOperationsCompleteWithFailures, comment};
    return out;
}

}  // namespace

nd::RetrieveOutcome RetrieveHandler::retrieve(const nd::RequestContext& rc, const nd::Command& rq,
                                              const DataSet& identifier, const Progress& progress,
                                              const StoreHere* store_here) {
    const Operation op = store_here ? Operation::Get : Operation::Move;
    const auto refused = [op](const service::ServiceError& e) {
        nd::RetrieveOutcome o;
        o.outcome = outcome_of(e, op);
        return o;
    };
    const service::Caller caller = caller_of(rc);
    if (auto ok = authorizer_->check(caller, service::Action::Retrieve); !ok) return refused(ok.error());
    const auto& sop = rq.affected_sop_class_uid;
    const auto root = sop == kPatientRootMove || sop == kPatientRootGet ? model::Root::Patient : model::Root::Study;
    std::optional<Destination> dest;
    if (!store_here) {
        if (auto ok = authorizer_->check_destination(caller, trim_padding(rq.move_destination)); !ok)
            return refused(ok.error());
        dest = destinations_ ? destinations_(rq.move_destination) : std::nullopt;
        if (!dest)
            return refused({service::ErrorKind::UnknownDestination, "unknown move destination " + rq.move_destination});
    }
    auto items = resolve_ ? resolve_(rq, identifier) : retrieve_.instances(root, identifier, relational_negotiated(rc));
    if (!items) return refused(items.error());
    if (items->empty()) return {};
    nd::StoreOptions so;
    so.move_originator_ae = store_here ? std::string() : rc.calling_ae;
    so.transcoder = transcoder_;
    if (!store_here) so.move_originator_message_id = rq.message_id;
    OnFailure on_failure = [&](const service::RetrieveItem& it, const SendFailure& why) {
        if (log_) log_(SubOperationFailure{rc, rq, it.sop_instance_uid, why.status, why.text});
    };
    if (store_here) {
        const auto anonymizer = deidentify_ ? deidentify_(std::string(trim_padding(rc.calling_ae))) : nullptr;
        return run_all(
            *items,
            [&](const service::RetrieveItem& it) -> Result<nd::StoreResult> {
                if (anonymizer) {  // the peer gets de-identified copies, never the stored files
                    auto copy = deidentified_copy(retrieve_.blobs(), it, *anonymizer);
                    if (!copy) return tl::unexpected(copy.error());
                    return (*store_here)({{}, &*copy}, so);
                }
                auto src = open_for_send(retrieve_.blobs(), it);
                if (!src) return tl::unexpected(src.error());
                if (src->file)  // C-GET sends files of this machine
                    return make_error(ErrorCode::IoError, retrieve_.blobs().display(it.blob) + " is not a local file");
                return (*store_here)({src->path, nullptr}, so);
            },
            progress, on_failure);
    }
    InstanceSender to(retrieve_.blobs(), *dest, our_ae_, *items, "move destination", kMaxContexts);
    to.order(*items);
    auto out = run_all(*items, [&](const service::RetrieveItem& it) { return to.store(it, so); }, progress,
                       on_failure);
    to.close();
    return out;
}

}  // namespace dicomkit::server::dimse
