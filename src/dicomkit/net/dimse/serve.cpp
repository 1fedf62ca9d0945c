// The SCP serving loop.
#include <dicomkit/net/dimse/serve.hpp>

#include <exception>

#include <dicomkit/net/dimse/fragmenter.hpp>

namespace dicomkit::net::dimse {

namespace {

constexpr std::size_t kMaxErrorComment = 64;  // (0000,0902) is LO

/// What the loop knows about the message whose data set is arriving.
struct Pending {
    Dispatcher::Route route;
    RequestContext rc;
    bool begun = false;  ///< StoreHandler::begin() was called
};

class Session {
public:
    Session(Channel& ch, const Dispatcher& d, const ServeOptions& o)
        : ch_(ch), d_(d), assembler_([this](std::uint8_t id, const Command& c) { return choose(id, c); }, o.limits) {}
    ~Session() { drop_partial(); }

    Result<ServeSummary> run();

private:
    Result<std::unique_ptr<DataSink>> choose(std::uint8_t context_id, const Command& c);
    Result<void> on_pdv(const pdu::PdvView& pdv);
    Result<void> handle(Message m);
    Outcome run_handler(Message& m);
    Result<void> respond(std::uint8_t context_id, const Command& rq, const Outcome& o);
    Unexpected protocol_error(Error e);
    void drop_partial() noexcept;
    RequestContext context_for(std::uint8_t id) const {
        return RequestContext{ch_.context_by_id(id), ch_.calling_ae(), ch_.peer_address()};
    }

    Channel& ch_;
    const Dispatcher& d_;
    MessageAssembler assembler_;
    Pending pending_;
    ServeSummary summary_;
};

Result<std::unique_ptr<DataSink>> Session::choose(std::uint8_t context_id, const Command& c) {
    pending_ = Pending{};
    pending_.rc = context_for(context_id);
    pending_.route = d_.route(c.field, c.affected_sop_class_uid);
    if (pending_.route.store && pending_.rc.context &&
        pending_.rc.context->abstract_syntax != c.affected_sop_class_uid)
        pending_.route = Dispatcher::Route{nullptr, nullptr, status::SOPClassNotSupported};
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
        if (!route.echo) return Outcome{route.status, {}};
        return route.echo->echo(context_for(m.context_id), rq);
    }
    if (rq.field == CommandField::C_STORE_RQ && !m.dataset)
        return Outcome{status::CannotUnderstand, "C-STORE-RQ without a data set"};
    if (rq.field == CommandField::C_STORE_RQ && pending_.route.store) {
        if (m.dataset_error) return Outcome{status::OutOfResources, m.dataset_error->message};
        return pending_.route.store->end(pending_.rc, rq, std::move(m.dataset));
    }
    if (rq.field == CommandField::C_STORE_RQ) return Outcome{pending_.route.status, {}};
    return Outcome{d_.route(rq.field, rq.affected_sop_class_uid).status, {}};
}

Result<void> Session::handle(Message m) {
    if (ch_.tracing()) ch_.trace("received " + describe(m.command));
    if (m.command.field == CommandField::C_CANCEL_RQ) return {};  // PS3.7 9.3.2.3: no response
    if (is_response(m.command.field)) {
        ch_.trace("ignoring a response sent to an SCP");
        return {};
    }
    ++summary_.requests;
    Outcome o;
    try {
        o = run_handler(m);
    } catch (const std::exception& e) {
        o = Outcome{status::ProcessingFailure, e.what()};
    }
    pending_ = Pending{};
    return respond(m.context_id, m.command, o);
}

Result<void> Session::respond(std::uint8_t context_id, const Command& rq, const Outcome& o) {
    Command rsp = Command::response(rq, o.status);
    if (status_kind(o.status) == StatusKind::Failure) {
        ++summary_.failures;
        rsp.error_comment = o.error_comment.substr(0, kMaxErrorComment);
    }
    if (ch_.tracing()) ch_.trace("sending " + describe(rsp));
    PdvSender send = [this](std::span<const pdu::PdvView> pdvs) { return ch_.send(pdvs); };
    auto r = send_message(send, context_id, rsp, nullptr, ch_.peer_max_pdu());
    if (!r) return tl::unexpected(r.error());
    return {};
}

Result<void> Session::on_pdv(const pdu::PdvView& pdv) {
    if (!ch_.context_by_id(pdv.context_id))
        return make_error(ErrorCode::InvalidValue,
                          "PDV on presentation context " + std::to_string(pdv.context_id) + " that was not accepted");
    auto m = assembler_.push(pdv);
    if (!m) return tl::unexpected(m.error());
    if (*m) return handle(std::move(**m));
    return {};
}

Result<ServeSummary> Session::run() {
    const ul::Timeouts t = ch_.timeouts();
    for (;;) {
        auto in = ch_.receive(assembler_.in_message() ? t.dimse : t.idle);
        if (!in) return protocol_error(in.error());
        switch (in->kind) {
            case ul::Incoming::Kind::PData:
                for (const pdu::Pdv& p : in->pdata.pdvs) {
                    pdu::PdvView v{p.context_id, p.command, p.last, p.data};
                    if (auto r = on_pdv(v); !r) return protocol_error(r.error());
                }
                break;
            case ul::Incoming::Kind::ReleaseRequested:
                drop_partial();
                summary_.end = ServeSummary::End::Released;
                if (auto r = ch_.confirm_release(); !r) return tl::unexpected(r.error());
                return summary_;
            case ul::Incoming::Kind::Aborted:
                drop_partial();
                summary_.end = ServeSummary::End::Aborted;
                return summary_;
            case ul::Incoming::Kind::Closed:
                drop_partial();
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
