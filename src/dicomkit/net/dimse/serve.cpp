// The SCP serving loop.
#include <dicomkit/net/dimse/serve.hpp>

#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <utility>

#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/data_source.hpp>
#include <dicomkit/net/dimse/fragmenter.hpp>
#include <dicomkit/net/dimse/serve_support.hpp>

namespace dicomkit::net::dimse {

namespace {

using detail::EventInfo;
using detail::Inflight;
using detail::RoleChannel;
using detail::encode_for;
using detail::kMaxInflight;
using detail::refusal;

constexpr std::size_t kMaxErrorComment = 64;  // (0000,0902) is LO
constexpr std::uint64_t kMaxIdentifier = 1u << 20;  // a C-FIND identifier is a few hundred bytes
constexpr std::uint64_t kMaxNDataSet = 16u << 20;  // e.g. a Storage Commitment request's references

/// What the loop knows about a message: chosen when its command arrived, kept with it until it
/// is answered (also when it arrived while another request was being answered).
struct Pending {
    Dispatcher::Route route;
    RequestContext rc;
    bool begun = false;  ///< StoreHandler::begin() was called
};

class Session {
public:
    Session(Channel& ch, const Dispatcher& d, const ServeOptions& o)
        : ch_(ch), d_(d), opts_(o),
          assembler_([this](std::uint8_t id, const Command& c) { return choose(id, c); }, o.limits) {}
    ~Session() { drop_partial(); }

    Result<ServeSummary> run();

private:
    /// Receives and answers until the association ends (run() adds the counts per command).
    Result<ServeSummary> loop();
    Result<std::unique_ptr<DataSink>> choose(std::uint8_t context_id, const Command& c);
    Result<void> on_pdv(const pdu::PdvView& pdv);
    Result<void> handle(Message m, Pending p);
    /// C-STORE through end_async: queued, answered by send_completed() in order.
    void store_async(Message& m);
    /// Sends the responses of the oldest C-STOREs whose outcome has come; `wait`: waits for at
    /// least the oldest one first.
    Result<void> send_completed(bool wait);
    /// Waits for every queued C-STORE and sends its response (before any other request's, and
    /// before the release is confirmed); `send` false: the association has gone, only waits.
    Result<void> drain(bool send = true);
    Outcome run_handler(Message& m);
    Outcome run_find(Message& m);
    Result<DataSet> identifier_of(Message& m, Outcome& failure);
    Outcome run_retrieve(Message& m);
    /// A DIMSE-N request through its NHandler (PS3.7 10.1).
    Outcome run_n(Message& m);
    /// PS3.7 10.1.1 as the invoker: N-EVENT-REPORT to the peer, waiting for its response.
    Result<NResult<NEventReportRsp>> report(NEventReportRq rq, const DataSet* info);
    Result<StoreResult> store_here(const RetrieveHandler::StoreSource& source, StoreOptions options);
    Result<void> send_progress(std::uint8_t context_id, const Command& rq, const SubOperations& counts);
    Result<void> attach_final(std::uint8_t context_id, Command& rsp, std::optional<MemorySource>& source);
    Result<void> send_pending(std::uint8_t context_id, const Command& rq, const DataSet& identifier);
    bool cancel_requested(const Command& rq);
    /// Receives one PDU while a request is answered: each message it completes goes to `wanted`,
    /// which takes it (true) or leaves it to be handled after the answer (deferred_). A broken
    /// association or a release/abort is kept (broken_, deferred_end_); false then.
    bool take_input(const std::function<bool(Message&)>& wanted);
    Result<void> respond(std::uint8_t context_id, const Command& rq, const Outcome& o, const EventInfo& info);
    Unexpected protocol_error(Error e);
    void drop_partial() noexcept;
    RequestContext context_for(std::uint8_t id) {
        return RequestContext{ch_.context_by_id(id), ch_.calling_ae(), ch_.peer_address(), &reporter_};
    }

