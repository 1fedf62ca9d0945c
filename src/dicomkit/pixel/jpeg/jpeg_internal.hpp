// Internals of the T.81 decoder shared by its parts: Huffman tables, the entropy-coded bit reader
// (T.81 F.2.2.5 and B.1.1.5 byte stuffing), quantization tables and scan headers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include <dicomkit/pixel/jpeg/jpeg_decoder.hpp>

namespace dicomkit::pixel::jpeg::detail {

inline constexpr int kLutBits = 11;

/// A Huffman table built from a DHT segment (T.81 C.2, F.2.2.3). Codes up to kLutBits bits are
/// found with one look-up of the next kLutBits bits, longer ones through MAXCODE/VALPTR. When the
/// code and the extra bits that follow it (SSSS, the low four bits of an AC symbol, F.2.2.1;
/// the whole symbol for a DC or lossless table) fit in kLutBits together, the entry also holds the
/// signed value those bits give (EXTEND applied), so that the common short codes take one look-up.
struct HuffTable {
    bool defined = false;
    /// 0 for a longer code; else bits 0-3 the bits taken with the value (code + extra bits, 0
    /// when they do not fit), 4-7 the code length, 8-15 the symbol, 16-31 the signed value.
    std::array<std::int32_t, 1u << kLutBits> lut{};
    std::array<std::int32_t, 18> maxcode{};
    std::array<std::int32_t, 18> valoffset{};
    std::array<std::uint8_t, 256> values{};
};

/// Builds `t` from BITS (16 counts) and HUFFVAL; `ac` when the symbols are run/size pairs (the
/// extra bits are their low four bits). False when the counts do not form a prefix code.
bool build_huffman(HuffTable& t, const std::uint8_t* bits, const std::uint8_t* vals, int count, bool ac);

struct QuantTable {
    bool defined = false;
    std::array<std::uint16_t, 64> q{};  ///< in zig-zag order, as in the DQT segment
};

/// The entropy-coded data of one scan: bytes are taken until a marker (0xFF not followed by 0x00)
/// or the end of the buffer; past them the reader feeds zero bytes and counts them, so a caller
/// checks overrun() instead of every read.
class BitReader {
public:
    BitReader(const std::uint8_t* data, std::size_t size, std::size_t pos) noexcept
        : data_(data), size_(size), end_(size), pos_(pos) {}

