// Fuzz target: PDU decoding. Whatever decodes must encode again, decode(encode(x)) must equal x,
// and encoding must be a fixed point; P-DATA-TF views must agree with the copying decoder; the
// acceptor's lenient decoding (keep_malformed_contexts) must not crash.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>

#include <dicomkit/net/pdu/codec.hpp>
#include <dicomkit/net/pdu/describe.hpp>

namespace {

using namespace dicomkit::net::pdu;

void check_round_trip(std::span<const std::uint8_t> whole, const DecodeLimits& limits) {
    auto pdu = decode(whole, limits);
    if (!pdu) {
        if (!pdu.error().offset || *pdu.error().offset > whole.size()) std::abort();
        return;
    }
    if (describe(*pdu).empty()) std::abort();
    auto bytes = encode(*pdu);
    if (!bytes) std::abort();
    DecodeLimits relaxed = limits;
    relaxed.max_pdu_length = 0xFFFFFFFFu;  // re-encoding may add an omitted sub-item header
    auto again = decode(*bytes, relaxed);
    if (!again || !(*again == *pdu)) std::abort();
    auto bytes_again = encode(*again);
    if (!bytes_again || *bytes_again != *bytes) std::abort();

    if (const auto* p = std::get_if<PDataTf>(&*pdu)) {
        auto views = decode_p_data_tf(whole, limits);
        if (!views || views->size() != p->pdvs.size()) std::abort();
        for (std::size_t i = 0; i < views->size(); ++i) {
            const PdvView& v = (*views)[i];
            if (v.data.data() < whole.data() ||
                v.data.data() + v.data.size() > whole.data() + whole.size())
                std::abort();
            if (v.data.size() != p->pdvs[i].data.size() || v.context_id != p->pdvs[i].context_id)
                std::abort();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> in(data, size);
    DecodeLimits limits;
    limits.max_pdu_length = 1u << 20;
    // The input as one whole PDU (length mismatches included) ...
    check_round_trip(in, limits);
    // ... and as a stream: the first PDU its header announces, as a driver would read it.
    auto length = pdu_length_from_header(in, limits.max_pdu_length);
    if (length && *length && kPduHeaderSize + **length < size) {
        check_round_trip(in.first(kPduHeaderSize + **length), limits);
    }
    // ... and as an acceptor decodes an A-ASSOCIATE-RQ in Sta2, keeping malformed presentation
    // contexts for negotiate() to refuse: such a PDU need not encode again, but it must decode
    // to something describable, or fail with an offset inside the input.
    DecodeLimits keep = limits;
    keep.keep_malformed_contexts = true;
    if (auto pdu = decode(in, keep)) {
        if (describe(*pdu).empty()) std::abort();
    } else if (!pdu.error().offset || *pdu.error().offset > in.size()) {
        std::abort();
    }
    return 0;
}
