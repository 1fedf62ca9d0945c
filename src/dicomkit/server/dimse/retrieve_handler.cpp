// C-MOVE / C-GET SCP: sub-operations, counts and final status (PS3.4 C.4.2.3, C.4.3.3).
#include <dicomkit/server/dimse/retrieve_handler.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
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

constexpr const char* kExplicitLE = "1.2.840.10008.1.2.1";
constexpr const char* kImplicitLE = "1.2.840.10008.1.2";

/// The contexts of one association to a Move Destination and the SOP classes they are for.
struct ContextGroup {
    std::set<std::string> classes;
    std::vector<net::pdu::PresentationContextRq> contexts;
};

/// The presentation contexts for the sub-operations: per SOP class, one with the uncompressed
/// syntaxes (what any uncompressed file can be converted to) and one per other stored syntax
/// (the peer accepts one syntax per context, and these cannot be converted), classes packed into
/// associations of at most `max` contexts (PS3.8 9.3.2.2).
std::vector<ContextGroup> context_groups(const std::vector<service::RetrieveItem>& items, std::size_t max) {
    std::map<std::string, std::set<std::string>> by_class;
    for (const auto& it : items) {
        auto& s = by_class[it.sop_class_uid];
        if (it.transfer_syntax != kExplicitLE && it.transfer_syntax != kImplicitLE && !it.transfer_syntax.empty())
            s.insert(it.transfer_syntax);
    }
    std::vector<ContextGroup> out;
    for (const auto& [cls, syntaxes] : by_class) {
        const std::size_t need = std::min(max, 1 + syntaxes.size());
        if (out.empty() || out.back().contexts.size() + need > max) out.emplace_back();
        ContextGroup& g = out.back();
        g.classes.insert(cls);
        g.contexts.push_back({0, cls, {kExplicitLE, kImplicitLE}});
        for (const auto& ts : syntaxes)
            if (g.contexts.size() < max) g.contexts.push_back({0, cls, {ts}});
    }
    return out;
}

/// Why a sub-operation failed: at length (log, SCU) and in a few words (the Error Comment, an LO).
struct Reason {
    std::optional<std::uint16_t> status;
    std::string text;
    std::string brief;
};

Reason reason_of(const Result<nd::StoreResult>& r, const service::RetrieveItem& it) {
    if (r) {
        std::string text = nd::describe_status(r->status);
        if (!r->error_comment.empty()) text += " (" + r->error_comment + ")";
        char brief[48];
        std::snprintf(brief, sizeof brief, "the peer answered 0x%04X", r->status);
        return {r->status, "C-STORE answered " + text, brief};
    }
    if (r.error().code == ErrorCode::Unsupported) {
        const auto* ts = io::find_transfer_syntax(it.transfer_syntax);
        const std::string name = ts ? std::string(ts->keyword) : it.transfer_syntax;
        std::string text = r.error().message;
        if (ts && ts->encapsulated) text += "; compressed data is not decompressed (yet)";
        return {std::nullopt, text, "no accepted context for " + name};
    }
    return {std::nullopt, r.error().to_string(), r.error().message};
}

using StoreItem = std::function<Result<nd::StoreResult>(const service::RetrieveItem&)>;

/// An item's blob as the senders take it: its file on this machine (sent as the file is, mapped
/// or streamed), or, from a store whose blobs are not files, its bytes read into a DicomFile.
struct Source {
    std::string path;
    std::optional<io::DicomFile> file;
};

Result<Source> open_item(storage::BlobStore& blobs, const service::RetrieveItem& it) {
    auto reader = blobs.open(it.blob);
    if (!reader) return tl::unexpected(reader.error());
    if (auto local = (*reader)->local_path()) return Source{*local, std::nullopt};
    auto bytes = (*reader)->read_all();
    if (!bytes) return tl::unexpected(bytes.error());
    auto file = io::read_bytes(std::move(*bytes), {}, blobs.display(it.blob));
    if (!file) return tl::unexpected(file.error());
    return Source{{}, std::move(*file)};
}
using OnFailure = std::function<void(const service::RetrieveItem&, const Reason&)>;

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
            const Reason why = reason_of(r, it);
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

