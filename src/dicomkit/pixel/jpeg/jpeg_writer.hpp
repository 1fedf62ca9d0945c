// Pieces the T.81 encoders share: the entropy-coded bit writer with byte stuffing (B.1.1.5),
// big-endian 16-bit fields, and optimal Huffman code lengths (K.2).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace dicomkit::pixel::jpeg::detail {

/// BITS (index 1..16) and HUFFVAL of an optimal table for symbols 0..counts.size()-1 (T.81 K.2,
/// Figures K.1-K.3): lengths limited to 16 bits, the all-ones code kept unused.
void optimal_table(std::span<const std::uint64_t> counts, std::array<std::uint8_t, 17>& bits,
                   std::vector<std::uint8_t>& vals);

class BitWriter {
public:
    explicit BitWriter(std::vector<std::uint8_t>& out) : out_(out) {}
    void put(std::uint32_t code, int n) {
        if (n == 0) return;
        acc_ = (acc_ << n) | (code & ((1u << n) - 1));
        bits_ += n;
        while (bits_ >= 8) {
            const auto byte = static_cast<std::uint8_t>(acc_ >> (bits_ - 8));
            out_.push_back(byte);
            if (byte == 0xFF) out_.push_back(0x00);
            bits_ -= 8;
        }
    }
    void flush() {
        if (bits_ > 0) put(0x7F, 8 - bits_);  // pad with 1-bits (F.1.2.3)
        acc_ = 0;
    }

private:
    std::vector<std::uint8_t>& out_;
    std::uint64_t acc_ = 0;
    int bits_ = 0;
};


inline void put16(std::vector<std::uint8_t>& o, unsigned v) {
    o.push_back(static_cast<std::uint8_t>(v >> 8));
    o.push_back(static_cast<std::uint8_t>(v));
}

}  // namespace dicomkit::pixel::jpeg::detail
