// Outgoing DIMSE messages as P-DATA-TF PDUs (PS3.8 9.3.5, Annex E; PS3.7 6.3): the command set in
// command PDVs, then the data set in data PDVs read from a DataSource in bounded chunks, each PDU
// within the peer's Maximum Length Received (PS3.8 D.1).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/dimse/command.hpp>
#include <dicomkit/net/dimse/data_source.hpp>
#include <dicomkit/net/pdu/codec.hpp>

namespace dicomkit::net::dimse {

/// Sends one P-DATA-TF PDU made of the given PDVs (e.g. ul::Association::send).
using PdvSender = std::function<Result<void>(std::span<const pdu::PdvView>)>;

/// Bytes of a PDV item that are not fragment: Item-length (4), Presentation-context-ID (1),
/// message control header (1). PS3.8 9.3.5.1, E.2.
inline constexpr std::uint32_t kPdvOverhead = 6;
/// The fragment size used when the peer sets no limit (Maximum Length Received 0).
inline constexpr std::uint32_t kDefaultMaxFragment = 1024 * 1024;

/// The largest fragment one PDV may carry when a P-DATA-TF holds one PDV: PS3.8 D.1 limits the
/// P-DATA-TF variable field (the PDV items: 4-byte length + context + header + fragment) to the
/// peer's Maximum Length Received, so the fragment is that minus 6, rounded down to even (PS3.8
/// E.1: every fragment has an even length). 0 (no limit) gives min(cap, kDefaultMaxFragment).
/// Errors (InvalidArgument) when the peer's maximum leaves no room for a 2-byte fragment.
[[nodiscard]] Result<std::uint32_t> max_fragment_size(std::uint32_t peer_max_pdu,
                                                      std::uint32_t cap = kDefaultMaxFragment);

/// Statistics of one sent message.
struct SendStats {
    std::uint64_t pdus = 0;
    std::uint64_t dataset_bytes = 0;
};

/// Sends an encoded command set in command PDVs (control header bit 0 set, bit 1 on the last).
[[nodiscard]] Result<void> send_command_bytes(const PdvSender& send, std::uint8_t context_id,
                                              std::span<const std::uint8_t> command, std::uint32_t max_fragment,
                                              SendStats* stats = nullptr);

/// Streams a data set from `source` in data PDVs of at most `max_fragment` bytes, reading at most
/// that much at a time (memory stays bounded whatever the size). An empty data set is sent as one
/// empty last fragment. Fails on an odd total length (PS3.5 7.1: data sets have even length).
[[nodiscard]] Result<void> send_dataset(const PdvSender& send, std::uint8_t context_id, DataSource& source,
                                        std::uint32_t max_fragment, SendStats* stats = nullptr);

/// A whole message: `command` (its has_dataset must match whether `dataset` is given), then the
/// data set if any. `peer_max_pdu` as negotiated (0: no limit).
[[nodiscard]] Result<SendStats> send_message(const PdvSender& send, std::uint8_t context_id, const Command& command,
                                             DataSource* dataset, std::uint32_t peer_max_pdu);

}  // namespace dicomkit::net::dimse