    class Reporter final : public EventReporter {
    public:
        explicit Reporter(Session& s) : s_(s) {}
        Result<NResult<NEventReportRsp>> report(NEventReportRq rq, const DataSet* info) override {
            return s_.report(std::move(rq), info);
        }
        void after_response(std::function<void(EventReporter&)> then) override { s_.after_.push_back(std::move(then)); }

    private:
        Session& s_;
    };

    Channel& ch_;
    const Dispatcher& d_;
    const ServeOptions& opts_;
    MessageAssembler assembler_;
    Pending pending_;  ///< the message being assembled
    Pending current_;  ///< the message being answered
    ServeSummary summary_;
    /// What arrived while a C-FIND was answered, to be handled after its final response.
    std::deque<std::pair<Message, Pending>> deferred_;
    std::optional<ul::Incoming> deferred_end_;
    std::optional<Error> broken_;
    /// The counts and failed UIDs of the retrieve being answered, for its final response.
    std::optional<RetrieveOutcome> retrieve_final_;
    std::uint16_t next_message_id_ = 1;  ///< for the requests this SCP sends (C-GET's C-STOREs, N-EVENT-REPORTs)
    std::shared_ptr<Inflight> inflight_ = std::make_shared<Inflight>();
    /// The request being answered: its decoded identifier and the matches sent (for the event).
    std::optional<DataSet> identifier_;
    std::uint64_t matches_ = 0;
    std::map<CommandField, std::uint64_t> by_command_;
    std::optional<NReply> n_reply_;  ///< the DIMSE-N reply for the response being sent
    Reporter reporter_{*this};
    std::vector<std::function<void(EventReporter&)>> after_;  ///< to run once the response is sent
};

void Session::store_async(Message& m) {
    auto entry = std::make_shared<Inflight::Entry>();
    entry->context_id = m.context_id;
    entry->rq = m.command;
    entry->start = std::chrono::steady_clock::now();
    inflight_->entries.push_back(entry);
    std::shared_ptr<Inflight> shared = inflight_;
    StoreHandler::Completion done = [shared, entry](Outcome o) {
        std::lock_guard lock(shared->mutex);
        entry->outcome = std::move(o);
        shared->done.notify_all();
    };
    StoreHandler* store = current_.route.store;
    const RequestContext rc = current_.rc;
    current_ = Pending{};
    try {
        store->end_async(rc, m.command, std::move(m.dataset), done, ch_.has_input());
    } catch (const std::exception& e) {
        std::lock_guard lock(shared->mutex);
        if (!entry->outcome) entry->outcome = Outcome{status::ProcessingFailure, e.what()};
    }
}

Result<void> Session::send_completed(bool wait) {
    auto& q = inflight_->entries;
    while (!q.empty()) {
        std::optional<Outcome> o;
        {
            std::unique_lock lock(inflight_->mutex);
            if (wait) inflight_->done.wait(lock, [&] { return q.front()->outcome.has_value(); });
            if (!q.front()->outcome) return {};
            o = std::move(q.front()->outcome);
        }
        const auto entry = q.front();
        q.pop_front();
        wait = false;
        EventInfo info{entry->start, nullptr, true, 0};
        if (auto r = respond(entry->context_id, entry->rq, *o, info); !r) return r;
    }
    return {};
}

Result<void> Session::drain(bool send) {
    auto& q = inflight_->entries;
    if (!send) {
        std::unique_lock lock(inflight_->mutex);
        for (const auto& e : q) inflight_->done.wait(lock, [&] { return e->outcome.has_value(); });
        q.clear();
        return {};
    }
    while (!q.empty())
        if (auto r = send_completed(true); !r) return r;
    return {};
}

Result<std::unique_ptr<DataSink>> Session::choose(std::uint8_t context_id, const Command& c) {
    pending_ = Pending{};
    pending_.rc = context_for(context_id);
    pending_.route = d_.route(c.field, sop_class_of(c));
    if (pending_.route.store && pending_.rc.context &&
        pending_.rc.context->abstract_syntax != c.affected_sop_class_uid)
    {
        pending_.route = Dispatcher::Route{};
        pending_.route.status = status::SOPClassNotSupported;
    }
    if (pending_.route.find || pending_.route.retrieve) return std::unique_ptr<DataSink>(std::make_unique<MemorySink>(kMaxIdentifier));
    if (pending_.route.n || is_response(c.field)) return std::unique_ptr<DataSink>(std::make_unique<MemorySink>(kMaxNDataSet));
    if (!pending_.route.store) return std::unique_ptr<DataSink>(std::make_unique<DiscardSink>());
    pending_.begun = true;
    try {
        return pending_.route.store->begin(pending_.rc, c);
    } catch (const std::exception& e) {
        return make_error(ErrorCode::IoError, e.what());
    }
}

void Session::drop_partial() noexcept {
    if (const Command* c = assembler_.pending_command(); c && pending_.begun) {
        Command copy = *c;
        assembler_.abort();
        pending_.route.store->aborted(pending_.rc, copy);
    } else {
        assembler_.abort();
    }
    pending_ = Pending{};
}

Unexpected Session::protocol_error(Error e) {
    drop_partial();
    ch_.trace("protocol error: " + e.message + "; sending A-ABORT");
    ch_.abort(2, 0);
    e.peer = ch_.peer_address();
    return tl::unexpected(std::move(e));
}

Outcome Session::run_handler(Message& m) {
    const Command& rq = m.command;
    if (rq.field == CommandField::C_ECHO_RQ) {
        auto route = d_.route(rq.field, rq.affected_sop_class_uid);
        if (!route.echo) return refusal(route.status, rq);
        return route.echo->echo(context_for(m.context_id), rq);
    }
    if (rq.field == CommandField::C_FIND_RQ) return run_find(m);
    if (rq.field == CommandField::C_MOVE_RQ || rq.field == CommandField::C_GET_RQ) return run_retrieve(m);
    if (is_n_request(rq.field)) return run_n(m);
    if (rq.field == CommandField::C_STORE_RQ && !m.dataset)
        return Outcome{status::CannotUnderstand, "C-STORE-RQ without a data set"};
    if (rq.field == CommandField::C_STORE_RQ && current_.route.store) {
        if (m.dataset_error) return Outcome{status::OutOfResources, m.dataset_error->message};
        return current_.route.store->end(current_.rc, rq, std::move(m.dataset));
    }
    if (rq.field == CommandField::C_STORE_RQ) return refusal(current_.route.status, rq);
    return refusal(d_.route(rq.field, sop_class_of(rq)).status, rq);
}

/// PS3.7 9.1.2: the identifier in, one Pending response per match, the final status from the
/// handler. Before each match, what the peer sent meanwhile is read: a C-CANCEL-RQ for this
/// request stops the search (final status 0xFE00 Cancel, PS3.4 C.4.1.3.2).
Outcome Session::run_find(Message& m) {
    const Command& rq = m.command;
    if (!current_.route.find) return refusal(current_.route.status, rq);
    if (!m.dataset) return Outcome{status::CannotUnderstand, "C-FIND-RQ without an identifier"};
    Outcome failure;
    auto identifier = identifier_of(m, failure);
    if (!identifier) return failure;
    bool stop = false;
    bool cancelled = false;
    const std::uint8_t id = m.context_id;
    FindHandler::Emit emit = [&](const DataSet& match) {
        if (stop) return false;
        if (cancel_requested(rq)) {
            cancelled = !broken_ && !deferred_end_;
            stop = true;
            return false;
        }
        if (auto r = send_pending(id, rq, match); !r) stop = true;
        else ++matches_;
        return !stop;
    };
    FindHandler* handler = current_.route.find;
    const RequestContext rc = current_.rc;
    Outcome o = handler->find(rc, rq, *identifier, emit);
    if (cancelled) o = Outcome{status::Cancel, {}};
    return o;
}

/// The request's identifier, decoded in its context's transfer syntax; `failure` says why not.
Result<DataSet> Session::identifier_of(Message& m, Outcome& failure) {
    auto fail = [&](std::uint16_t st, std::string why) {
        failure = Outcome{st, why};
        return make_error(ErrorCode::InvalidValue, std::move(why));
    };
    if (!m.dataset) return fail(status::CannotUnderstand, "request without an identifier");
    if (m.dataset_error) return fail(status::OutOfResources, m.dataset_error->message);
    const auto* ctx = ch_.context_by_id(m.context_id);
    const auto* ts = ctx ? io::find_transfer_syntax(ctx->transfer_syntax) : nullptr;
    if (!ts) return fail(status::UnableToProcess, "unknown transfer syntax");
    auto* sink = dynamic_cast<MemorySink*>(m.dataset.get());
    if (!sink) return fail(status::UnableToProcess, "identifier not kept");
    auto identifier = io::read_dataset(sink->bytes(), *ts);
    if (!identifier) return fail(status::CannotUnderstand, identifier.error().message);
    identifier_ = *identifier;
    return identifier;
}

/// PS3.7 9.1.3 / 9.1.4: C-GET and C-MOVE. The handler runs the sub-operations; after each one a
/// Pending response gives the counts, and a C-CANCEL-RQ read meanwhile stops the retrieve
/// (final status 0xFE00, PS3.4 C.4.2.3.1). C-GET stores on this association.
Outcome Session::run_retrieve(Message& m) {
    const Command rq = m.command;
    if (!current_.route.retrieve) return refusal(current_.route.status, rq);
    Outcome failure;
    auto identifier = identifier_of(m, failure);
    if (!identifier) return failure;
    bool cancelled = false;
    bool stop = false;
    const std::uint8_t id = m.context_id;
    RetrieveHandler::Progress progress = [&](const SubOperations& counts) {
        if (stop) return false;
        if (cancel_requested(rq)) {
            cancelled = !broken_ && !deferred_end_;
            stop = true;
            return false;
        }
        if (auto r = send_progress(id, rq, counts); !r) stop = true;
        return !stop;
    };
    RetrieveHandler::StoreHere here = [&](const RetrieveHandler::StoreSource& source, const StoreOptions& o) {
        return store_here(source, o);
    };
    const bool get = rq.field == CommandField::C_GET_RQ;
    RetrieveOutcome out =
        current_.route.retrieve->retrieve(current_.rc, rq, *identifier, progress, get ? &here : nullptr);
    if (cancelled) out.outcome = Outcome{status::Cancel, {}};
    retrieve_final_ = out;
    return out.outcome;
}

Outcome Session::run_n(Message& m) {
    const Command& rq = m.command;
    if (!current_.route.n) return refusal(current_.route.status, rq);
    std::optional<DataSet> ds;
    if (m.dataset) {
        Outcome failure;
        auto d = identifier_of(m, failure);
        identifier_.reset();
        if (!d) return failure;
        ds = std::move(*d);
    }
    RequestContext rc = current_.rc;
    rc.events = &reporter_;
    n_reply_ = answer_n(*current_.route.n, rc, rq, ds ? &*ds : nullptr);
    return n_reply_->outcome;
}

Result<NResult<NEventReportRsp>> Session::report(NEventReportRq rq, const DataSet* info) {
    const auto* ctx = ch_.find_context(rq.affected_sop_class_uid, {});
    if (!ctx) return make_error(ErrorCode::Unsupported, "no accepted presentation context for " + rq.affected_sop_class_uid);
    rq.message_id = next_message_id_++;
    rq.has_dataset = info != nullptr;
    const Command c = to_command(rq);
    std::optional<MemorySource> source;
    if (info) {
        auto bytes = encode_for(ch_, ctx->id, *info);
        if (!bytes) return tl::unexpected(bytes.error());
        source.emplace(std::move(*bytes));
    }
    if (ch_.tracing()) ch_.trace("sending " + describe(c));
    PdvSender send = [this](std::span<const pdu::PdvView> pdvs) { return ch_.send(pdvs); };
    if (auto r = send_message(send, ctx->id, c, source ? &*source : nullptr, ch_.peer_max_pdu()); !r) {
        broken_ = r.error();
        return tl::unexpected(r.error());
    }
    // PS3.7 10.1.1: wait for the N-EVENT-REPORT-RSP; requests that come first wait their turn.
    for (;;) {
        if (broken_) return tl::unexpected(*broken_);
        if (deferred_end_) return make_error(ErrorCode::IoError, "the association ended before the N-EVENT-REPORT-RSP");
        std::optional<Message> answer;
        take_input([&](Message& m) {
            if (m.command.field != CommandField::N_EVENT_REPORT_RSP || m.command.message_id_being_responded_to != c.message_id)
                return false;
            answer = std::move(m);
            return true;
        });
        if (!answer) continue;
        auto rsp = from_command<NEventReportRsp>(answer->command);
        if (!rsp) return tl::unexpected(rsp.error());
        NResult<NEventReportRsp> out{std::move(*rsp), std::nullopt};
        if (answer->dataset) {
            Outcome failure;
            auto d = identifier_of(*answer, failure);
            identifier_.reset();
            if (!d) return tl::unexpected(d.error());
            out.dataset = std::move(*d);
        }
        return out;
    }
}

/// C-STORE of a C-GET sub-operation on a context where the requestor is the SCP for the file's
/// SOP class (PS3.7 D.3.3.4).
Result<StoreResult> Session::store_here(const RetrieveHandler::StoreSource& source, StoreOptions options) {
    options.message_id = next_message_id_++;
    RoleChannel roles(ch_);
    return source.file ? store(roles, *source.file, options) : store(roles, source.path, options);
}

Result<void> Session::send_progress(std::uint8_t context_id, const Command& rq, const SubOperations& counts) {
    Command rsp = Command::response(rq, status::Pending);
    rsp.remaining = counts.remaining;
    rsp.completed = counts.completed;
    rsp.failed = counts.failed;
    rsp.warning = counts.warning;
    if (ch_.tracing()) ch_.trace("sending " + describe(rsp));
    PdvSender send = [this](std::span<const pdu::PdvView> pdvs) { return ch_.send(pdvs); };
    auto r = send_message(send, context_id, rsp, nullptr, ch_.peer_max_pdu());
    if (!r) return tl::unexpected(r.error());
    return {};
}

bool Session::cancel_requested(const Command& rq) {
    bool cancel = false;
    while (!cancel && !broken_ && !deferred_end_ && ch_.has_input()) {
        take_input([&](Message& m) {
            if (m.command.field != CommandField::C_CANCEL_RQ || m.command.message_id_being_responded_to != rq.message_id)
                return false;
            cancel = true;
            return true;
        });
    }
    return cancel || broken_ || deferred_end_;
}

bool Session::take_input(const std::function<bool(Message&)>& wanted) {
    auto in = ch_.receive(ch_.timeouts().dimse);
    if (!in) {
        broken_ = in.error();
        return false;
    }
    if (in->kind != ul::Incoming::Kind::PData) {
        deferred_end_ = std::move(*in);
        return false;
    }
    for (const pdu::PdvView& p : in->pdvs) {
        auto msg = assembler_.push(p);
        if (!msg) {
            broken_ = msg.error();
            return false;
        }
        if (!*msg) continue;
        std::string seen = ch_.tracing() ? describe((**msg).command) : std::string();
        if (wanted(**msg)) {  // may move the message away
            if (ch_.tracing()) ch_.trace("received " + seen);
            pending_ = Pending{};
        } else {
            deferred_.emplace_back(std::move(**msg), std::exchange(pending_, Pending{}));
        }
    }
    return true;
}

Result<void> Session::send_pending(std::uint8_t context_id, const Command& rq, const DataSet& identifier) {
    auto bytes = encode_for(ch_, context_id, identifier);
    if (!bytes) return tl::unexpected(bytes.error());
    Command rsp = Command::response(rq, status::Pending);
    rsp.has_dataset = true;
    if (ch_.tracing()) ch_.trace("sending " + describe(rsp));
    MemorySource source(std::move(*bytes));
    PdvSender send = [this](std::span<const pdu::PdvView> pdvs) { return ch_.send(pdvs); };
    auto r = send_message(send, context_id, rsp, &source, ch_.peer_max_pdu());
    if (!r) return tl::unexpected(r.error());
    return {};
}

Result<void> Session::handle(Message m, Pending p) {
    current_ = std::move(p);
    if (!m.command.has_dataset) {  // no sink was chosen, so no route either
        current_.rc = context_for(m.context_id);
        current_.route = d_.route(m.command.field, sop_class_of(m.command));
    }
    if (ch_.tracing()) ch_.trace("received " + describe(m.command));
    if (m.command.field == CommandField::C_CANCEL_RQ) return {};  // PS3.7 9.3.2.3: no response
    if (is_response(m.command.field)) {
        ch_.trace("ignoring a response sent to an SCP");
        return {};
    }
    ++summary_.requests;
    ++by_command_[m.command.field];
    if (m.command.field == CommandField::C_STORE_RQ && current_.route.store && m.dataset && !m.dataset_error) {
        store_async(m);
        return send_completed(false);
    }
    if (auto r = drain(); !r) return r;  // responses in the order of the requests
    const auto start = std::chrono::steady_clock::now();
    identifier_.reset();
    matches_ = 0;
    Outcome o;
    try {
        o = run_handler(m);
    } catch (const std::exception& e) {
        o = Outcome{status::ProcessingFailure, e.what()};
    }
    current_ = Pending{};
    // A C-STORE gets here only when the StoreHandler did not take it (no data set, a data set
    // that did not arrive whole, a SOP class nobody handles): the handler logs the others.
    EventInfo info{start, identifier_ ? &*identifier_ : nullptr, false, matches_};
    if (auto r = respond(m.context_id, m.command, o, info); !r) return r;
    for (auto then = std::exchange(after_, {}); auto& f : then) {
        try {
            f(reporter_);
        } catch (const std::exception& e) {
            ch_.trace(std::string("after the response: ") + e.what());
        }
    }
    if (broken_) return tl::unexpected(*broken_);
    while (!deferred_.empty()) {
        auto [next, next_pending] = std::move(deferred_.front());
        deferred_.pop_front();
        if (auto r = handle(std::move(next), std::move(next_pending)); !r) return r;
    }
    return {};
}

Result<void> Session::respond(std::uint8_t context_id, const Command& rq, const Outcome& o, const EventInfo& info) {
    Command rsp = Command::response(rq, o.status);
    const StatusKind kind = status_kind(o.status);
    if (kind == StatusKind::Failure) ++summary_.failures;
    // PS3.7 C: an Error Comment with a failure; for a retrieve also with B000 (sub-operations
    // complete with failures), so that the requestor learns why they failed.
    if (kind == StatusKind::Failure || (retrieve_final_ && kind == StatusKind::Warning))
        rsp.error_comment = o.error_comment.substr(0, kMaxErrorComment);
    std::optional<MemorySource> source;
    if (auto a = attach_final(context_id, rsp, source); !a) return a;
    if (ch_.tracing()) ch_.trace("sending " + describe(rsp));
    PdvSender send = [this](std::span<const pdu::PdvView> pdvs) { return ch_.send(pdvs); };
    auto r = send_message(send, context_id, rsp, source ? &*source : nullptr, ch_.peer_max_pdu());
    if (!r) return tl::unexpected(r.error());
    if (opts_.on_request) {
        const RequestContext rc = context_for(context_id);
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                              info.start);
        try {
            opts_.on_request(RequestEvent{rc, rq, rsp, info.identifier, us, info.by_store_handler, info.matches});
        } catch (const std::exception&) {  // a log that fails must not end the association
        }
    }
    return {};
}

/// PS3.7 9.3.3.2 / 9.3.4.2: a retrieve's final response carries the completed, failed and
/// warning counts (remaining only after a cancel) and, when some failed, an identifier with the
/// Failed SOP Instance UID List (PS3.4 C.4.2.3.1).
Result<void> Session::attach_final(std::uint8_t context_id, Command& rsp, std::optional<MemorySource>& source) {
    if (n_reply_) {
        const NReply reply = std::move(*n_reply_);
        n_reply_.reset();
        if (!reply.affected_sop_instance_uid.empty()) rsp.affected_sop_instance_uid = reply.affected_sop_instance_uid;
        if (!reply.dataset) return {};
        auto bytes = encode_for(ch_, context_id, *reply.dataset);
        if (!bytes) return tl::unexpected(bytes.error());
        source.emplace(std::move(*bytes));
        rsp.has_dataset = true;
        return {};
    }
    if (!retrieve_final_) return {};
    const RetrieveOutcome f = std::move(*retrieve_final_);
    retrieve_final_.reset();
    if (rsp.status == status::Cancel) rsp.remaining = f.counts.remaining;
    rsp.completed = f.counts.completed;
    rsp.failed = f.counts.failed;
    rsp.warning = f.counts.warning;
    if (f.failed_uids.empty()) return {};
    const auto* ctx = ch_.context_by_id(context_id);
    const auto* ts = ctx ? io::find_transfer_syntax(ctx->transfer_syntax) : nullptr;
    if (!ts) return make_error(ErrorCode::InvalidValue, "unknown transfer syntax");
    DataSet ds;
    ds.set(Element::from_strings(Tag(0x0008, 0x0058), VR::UI, f.failed_uids));
    auto bytes = io::encode_dataset(ds, *ts);
    if (!bytes) return tl::unexpected(bytes.error());
    source.emplace(std::move(*bytes));
    rsp.has_dataset = true;
    return {};
}

Result<void> Session::on_pdv(const pdu::PdvView& pdv) {
    if (!ch_.context_by_id(pdv.context_id))
        return make_error(ErrorCode::InvalidValue,
                          "PDV on presentation context " + std::to_string(pdv.context_id) + " that was not accepted");
    auto m = assembler_.push(pdv);
    if (!m) return tl::unexpected(m.error());
    if (*m) return handle(std::move(**m), std::exchange(pending_, Pending{}));
    return {};
}

Result<ServeSummary> Session::run() {
    auto r = loop();
    for (const auto& [field, n] : by_command_) {
        std::string name(to_string(field));
        if (name.ends_with("-RQ")) name.resize(name.size() - 3);
        summary_.by_command[name] += n;
    }
    if (r) *r = summary_;
    return r;
}

Result<ServeSummary> Session::loop() {
    const ul::Timeouts t = ch_.timeouts();
    for (;;) {
        Result<ul::Incoming> in = make_error(ErrorCode::Ok, "");
        // With C-STOREs under way, read on only what has arrived already (the peer may be
        // waiting for their responses) and otherwise answer the oldest first.
        while (!deferred_end_ && !inflight_->entries.empty() &&
               (inflight_->entries.size() >= kMaxInflight || !ch_.has_input()))
            if (auto r = send_completed(true); !r) return protocol_error(r.error());
        if (deferred_end_) {
            in = std::move(*deferred_end_);
            deferred_end_.reset();
        } else {
            in = ch_.receive(assembler_.in_message() ? t.dimse : t.idle);
        }
        if (!in) return protocol_error(in.error());
        switch (in->kind) {
            case ul::Incoming::Kind::PData:
                for (const pdu::PdvView& v : in->pdvs)
                    if (auto r = on_pdv(v); !r) return protocol_error(r.error());
                break;
            case ul::Incoming::Kind::ReleaseRequested:
                drop_partial();
                if (auto r = drain(); !r) return protocol_error(r.error());
                summary_.end = ServeSummary::End::Released;
                if (auto r = ch_.confirm_release(); !r) return tl::unexpected(r.error());
                return summary_;
            case ul::Incoming::Kind::Aborted:
                drop_partial();
                (void)drain(false);
                summary_.end = ServeSummary::End::Aborted;
                return summary_;
            case ul::Incoming::Kind::Closed:
                drop_partial();
                (void)drain(false);
                summary_.end = ServeSummary::End::Closed;
                return summary_;
        }
    }
}

}  // namespace

Result<ServeSummary> serve(Channel& channel, const Dispatcher& dispatcher, const ServeOptions& options) {
    Session s(channel, dispatcher, options);
    return s.run();
}

}  // namespace dicomkit::net::dimse
