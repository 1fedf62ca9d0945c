// Internals shared by the PDU encoder, decoder and describer: big-endian writer and bounded
// cursor, item names, value checks and error construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/pdu/codec.hpp>

namespace dicomkit::net::pdu::detail {

/// Item types of the A-ASSOCIATE-RQ/AC variable field (PS3.8 9.3.2, 9.3.3).
inline constexpr std::uint8_t kApplicationContextItem = 0x10;
inline constexpr std::uint8_t kPresentationContextRqItem = 0x20;
inline constexpr std::uint8_t kPresentationContextAcItem = 0x21;
inline constexpr std::uint8_t kAbstractSyntaxSubItem = 0x30;
inline constexpr std::uint8_t kTransferSyntaxSubItem = 0x40;
inline constexpr std::uint8_t kUserInformationItem = 0x50;

/// Offset of the variable field of A-ASSOCIATE-RQ/AC: header, version, reserved, two AE titles
/// and 32 reserved bytes (PS3.8 Table 9-11).
inline constexpr std::size_t kAssociateFixedEnd = 74;
inline constexpr std::size_t kAeTitleSize = 16;

/// "presentation context item (20H)", "maximum length sub-item (51H)", ...
[[nodiscard]] std::string item_name(std::uint8_t type);

/// An error whose message names the PDU, the item and the offset, with Error::offset set.
[[nodiscard]] Unexpected fail(ErrorCode code, std::string_view pdu, std::string_view item,
                              std::size_t offset, std::string_view what);

/// PS3.8 9.3.4 / 9.3.8: values inside the standard's tables (reserved ones included).
[[nodiscard]] bool valid_reject(std::uint8_t result, std::uint8_t source,
                                std::uint8_t reason) noexcept;
[[nodiscard]] bool valid_abort(std::uint8_t source, std::uint8_t reason) noexcept;
/// PS3.8 7.1.1.13: presentation context IDs are odd, 1..255.
[[nodiscard]] constexpr bool valid_context_id(std::uint8_t id) noexcept { return (id & 1u) != 0; }

/// `text` without leading and trailing spaces and NULs (AE title padding, PS3.8 Table 9-11).
[[nodiscard]] std::string_view trim_ae_title(std::string_view text) noexcept;

/// Appends big-endian fields; items get their length patched in when they end.
class Writer {
  public:
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) {
        out_.push_back(static_cast<std::uint8_t>(v >> 8));
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
    void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void text(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }

    /// Writes type, reserved 00H and a length placeholder; returns the item's start.
    std::size_t begin_item(std::uint8_t type, std::uint8_t reserved = 0) {
        std::size_t start = out_.size();
        u8(type);
        u8(reserved);
        u16(0);
        return start;
    }
    /// Patches the 16-bit item length; an error if the content does not fit.
    [[nodiscard]] Result<void> end_item(std::size_t start, std::string_view pdu);
    /// Writes PDU-type, reserved and a 4-byte length placeholder.
    void begin_pdu(PduType type) {
        u8(static_cast<std::uint8_t>(type));
        u8(0);
        u32(0);
    }
    /// Patches the 32-bit PDU-length; an error if the PDU does not fit.
    [[nodiscard]] Result<void> end_pdu(std::string_view pdu);

    [[nodiscard]] std::size_t size() const noexcept { return out_.size(); }
    [[nodiscard]] Bytes take() && { return std::move(out_); }

  private:
    Bytes out_;
};

/// A window [pos, end) over the whole PDU; offsets are positions in the whole PDU. Reads never
/// go past `end`: callers check left() first.
struct Cursor {
    std::span<const std::uint8_t> all;
    std::size_t pos = 0;
    std::size_t end = 0;

    [[nodiscard]] std::size_t left() const noexcept { return end - pos; }
    std::uint8_t u8() noexcept { return all[pos++]; }
    std::uint16_t u16() noexcept {
        auto v = static_cast<std::uint16_t>((all[pos] << 8) | all[pos + 1]);
        pos += 2;
        return v;
    }
    std::uint32_t u32() noexcept {
        std::uint32_t v = (std::uint32_t{all[pos]} << 24) | (std::uint32_t{all[pos + 1]} << 16) |
                          (std::uint32_t{all[pos + 2]} << 8) | std::uint32_t{all[pos + 3]};
        pos += 4;
        return v;
    }
    std::span<const std::uint8_t> take(std::size_t n) noexcept {
        auto s = all.subspan(pos, n);
        pos += n;
        return s;
    }
    std::string_view text(std::size_t n) noexcept {
        auto s = take(n);
        return {reinterpret_cast<const char*>(s.data()), s.size()};
    }
    /// The next n bytes as their own cursor; this one moves past them.
    Cursor sub(std::size_t n) noexcept {
        Cursor c{all, pos, pos + n};
        pos += n;
        return c;
    }
};

/// Where the decoder is, for messages: the PDU's name and the limits in force.
struct DecodeContext {
    std::string_view pdu;
    const DecodeLimits& limits;
};

/// A UID field of `n` bytes at the cursor: padding removed, length checked against the limit.
[[nodiscard]] Result<std::string> read_uid(Cursor& c, std::size_t n, const DecodeContext& ctx,
                                           std::string_view item);

/// Calls f(type, start, content) for each item with a 16-bit length in `c` (PS3.8 9.3.2 items,
/// PS3.7 D.3.3 sub-items), after checking that its header and content lie inside `c`.
template <typename F>
Result<void> for_each_item(Cursor c, const DecodeContext& ctx, std::string_view parent, F&& f) {
    while (c.left() > 0) {
        std::size_t start = c.pos;
        if (c.left() < 4) {
            return fail(ErrorCode::Truncated, ctx.pdu, parent, start,
                        fmt::format("{} byte(s) left where an item header needs 4", c.left()));
        }
        std::uint8_t type = c.u8();
        c.u8();  // reserved, not tested
        std::uint16_t length = c.u16();
        if (length > c.left()) {
            return fail(ErrorCode::InvalidLength, ctx.pdu, item_name(type), start,
                        fmt::format("item length {} runs past the end of the {} ({} bytes left)",
                                    length, parent, c.left()));
        }
        auto r = f(type, start, c.sub(length));
        if (!r) return r;
    }
    return {};
}

/// Decodes the content of a User Information item (50H) that starts at c.pos - 4.
[[nodiscard]] Result<UserInformation> decode_user_information(Cursor c, const DecodeContext& ctx);

/// Appends the User Information item (50H) with its sub-items in increasing type order.
[[nodiscard]] Result<void> encode_user_information(Writer& w, const UserInformation& info,
                                                   std::string_view pdu);

}  // namespace dicomkit::net::pdu::detail
