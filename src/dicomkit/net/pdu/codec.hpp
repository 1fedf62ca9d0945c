// PDU encoding and decoding (PS3.8 9.3, PS3.7 D.3.3), the limits a decoder enforces, and the
// 6-byte header check that lets a driver read exactly one PDU from a stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/pdu/pdu.hpp>

namespace dicomkit::net::pdu {

/// Size of the PDU header: PDU-type, reserved, 4-byte big-endian PDU-length (PS3.8 9.3.1).
inline constexpr std::size_t kPduHeaderSize = 6;

/// Bounds on what decode() accepts from a peer, so that no length or count it sends can make us
/// allocate or loop beyond them. Exceeding one gives ErrorCode::LimitExceeded.
struct DecodeLimits {
    /// Largest PDU-length field (bytes after the 6-byte header) accepted.
    std::uint32_t max_pdu_length = 16u * 1024u * 1024u;
    /// Presentation context items per A-ASSOCIATE-RQ/AC: 128 odd IDs exist (PS3.8 7.1.1.13).
    std::size_t max_presentation_contexts = 128;
    /// Transfer syntax sub-items per presentation context item.
    std::size_t max_transfer_syntaxes = 64;
    /// Items in the variable field of an A-ASSOCIATE-RQ/AC, unknown ones included.
    std::size_t max_items = 512;
    /// Sub-items in the User Information item, unknown ones included.
    std::size_t max_sub_items = 512;
    /// PDV items in one P-DATA-TF.
    std::size_t max_pdvs = 4096;
    /// Longest UID (without padding): 64 characters (PS3.5 9.1).
    std::size_t max_uid_length = 64;
    /// A-ASSOCIATE-RQ: keep what PS3.8 9.3.2 forbids but an acceptor can still answer, instead
    /// of failing: presentation context items with an even or zero ID, an ID used twice, no or
    /// an empty abstract syntax, no transfer syntax, an empty one; empty AE titles. The
    /// acceptor then refuses them by name (negotiate()) rather than aborting without a word.
    /// Such a PDU does not encode again.
    bool keep_malformed_contexts = false;
};

/// Reads the PDU header. Returns nullopt while fewer than 6 bytes are given, otherwise the value
/// of the PDU-length field, the number of bytes that follow the header. Errors: an unknown
/// PDU-type (InvalidValue; see is_known_pdu_type()) and a length over `max_pdu`
/// (LimitExceeded), so that a driver never allocates for a length it has not checked.
[[nodiscard]] Result<std::optional<std::uint32_t>> pdu_length_from_header(
    std::span<const std::uint8_t> first6, std::uint32_t max_pdu);

/// Encodes a PDU with every reserved field 00H (PS3.8 9.3). Fails with InvalidArgument on values
/// the PDU cannot carry: AE titles over 16 characters (or empty in an RQ), even or zero context
/// IDs, missing syntaxes, items over their 16-bit length, out-of-range result/source values.
[[nodiscard]] Result<Bytes> encode(const Pdu& pdu);

/// Decodes exactly one whole PDU (header included). Every length is checked against the bytes
/// there are and the limits before it is used. Errors carry an ErrorCode (Truncated,
/// InvalidLength, InvalidValue, LimitExceeded), the byte offset in `whole_pdu` (Error::offset)
/// and a message naming the PDU and item. Lenient where PS3.8 says so: reserved fields are not
/// tested, items of unknown types in the A-ASSOCIATE variable field are skipped (9.3.1), unknown
/// user information sub-items are kept (RawSubItem), AE title padding may be any spaces, UID
/// padding (trailing NUL or space) is removed, the protocol version is kept as received.
[[nodiscard]] Result<Pdu> decode(std::span<const std::uint8_t> whole_pdu,
                                 const DecodeLimits& limits = {});

/// One PDV of a P-DATA-TF without copying its bytes; `data` points into the decoded buffer.
struct PdvView {
    std::uint8_t context_id = 1;
    bool command = false;
    bool last = false;
    std::span<const std::uint8_t> data;
};

/// Decodes a whole P-DATA-TF PDU into views of its PDVs (no copy of the fragments), with the same
/// checks as decode().
[[nodiscard]] Result<std::vector<PdvView>> decode_p_data_tf(std::span<const std::uint8_t> whole_pdu,
                                                            const DecodeLimits& limits = {});

/// Encodes a P-DATA-TF from fragment views (one copy, into the result).
[[nodiscard]] Result<Bytes> encode_p_data_tf(std::span<const PdvView> pdvs);

}  // namespace dicomkit::net::pdu