/// The associations to a Move Destination, opened one group of classes at a time.
class Destinations {
public:
    Destinations(storage::BlobStore& blobs, const Destination& d, std::string our_ae, std::vector<ContextGroup> groups)
        : blobs_(blobs), dest_(d), our_ae_(std::move(our_ae)), groups_(std::move(groups)), errors_(groups_.size()) {}
    ~Destinations() { close(); }

    /// The group of `cls`'s contexts.
    [[nodiscard]] std::size_t group_of(const std::string& cls) const {
        for (std::size_t i = 0; i < groups_.size(); ++i)
            if (groups_[i].classes.contains(cls)) return i;
        return 0;
    }

    /// C-STORE of `it` on the association of its class's group (opened when needed; a group whose
    /// association failed fails each of its instances with the same error).
    Result<nd::StoreResult> store(const service::RetrieveItem& it, nd::StoreOptions so) {
        const std::size_t g = group_of(it.sop_class_uid);
        if (errors_[g]) return tl::unexpected(*errors_[g]);
        if (!assoc_ || open_ != g) {
            close();
            net::ul::AssociationRequest arq;
            arq.calling_ae = our_ae_;
            arq.called_ae = dest_.ae_title;
            arq.contexts = groups_[g].contexts;
            net::ul::AssociationOptions ao;
            ao.tls = dest_.tls;
            auto a = net::ul::Association::request({dest_.host, dest_.port}, arq, ao);
            if (!a) {
                Error e = a.error();
                e.message = "move destination " + dest_.ae_title + ": " + e.message;
                errors_[g] = e;
                return tl::unexpected(e);
            }
            assoc_ = std::move(*a);
            open_ = g;
        }
        so.message_id = next_id_++;
        auto src = open_item(blobs_, it);
        if (!src) return tl::unexpected(src.error());
        auto r = src->file ? nd::store(*assoc_, *src->file, so) : nd::store(*assoc_, src->path, so);
        if (!r && !r.error().peer.empty()) {  // the association is lost: the rest of the group fails alike
            errors_[g] = r.error();
            assoc_->abort();
            assoc_.reset();
        }
        return r;
    }

    void close() {
        if (assoc_) (void)assoc_->release();
        assoc_.reset();
    }

private:
    storage::BlobStore& blobs_;
    const Destination& dest_;
    std::string our_ae_;
    std::vector<ContextGroup> groups_;
    std::vector<std::optional<Error>> errors_;
    std::optional<net::ul::Association> assoc_;
    std::size_t open_ = 0;
    std::uint16_t next_id_ = 1;
};

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
    OnFailure on_failure = [&](const service::RetrieveItem& it, const Reason& why) {
        if (log_) log_(SubOperationFailure{rc, rq, it.sop_instance_uid, why.status, why.text});
    };
    if (store_here)
        return run_all(
            *items,
            [&](const service::RetrieveItem& it) -> Result<nd::StoreResult> {
                auto src = open_item(retrieve_.blobs(), it);
                if (!src) return tl::unexpected(src.error());
                if (src->file)  // C-GET sends files of this machine
                    return make_error(ErrorCode::IoError, retrieve_.blobs().display(it.blob) + " is not a local file");
                return (*store_here)(src->path, so);
            },
            progress, on_failure);
    Destinations to(retrieve_.blobs(), *dest, our_ae_, context_groups(*items, kMaxContexts));
    std::stable_sort(items->begin(), items->end(), [&](const auto& x, const auto& y) {
        return to.group_of(x.sop_class_uid) < to.group_of(y.sop_class_uid);
    });
    auto out = run_all(*items, [&](const service::RetrieveItem& it) { return to.store(it, so); }, progress,
                       on_failure);
    to.close();
    return out;
}

}  // namespace dicomkit::server::dimse
