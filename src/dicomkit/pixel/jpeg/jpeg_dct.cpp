// Sequential DCT scans (T.81 Annex F, Huffman, 8 and 12 bit): block decoding, dequantization and
// the inverse DCT (A.3.3), interleaved or not, with restart intervals.
#include <dicomkit/pixel/jpeg/jpeg_internal.hpp>

#include <algorithm>
#include <cmath>

namespace dicomkit::pixel::jpeg::detail {

const std::array<std::uint8_t, 64> kNatural = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

namespace {

struct CosTable {
    float c[8][8];  ///< c[x][u] = C(u)/2 * cos((2x+1) u pi / 16)
    float t[8][8];  ///< t[u][x] = c[x][u], so that the loops over x run over contiguous floats
    CosTable() {
        for (int x = 0; x < 8; ++x)
            for (int u = 0; u < 8; ++u) {
                c[x][u] = static_cast<float>((u == 0 ? std::sqrt(0.5) : 1.0) / 2.0 *
                                             std::cos((2 * x + 1) * u * 3.14159265358979323846 / 16.0));
                t[u][x] = c[x][u];
            }
    }
};
const CosTable kCos;

/// std::lround (half away from zero) for a float: exact for every float (those past 2^23 are
/// whole), and bounded so that the conversion cannot overflow; the caller clamps the result.
inline int round_half_away(float s) noexcept {
    s = std::clamp(s, -1073741824.0f, 1073741824.0f);
    const int t = static_cast<int>(s);              // toward zero
    const float d = s - static_cast<float>(t);      // exact: |s| < 2^30 and t is s without its fraction
    return t + (d >= 0.5f) - (d <= -0.5f);
}

}  // namespace

void idct_block(const std::int32_t* coef, std::uint16_t* out, std::size_t stride, int shift, int maxval) {
    // Each sum is taken in the same order as the textbook form (u, then v, from 0 to 7), so the
    // result does not depend on how the loops are arranged; the loops over x are the inner ones
    // so that they vectorise. A zero coefficient adds nothing and is skipped.
    alignas(32) float tmp[64];
    int rows[8];  // the rows with a coefficient other than zero (the others add nothing below)
    int used = 0;
    for (int v = 0; v < 8; ++v) {
        const std::int32_t* row = coef + v * 8;
        float* t = tmp + v * 8;
        for (int x = 0; x < 8; ++x) t[x] = 0.0f;
        bool any = false;
        for (int u = 0; u < 8; ++u) {
            if (row[u] == 0) continue;
            any = true;
            const float r = static_cast<float>(row[u]);
            const float* c = kCos.t[u];
            for (int x = 0; x < 8; ++x) t[x] += r * c[x];
        }
        if (any) rows[used++] = v;
    }
    for (int y = 0; y < 8; ++y) {
        alignas(32) float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int k = 0; k < used; ++k) {
            const int v = rows[k];
            const float c = kCos.c[y][v];
            const float* t = tmp + v * 8;
            for (int x = 0; x < 8; ++x) acc[x] += t[x] * c;
        }
        std::uint16_t* o = out + static_cast<std::size_t>(y) * stride;
        for (int x = 0; x < 8; ++x) o[x] = static_cast<std::uint16_t>(std::clamp(round_half_away(acc[x]) + shift, 0, maxval));
    }
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
    int s = decode_symbol(br, *sc.dc);
    if (s < 0 || s > max_s) return false;
    if (s) sc.pred = std::clamp(sc.pred + extend(br.get(s), s), -65536, 65536);  // bounded for bad data
    coef[0] = scaled(sc.pred, sc.q->q[0]);
    for (int k = 1; k < 64;) {
        const int rs = decode_symbol(br, *sc.ac);
        if (rs < 0) return false;
        const int r = rs >> 4;
        s = rs & 15;
        if (s == 0) {
            if (r != 15) break;  // EOB
            k += 16;
            continue;
        }
        k += r;
        if (k > 63 || s > max_s) return false;
        coef[kNatural[static_cast<std::size_t>(k)]] = scaled(extend(br.get(s), s), sc.q->q[static_cast<std::size_t>(k)]);
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