    void fill() noexcept {
        // Fast path: the next 8 bytes hold no 0xFF (no stuffing, no marker): take the whole bytes
        // that fit in one load.
        if (bits_ <= 56 && pos_ <= end_ && end_ - pos_ >= 8) {
            std::uint64_t w;
            std::memcpy(&w, data_ + pos_, 8);
            const std::uint64_t x = ~w;  // a 0xFF byte of w is a zero byte of x
            if (((x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull) == 0) {
                const int n = (64 - bits_) >> 3;  // whole bytes that fit (bits_ <= 56 here)
                w = __builtin_bswap64(w);         // stream order: first byte most significant
                acc_ |= (w >> (64 - 8 * n)) << (64 - bits_ - 8 * n);
                pos_ += static_cast<std::size_t>(n);
                bits_ += 8 * n;
                return;
            }
        }
        while (bits_ <= 56) {
            std::uint64_t b = 0;
            if (pos_ < end_) {
                b = data_[pos_];
                if (b == 0xFF) {
                    if (pos_ + 1 < end_ && data_[pos_ + 1] == 0x00) {
                        pos_ += 2;
                    } else {  // a marker (or the buffer's last byte): the segment ends here
                        end_ = pos_;
                        b = 0;
                        ++fake_;
                    }
                } else {
                    ++pos_;
                }
            } else {
                ++fake_;
            }
            acc_ |= b << (56 - bits_);
            bits_ += 8;
        }
    }
    [[nodiscard]] int bits() const noexcept { return bits_; }
    [[nodiscard]] std::uint32_t peek(int n) const noexcept {
        return static_cast<std::uint32_t>(acc_ >> (64 - n));
    }
    void skip(int n) noexcept {
        acc_ <<= n;
        bits_ -= n;
    }
    /// n in 1..16.
    std::uint32_t get(int n) noexcept {
        if (bits_ < n) fill();
        std::uint32_t v = peek(n);
        skip(n);
        return v;
    }
    /// Bits taken from past the end of the segment (zeros that were never in the stream).
    [[nodiscard]] std::int64_t overrun() const noexcept {
        return static_cast<std::int64_t>(fake_) * 8 - bits_;
    }
    /// Where the segment's data ended (the marker that follows, or the buffer's end).
    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    /// Expects RSTn at the current position (after the rest of the byte): true when found.
    bool restart() noexcept {
        std::size_t p = pos_;
        while (p + 1 < size_ && data_[p] == 0xFF && data_[p + 1] == 0xFF) ++p;  // fill bytes
        if (p + 1 >= size_ || data_[p] != 0xFF || data_[p + 1] < 0xD0 || data_[p + 1] > 0xD7) return false;
        pos_ = p + 2;
        end_ = size_;
        acc_ = 0;
        bits_ = 0;
        fake_ = 0;
        return true;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t end_;
    std::size_t pos_;
    std::uint64_t acc_ = 0;
    int bits_ = 0;
    std::uint32_t fake_ = 0;
};

/// Decodes one Huffman symbol (a code longer than kLutBits bits through MAXCODE); -1 for a code
/// not in the table.
inline int decode_symbol_slow(BitReader& br, const HuffTable& t) noexcept {
    std::uint32_t code = br.peek(16);
    for (int l = kLutBits + 1; l <= 16; ++l) {
        auto c = static_cast<std::int32_t>(code >> (16 - l));
        if (c <= t.maxcode[static_cast<std::size_t>(l)]) {
            br.skip(l);
            return t.values[static_cast<std::size_t>(c + t.valoffset[static_cast<std::size_t>(l)]) & 0xFF];
        }
    }
    return -1;
}

/// Decodes one Huffman symbol; -1 for a code not in the table.
inline int decode_symbol(BitReader& br, const HuffTable& t) noexcept {
    if (br.bits() < 16) br.fill();
    const std::int32_t e = t.lut[br.peek(kLutBits)];
    if (e != 0) {
        br.skip((e >> 4) & 15);
        return (e >> 8) & 0xFF;
    }
    return decode_symbol_slow(br, t);
}

/// EXTEND (T.81 F.2.2.1): the s-bit value v as a signed difference.
inline int extend(std::uint32_t v, int s) noexcept {
    return v < (1u << (s - 1)) ? static_cast<int>(v) - (1 << s) + 1 : static_cast<int>(v);
}

/// A symbol and the value of its extra bits: one look-up when both fit in kLutBits bits. `value`
/// is left alone when they do not (the caller reads the extra bits); false for a bad code.
struct Decoded {
    int symbol;
    int value;
    bool has_value;
};
[[gnu::always_inline]] inline Decoded decode_value(BitReader& br, const HuffTable& t) noexcept {
    if (br.bits() < 32) br.fill();
    const std::int32_t e = t.lut[br.peek(kLutBits)];
    if (e & 15) [[likely]] {
        br.skip(e & 15);
        return {(e >> 8) & 0xFF, e >> 16, true};
    }
    if (e != 0) {
        br.skip((e >> 4) & 15);
        return {(e >> 8) & 0xFF, 0, false};
    }
    return {decode_symbol_slow(br, t), 0, false};
}

/// A scan header (B.2.3) with its components as indices into Image::components.
struct Scan {
    std::array<int, 4> comp{};
    std::array<std::uint8_t, 4> td{};
    std::array<std::uint8_t, 4> ta{};
    int count = 0;
    int ss = 0, se = 63, ah = 0, al = 0;
    std::size_t offset = 0;  ///< of the SOS marker, for messages
};

struct Tables {
    std::array<HuffTable, 4> dc;
    std::array<HuffTable, 4> ac;
    std::array<QuantTable, 4> q;
    std::uint32_t restart_interval = 0;
};

[[nodiscard]] inline Error scan_error(const Scan& s, std::string msg) {
    return std::move(Error(ErrorCode::InvalidValue, "JPEG SOS: " + std::move(msg))).at_offset(s.offset);
}

/// Zig-zag position -> natural (row-major) position (T.81 Figure A.6).
extern const std::array<std::uint8_t, 64> kNatural;

/// Inverse DCT of one dequantized block in natural order (A.3.3), level shift and clamping to
/// [0, maxval], written at `out` with `stride` samples between lines.
void idct_block(const std::int32_t* coef, std::uint16_t* out, std::size_t stride, int shift, int maxval);

/// Decodes the entropy-coded data of a sequential DCT scan starting at `pos`; returns where the
/// data ended (the next marker).
[[nodiscard]] Result<std::size_t> decode_dct_scan(Image& img, const Tables& t, const Scan& s,
                                                  std::span<const std::uint8_t> data, std::size_t pos);
/// A progressive scan (T.81 G.1.2): DC/AC first and refinement passes into Component::coef.
[[nodiscard]] Result<std::size_t> decode_progressive_scan(Image& img, const Tables& t, const Scan& s,
                                                          std::span<const std::uint8_t> data, std::size_t pos);
/// After the last progressive scan: dequantization and inverse DCT of every block.
void finish_progressive(Image& img, const Tables& t);
/// The same for a lossless scan (T.81 Annex H).
[[nodiscard]] Result<std::size_t> decode_lossless_scan(Image& img, const Tables& t, const Scan& s,
                                                       std::span<const std::uint8_t> data, std::size_t pos);

}  // namespace dicomkit::pixel::jpeg::detail
