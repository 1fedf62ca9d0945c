// Lossless scans (T.81 Annex H, Process 14): Huffman-coded differences, predictors 1-7, point
// transform, restart intervals; the DICOM quirk of SSSS = 16 (difference 32768, no extra bits).
#include <dicomkit/pixel/jpeg/jpeg_internal.hpp>

namespace dicomkit::pixel::jpeg::detail {

namespace {

/// Prediction Px from Ra (left), Rb (above), Rc (above left) (T.81 Table H.1).
inline int predict(int sel, int ra, int rb, int rc) noexcept {
    switch (sel) {
    case 1: return ra;
    case 2: return rb;
    case 3: return rc;
    case 4: return ra + rb - rc;
    case 5: return ra + ((rb - rc) >> 1);
    case 6: return rb + ((ra - rc) >> 1);
    default: return (ra + rb) >> 1;
    }
}

/// One difference (H.1.2.2); INT32_MIN on a bad code.
inline int read_diff(BitReader& br, const HuffTable& t) noexcept {
    const int s = decode_symbol(br, t);
    if (s <= 0) return s == 0 ? 0 : INT32_MIN;
    if (s >= 16) return s == 16 ? 32768 : INT32_MIN;
    return extend(br.get(s), s);
}

}  // namespace

Result<std::size_t> decode_lossless_scan(Image& img, const Tables& t, const Scan& s,
                                         std::span<const std::uint8_t> data, std::size_t pos) {
    const int n = s.count;
    std::array<Component*, 4> comp{};
    std::array<const HuffTable*, 4> table{};
    for (int i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        comp[ui] = &img.components[static_cast<std::size_t>(s.comp[ui])];
        table[ui] = &t.dc[s.td[ui]];
        comp[ui]->point_transform = s.al;
        if (n > 1 && (comp[ui]->h != 1 || comp[ui]->v != 1))
            return Unexpected(scan_error(s, "interleaved lossless scan with sampling factors other than 1x1 is not supported"));
    }
    // Every component of the scan has the same size here (1x1 sampling when interleaved).
    const std::uint32_t width = comp[0]->width;
    const std::uint32_t height = comp[0]->height;
    const std::uint32_t ri = t.restart_interval;
    std::uint32_t rows_per_interval = 0;
    if (ri) {
        if (ri % width != 0)
            return Unexpected(scan_error(s, "restart interval " + std::to_string(ri) + " is not a whole number of lines of " +
                                                std::to_string(width)));
        rows_per_interval = ri / width;
    }
    const int sel = s.ss;
    const int initial = 1 << (img.precision - s.al - 1);
    const int mask = (1 << (img.precision - s.al)) - 1;
    BitReader br(data.data(), data.size(), pos);
    std::uint32_t first_row = 0;
    for (std::uint32_t y = 0; y < height; ++y) {
        if (rows_per_interval && y > 0 && y % rows_per_interval == 0) {
            if (br.overrun() > 0) return Unexpected(scan_error(s, "entropy-coded data ended before line " + std::to_string(y)));
            if (!br.restart())
                return Unexpected(scan_error(s, "no RSTn marker at offset " + std::to_string(br.position()) + " before line " +
                                                    std::to_string(y)));
            first_row = y;
        }
        if (n == 1) {
            std::uint16_t* cur = comp[0]->plane.data() + std::size_t{y} * comp[0]->stride;
            const HuffTable& h = *table[0];
            int d = read_diff(br, h);
            if (d == INT32_MIN) goto bad;
            if (y == first_row) {
                cur[0] = static_cast<std::uint16_t>((initial + d) & mask);
                for (std::uint32_t x = 1; x < width; ++x) {
                    d = read_diff(br, h);
                    if (d == INT32_MIN) goto bad;
                    cur[x] = static_cast<std::uint16_t>((cur[x - 1] + d) & mask);
                }
            } else {
                const std::uint16_t* prev = cur - comp[0]->stride;
                cur[0] = static_cast<std::uint16_t>((prev[0] + d) & mask);
                if (sel == 1) {
                    for (std::uint32_t x = 1; x < width; ++x) {
                        d = read_diff(br, h);
                        if (d == INT32_MIN) goto bad;
                        cur[x] = static_cast<std::uint16_t>((cur[x - 1] + d) & mask);
                    }
                } else {
                    for (std::uint32_t x = 1; x < width; ++x) {
                        d = read_diff(br, h);
                        if (d == INT32_MIN) goto bad;
                        cur[x] = static_cast<std::uint16_t>((predict(sel, cur[x - 1], prev[x], prev[x - 1]) + d) & mask);
                    }
                }
            }
        } else {
            for (std::uint32_t x = 0; x < width; ++x) {
                for (int i = 0; i < n; ++i) {
                    const auto ui = static_cast<std::size_t>(i);
                    std::uint16_t* cur = comp[ui]->plane.data() + std::size_t{y} * comp[ui]->stride;
                    const int d = read_diff(br, *table[ui]);
                    if (d == INT32_MIN) goto bad;
                    int p;
                    if (y == first_row) {
                        p = x == 0 ? initial : cur[x - 1];
                    } else {
                        const std::uint16_t* prev = cur - comp[ui]->stride;
                        p = x == 0 ? prev[0] : predict(sel, cur[x - 1], prev[x], prev[x - 1]);
                    }
                    cur[x] = static_cast<std::uint16_t>((p + d) & mask);
                }
            }
        }
        if (br.overrun() > 0)
            return Unexpected(scan_error(s, "entropy-coded data ended at offset " + std::to_string(br.position()) + " in line " +
                                                std::to_string(y) + " of " + std::to_string(height)));
        continue;
    bad:
        return Unexpected(scan_error(s, "bad Huffman code in line " + std::to_string(y) + " (entropy data near offset " +
                                            std::to_string(br.position()) + ")"));
    }
    return br.position();
}

}  // namespace dicomkit::pixel::jpeg::detail
