// The association driver: every event goes through the PS3.8 state machine (step/resolve), whose
// actions are performed here; data transfer, release (with collision) and abort.
#include <dicomkit/net/ul/association_impl.hpp>

#include <algorithm>
#include <array>
#include <new>

#include <fmt/format.h>

#include <dicomkit/base/log.hpp>
#include <dicomkit/net/pdu/codec.hpp>
#include <dicomkit/net/pdu/describe.hpp>

namespace dicomkit::net::ul {
namespace {

using Clock = std::chrono::steady_clock;

/// Time left until `deadline`, at least 1 ms so that a late read still fails as a timeout;
/// zero (no limit) when the whole wait had no limit.
Millis time_left(Clock::time_point deadline, Millis total) {
    if (total.count() == 0) return Millis(0);
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    return std::max(left, Millis(1));
}

/// How long to wait in Sta13 for the peer to close after we sent an A-ABORT: the ARTIM time,
/// but at most a second, as the association is over whatever the peer does.
Millis abort_linger(const AssociationOptions& o) {
    const Millis cap(1000);
    return o.timeouts.acse.count() == 0 ? cap : std::min(o.timeouts.acse, cap);
}

Event event_of(pdu::PduType type) {
    switch (type) {
        case pdu::PduType::AssociateRq:
            return Event::AssociateRqPdu;
        case pdu::PduType::AssociateAc:
            return Event::AssociateAcPdu;
        case pdu::PduType::AssociateRj:
            return Event::AssociateRjPdu;
        case pdu::PduType::PDataTf:
            return Event::PDataTfPdu;
        case pdu::PduType::ReleaseRq:
            return Event::ReleaseRqPdu;
        case pdu::PduType::ReleaseRp:
            return Event::ReleaseRpPdu;
        case pdu::PduType::Abort:
            return Event::AbortPdu;
    }
    return Event::InvalidPdu;
}

/// A transport failure as an inbound event.
Inbound from_transport_error(const Error& e) {
    Inbound in;
    in.what = e.message;
    if (is_timeout(e)) {
        in.kind = Inbound::Kind::Timeout;
    } else if (e.code == ErrorCode::IoError && e.message.find("interrupted") != std::string::npos) {
        in.kind = Inbound::Kind::Interrupted;
    } else {
        in.kind = Inbound::Kind::Closed;  // end of stream, reset, or a stream out of step
        in.event = Event::TransportClosed;
    }
    return in;
}

Inbound invalid_pdu(pdu::AbortReason reason, std::string what) {
    Inbound in;
    in.kind = Inbound::Kind::Invalid;
    in.event = Event::InvalidPdu;
    in.abort_reason = reason;
    in.what = std::move(what);
    return in;
}

/// "P-DATA-TF, 2 PDVs" with one line per PDV, for views that are not a pdu::PDataTf.
std::string describe_pdvs(std::span<const pdu::PdvView> pdvs, std::size_t pdu_length) {
    std::string out = fmt::format("P-DATA-TF (PDU-length {}) {} PDV{}", pdu_length, pdvs.size(),
                                  pdvs.size() == 1 ? "" : "s");
    for (const pdu::PdvView& v : pdvs) {
        out += fmt::format("\n  PDV context {}: {}{}, {} bytes", v.context_id,
                           v.command ? "command" : "data set", v.last ? " (last fragment)" : "",
                           v.data.size());
    }
    return out;
}

}  // namespace

// ---- state machine ----

Result<Action> Association::Impl::fire(Event event, std::optional<Condition> condition) {
    const State from = state;
    const std::optional<Transition> t = step(from, event);
    if (!t) {
        return Unexpected(error(ErrorCode::InvalidArgument,
                                fmt::format("{} ({}) is not possible in {} ({})", to_string(event),
                                            describe(event), to_string(from), describe(from))));
    }
    std::optional<State> next = t->next;
    if (!next && condition) next = resolve(t->action, *condition);
    if (!next) {
        return Unexpected(error(ErrorCode::InvalidArgument,
                                fmt::format("{} needs a condition", to_string(t->action))));
    }
    state = *next;
    if (options.trace)
        trace(fmt::format("{} --{} {} / {}--> {}", to_string(from), to_string(event), describe(event),
                          to_string(t->action), to_string(state)));
    return t->action;
}

void Association::Impl::perform_abort(Action action, pdu::Abort abort) {
    switch (action) {
        case Action::AA_1:
        case Action::AA_7:
        case Action::AA_8:
            (void)send_pdu(abort, abort_linger(options));
            break;
        case Action::AA_6:  // ignore the PDU, stay in Sta13
            break;
        default:  // AA-2, AA-3, AA-4, AA-5, AR-3, AR-5: close the transport connection
            close_transport();
            break;
    }
}

FailureKind Association::Impl::end_on(const Inbound& in) {
    using Kind = Inbound::Kind;
    if (in.kind == Kind::Timeout || in.kind == Kind::Interrupted) {
        if (state == State::Sta2 || state == State::Sta13) {  // the ARTIM timer runs here
            if (auto a = fire(Event::ArtimExpired)) perform_abort(*a, user_abort());
        } else if (auto a = fire(Event::AbortRequest)) {  // the local user gives up: A-ABORT
            perform_abort(*a, user_abort());
        }
    } else {
        pdu::Abort abort = in.kind == Kind::Invalid
                               ? provider_abort(in.abort_reason)
                               : provider_abort(pdu::AbortReason::UnexpectedPdu);
        // Table 9-9: AA-1 sends a service-user abort, AA-7 and AA-8 a service-provider one.
        if (auto a = fire(in.event)) perform_abort(*a, *a == Action::AA_1 ? user_abort() : abort);
    }
    if (state == State::Sta13) await_close(abort_linger(options));
    if (state != State::Sta1) {  // a driver bug left us elsewhere; never leave a socket open
        close_transport();
        state = State::Sta1;
    }
    if (in.kind == Kind::Timeout) return FailureKind::Timeout;
    if (in.kind == Kind::Interrupted) return FailureKind::Aborted;
    if (in.event == Event::AbortPdu) return FailureKind::Aborted;
    if (in.event == Event::TransportClosed) return FailureKind::Closed;
    return FailureKind::ProtocolError;
}

void Association::Impl::await_close(Millis artim) {
    const auto deadline = Clock::now() + artim;
    for (int i = 0; i < 64 && state == State::Sta13; ++i) {
        Inbound in = read_pdu(time_left(deadline, artim));
        Event e = in.event;
        if (in.kind == Inbound::Kind::Timeout || in.kind == Inbound::Kind::Interrupted)
            e = Event::ArtimExpired;
        auto a = fire(e);
        if (!a) break;
        perform_abort(*a, provider_abort(pdu::AbortReason::UnexpectedPdu));
    }
    if (state == State::Sta13) {
        close_transport();
        state = State::Sta1;
        trace("Sta13: closed the transport connection -> Sta1");
    }
}

void Association::Impl::close_transport() noexcept {
    if (transport) transport->close();
}

// ---- PDU I/O ----

Inbound Association::Impl::read_pdu(Millis timeout) {
    const auto deadline = Clock::now() + timeout;
    std::array<std::uint8_t, pdu::kPduHeaderSize> header{};
    if (state == State::Sta2) {
        // The first byte on its own: a connection closed before it sent anything (a port scan)
        // is told apart from one that broke off a PDU.
        if (auto r = transport->read_exact(std::span(header).first(1), timeout); !r) {
            Inbound in = from_transport_error(r.error());
            in.nothing_received = true;
            return in;
        }
        if (auto r = transport->read_exact(std::span(header).subspan(1), time_left(deadline, timeout)); !r)
            return from_transport_error(r.error());
    } else if (auto r = transport->read_exact(header, timeout); !r) {
        return from_transport_error(r.error());
    }
    // A-ASSOCIATE-RQ/AC need kilobytes: their own, small limit (the PDUs of Sta2 and Sta5).
    const bool associating = state == State::Sta2 || state == State::Sta5;
    const std::uint32_t limit = associating && options.max_associate_length != 0
                                    ? std::min(options.max_associate_length, options.max_pdu_hard_limit)
                                    : options.max_pdu_hard_limit;
    auto length = pdu::pdu_length_from_header(header, limit);
    if (!length || !*length) {
        const bool known = pdu::is_known_pdu_type(header[0]);
        std::string what = length ? std::string("PDU header") : length.error().message;
        if (!length && known && associating && limit != options.max_pdu_hard_limit)
            what += " (max_associate_length)";
        Inbound in = invalid_pdu(known ? pdu::AbortReason::InvalidPduParameterValue
                                       : pdu::AbortReason::UnrecognizedPdu,
                                 std::move(what));
        trace("received invalid PDU: " + in.what);
        return in;
    }
    // One receive buffer per association, reused: no allocation and zero-fill per PDU. It grows
    // with the bytes that arrive (doubling, from 64 KiB), never ahead of them to the announced
    // length: a header that announces 64 MiB and nothing after it costs no 64 MiB.
    const std::size_t total = pdu::kPduHeaderSize + **length;
    std::size_t got = pdu::kPduHeaderSize;
    try {
        if (rx_buffer.size() < pdu::kPduHeaderSize) rx_buffer.resize(std::min<std::size_t>(total, 64 * 1024));
        std::copy(header.begin(), header.end(), rx_buffer.begin());
        while (got < total) {
            if (rx_buffer.size() <= got) {
                const std::size_t grown = std::max<std::size_t>(rx_buffer.size() * 2, 64 * 1024);
                rx_buffer.resize(std::min(total, grown));
            }
            const std::size_t chunk = std::min(total, rx_buffer.size()) - got;
            if (auto r = transport->read_exact(std::span(rx_buffer).subspan(got, chunk),
                                               time_left(deadline, timeout));
                !r)
                return from_transport_error(r.error());
            got += chunk;
        }
    } catch (const std::bad_alloc&) {
        return invalid_pdu(pdu::AbortReason::InvalidPduParameterValue, "PDU too large for memory");
    }
    const auto buffer = std::span<std::uint8_t>(rx_buffer).first(total);
    pdu::DecodeLimits limits;
    limits.max_pdu_length = limit;
    // PS3.8 9.3.2.2 / 7.1.1.13: malformed presentation contexts are refused by negotiate().
    limits.keep_malformed_contexts = state == State::Sta2;
    if (buffer[0] == static_cast<std::uint8_t>(pdu::PduType::PDataTf)) {
        // The data path: PDVs stay views into rx_buffer, no copy of the fragments.
        auto views = pdu::decode_p_data_tf(buffer, limits);
        if (!views) {
            Inbound in = invalid_pdu(pdu::AbortReason::InvalidPduParameterValue, views.error().message);
            trace("received invalid PDU: " + in.what);
            return in;
        }
        if (options.trace) trace("received " + describe_pdvs(*views, **length));
        Inbound in;
        in.kind = Inbound::Kind::Pdu;
        in.event = Event::PDataTfPdu;
        in.what = std::string(pdu::pdu_type_name(buffer[0]));
        in.pdu = pdu::PDataTf{};
        in.pdvs = std::move(*views);
        return in;
    }
    auto decoded = pdu::decode(buffer, limits);
    if (!decoded) {
        Inbound in = invalid_pdu(pdu::AbortReason::InvalidPduParameterValue, decoded.error().message);
        trace("received invalid PDU: " + in.what);
        return in;
    }
    if (options.trace) trace("received " + pdu::describe(*decoded));
    Inbound in;
    in.kind = Inbound::Kind::Pdu;
    in.event = event_of(pdu::type_of(*decoded));
    in.what = std::string(pdu::pdu_type_name(buffer[0]));
    in.pdu = std::move(*decoded);
    return in;
}

Result<void> Association::Impl::send_pdu(const pdu::Pdu& pdu, Millis timeout) {
    auto bytes = pdu::encode(pdu);
    if (!bytes) return Unexpected(error(bytes.error().code, bytes.error().message));
    return send_bytes(*bytes, options.trace ? pdu::describe(pdu) : std::string(), timeout);
}

Result<void> Association::Impl::send_bytes(std::span<const std::uint8_t> bytes,
                                           const std::string& description, Millis timeout) {
    if (options.trace) trace("sent " + description);
    if (auto r = transport->write_all(bytes, timeout); !r)
        return Unexpected(error(r.error().code, r.error().message));
    return {};
}

// ---- tracing ----

std::string Association::Impl::prefix() const {
    if (rq.calling_ae_title.empty() && rq.called_ae_title.empty()) return fmt::format("[{}] ", peer);
    return fmt::format("[{} {}->{}] ", peer, log::printable(rq.calling_ae_title), log::printable(rq.called_ae_title));
}

void Association::Impl::trace(std::string_view line) const {
    if (!options.trace) return;
    try {
        options.trace(prefix() + std::string(line));
    } catch (...) {  // a failing trace sink must not break the association
    }
}

Error Association::Impl::error(ErrorCode code, std::string_view message) const {
    std::string who = rq.calling_ae_title.empty() && rq.called_ae_title.empty()
                          ? std::string("association")
                          : fmt::format("association {}->{}", log::printable(rq.calling_ae_title),
                                        log::printable(rq.called_ae_title));
    Error e(code, fmt::format("{}: {}", who, message));
    e.peer = peer;
    return e;
}

// ---- the public API: data transfer, release, abort ----

Association::Association(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Association::Association(Association&&) noexcept = default;

Association& Association::operator=(Association&& other) noexcept {
    if (this != &other) {
        if (impl_) abort();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

Association::~Association() {
    if (impl_ && impl_->state != State::Sta1) abort();
}

Result<void> Association::send(const pdu::PDataTf& pdata) {
    std::vector<pdu::PdvView> views;
    views.reserve(pdata.pdvs.size());
    for (const pdu::Pdv& v : pdata.pdvs) views.push_back({v.context_id, v.command, v.last, v.data});
    return send(views);
}

Result<void> Association::send(std::span<const pdu::PdvView> pdvs) {
    Impl& m = *impl_;
    if (m.state != State::Sta6 && m.state != State::Sta8) {
        return Unexpected(m.error(ErrorCode::InvalidArgument,
                                  fmt::format("P-DATA: no data transfer in {}", to_string(m.state))));
    }
    auto bytes = pdu::encode_p_data_tf(pdvs);
    if (!bytes) return Unexpected(m.error(bytes.error().code, bytes.error().message));
    const std::size_t length = bytes->size() - pdu::kPduHeaderSize;
    if (m.peer_max_pdu != 0 && length > m.peer_max_pdu) {
        return Unexpected(m.error(ErrorCode::LimitExceeded,
                                  fmt::format("P-DATA-TF of {} bytes exceeds the peer's maximum "
                                              "length received ({})",
                                              length, m.peer_max_pdu)));
    }
    if (auto a = m.fire(Event::PDataRequest); !a) return Unexpected(a.error());  // DT-1 / AR-7
    // The description is only built when tracing: this is the data path.
    const std::string description = m.options.trace ? describe_pdvs(pdvs, length) : std::string();
    if (auto r = m.send_bytes(*bytes, description, m.options.timeouts.dimse); !r) {
        if (auto a = m.fire(Event::TransportClosed)) m.perform_abort(*a, user_abort());
        return r;
    }
    return {};
}

Result<Incoming> Association::receive(Millis timeout) {
    Impl& m = *impl_;
    if (m.state != State::Sta6) {
        return Unexpected(m.error(ErrorCode::InvalidArgument,
                                  fmt::format("receive: no data transfer in {}", to_string(m.state))));
    }
    Inbound in = m.read_pdu(timeout);
    Incoming out;
    if (in.kind == Inbound::Kind::Pdu &&
        (in.event == Event::PDataTfPdu || in.event == Event::ReleaseRqPdu)) {
        if (auto a = m.fire(in.event); !a) return Unexpected(a.error());  // DT-2 / AR-2
        if (in.event == Event::ReleaseRqPdu) {
            out.kind = Incoming::Kind::ReleaseRequested;
        } else {
            out.kind = Incoming::Kind::PData;
            out.pdvs = std::move(in.pdvs);
        }
        return out;
    }
    const FailureKind why = m.end_on(in);
    if (why == FailureKind::Closed) return out;  // Incoming::Kind::Closed
    if (why == FailureKind::Aborted && in.event == Event::AbortPdu) {
        out.kind = Incoming::Kind::Aborted;
        out.abort = std::get<pdu::Abort>(in.pdu);
        return out;
    }
    if (why == FailureKind::Timeout) {
        return Unexpected(m.error(ErrorCode::LimitExceeded,
                                  fmt::format("receive: timeout after {} ms; association aborted",
                                              timeout.count())));
    }
    if (in.kind == Inbound::Kind::Interrupted)
        return Unexpected(m.error(ErrorCode::IoError, "receive: interrupted; association aborted"));
    return Unexpected(m.error(ErrorCode::InvalidValue,
                              fmt::format("{} in Sta6: association aborted", in.what)));
}

bool Association::readable() const noexcept {
    return impl_ && impl_->state == State::Sta6 && impl_->transport && impl_->transport->readable();
}

void Association::abort(std::uint8_t source, std::uint8_t reason) {
    if (!impl_) return;
    Impl& m = *impl_;
    if (m.state == State::Sta1) return;
    auto a = m.fire(Event::AbortRequest);  // AA-1 (AA-2 in Sta4); Sta2, Sta13 have no cell
    if (a) {
        m.perform_abort(*a, pdu::Abort{static_cast<pdu::AbortSource>(source),
                                       static_cast<pdu::AbortReason>(reason)});
    }
    if (m.state == State::Sta13) m.await_close(abort_linger(m.options));
    if (m.state != State::Sta1) {
        m.close_transport();
        m.state = State::Sta1;
    }
}

Result<void> Association::release() {
    Impl& m = *impl_;
    if (m.state != State::Sta6) {
        return Unexpected(m.error(ErrorCode::InvalidArgument,
                                  fmt::format("A-RELEASE: no association in {}", to_string(m.state))));
    }
    if (auto a = m.fire(Event::ReleaseRequest); !a) return Unexpected(a.error());  // AR-1
    const Millis acse = m.options.timeouts.acse;
    if (auto r = m.send_pdu(pdu::ReleaseRq{}, acse); !r) {
        if (auto a = m.fire(Event::TransportClosed)) m.perform_abort(*a, user_abort());
        return r;
    }
    const auto deadline = Clock::now() + acse;
    // Bounded by the deadline; the count only guards against a peer flooding P-DATA.
    for (int i = 0; i < 1'000'000 && m.state != State::Sta1; ++i) {
        Inbound in = m.read_pdu(time_left(deadline, acse));
        if (in.kind == Inbound::Kind::Pdu) {
            auto r = m.release_step(in.event);
            if (!r) return Unexpected(r.error());
            if (*r) continue;
        }
        const FailureKind why = m.end_on(in);
        const ErrorCode code =
            why == FailureKind::Timeout ? ErrorCode::LimitExceeded : ErrorCode::IoError;
        return Unexpected(m.error(code, fmt::format("A-RELEASE failed: {}{}", in.what,
                                                    why == FailureKind::Timeout
                                                        ? " (timeout); association aborted"
                                                        : "")));
    }
    return {};
}

Result<bool> Association::Impl::release_step(Event event) {
    const std::optional<Transition> t = step(state, event);
    if (!t || t->action == Action::AA_8 || t->action == Action::AA_3 || t->action == Action::AA_4)
        return false;
    auto a = fire(event, requestor ? Condition::Requestor : Condition::Acceptor);
    if (!a) return Unexpected(a.error());
    const Millis acse = options.timeouts.acse;
    switch (*a) {
        case Action::AR_6:  // P-DATA while waiting for A-RELEASE-RP: dropped
            return true;
        case Action::AR_3:  // A-RELEASE confirmation: close
            close_transport();
            return true;
        case Action::AR_8:  // release collision (PS3.8 9.2.3): the requestor answers first
            if (state == State::Sta9) {
                if (auto r = fire(Event::ReleaseResponse); !r) return Unexpected(r.error());  // AR-9
                if (auto r = send_pdu(pdu::ReleaseRp{}, acse); !r) return Unexpected(r.error());
            }
            return true;
        case Action::AR_10:  // the acceptor of a collision got its A-RELEASE-RP; now answers
            if (auto r = fire(Event::ReleaseResponse); !r) return Unexpected(r.error());  // AR-4
            if (auto r = send_pdu(pdu::ReleaseRp{}, acse); !r) return Unexpected(r.error());
            await_close(acse);
            return true;
        default:
            return false;
    }
}

Result<void> Association::confirm_release() {
    Impl& m = *impl_;
    if (m.state != State::Sta8) {
        return Unexpected(m.error(ErrorCode::InvalidArgument,
                                  fmt::format("A-RELEASE response: no release requested in {}",
                                              to_string(m.state))));
    }
    if (auto a = m.fire(Event::ReleaseResponse); !a) return Unexpected(a.error());  // AR-4
    if (auto r = m.send_pdu(pdu::ReleaseRp{}, m.options.timeouts.acse); !r) {
        m.close_transport();
        m.state = State::Sta1;
        return r;
    }
    m.await_close(m.options.timeouts.acse);
    return {};
}

// ---- accessors ----

const std::vector<AcceptedContext>& Association::contexts() const noexcept { return impl_->contexts; }

const AcceptedContext* Association::find_context(std::string_view abstract_syntax,
                                                 std::string_view transfer_syntax) const noexcept {
    for (const AcceptedContext& c : impl_->contexts) {
        if (c.abstract_syntax == abstract_syntax &&
            (transfer_syntax.empty() || c.transfer_syntax == transfer_syntax))
            return &c;
    }
    return nullptr;
}

const AcceptedContext* Association::context_by_id(std::uint8_t id) const noexcept {
    for (const AcceptedContext& c : impl_->contexts) {
        if (c.id == id) return &c;
    }
    return nullptr;
}

std::uint32_t Association::peer_max_pdu() const noexcept { return impl_->peer_max_pdu; }
const std::string& Association::calling_ae() const noexcept { return impl_->rq.calling_ae_title; }
const std::string& Association::called_ae() const noexcept { return impl_->rq.called_ae_title; }
const std::string& Association::peer_address() const noexcept { return impl_->peer; }
const pdu::AssociateRq& Association::request_pdu() const noexcept { return impl_->rq; }
const pdu::AssociateAc& Association::accept_pdu() const noexcept { return impl_->ac; }
const std::vector<std::string>& Association::negotiation_notes() const noexcept { return impl_->notes; }
State Association::state() const noexcept { return impl_ ? impl_->state : State::Sta1; }
const AssociationOptions& Association::options() const noexcept { return impl_->options; }
void Association::trace(std::string_view line) const { impl_->trace(line); }

}  // namespace dicomkit::net::ul
