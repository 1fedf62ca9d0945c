// Fuzz target: bytes through the MLLP decoder (split at a point the input chooses), each frame and
// the whole input through the ER7 parser, interpret_all and the ACK builders. Checks that a
// parsed message has MSH first, that every ACK parses and carries an MSA code, and that framing
// what the decoder returned gives the same messages back.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/hl7/ack.hpp>
#include <dicomkit/hl7/interpret.hpp>
#include <dicomkit/hl7/mllp.hpp>

namespace {

using namespace dicomkit::hl7;

void check_ack(const std::string& text) {
    auto a = parse(text);
    if (!a) std::abort();
    std::string code = a->value("MSA", 1);
    if (code != "AA" && code != "AE" && code != "AR") std::abort();
}

void one_message(std::string_view bytes) {
    ParseLimits limits;
    limits.max_message_bytes = 1 << 16;
    limits.max_segments = 200;
    limits.max_fields = 200;
    auto m = parse(bytes, limits);
    AckOptions opts;
    opts.control_id = "F1";
    opts.timestamp = "20260101000000";
    if (!m) {
        check_ack(build_ack_raw(bytes, ack_for(m.error()), opts));
        return;
    }
    if (m->segments().empty() || m->segments().front().id() != "MSH") std::abort();
    for (const Segment& s : m->segments())
        for (std::size_t f = 0; f < s.count() && f < 8; ++f)
            for (std::size_t c = 1; c <= 3; ++c) (void)m->value(s, f, 1, c, 1);
    auto events = interpret_all(*m);
    Ack ack = events ? Ack::accept() : ack_for(events.error());
    check_ack(build_ack(*m, ack, opts));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 65536) return 0;
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    one_message(all);
    // MLLP: the same bytes fed in two pieces, split where the first byte says.
    const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
    MllpDecoder decoder(4096, 64);
    std::vector<MllpEvent> events;
    decoder.feed(all.substr(0, split), events);
    decoder.feed(all.substr(split), events);
    decoder.finish(events);
    std::string reframed;
    std::vector<std::string> messages;
    for (const MllpEvent& e : events) {
        if (e.kind == MllpEvent::Kind::Message) {
            if (e.data.size() > 4096) std::abort();
            messages.push_back(e.data);
            reframed += mllp_frame(e.data);
            one_message(e.data);
        } else if (e.kind == MllpEvent::Kind::TooLarge) {
            if (e.size <= 4096 || e.data.size() > 64) std::abort();
        }
    }
    MllpDecoder again(4096, 64);
    std::vector<MllpEvent> back;
    again.feed(reframed, back);
    if (back.size() != messages.size()) std::abort();
    for (std::size_t i = 0; i < back.size(); ++i)
        if (back[i].kind != MllpEvent::Kind::Message || back[i].data != messages[i]) std::abort();
    return 0;
}
