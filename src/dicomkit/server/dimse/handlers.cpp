// Server DIMSE handlers.
#include <dicomkit/server/dimse/handlers.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/net/dimse/part10_header.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/status_map.hpp>
#include <dicomkit/server/model/non_patient.hpp>
#include <dicomkit/server/model/uid_check.hpp>

namespace dicomkit::server::dimse {

const std::vector<std::string>& store_sop_classes() {
    static const std::vector<std::string> classes = [] {
        std::vector<std::string> out;
        for (const auto& c : dict::storage_sop_classes()) out.emplace_back(c.uid);
        for (const auto& u : dict::all_uids())
            if (u.kind == dict::UidKind::SopClass && u.retired && u.name.view().find(" Storage") != std::string_view::npos &&
                u.name.view().find("Commitment") == std::string_view::npos)
                out.emplace_back(u.uid);
        for (const auto& m : model::non_patient_models())
            for (auto c : m.storage) out.emplace_back(c);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }();
    return classes;
}

service::Caller caller_of(const net::dimse::RequestContext& rc) {
    return service::Caller{rc.calling_ae, rc.peer_address, false, std::nullopt};
}

net::dimse::Outcome AuthorizedEchoHandler::echo(const net::dimse::RequestContext& rc, const net::dimse::Command&) {
    if (auto ok = authorizer_->check(caller_of(rc), service::Action::Echo); !ok)
        return outcome_of(ok.error(), Operation::Echo);
    return {};
}

bool is_store_sop_class(std::string_view uid) {
    const auto& all = store_sop_classes();
    return std::binary_search(all.begin(), all.end(), uid, std::less<>());
}

bool is_store_sop_class(std::string_view uid, bool unknown_too) {
    if (is_store_sop_class(uid)) return true;
    return unknown_too && !uid.empty() && !dict::find_uid(uid) && !model::uid_problem(uid);
}

namespace {

/// Where the data set of a C-STORE goes: the incoming blob of a store that was taken, or nowhere
/// for one refused before its data set arrived (read off the wire and dropped; end_async answers
/// with the refusal). Every sink IndexingStoreHandler is given back is one of these: begin()
/// makes them all.
class StoreSink final : public net::dimse::DataSink {
public:
    explicit StoreSink(net::dimse::Outcome refused) : refused_(std::move(refused)) {}
    explicit StoreSink(std::unique_ptr<storage::IncomingBlob> blob) : blob_(std::move(blob)) {}
    [[nodiscard]] Result<void> write(std::span<const std::uint8_t> bytes) override {
        if (blob_) return blob_->write(bytes);
        dropped_ += bytes.size();
        return {};
    }
    [[nodiscard]] Result<void> finish() override { return blob_ ? blob_->finish() : Result<void>{}; }
    void abort() noexcept override {
        if (blob_) blob_->abort();
    }
    [[nodiscard]] std::uint64_t size() const noexcept override { return blob_ ? blob_->size() : dropped_; }
    /// The refusal, for a store refused before its data set.
    [[nodiscard]] const std::optional<net::dimse::Outcome>& refused() const noexcept { return refused_; }
    /// The finished blob, handed over to be submitted.
    [[nodiscard]] Result<storage::Staged> stage() {
        if (!blob_) return make_error(ErrorCode::InvalidArgument, "no incoming blob");
        return blob_->stage();
    }

private:
    std::optional<net::dimse::Outcome> refused_;
    std::unique_ptr<storage::IncomingBlob> blob_;
    std::uint64_t dropped_ = 0;
};

}  // namespace

Result<std::unique_ptr<net::dimse::DataSink>> IndexingStoreHandler::begin(const net::dimse::RequestContext& rc,
                                                                          const net::dimse::Command& rq) {
    // PS3.7 C.5.x: a refusal by configuration is final (0x0124); A7xx would have the sender retry.
    if (auto ok = authorizer_->check(caller_of(rc), service::Action::Store); !ok)
        return std::unique_ptr<net::dimse::DataSink>(
            std::make_unique<StoreSink>(outcome_of(ok.error(), Operation::Store)));
    if (!is_store_sop_class(trim_padding(rq.affected_sop_class_uid), accept_unknown_sop_classes_))
        return std::unique_ptr<net::dimse::DataSink>(std::make_unique<StoreSink>(outcome_of(
            service::ServiceError{service::ErrorKind::Unsupported, "not a storage SOP class"}, Operation::Store)));
    auto header = net::dimse::part10_header(rc, rq);
    if (!header) return tl::unexpected(header.error());
    auto blob = ingest_.begin_incoming();
    if (!blob) return tl::unexpected(blob.error());
    if (auto r = (*blob)->write_prefix(*header); !r) return tl::unexpected(r.error());
    return std::unique_ptr<net::dimse::DataSink>(std::make_unique<StoreSink>(std::move(*blob)));
}

namespace {

/// The response to a store (PS3.4 B.2.3), by service::store_error_kind and status_map: the
/// operating system or the index failed: 0xA700 out of resources; the data set does not say what
/// it must (a UID missing, invalid or other than the request's, service::check_received):
/// 0xA900; anything else is a data set we cannot read to its end: 0xC000. A duplicate refused by
/// policy: kDuplicateRejectedStatus.
net::dimse::Outcome store_outcome(const Result<service::Stored>& r) {
    if (!r) return outcome_of({service::store_error_kind(r.error()), r.error().message}, Operation::Store);
    if (r->action == service::StoreAction::Rejected)  // the Error Comment is an LO: 64 characters
        return outcome_of({service::ErrorKind::DuplicateRefused, "duplicate SOP Instance UID refused (duplicates = reject)"},
                          Operation::Store);
    // Taken but kept aside (it does not match its IOD): PS3.4 B.2.3's warning for that.
    if (r->action == service::StoreAction::Quarantined)
        return net::dimse::Outcome{net::dimse::status::DataSetDoesNotMatchSOPClassWarning,
                                   "kept in quarantine: " + r->path.substr(0, 46)};
    return {};
}

}  // namespace

void IndexingStoreHandler::end_async(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                     std::unique_ptr<net::dimse::DataSink> sink, Completion done,
                                     bool more_follow) {
    auto& store = static_cast<StoreSink&>(*sink);  // begin() made it
    if (store.refused()) {
        const net::dimse::Outcome o = *store.refused();
        if (log_) log_(StoreEvent{rc, rq, sink->size(), o, nullptr});
        done(o);
        return;
    }
    auto staged = store.stage();
    const std::uint64_t bytes = sink->size();
    if (!staged) {
        const net::dimse::Outcome o =
            outcome_of({service::ErrorKind::OutOfResources, staged.error().message}, Operation::Store);
        if (log_) log_(StoreEvent{rc, rq, bytes, o, nullptr});
        done(o);
        return;
    }
    // The completion may run on the committing thread after this association has moved on:
    // it keeps its own copies of what the log needs.
    const net::dimse::RequestContext who{nullptr, rc.calling_ae, rc.peer_address};  // not the context: it may be gone
    const service::Received received{rq.affected_sop_class_uid, rq.affected_sop_instance_uid, {}};
    ingest_.submit(std::move(*staged), [this, who, rq, bytes, done = std::move(done)](Result<service::Stored> r) {
        const net::dimse::Outcome o = store_outcome(r);
        if (log_) log_(StoreEvent{who, rq, bytes, o, r ? &*r : nullptr});
        done(o);
    }, !more_follow, &received);
}

net::dimse::Outcome IndexingStoreHandler::end(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                              std::unique_ptr<net::dimse::DataSink> sink) {
    std::mutex m;
    std::condition_variable cv;
    std::optional<net::dimse::Outcome> out;
    end_async(
        rc, rq, std::move(sink),
        [&](net::dimse::Outcome o) {
            std::lock_guard lock(m);
            out = std::move(o);
            cv.notify_all();
        },
        false);
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return out.has_value(); });
    return std::move(*out);
}

