// SCU helpers: C-ECHO, C-STORE, C-CANCEL.
#include <dicomkit/net/dimse/scu.hpp>

#include <algorithm>
#include <array>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/fragmenter.hpp>
#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::net::dimse {

namespace {

using Clock = std::chrono::steady_clock;

PdvSender sender_of(Channel& ch) {
    return [&ch](std::span<const pdu::PdvView> pdvs) { return ch.send(pdvs); };
}

Unexpected with_peer(Error e, const Channel& ch) {
    if (e.peer.empty()) e.peer = ch.peer_address();
    return tl::unexpected(std::move(e));
}

/// Waits for the response to `rq` (matching Message ID Being Responded To).
Result<Command> await_response(Channel& ch, const Command& rq) {
    auto m = receive_message(ch, ch.timeouts().dimse);
    if (!m) return tl::unexpected(m.error());
    if (ch.tracing()) ch.trace("received " + describe(m->command));
    if (m->command.field != response_to(rq.field) || m->command.message_id_being_responded_to != rq.message_id)
        return with_peer(Error(ErrorCode::InvalidValue, "unexpected answer: " + describe(m->command)), ch);
    return std::move(m->command);
}

bool has_meta_group(const DataSet& ds) {
    return !ds.empty() && ds.begin()->tag().group == 0x0002;
}

const Transcoder& transcoder_of(const StoreOptions& o) {
    static const UncompressedTranscoder uncompressed;
    return o.transcoder ? *o.transcoder : uncompressed;
}

/// The accepted context to send `file` on: its own syntax first, then the native ones the
/// transcoder converts to, then any other accepted syntax it converts to.
const ul::AcceptedContext* pick_context(const Channel& ch, const std::string& sop_class,
                                        const io::TransferSyntax& file_ts, const Transcoder& tc) {
    if (const auto* c = ch.find_context(sop_class, file_ts.uid)) return c;
    static constexpr std::array<const io::TransferSyntax*, 4> kOthers = {
        &io::ts::ExplicitVRLittleEndian, &io::ts::ImplicitVRLittleEndian, &io::ts::DeflatedExplicitVRLittleEndian,
        &io::ts::ExplicitVRBigEndian};
    for (const auto* ts : kOthers)
        if (tc.can_convert(file_ts, *ts))
            if (const auto* c = ch.find_context(sop_class, ts->uid)) return c;
    for (unsigned id = 1; id < 256; id += 2) {  // PS3.8 9.3.2.2: odd context IDs
        const auto* c = ch.context_by_id(static_cast<std::uint8_t>(id));
        if (!c || c->abstract_syntax != sop_class) continue;
        const auto* ts = io::find_transfer_syntax(c->transfer_syntax);
        if (ts && tc.can_convert(file_ts, *ts)) return c;
    }
    return nullptr;
}

std::pair<std::string, std::string> sop_uids(const io::DicomFile& f) {
    std::string cls = f.dataset.string_or(tags::SOPClassUID);
    std::string inst = f.dataset.string_or(tags::SOPInstanceUID);
    if (cls.empty()) cls = f.meta.string_or(tags::MediaStorageSOPClassUID);
    if (inst.empty()) inst = f.meta.string_or(tags::MediaStorageSOPInstanceUID);
    return {std::string(trim_padding(cls)), std::string(trim_padding(inst))};
}

/// Adds one 00H byte to a source of odd length.
class EvenSource final : public DataSource {
public:
    explicit EvenSource(DataSource& inner) : inner_(inner) {}
    std::uint64_t size() const noexcept override { return inner_.size() + inner_.size() % 2; }
    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        auto n = inner_.read(out);
        if (!n || *n == out.size() || pad_done_ || inner_.size() % 2 == 0) return n;
        out[*n] = 0;
        pad_done_ = true;
        return *n + 1;
    }

private:
    DataSource& inner_;
    bool pad_done_ = false;
};

Command store_command(const StoreOptions& o, const std::string& cls, const std::string& inst) {
    Command c;
    c.field = CommandField::C_STORE_RQ;
    c.message_id = o.message_id;
    c.affected_sop_class_uid = cls;
    c.affected_sop_instance_uid = inst;
    c.priority = static_cast<std::uint16_t>(o.priority);
    c.has_dataset = true;
    c.move_originator_ae = o.move_originator_ae;
    c.move_originator_message_id = o.move_originator_message_id;
    return c;
}

