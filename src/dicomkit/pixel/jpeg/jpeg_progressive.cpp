// Progressive DCT scans (T.81 Annex G, Huffman): spectral selection and successive approximation
// into per-block coefficient buffers, then dequantization and the inverse DCT once all scans are in.
#include <dicomkit/pixel/jpeg/jpeg_internal.hpp>

#include <algorithm>

namespace dicomkit::pixel::jpeg::detail {

namespace {

struct State {
    BitReader br;
    std::uint32_t eobrun = 0;
    std::array<int, 4> pred{};
};

/// The coefficients of block (bx, by) of a component, 64 in natural order.
inline std::int32_t* block_at(Component& c, std::size_t bx, std::size_t by) {
    const std::size_t blocks_x = c.stride / 8;
    return c.coef.data() + (by * blocks_x + bx) * 64;
}

bool dc_first(State& st, const HuffTable& t, int& pred, std::int32_t* b, int al) {
    const int s = decode_symbol(st.br, t);
    if (s < 0 || s > 15) return false;
    if (s) pred = std::clamp(pred + extend(st.br.get(s), s), -65536, 65536);
    b[0] = static_cast<std::int32_t>(static_cast<std::uint32_t>(pred) << al);
    return true;
}

bool ac_first(State& st, const HuffTable& t, std::int32_t* b, int ss, int se, int al) {
    if (st.eobrun > 0) {
        --st.eobrun;
        return true;
    }
    for (int k = ss; k <= se; ++k) {
        const int rs = decode_symbol(st.br, t);
        if (rs < 0) return false;
        const int r = rs >> 4, s = rs & 15;
        if (s) {
            k += r;
            if (k > se) return false;
            b[kNatural[static_cast<std::size_t>(k)]] =
                static_cast<std::int32_t>(static_cast<std::uint32_t>(extend(st.br.get(s), s)) << al);
        } else if (r == 15) {
            k += 15;
        } else {
            st.eobrun = 1u << r;
            if (r) st.eobrun += st.br.get(r);
            --st.eobrun;
            break;
        }
    }
    return true;
}

/// One refinement bit for a coefficient already nonzero (G.1.2.3).
inline void refine(State& st, std::int32_t& c, int p1) {
    if (st.br.get(1) && (c & p1) == 0) c += c >= 0 ? p1 : -p1;
}

bool ac_refine(State& st, const HuffTable& t, std::int32_t* b, int ss, int se, int al) {
    const int p1 = 1 << al;
    int k = ss;
    if (st.eobrun == 0) {
        for (; k <= se; ++k) {
            const int rs = decode_symbol(st.br, t);
            if (rs < 0) return false;
            int r = rs >> 4, s = rs & 15, value = 0;
            if (s) {
                if (s != 1) return false;
                value = st.br.get(1) ? p1 : -p1;
            } else if (r != 15) {
                st.eobrun = 1u << r;
                if (r) st.eobrun += st.br.get(r);
                break;
            }
            // Skip r zero coefficients (refining the nonzero ones passed), then place `value`.
            while (k <= se) {
                std::int32_t& c = b[kNatural[static_cast<std::size_t>(k)]];
                if (c != 0) {
                    refine(st, c, p1);
                } else {
                    if (r == 0) break;
                    --r;
                }
                ++k;
            }
            if (value) {
                if (k > se) return false;
                b[kNatural[static_cast<std::size_t>(k)]] = value;
            }
        }
    }
    if (st.eobrun > 0) {
        for (; k <= se; ++k) {
            std::int32_t& c = b[kNatural[static_cast<std::size_t>(k)]];
            if (c != 0) refine(st, c, p1);
        }
        --st.eobrun;
    }
    return true;
}

}  // namespace

Result<std::size_t> decode_progressive_scan(Image& img, const Tables& t, const Scan& s,
                                            std::span<const std::uint8_t> data, std::size_t pos) {
    State st{BitReader(data.data(), data.size(), pos)};
    const bool interleaved = s.count > 1;
    Component& c0 = img.components[static_cast<std::size_t>(s.comp[0])];
    std::uint32_t mcus_x, mcus_y;
    if (interleaved) {
        mcus_x = (img.columns + 8u * img.hmax - 1) / (8u * img.hmax);
        mcus_y = (img.rows + 8u * img.vmax - 1) / (8u * img.vmax);
    } else {
        mcus_x = (c0.width + 7) / 8;
        mcus_y = (c0.height + 7) / 8;
    }
    std::uint32_t todo = t.restart_interval;
    std::uint64_t mcu = 0;
    for (std::uint32_t my = 0; my < mcus_y; ++my) {
        for (std::uint32_t mx = 0; mx < mcus_x; ++mx, ++mcu) {
            if (t.restart_interval) {
                if (todo == 0) {
                    if (st.br.overrun() > 0)
                        return Unexpected(scan_error(s, "entropy-coded data ended before MCU " + std::to_string(mcu)));
                    if (!st.br.restart())
                        return Unexpected(scan_error(s, "no RSTn marker at offset " + std::to_string(st.br.position()) +
                                                            " before MCU " + std::to_string(mcu)));
                    st.pred = {};
                    st.eobrun = 0;
                    todo = t.restart_interval;
                }
                --todo;
            }
            // Data that ran out stops the scan here, not after a whole MCU row of invented zeros.
            if (st.br.overrun() > 0)
                return Unexpected(scan_error(s, "entropy-coded data ended at offset " + std::to_string(st.br.position()) +
                                                    " before MCU " + std::to_string(mcu)));
            for (int i = 0; i < s.count; ++i) {
                const auto ui = static_cast<std::size_t>(i);
                Component& c = img.components[static_cast<std::size_t>(s.comp[ui])];
                const int bh = interleaved ? c.h : 1, bv = interleaved ? c.v : 1;
                for (int by = 0; by < bv; ++by) {
                    for (int bx = 0; bx < bh; ++bx) {
                        std::int32_t* b = block_at(c, std::size_t{mx} * static_cast<std::size_t>(bh) + static_cast<std::size_t>(bx),
                                                   std::size_t{my} * static_cast<std::size_t>(bv) + static_cast<std::size_t>(by));
                        bool ok;
                        if (s.ss == 0) {
                            if (s.ah == 0) {
                                ok = dc_first(st, t.dc[s.td[ui]], st.pred[ui], b, s.al);
                            } else {
                                if (st.br.get(1)) b[0] |= 1 << s.al;
                                ok = true;
                            }
                        } else {
                            ok = s.ah == 0 ? ac_first(st, t.ac[s.ta[ui]], b, s.ss, s.se, s.al)
                                           : ac_refine(st, t.ac[s.ta[ui]], b, s.ss, s.se, s.al);
                        }
                        if (!ok)
                            return Unexpected(scan_error(s, "bad Huffman code in MCU " + std::to_string(mcu) +
                                                                " (entropy data near offset " + std::to_string(st.br.position()) + ")"));
                    }
                }
            }
        }
        if (st.br.overrun() > 0)
            return Unexpected(scan_error(s, "entropy-coded data ended at offset " + std::to_string(st.br.position()) +
                                                " in MCU row " + std::to_string(my) + " of " + std::to_string(mcus_y)));
    }
    return st.br.position();
}

void finish_progressive(Image& img, const Tables& t) {
    const int shift = 1 << (img.precision - 1);
    const int maxval = (1 << img.precision) - 1;
    alignas(16) std::int32_t deq[64];
    for (Component& c : img.components) {
        const QuantTable& q = t.q[c.tq];
        const std::size_t bx_n = c.stride / 8, by_n = c.plane_rows / 8;
        for (std::size_t by = 0; by < by_n; ++by) {
            for (std::size_t bx = 0; bx < bx_n; ++bx) {
                const std::int32_t* b = block_at(c, bx, by);
                for (std::size_t k = 0; k < 64; ++k) {
                    const std::size_t n = kNatural[k];
                    deq[n] = static_cast<std::int32_t>(std::clamp<std::int64_t>(std::int64_t{b[n]} * q.q[k], -(1 << 22), 1 << 22));
                }
                idct_block(deq, c.plane.data() + by * 8 * c.stride + bx * 8, c.stride, shift, maxval);
            }
        }
        c.coef.clear();
        c.coef.shrink_to_fit();
    }
}

}  // namespace dicomkit::pixel::jpeg::detail
