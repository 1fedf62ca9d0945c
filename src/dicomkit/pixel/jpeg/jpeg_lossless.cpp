// Lossless scans (T.81 Annex H, Process 14): Huffman-coded differences, predictors 1-7, point
// transform, restart intervals; the DICOM quirk of SSSS = 16 (difference 32768, no extra bits).
// The line loops are instantiated per predictor, so that no sample chooses its predictor.
#include <dicomkit/pixel/jpeg/jpeg_internal.hpp>

namespace dicomkit::pixel::jpeg::detail {

namespace {

/// Prediction Px from Ra (left), Rb (above), Rc (above left) (T.81 Table H.1).
template <int Sel>
inline int predict(int ra, int rb, int rc) noexcept {
    if constexpr (Sel == 1) return ra;
    else if constexpr (Sel == 2) return rb;
    else if constexpr (Sel == 3) return rc;
    else if constexpr (Sel == 4) return ra + rb - rc;
    else if constexpr (Sel == 5) return ra + ((rb - rc) >> 1);
    else if constexpr (Sel == 6) return rb + ((ra - rc) >> 1);
    else return (ra + rb) >> 1;
}

constexpr int kBad = INT32_MIN;

/// A difference whose code and extra bits are not in one look-up entry `e`.
[[gnu::noinline]] int read_diff_slow(BitReader& br, const HuffTable& t, std::int32_t e) noexcept {
    int s;
    if (e != 0) {
        br.skip((e >> 4) & 15);
        s = (e >> 8) & 0xFF;
    } else {
        s = decode_symbol_slow(br, t);
    }
    if (s <= 0) return s == 0 ? 0 : kBad;
    if (s >= 16) return s == 16 ? 32768 : kBad;
    return extend(br.get(s), s);
}

/// One difference (H.1.2.2); kBad on a bad code.
[[gnu::always_inline]] inline int read_diff(BitReader& br, const HuffTable& t) noexcept {
    if (br.bits() < 32) br.fill();
    const std::int32_t e = t.lut[br.peek(kLutBits)];
    if (e & 15) [[likely]] {
        br.skip(e & 15);
        return e >> 16;
    }
    return read_diff_slow(br, t, e);
}

struct Lines {
    std::array<Component*, 4> comp{};
    std::array<const HuffTable*, 4> table{};
    int n = 0;
    int initial = 0;
    int mask = 0;
};

/// Line y of a single-component scan; `first` for the first line of a restart interval (H.1.2.1:
/// Ra only, the first sample from 2^(P-Pt-1)). False on a bad code.
template <int Sel>
bool decode_line(BitReader& br, const Lines& L, std::uint32_t y, bool first) noexcept {
    Component& c = *L.comp[0];
    const HuffTable& h = *L.table[0];
    const std::uint32_t width = c.width;
    const int mask = L.mask;
    std::uint16_t* cur = c.plane.data() + std::size_t{y} * c.stride;
    int d = read_diff(br, h);
    if (d == kBad) return false;
    if (first) {
        int left = (L.initial + d) & mask;
        cur[0] = static_cast<std::uint16_t>(left);
        for (std::uint32_t x = 1; x < width; ++x) {
            d = read_diff(br, h);
            if (d == kBad) return false;
            left = (left + d) & mask;
            cur[x] = static_cast<std::uint16_t>(left);
        }
        return true;
    }
    const std::uint16_t* prev = cur - c.stride;
    int left = (prev[0] + d) & mask;
    cur[0] = static_cast<std::uint16_t>(left);
    for (std::uint32_t x = 1; x < width; ++x) {
        d = read_diff(br, h);
        if (d == kBad) return false;
        left = (predict<Sel>(left, prev[x], prev[x - 1]) + d) & mask;
        cur[x] = static_cast<std::uint16_t>(left);
    }
    return true;
}

/// Line y of an interleaved scan (n components, 1x1 sampling): the samples of each position in
/// component order.
template <int Sel, int N>
bool decode_line_interleaved(BitReader& br, const Lines& L, std::uint32_t y, bool first) noexcept {
    constexpr int n = N;
    const std::uint32_t width = L.comp[0]->width;
    const int mask = L.mask;
    std::array<std::uint16_t*, 4> cur{};
    std::array<const std::uint16_t*, 4> prev{};
    std::array<int, 4> left{};
    for (int i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        cur[ui] = L.comp[ui]->plane.data() + std::size_t{y} * L.comp[ui]->stride;
        prev[ui] = cur[ui] - (first ? 0 : L.comp[ui]->stride);
    }
    for (int i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const int d = read_diff(br, *L.table[ui]);
        if (d == kBad) return false;
        left[ui] = ((first ? L.initial : prev[ui][0]) + d) & mask;
        cur[ui][0] = static_cast<std::uint16_t>(left[ui]);
    }
    if (first) {
        for (std::uint32_t x = 1; x < width; ++x) {
            for (int i = 0; i < n; ++i) {
                const auto ui = static_cast<std::size_t>(i);
                const int d = read_diff(br, *L.table[ui]);
                if (d == kBad) return false;
                left[ui] = (left[ui] + d) & mask;
                cur[ui][x] = static_cast<std::uint16_t>(left[ui]);
            }
        }
        return true;
    }
    for (std::uint32_t x = 1; x < width; ++x) {
        for (int i = 0; i < n; ++i) {
            const auto ui = static_cast<std::size_t>(i);
            const int d = read_diff(br, *L.table[ui]);
            if (d == kBad) return false;
            left[ui] = (predict<Sel>(left[ui], prev[ui][x], prev[ui][x - 1]) + d) & mask;
            cur[ui][x] = static_cast<std::uint16_t>(left[ui]);
        }
    }
    return true;
}

template <int Sel>
Result<std::size_t> decode_scan(const Lines& L, const Scan& s, std::uint32_t ri, BitReader& br) {
    const std::uint32_t width = L.comp[0]->width;
    const std::uint32_t height = L.comp[0]->height;
    std::uint32_t rows_per_interval = 0;
    if (ri) {
        if (ri % width != 0)
            return Unexpected(scan_error(s, "restart interval " + std::to_string(ri) + " is not a whole number of lines of " +
                                                std::to_string(width)));
        rows_per_interval = ri / width;
    }
    std::uint32_t first_row = 0;
    for (std::uint32_t y = 0; y < height; ++y) {
        if (rows_per_interval && y > 0 && y % rows_per_interval == 0) {
            if (br.overrun() > 0) return Unexpected(scan_error(s, "entropy-coded data ended before line " + std::to_string(y)));
            if (!br.restart())
                return Unexpected(scan_error(s, "no RSTn marker at offset " + std::to_string(br.position()) + " before line " +
                                                    std::to_string(y)));
            first_row = y;
        }
        const bool f = y == first_row;
        const bool ok = L.n == 1   ? decode_line<Sel>(br, L, y, f)
                        : L.n == 2 ? decode_line_interleaved<Sel, 2>(br, L, y, f)
                        : L.n == 3 ? decode_line_interleaved<Sel, 3>(br, L, y, f)
                                   : decode_line_interleaved<Sel, 4>(br, L, y, f);
        if (!ok)
            return Unexpected(scan_error(s, "bad Huffman code in line " + std::to_string(y) + " (entropy data near offset " +
                                                std::to_string(br.position()) + ")"));
        if (br.overrun() > 0)
            return Unexpected(scan_error(s, "entropy-coded data ended at offset " + std::to_string(br.position()) + " in line " +
                                                std::to_string(y) + " of " + std::to_string(height)));
    }
    return br.position();
}

}  // namespace

Result<std::size_t> decode_lossless_scan(Image& img, const Tables& t, const Scan& s,
                                         std::span<const std::uint8_t> data, std::size_t pos) {
    Lines L;
    L.n = s.count;
    for (int i = 0; i < L.n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        L.comp[ui] = &img.components[static_cast<std::size_t>(s.comp[ui])];
        L.table[ui] = &t.dc[s.td[ui]];
        L.comp[ui]->point_transform = s.al;
        if (L.n > 1 && (L.comp[ui]->h != 1 || L.comp[ui]->v != 1))
            return Unexpected(scan_error(s, "interleaved lossless scan with sampling factors other than 1x1 is not supported"));
    }
    // Every component of the scan has the same size here (1x1 sampling when interleaved).
    L.initial = 1 << (img.precision - s.al - 1);
    L.mask = (1 << (img.precision - s.al)) - 1;
    BitReader br(data.data(), data.size(), pos);
    switch (s.ss) {
    case 1: return decode_scan<1>(L, s, t.restart_interval, br);
    case 2: return decode_scan<2>(L, s, t.restart_interval, br);
    case 3: return decode_scan<3>(L, s, t.restart_interval, br);
    case 4: return decode_scan<4>(L, s, t.restart_interval, br);
    case 5: return decode_scan<5>(L, s, t.restart_interval, br);
    case 6: return decode_scan<6>(L, s, t.restart_interval, br);
    default: return decode_scan<7>(L, s, t.restart_interval, br);
    }
}

}  // namespace dicomkit::pixel::jpeg::detail
