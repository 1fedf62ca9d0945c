// P-DATA-TF fragmentation of command sets and data sets.
#include <dicomkit/net/dimse/fragmenter.hpp>

#include <algorithm>
#include <string>

namespace dicomkit::net::dimse {

Result<std::uint32_t> max_fragment_size(std::uint32_t peer_max_pdu, std::uint32_t cap) {
    std::uint32_t limit = std::min(cap == 0 ? kDefaultMaxFragment : cap, kDefaultMaxFragment * 64);
    if (peer_max_pdu != 0) {
        if (peer_max_pdu < kPdvOverhead + 2)
            return make_error(ErrorCode::InvalidArgument,
                              "peer's maximum PDU length " + std::to_string(peer_max_pdu) +
                                  " leaves no room for a fragment (PS3.8 D.1)");
        limit = std::min(limit, peer_max_pdu - kPdvOverhead);
    }
    limit &= ~std::uint32_t{1};
    if (limit < 2) return make_error(ErrorCode::InvalidArgument, "fragment size cap below 2 bytes");
    return limit;
}

Result<void> send_command_bytes(const PdvSender& send, std::uint8_t context_id,
                                std::span<const std::uint8_t> command, std::uint32_t max_fragment,
                                SendStats* stats) {
    if (command.empty() || command.size() % 2 != 0)
        return make_error(ErrorCode::InvalidArgument, "command set of odd or zero length");
    std::size_t pos = 0;
    while (pos < command.size()) {
        std::size_t n = std::min<std::size_t>(max_fragment, command.size() - pos);
        pdu::PdvView v{context_id, true, pos + n == command.size(), command.subspan(pos, n)};
        if (auto r = send(std::span<const pdu::PdvView>(&v, 1)); !r) return r;
        if (stats) ++stats->pdus;
        pos += n;
    }
    return {};
}

Result<void> send_dataset(const PdvSender& send, std::uint8_t context_id, DataSource& source,
                          std::uint32_t max_fragment, SendStats* stats) {
    const std::uint64_t total = source.size();
    if (total % 2 != 0) return make_error(ErrorCode::InvalidArgument, "data set of odd length");
    Bytes buffer(static_cast<std::size_t>(std::min<std::uint64_t>(max_fragment, std::max<std::uint64_t>(total, 2))));
    std::uint64_t sent = 0;
    do {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), total - sent));
        auto got = source.read(std::span(buffer.data(), want));
        if (!got) return tl::unexpected(got.error());
        if (*got != want) return make_error(ErrorCode::Truncated, "data source ended early");
        sent += want;
        pdu::PdvView v{context_id, false, sent == total, std::span<const std::uint8_t>(buffer.data(), want)};
        if (auto r = send(std::span<const pdu::PdvView>(&v, 1)); !r) return r;
        if (stats) {
            ++stats->pdus;
            stats->dataset_bytes += want;
        }
    } while (sent < total);
    return {};
}

Result<SendStats> send_message(const PdvSender& send, std::uint8_t context_id, const Command& command,
                               DataSource* dataset, std::uint32_t peer_max_pdu) {
    if (command.has_dataset != (dataset != nullptr))
        return make_error(ErrorCode::InvalidArgument, "command's data set type does not match the data given");
    auto max = max_fragment_size(peer_max_pdu);
    if (!max) return tl::unexpected(max.error());
    auto bytes = encode(command);
    if (!bytes) return tl::unexpected(bytes.error());
    SendStats stats;
    if (auto r = send_command_bytes(send, context_id, *bytes, *max, &stats); !r) return tl::unexpected(r.error());
    if (dataset) {
        if (auto r = send_dataset(send, context_id, *dataset, *max, &stats); !r) return tl::unexpected(r.error());
    }
    return stats;
}

}  // namespace dicomkit::net::dimse