bool relational_negotiated(const net::dimse::RequestContext& rc) {
    if (!rc.context) return false;
    const auto& info = rc.context->extended_negotiation;
    return !info.empty() && info[0] == 1;
}

net::dimse::Outcome QueryFindHandler::find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                           const DataSet& identifier, const Emit& emit) {
    if (auto ok = authorizer_->check(caller_of(rc), service::Action::Query); !ok)
        return outcome_of(ok.error(), Operation::Find);
    const auto root = rq.affected_sop_class_uid == kPatientRootFind ? model::Root::Patient : model::Root::Study;
    // Available Transfer Syntax UID is not in the index's keys: answered from the stored file.
    const bool syntax = stored_syntax_ && identifier.find(tags::AvailableTransferSyntaxUID) &&
                        trim_padding(identifier.string_or(tags::QueryRetrieveLevel)) == "IMAGE";
    DataSet without;
    if (syntax) {
        without = identifier;
        without.remove(tags::AvailableTransferSyntaxUID);
    }
    bool stopped = false;
    auto n = query_.find(
        root, syntax ? without : identifier,
        [&](const DataSet& m) {
            if (syntax) {
                DataSet with = m;
                const std::string uid(trim_padding(m.string_or(tags::SOPInstanceUID)));
                with.set_string(tags::AvailableTransferSyntaxUID, VR::UI, uid.empty() ? "" : stored_syntax_(uid));
                if (!emit(with)) stopped = true;
            } else if (!emit(m)) {
                stopped = true;
            }
            return !stopped;
        },
        relational_negotiated(rc));
    if (!n) return outcome_of(n.error(), Operation::Find);
    if (stopped) return outcome_of({service::ErrorKind::Cancelled, {}}, Operation::Find);
    return {};
}

}  // namespace dicomkit::server::dimse