/// Sends the C-STORE-RQ with `source` on `ctx` (the response is awaited by the caller).
Result<StoreResult> send_request(Channel& ch, const ul::AcceptedContext& ctx, const Command& rq, DataSource& source,
                                 StoreResult result) {
    if (ch.tracing()) ch.trace("sending " + describe(rq));
    auto sent = send_message(sender_of(ch), ctx.id, rq, &source, ch.peer_max_pdu());
    if (!sent) return with_peer(sent.error(), ch);
    result.dataset_bytes = sent->dataset_bytes;
    result.message_id = rq.message_id.value_or(0);
    return result;
}

void apply_response(StoreResult& result, Command rsp) {
    result.status = rsp.status.value_or(status::ProcessingFailure);
    result.error_comment = rsp.error_comment;
    result.response = std::move(rsp);
}

/// Sends the C-STORE-RQ with `source` on `ctx` and waits for the C-STORE-RSP.
Result<StoreResult> exchange(Channel& ch, const ul::AcceptedContext& ctx, const Command& rq, DataSource& source,
                             StoreResult result) {
    auto sent = send_request(ch, ctx, rq, source, std::move(result));
    if (!sent) return sent;
    auto rsp = await_response(ch, rq);
    if (!rsp) return tl::unexpected(rsp.error());
    apply_response(*sent, std::move(*rsp));
    return sent;
}

/// Converts `ds` (read in `from`, without group 0002) for `ctx` with the transcoder, encodes and
/// sends it; waits for the response unless `send_only`.
Result<StoreResult> store_encoded(Channel& ch, const ul::AcceptedContext& ctx, DataSet ds,
                                  const io::TransferSyntax& from, const Transcoder& tc, const Command& rq,
                                  StoreResult result, bool send_only = false) {
    const io::TransferSyntax* ts = io::find_transfer_syntax(ctx.transfer_syntax);
    if (!ts) return make_error(ErrorCode::Unsupported, "accepted transfer syntax unknown: " + ctx.transfer_syntax);
    ds.remove_range(Tag(0x0002, 0x0000), Tag(0x0002, 0xFFFF));
    if (from != *ts)
        if (auto c = tc.convert(ds, from, *ts); !c) return tl::unexpected(c.error());
    auto bytes = io::encode_dataset(ds, *ts);
    if (!bytes) return tl::unexpected(bytes.error());
    if (bytes->size() % 2 != 0) bytes->push_back(0);
    MemorySource src(std::move(*bytes));
    result.transfer_syntax = ctx.transfer_syntax;
    if (send_only) return send_request(ch, ctx, rq, src, std::move(result));
    return exchange(ch, ctx, rq, src, std::move(result));
}

Unexpected no_context(const std::string& cls, const io::TransferSyntax& ts) {
    return make_error(ErrorCode::Unsupported, "no accepted presentation context for " + cls + " that can carry " +
                                                  std::string(ts.name));
}

}  // namespace

Result<void> send_message(Channel& channel, std::uint8_t context_id, const Command& command, DataSource* dataset) {
    auto r = send_message(sender_of(channel), context_id, command, dataset, channel.peer_max_pdu());
    if (!r) return with_peer(r.error(), channel);
    return {};
}

Result<Message> receive_message(Channel& ch, ul::Millis timeout, const MessageAssembler::SinkChooser& choose) {
    MessageAssembler assembler(choose ? choose : [](std::uint8_t, const Command&) {
        return Result<std::unique_ptr<DataSink>>(std::make_unique<MemorySink>(16u * 1024u * 1024u));
    });
    for (;;) {
        auto in = ch.receive(timeout);
        if (!in) return with_peer(in.error(), ch);
        switch (in->kind) {
            case ul::Incoming::Kind::PData:
                break;
            case ul::Incoming::Kind::Aborted:
                return with_peer(Error(ErrorCode::IoError, "association aborted by the peer"), ch);
            case ul::Incoming::Kind::ReleaseRequested:
                return with_peer(Error(ErrorCode::IoError, "peer asked for release while a response was due"), ch);
            case ul::Incoming::Kind::Closed:
                return with_peer(Error(ErrorCode::Truncated, "connection closed by the peer"), ch);
        }
        for (std::size_t i = 0; i < in->pdvs.size(); ++i) {
            auto m = assembler.push(in->pdvs[i]);
            if (!m) return with_peer(m.error(), ch);
            if (*m) {
                if (i + 1 != in->pdvs.size())
                    return with_peer(Error(ErrorCode::InvalidValue, "PDVs of two messages in one P-DATA-TF"), ch);
                return std::move(**m);
            }
        }
    }
}

