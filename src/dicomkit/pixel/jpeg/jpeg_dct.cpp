// Sequential DCT scans (T.81 Annex F, Huffman, 8 and 12 bit): block decoding, dequantization and
// the inverse DCT (A.3.3), interleaved or not, with restart intervals.
#include <dicomkit/pixel/jpeg/jpeg_internal.hpp>

#include <algorithm>

namespace dicomkit::pixel::jpeg::detail {

const std::array<std::uint8_t, 64> kNatural = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

namespace {

// The inverse DCT (A.3.3) in integer arithmetic, factored as Loeffler, Ligtenberg and Moschytz
// (1989, 12 multiplications a line): constants scaled by 2^13, a column pass that keeps Pass1
// extra bits (2 for 8-bit samples, 1 for 12-bit), a row pass, each rounding to nearest. This is
// the arithmetic of the IJG "slow integer" method, DCMTK's and libjpeg's default, so the samples
// are theirs. Products and sums are 64-bit: no coefficient can overflow them.
constexpr int kConstBits = 13;
constexpr std::int64_t fix(double x) { return static_cast<std::int64_t>(x * (1 << kConstBits) + 0.5); }
constexpr std::int64_t k0_298631336 = fix(0.298631336);  // sqrt(2) (-c1 + c3 + c5 - c7)
constexpr std::int64_t k0_390180644 = fix(0.390180644);  // sqrt(2) (c5 - c3)
constexpr std::int64_t k0_541196100 = fix(0.541196100);  // sqrt(2) c6
constexpr std::int64_t k0_765366865 = fix(0.765366865);  // sqrt(2) (c2 - c6)
constexpr std::int64_t k0_899976223 = fix(0.899976223);  // sqrt(2) (c7 - c3)
constexpr std::int64_t k1_175875602 = fix(1.175875602);  // sqrt(2) c3
constexpr std::int64_t k1_501321110 = fix(1.501321110);  // sqrt(2) (c1 + c3 - c5 - c7)
constexpr std::int64_t k1_847759065 = fix(1.847759065);  // sqrt(2) (c2 + c6)
constexpr std::int64_t k1_961570560 = fix(1.961570560);  // sqrt(2) (c3 + c5)
constexpr std::int64_t k2_053119869 = fix(2.053119869);  // sqrt(2) (c1 + c3 - c5 + c7)
constexpr std::int64_t k2_562915447 = fix(2.562915447);  // sqrt(2) (c1 + c3)
constexpr std::int64_t k3_072711026 = fix(3.072711026);  // sqrt(2) (c1 + c3 + c5 - c7)
static_assert(k0_298631336 == 2446 && k1_175875602 == 9633 && k3_072711026 == 25172);

/// One 8-point line: in[0..7] at `step` apart -> the even (e) and odd (o) halves, out[k] = e[k] + o[k]
/// and out[7-k] = e[k] - o[k], scaled by 2^kConstBits.
struct Line {
    std::int64_t e[4], o[4];
};

inline Line idct_line(std::int64_t i0, std::int64_t i1, std::int64_t i2, std::int64_t i3, std::int64_t i4,
                      std::int64_t i5, std::int64_t i6, std::int64_t i7) noexcept {
    Line l;
    // Even part: the rotation of (2, 6) and the butterfly of (0, 4).
    const std::int64_t z1 = (i2 + i6) * k0_541196100;
    const std::int64_t t2 = z1 - i6 * k1_847759065;
    const std::int64_t t3 = z1 + i2 * k0_765366865;
    const std::int64_t t0 = (i0 + i4) * (std::int64_t{1} << kConstBits);
    const std::int64_t t1 = (i0 - i4) * (std::int64_t{1} << kConstBits);
    l.e[0] = t0 + t3;
    l.e[3] = t0 - t3;
    l.e[1] = t1 + t2;
    l.e[2] = t1 - t2;
    // Odd part (inputs 7, 5, 3, 1).
    const std::int64_t a = i7 + i1, b = i5 + i3, c = i7 + i3, d = i5 + i1;
    const std::int64_t z5 = (c + d) * k1_175875602;
    const std::int64_t za = a * -k0_899976223, zb = b * -k2_562915447;
    const std::int64_t zc = c * -k1_961570560 + z5, zd = d * -k0_390180644 + z5;
    l.o[3] = i7 * k0_298631336 + za + zc;
    l.o[2] = i5 * k2_053119869 + zb + zd;
    l.o[1] = i3 * k3_072711026 + zb + zc;
    l.o[0] = i1 * k1_501321110 + za + zd;
    return l;
}

template <int Pass1>
void idct_islow(const std::int32_t* coef, std::uint16_t* out, std::size_t stride, int center, int maxval) noexcept {
    std::int32_t ws[64];
    constexpr int s1 = kConstBits - Pass1;
    constexpr std::int64_t r1 = std::int64_t{1} << (s1 - 1);
    for (int x = 0; x < 8; ++x) {  // columns
        const std::int32_t* c = coef + x;
        std::int32_t* w = ws + x;
        if ((c[8] | c[16] | c[24] | c[32] | c[40] | c[48] | c[56]) == 0) {
            const std::int32_t dc = c[0] * (1 << Pass1);
            for (int k = 0; k < 8; ++k) w[8 * k] = dc;
            continue;
        }
        const Line l = idct_line(c[0], c[8], c[16], c[24], c[32], c[40], c[48], c[56]);
        for (int k = 0; k < 4; ++k) {
            w[8 * k] = static_cast<std::int32_t>((l.e[k] + l.o[k] + r1) >> s1);
            w[8 * (7 - k)] = static_cast<std::int32_t>((l.e[k] - l.o[k] + r1) >> s1);
        }
    }
    constexpr int s2 = kConstBits + Pass1 + 3;
    constexpr std::int64_t r2 = std::int64_t{1} << (s2 - 1);
    for (int y = 0; y < 8; ++y) {  // rows
        const std::int32_t* w = ws + 8 * y;
        std::uint16_t* o = out + static_cast<std::size_t>(y) * stride;
        if ((w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) == 0) {
            const int v = std::clamp(static_cast<int>((std::int64_t{w[0]} + (1 << (Pass1 + 2))) >> (Pass1 + 3)) + center, 0, maxval);
            for (int k = 0; k < 8; ++k) o[k] = static_cast<std::uint16_t>(v);
            continue;
        }
        const Line l = idct_line(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
        for (int k = 0; k < 4; ++k) {
            o[k] = static_cast<std::uint16_t>(std::clamp(static_cast<int>((l.e[k] + l.o[k] + r2) >> s2) + center, 0, maxval));
            o[7 - k] = static_cast<std::uint16_t>(std::clamp(static_cast<int>((l.e[k] - l.o[k] + r2) >> s2) + center, 0, maxval));
        }
    }
}

}  // namespace

void idct_block(const std::int32_t* coef, std::uint16_t* out, std::size_t stride, int shift, int maxval) {
    if (maxval <= 255) idct_islow<2>(coef, out, stride, shift, maxval);
    else idct_islow<1>(coef, out, stride, shift, maxval);
}

namespace {

struct ScanComp {
    Component* c;
    const HuffTable* dc;
    const HuffTable* ac;
    const QuantTable* q;
    int pred = 0;
};

/// Dequantization (A.3.4), kept within a range no valid stream reaches.
inline std::int32_t scaled(int v, std::uint16_t q) noexcept {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(std::int64_t{v} * q, -(1 << 22), 1 << 22));
}

/// Decodes one block's coefficients (F.2.2); false on a bad code or a run past the block.
bool decode_block(BitReader& br, ScanComp& sc, std::int32_t* coef, int max_s) {
    std::fill(coef, coef + 64, 0);
    Decoded d = decode_value(br, *sc.dc);
    if (d.symbol < 0 || d.symbol > max_s) return false;
    if (d.symbol) {
        if (!d.has_value) d.value = extend(br.get(d.symbol), d.symbol);
        sc.pred = std::clamp(sc.pred + d.value, -65536, 65536);  // bounded for bad data
    }
    coef[0] = scaled(sc.pred, sc.q->q[0]);
    for (int k = 1; k < 64;) {
        d = decode_value(br, *sc.ac);
        if (d.symbol < 0) return false;
        const int r = d.symbol >> 4;
        const int s = d.symbol & 15;
        if (s == 0) {
            if (r != 15) break;  // EOB
            k += 16;
            continue;
        }
        k += r;
        if (k > 63 || s > max_s) return false;
        if (!d.has_value) d.value = extend(br.get(s), s);
        coef[kNatural[static_cast<std::size_t>(k)]] = scaled(d.value, sc.q->q[static_cast<std::size_t>(k)]);
        ++k;
    }
    return true;
}

}  // namespace

Result<std::size_t> decode_dct_scan(Image& img, const Tables& t, const Scan& s,
                                    std::span<const std::uint8_t> data, std::size_t pos) {
    std::array<ScanComp, 4> sc{};
    for (int i = 0; i < s.count; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        Component& c = img.components[static_cast<std::size_t>(s.comp[ui])];
        sc[ui] = ScanComp{&c, &t.dc[s.td[ui]], &t.ac[s.ta[ui]], &t.q[c.tq], 0};
    }
    const bool interleaved = s.count > 1;
    std::uint32_t mcus_x, mcus_y;
    if (interleaved) {
        mcus_x = (img.columns + 8u * img.hmax - 1) / (8u * img.hmax);
        mcus_y = (img.rows + 8u * img.vmax - 1) / (8u * img.vmax);
    } else {
        mcus_x = (sc[0].c->width + 7) / 8;
        mcus_y = (sc[0].c->height + 7) / 8;
    }
    const int shift = 1 << (img.precision - 1);
    const int maxval = (1 << img.precision) - 1;
    const int max_s = img.precision == 8 ? 11 : 15;
    BitReader br(data.data(), data.size(), pos);
    alignas(16) std::int32_t coef[64];
    std::uint32_t todo = t.restart_interval;
    std::uint64_t mcu = 0;
    for (std::uint32_t my = 0; my < mcus_y; ++my) {
        for (std::uint32_t mx = 0; mx < mcus_x; ++mx, ++mcu) {
            if (t.restart_interval) {
                if (todo == 0) {
                    if (br.overrun() > 0) return Unexpected(scan_error(s, "entropy-coded data ended before MCU " + std::to_string(mcu)));
                    if (!br.restart())
                        return Unexpected(scan_error(s, "no RSTn marker at offset " + std::to_string(br.position()) +
                                                            " before MCU " + std::to_string(mcu)));
                    for (auto& x : sc) x.pred = 0;
                    todo = t.restart_interval;
                }
                --todo;
            }
            // Data that ran out stops the scan here, not after a whole MCU row of invented zeros.
            if (br.overrun() > 0)
                return Unexpected(scan_error(s, "entropy-coded data ended at offset " + std::to_string(br.position()) +
                                                    " before MCU " + std::to_string(mcu)));
            for (int i = 0; i < s.count; ++i) {
                ScanComp& c = sc[static_cast<std::size_t>(i)];
                const int bh = interleaved ? c.c->h : 1, bv = interleaved ? c.c->v : 1;
                for (int by = 0; by < bv; ++by) {
                    for (int bx = 0; bx < bh; ++bx) {
                        if (!decode_block(br, c, coef, max_s))
                            return Unexpected(scan_error(s, "bad Huffman code in MCU " + std::to_string(mcu) +
                                                                " (entropy data near offset " + std::to_string(br.position()) + ")"));
                        const std::size_t row = (std::size_t{my} * bv + static_cast<std::size_t>(by)) * 8;
                        const std::size_t col = (std::size_t{mx} * bh + static_cast<std::size_t>(bx)) * 8;
                        idct_block(coef, c.c->plane.data() + row * c.c->stride + col, c.c->stride, shift, maxval);
                    }
                }
            }
        }
        if (br.overrun() > 0)
            return Unexpected(scan_error(s, "entropy-coded data ended at offset " + std::to_string(br.position()) +
                                                " in MCU row " + std::to_string(my) + " of " + std::to_string(mcus_y)));
    }
    return br.position();
}

}  // namespace dicomkit::pixel::jpeg::detail
