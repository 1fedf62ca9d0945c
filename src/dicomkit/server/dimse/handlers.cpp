// Server DIMSE handlers.
#include <dicomkit/server/dimse/handlers.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::server::dimse {

namespace st = net::dimse::status;

Result<std::unique_ptr<net::dimse::DataSink>> IndexingStoreHandler::begin(const net::dimse::RequestContext& rc,
                                                                          const net::dimse::Command& rq) {
    if (allow_ && !allow_(rc.calling_ae, "store"))
        return make_error(ErrorCode::InvalidValue, rc.calling_ae + " may not store here");
    auto sink = files_.begin(rc, rq);
    if (sink)
        if (auto* file = dynamic_cast<net::dimse::FileSink*>(sink->get())) file->keep_contents(true);
    return sink;
}

namespace {

/// The response to a store: the operating system or the index failed: out of resources;
/// anything else is the data set's fault (not a Part 10 data set we can read, no SOP Instance
/// UID); a duplicate refused by policy: kDuplicateRejectedStatus.
net::dimse::Outcome outcome_of(const Result<service::Stored>& r) {
    if (!r)
        return r.error().code == ErrorCode::IoError ? net::dimse::Outcome{st::OutOfResources, r.error().message}
                                                    : net::dimse::Outcome{st::CannotUnderstand, r.error().message};
    if (r->action == service::StoreAction::Rejected)  // the Error Comment is an LO: 64 characters
        return {kDuplicateRejectedStatus, "duplicate SOP Instance UID refused (duplicates = reject)"};
    return {};
}

}  // namespace

void IndexingStoreHandler::end_async(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                     std::unique_ptr<net::dimse::DataSink> sink, Completion done,
                                     bool more_follow) {
    auto* file = dynamic_cast<net::dimse::FileSink*>(sink.get());
    auto temp = file ? file->release() : Result<std::string>(make_error(ErrorCode::InvalidArgument, "not a file sink"));
    const std::uint64_t bytes = sink->size();
    if (!temp) {
        const net::dimse::Outcome o{st::OutOfResources, temp.error().message};
        if (log_) log_(StoreEvent{rc, rq, bytes, o, nullptr});
        done(o);
        return;
    }
    // The completion may run on the committing thread after this association has moved on:
    // it keeps its own copies of what the log needs.
    std::optional<Bytes> contents = file->take_contents();  // the header is read from these when there
    const net::dimse::RequestContext who{nullptr, rc.calling_ae, rc.peer_address};  // not the context: it may be gone
    ingest_.submit(*temp, [this, who, rq, bytes, done = std::move(done)](Result<service::Stored> r) {
        const net::dimse::Outcome o = outcome_of(r);
        if (log_) log_(StoreEvent{who, rq, bytes, o, r ? &*r : nullptr});
        done(o);
    }, !more_follow, std::move(contents));
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
    if (allow_ && !allow_(rc.calling_ae, "query")) return {st::NotAuthorized, rc.calling_ae + " may not query"};
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
    if (!n) return {st::DataSetDoesNotMatchSOPClass, n.error().message};  // 0xA900: Identifier does not match
    if (stopped) return {st::Cancel, {}};
    return {};
}

}  // namespace dicomkit::server::dimse