Result<EchoResult> echo(Channel& ch, std::uint16_t message_id) {
    const ul::AcceptedContext* ctx = ch.find_context(kVerificationSopClass, {});
    if (!ctx) return make_error(ErrorCode::Unsupported, "the peer did not accept the Verification SOP Class");
    Command rq;
    rq.field = CommandField::C_ECHO_RQ;
    rq.message_id = message_id;
    rq.affected_sop_class_uid = std::string(kVerificationSopClass);
    if (ch.tracing()) ch.trace("sending " + describe(rq));
    auto t0 = Clock::now();
    if (auto r = send_message(ch, ctx->id, rq); !r) return tl::unexpected(r.error());
    auto rsp = await_response(ch, rq);
    if (!rsp) return tl::unexpected(rsp.error());
    EchoResult out;
    out.round_trip = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
    out.status = rsp->status.value_or(status::ProcessingFailure);
    out.response = std::move(*rsp);
    return out;
}

Result<StoreFile> inspect_for_store(const std::string& path) {
    io::ReadOptions ro;
    ro.stop_before = tags::PixelData;
    auto header = io::read_file(path, ro);
    if (!header) return tl::unexpected(header.error());
    auto [cls, inst] = sop_uids(*header);
    // Without File Meta Information the reader takes any bytes as a bare data set (a text file
    // too): without the UIDs every stored instance has, it was not one.
    if ((cls.empty() || inst.empty()) && header->meta.empty())
        return tl::unexpected(Error(ErrorCode::NotDicom, "not a DICOM file: no preamble and DICM prefix, and not a "
                                                         "data set with SOP Class/Instance UIDs")
                                  .in_file(path));
    if (cls.empty() || inst.empty())
        return tl::unexpected(Error(ErrorCode::NotFound, "no SOP Class/Instance UID").in_file(path));
    StoreFile f;
    f.path = path;
    f.sop_class_uid = std::move(cls);
    f.sop_instance_uid = std::move(inst);
    f.transfer_syntax = header->transfer_syntax;
    f.dataset_offset = header->source->dataset_offset;
    f.meta_in_dataset = has_meta_group(header->dataset);
    return f;
}

Result<StoreResult> send_store(Channel& ch, const StoreFile& file, const StoreOptions& options) {
    StoreResult result;
    result.sop_class_uid = file.sop_class_uid;
    result.sop_instance_uid = file.sop_instance_uid;
    const Command rq = store_command(options, file.sop_class_uid, file.sop_instance_uid);
    const io::TransferSyntax& file_ts = file.transfer_syntax;
    const Transcoder& tc = transcoder_of(options);
    const ul::AcceptedContext* ctx = pick_context(ch, file.sop_class_uid, file_ts, tc);
    if (!ctx) return no_context(file.sop_class_uid, file_ts);
    if (ctx->transfer_syntax == file_ts.uid && !file.meta_in_dataset) {
        auto src = FileRegionSource::open(file.path, file.dataset_offset);
        if (!src) return tl::unexpected(src.error());
        // PS3.5 A.5: an odd deflated stream is padded with one 00H byte; an odd native data set
        // is broken and goes through the re-encoding below.
        if (src->size() % 2 == 0 || file_ts.deflated) {
            EvenSource even(*src);
            result.transfer_syntax = ctx->transfer_syntax;
            return send_request(ch, *ctx, rq, even, std::move(result));
        }
    }
    auto full = io::read_file(file.path);
    if (!full) return tl::unexpected(full.error());
    result.converted = true;
    return store_encoded(ch, *ctx, std::move(full->dataset), full->transfer_syntax, tc, rq, std::move(result), true);
}

