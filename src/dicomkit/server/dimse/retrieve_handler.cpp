// C-MOVE / C-GET SCP: sub-operations, counts and final status (PS3.4 C.4.2.3, C.4.3.3).
#include <dicomkit/server/dimse/retrieve_handler.hpp>

#include <set>
#include <utility>

#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/handlers.hpp>

namespace dicomkit::server::dimse {

namespace {

namespace nd = net::dimse;
namespace st = nd::status;

constexpr const char* kExplicitLE = "1.2.840.10008.1.2.1";
constexpr const char* kImplicitLE = "1.2.840.10008.1.2";

/// The presentation contexts for the sub-operations: per SOP class, one with each stored transfer
/// syntax and one with the uncompressed ones as fallback (at most 128, PS3.8 9.3.2.2).
std::vector<net::pdu::PresentationContextRq> contexts_for(const std::vector<service::RetrieveItem>& items) {
    std::set<std::pair<std::string, std::string>> pairs;
    std::set<std::string> classes;
    for (const auto& it : items) {
        classes.insert(it.sop_class_uid);
        if (it.transfer_syntax != kExplicitLE && it.transfer_syntax != kImplicitLE && !it.transfer_syntax.empty())
            pairs.insert({it.sop_class_uid, it.transfer_syntax});
    }
    std::vector<net::pdu::PresentationContextRq> out;
    for (const auto& c : classes) {
        if (out.size() >= 128) break;
        out.push_back({0, c, {kExplicitLE, kImplicitLE}});
    }
    for (const auto& [c, ts] : pairs) {
        if (out.size() >= 128) break;
        out.push_back({0, c, {ts}});
    }
    return out;
}

/// Runs the sub-operations through `store`, reporting progress after each but the last.
nd::RetrieveOutcome run_all(const std::vector<service::RetrieveItem>& items,
                            const std::function<Result<nd::StoreResult>(const std::string&)>& store,
                            const nd::RetrieveHandler::Progress& progress) {
    nd::RetrieveOutcome out;
    out.counts.remaining = static_cast<std::uint16_t>(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& it = items[i];
        auto r = it.path.empty() ? Result<nd::StoreResult>(make_error(ErrorCode::NotFound, "not stored")) : store(it.path);
        --out.counts.remaining;
        const auto kind = r ? nd::status_kind(r->status) : nd::StatusKind::Failure;
        if (kind == nd::StatusKind::Success) ++out.counts.completed;
        else if (kind == nd::StatusKind::Warning) ++out.counts.warning;
        else {
            ++out.counts.failed;
            out.failed_uids.push_back(it.sop_instance_uid);
        }
        if (out.counts.remaining > 0 && !progress(out.counts)) {
            out.outcome = {st::Cancel, {}};
            for (std::size_t k = i + 1; k < items.size(); ++k) out.failed_uids.push_back(items[k].sop_instance_uid);
            return out;
        }
    }
    if (out.counts.failed == 0 && out.counts.warning == 0) return out;
    const bool none = out.counts.completed == 0 && out.counts.warning == 0;
    out.outcome = {none ? st::OutOfResourcesSubOperations : st::SubOperationsCompleteWithFailures, {}};
    return out;
}

nd::RetrieveOutcome failed(std::uint16_t status, std::string why) {
    nd::RetrieveOutcome o;
    o.outcome = {status, std::move(why)};
    return o;
}

}  // namespace

nd::RetrieveOutcome RetrieveHandler::retrieve(const nd::RequestContext& rc, const nd::Command& rq,
                                              const DataSet& identifier, const Progress& progress,
                                              const StoreHere* store_here) {
    if (allow_ && !allow_(rc.calling_ae, "retrieve")) return failed(st::NotAuthorized, rc.calling_ae + " may not retrieve");
    const auto& sop = rq.affected_sop_class_uid;
    const auto root = sop == kPatientRootMove || sop == kPatientRootGet ? model::Root::Patient : model::Root::Study;
    std::optional<Destination> dest;
    if (!store_here) {
        dest = destinations_ ? destinations_(rq.move_destination) : std::nullopt;
        if (!dest) return failed(st::MoveDestinationUnknown, "unknown move destination " + rq.move_destination);
    }
    auto items = resolve_ ? resolve_(rq, identifier) : retrieve_.instances(root, identifier, relational_negotiated(rc));
    if (!items) return failed(st::DataSetDoesNotMatchSOPClass, items.error().message);
    if (items->empty()) return {};
    nd::StoreOptions so;
    so.move_originator_ae = store_here ? std::string() : rc.calling_ae;
    if (!store_here) so.move_originator_message_id = rq.message_id;
    if (store_here)
        return run_all(*items, [&](const std::string& p) { return (*store_here)(p, so); }, progress);
    net::ul::AssociationRequest arq;
    arq.calling_ae = our_ae_;
    arq.called_ae = dest->ae_title;
    arq.contexts = contexts_for(*items);
    net::ul::AssociationOptions ao;
    ao.tls = dest->tls;
    auto assoc = net::ul::Association::request({dest->host, dest->port}, arq, ao);
    if (!assoc) {
        auto o = failed(st::OutOfResourcesSubOperations, "move destination: " + assoc.error().message);
        o.counts.failed = static_cast<std::uint16_t>(items->size());
        for (const auto& it : *items) o.failed_uids.push_back(it.sop_instance_uid);
        return o;
    }
    std::uint16_t id = 1;
    auto out = run_all(*items, [&](const std::string& p) {
        so.message_id = id++;
        return nd::store(*assoc, p, so);
    }, progress);
    (void)assoc->release();
    return out;
}

}  // namespace dicomkit::server::dimse
