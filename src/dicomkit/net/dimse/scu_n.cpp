// SCU helpers for the DIMSE-N services (PS3.7 10.1): requests and their responses, and the
// N-EVENT-REPORT-RQs a peer sends on the same association.
#include <dicomkit/net/dimse/scu.hpp>

#include <chrono>

#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/net/dimse/data_sink.hpp>
#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::net::dimse {

namespace {

constexpr std::size_t kMaxErrorComment = 64;  // (0000,0902) is LO

Unexpected failure(const Channel& ch, std::string what) {
    Error e(ErrorCode::InvalidValue, std::move(what));
    e.peer = ch.peer_address();
    return tl::unexpected(std::move(e));
}

const io::TransferSyntax* syntax_of(const Channel& ch, std::uint8_t context_id) {
    const auto* ctx = ch.context_by_id(context_id);
    return ctx ? io::find_transfer_syntax(ctx->transfer_syntax) : nullptr;
}

/// The data set of a received message, decoded in its context's transfer syntax.
Result<std::optional<DataSet>> dataset_of(const Channel& ch, const Message& m) {
    if (!m.dataset) return std::optional<DataSet>();
    if (m.dataset_error) return tl::unexpected(*m.dataset_error);
    const auto* ts = syntax_of(ch, m.context_id);
    const auto* sink = dynamic_cast<const MemorySink*>(m.dataset.get());
    if (!ts || !sink) return make_error(ErrorCode::InvalidValue, "data set on an unknown transfer syntax");
    auto ds = io::read_dataset(sink->bytes(), *ts);
    if (!ds) return tl::unexpected(ds.error());
    return std::optional<DataSet>(std::move(*ds));
}

/// Sends `c` on `context_id`, with `ds` encoded in the context's transfer syntax when given.
Result<void> send_with(Channel& ch, std::uint8_t context_id, const Command& c, const DataSet* ds) {
    std::optional<MemorySource> source;
    if (ds) {
        const auto* ts = syntax_of(ch, context_id);
        if (!ts) return make_error(ErrorCode::Unsupported, "unknown transfer syntax on context " + std::to_string(context_id));
        auto bytes = io::encode_dataset(*ds, *ts);
        if (!bytes) return tl::unexpected(bytes.error());
        source.emplace(std::move(*bytes));
    }
    if (ch.tracing()) ch.trace("sending " + describe(c));
    return send_message(ch, context_id, c, source ? &*source : nullptr);
}

/// PS3.7 10.1.1 as the performer on the SCU's side: answers the peer's N-EVENT-REPORT-RQ.
Result<void> answer_event(Channel& ch, const Message& m, const NOptions& o) {
    NReply reply{Outcome{status::UnrecognizedOperation, "N-EVENT-REPORT not expected"}, {}, {}};
    auto rq = from_command<NEventReportRq>(m.command);
    auto ds = dataset_of(ch, m);
    if (!rq) reply.outcome = Outcome{status::MissingAttribute, rq.error().message};
    else if (!ds) reply.outcome = Outcome{status::ProcessingFailure, ds.error().message};
    else if (o.on_event_report) reply = o.on_event_report(*rq, *ds ? &**ds : nullptr);
    Command rsp = Command::response(m.command, reply.outcome.status);
    if (status_kind(reply.outcome.status) == StatusKind::Failure)
        rsp.error_comment = reply.outcome.error_comment.substr(0, kMaxErrorComment);
    rsp.has_dataset = reply.dataset.has_value();
    return send_with(ch, m.context_id, rsp, reply.dataset ? &*reply.dataset : nullptr);
}

Result<std::uint8_t> context_for(const Channel& ch, const std::string& sop_class, const NOptions& o) {
    if (o.context_id) {
        if (!ch.context_by_id(*o.context_id))
            return make_error(ErrorCode::Unsupported, "presentation context " + std::to_string(*o.context_id) +
                                                          " was not accepted");
        return *o.context_id;
    }
    const auto* ctx = ch.find_context(sop_class, {});
    if (!ctx) return make_error(ErrorCode::Unsupported, "the peer did not accept " + sop_class);
    return ctx->id;
}

/// Sends `rq` (with `ds`) and waits for its response, answering event reports that come first.
template <class Rsp>
Result<NResult<Rsp>> exchange_n(Channel& ch, const Command& rq, const DataSet* ds, const NOptions& o) {
    auto id = context_for(ch, sop_class_of(rq), o);
    if (!id) return tl::unexpected(id.error());
    if (auto r = send_with(ch, *id, rq, ds); !r) return tl::unexpected(r.error());
    for (;;) {
        auto m = receive_message(ch, ch.timeouts().dimse);
        if (!m) return tl::unexpected(m.error());
        if (ch.tracing()) ch.trace("received " + describe(m->command));
        if (m->command.field == CommandField::N_EVENT_REPORT_RQ) {
            if (auto r = answer_event(ch, *m, o); !r) return tl::unexpected(r.error());
            continue;
        }
        if (m->command.field != response_to(rq.field) || m->command.message_id_being_responded_to != rq.message_id)
            return failure(ch, "unexpected answer: " + describe(m->command));
        auto rsp = from_command<Rsp>(m->command);
        if (!rsp) return failure(ch, rsp.error().message);
        auto data = dataset_of(ch, *m);
        if (!data) return tl::unexpected(data.error());
        return NResult<Rsp>{std::move(*rsp), std::move(*data)};
    }
}

}  // namespace