Result<StoreResult> store(Channel& ch, const StoreFile& file, const StoreOptions& options) {
    auto sent = send_store(ch, file, options);
    if (!sent) return sent;
    auto rsp = await_response(ch, store_command(options, file.sop_class_uid, file.sop_instance_uid));
    if (!rsp) return tl::unexpected(rsp.error());
    apply_response(*sent, std::move(*rsp));
    return sent;
}

Result<StoreResult> store(Channel& ch, const std::string& path, const StoreOptions& options) {
    auto file = inspect_for_store(path);
    if (!file) return tl::unexpected(file.error());
    return store(ch, *file, options);
}

Result<StoreResult> store(Channel& ch, const io::DicomFile& file, const StoreOptions& options) {
    auto [cls, inst] = sop_uids(file);
    if (cls.empty() || inst.empty()) return make_error(ErrorCode::NotFound, "no SOP Class/Instance UID");
    const Transcoder& tc = transcoder_of(options);
    const ul::AcceptedContext* ctx = pick_context(ch, cls, file.transfer_syntax, tc);
    if (!ctx) return no_context(cls, file.transfer_syntax);
    StoreResult result;
    result.sop_class_uid = cls;
    result.sop_instance_uid = inst;
    result.converted = ctx->transfer_syntax != file.transfer_syntax.uid;
    return store_encoded(ch, *ctx, file.dataset, file.transfer_syntax, tc, store_command(options, cls, inst),
                         std::move(result));
}

Result<void> cancel(Channel& ch, std::uint8_t context_id, std::uint16_t message_id) {
    Command c;
    c.field = CommandField::C_CANCEL_RQ;
    c.message_id_being_responded_to = message_id;
    if (ch.tracing()) ch.trace("sending " + describe(c));
    return send_message(ch, context_id, c);
}

// ---- StoreWindow ----

StoreWindow::StoreWindow(Channel& channel, std::size_t window) : ch_(channel), window_(std::max<std::size_t>(window, 1)) {}

void StoreWindow::fail_all(const Error& e, std::vector<Completion>& out) {
    broken_ = e;
    for (auto& p : outstanding_) out.push_back({p.tag, tl::unexpected(e)});
    outstanding_.clear();
}

void StoreWindow::collect_one(std::vector<Completion>& out) {
    auto m = receive_message(ch_, ch_.timeouts().dimse);
    if (!m) return fail_all(m.error(), out);
    if (ch_.tracing()) ch_.trace("received " + describe(m->command));
    auto it = outstanding_.end();
    if (m->command.field == CommandField::C_STORE_RSP)
        it = std::find_if(outstanding_.begin(), outstanding_.end(), [&](const Outstanding& o) {
            return o.result.message_id == m->command.message_id_being_responded_to;
        });
    if (it == outstanding_.end()) {
        Error e(ErrorCode::InvalidValue, "unexpected answer: " + describe(m->command));
        e.peer = ch_.peer_address();
        return fail_all(e, out);
    }
    apply_response(it->result, std::move(m->command));
    out.push_back({it->tag, std::move(it->result)});
    outstanding_.erase(it);
}

std::vector<StoreWindow::Completion> StoreWindow::submit(std::size_t tag, const StoreFile& file,
                                                         const StoreOptions& options) {
    std::vector<Completion> out;
    while (!broken_ && outstanding_.size() >= window_) collect_one(out);
    if (broken_) {
        out.push_back({tag, tl::unexpected(*broken_)});
        return out;
    }
    auto sent = send_store(ch_, file, options);
    if (sent) {
        outstanding_.push_back({tag, std::move(*sent)});
    } else {
        // Errors before anything was sent (unreadable file, no context) concern this file only;
        // once the request is on the wire (errors then name the peer) the association is lost.
        const bool network = !sent.error().peer.empty();
        out.push_back({tag, tl::unexpected(sent.error())});
        if (network) fail_all(sent.error(), out);
    }
    return out;
}

std::vector<StoreWindow::Completion> StoreWindow::drain() {
    std::vector<Completion> out;
    while (!broken_ && !outstanding_.empty()) collect_one(out);
    return out;
}

}  // namespace dicomkit::net::dimse