Result<NResult<NEventReportRsp>> n_event_report(Channel& ch, const NEventReportRq& rq, const DataSet* info,
                                                const NOptions& o) {
    NEventReportRq m = rq;
    m.has_dataset = info != nullptr;
    return exchange_n<NEventReportRsp>(ch, to_command(m), info, o);
}

Result<NResult<NGetRsp>> n_get(Channel& ch, const NGetRq& rq, const NOptions& o) {
    return exchange_n<NGetRsp>(ch, to_command(rq), nullptr, o);
}

Result<NResult<NSetRsp>> n_set(Channel& ch, const NSetRq& rq, const DataSet& modifications, const NOptions& o) {
    return exchange_n<NSetRsp>(ch, to_command(rq), &modifications, o);
}

Result<NResult<NActionRsp>> n_action(Channel& ch, const NActionRq& rq, const DataSet* info, const NOptions& o) {
    NActionRq m = rq;
    m.has_dataset = info != nullptr;
    return exchange_n<NActionRsp>(ch, to_command(m), info, o);
}

Result<NResult<NCreateRsp>> n_create(Channel& ch, const NCreateRq& rq, const DataSet* attributes, const NOptions& o) {
    NCreateRq m = rq;
    m.has_dataset = attributes != nullptr;
    return exchange_n<NCreateRsp>(ch, to_command(m), attributes, o);
}

Result<NResult<NDeleteRsp>> n_delete(Channel& ch, const NDeleteRq& rq, const NOptions& o) {
    return exchange_n<NDeleteRsp>(ch, to_command(rq), nullptr, o);
}

Result<std::size_t> receive_event_reports(Channel& ch, const NOptions& o, ul::Millis timeout, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t n = 0;
    while (n < count) {
        const auto left = std::chrono::duration_cast<ul::Millis>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        auto m = receive_message(ch, left);
        if (!m) {
            if (std::chrono::steady_clock::now() >= deadline) break;  // the time ran out
            return tl::unexpected(m.error());
        }
        if (ch.tracing()) ch.trace("received " + describe(m->command));
        if (m->command.field != CommandField::N_EVENT_REPORT_RQ)
            return failure(ch, "unexpected message while waiting for N-EVENT-REPORT: " + describe(m->command));
        if (auto r = answer_event(ch, *m, o); !r) return tl::unexpected(r.error());
        ++n;
    }
    return n;
}

}  // namespace dicomkit::net::dimse
