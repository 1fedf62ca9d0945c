// Sequential DCT encoder (T.81 Annex F, Extended process, SOF1) for grey 8- and 12-bit frames:
// forward DCT (A.3.3), quantization by the Annex K luminance table scaled for the quality, and
// Huffman tables optimised for the frame (K.2).
#include <dicomkit/pixel/jpeg/jpeg_encoder.hpp>
#include <dicomkit/pixel/jpeg/jpeg_internal.hpp>
#include <dicomkit/pixel/jpeg/jpeg_writer.hpp>

#include <algorithm>
#include <cmath>

namespace dicomkit::pixel::jpeg {

namespace {

/// T.81 Table K.1, in natural order.
constexpr std::array<int, 64> kLuminance = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                                            14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                                            18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                                            49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

struct Basis {
    float c[8][8];  ///< c[x][u] = C(u)/2 cos((2x+1) u pi / 16)
    Basis() {
        for (int x = 0; x < 8; ++x)
            for (int u = 0; u < 8; ++u)
                c[x][u] = static_cast<float>((u == 0 ? std::sqrt(0.5) : 1.0) / 2.0 *
                                             std::cos((2 * x + 1) * u * 3.14159265358979323846 / 16.0));
    }
};

int category(int v) {
    unsigned a = static_cast<unsigned>(v < 0 ? -v : v);
    int s = 0;
    while (a) {
        ++s;
        a >>= 1;
    }
    return s;
}

struct Code {
    std::array<std::uint32_t, 256> code{};
    std::array<int, 256> len{};
};

Code make_code(const std::array<std::uint8_t, 17>& bits, const std::vector<std::uint8_t>& vals) {
    Code c;
    std::uint32_t code = 0;
    std::size_t k = 0;
    for (int l = 1; l <= 16; ++l) {
        for (int i = 0; i < bits[static_cast<std::size_t>(l)]; ++i, ++k, ++code) {
            c.code[vals[k]] = code;
            c.len[vals[k]] = l;
        }
        code <<= 1;
    }
    return c;
}

void write_dht(std::vector<std::uint8_t>& out, int tc_th, const std::array<std::uint8_t, 17>& bits,
               const std::vector<std::uint8_t>& vals) {
    out.insert(out.end(), {0xFF, 0xC4});
    detail::put16(out, 2 + 17 + static_cast<unsigned>(vals.size()));
    out.push_back(static_cast<std::uint8_t>(tc_th));
    for (int l = 1; l <= 16; ++l) out.push_back(bits[static_cast<std::size_t>(l)]);
    out.insert(out.end(), vals.begin(), vals.end());
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_extended(std::span<const std::uint8_t> in, const DctParams& p) {
    if (p.precision != 8 && p.precision != 12) return make_error(ErrorCode::InvalidArgument, "JPEG DCT precision must be 8 or 12");
    if (p.quality < 1 || p.quality > 100) return make_error(ErrorCode::InvalidArgument, "JPEG quality must be 1..100");
    if (p.rows == 0 || p.columns == 0 || p.rows > 65535 || p.columns > 65535)
        return make_error(ErrorCode::InvalidArgument, "JPEG takes 1..65535 rows and columns");
    const std::size_t w = p.columns, h = p.rows, bps = p.precision > 8 ? 2 : 1;
    if (in.size() < w * h * bps) return make_error(ErrorCode::InvalidLength, "JPEG: frame shorter than rows x columns");
    static const Basis basis;
    // Quantization table (zig-zag order), IJG's quality scaling of Table K.1.
    const int scale = p.quality < 50 ? 5000 / p.quality : 200 - 2 * p.quality;
    std::array<std::uint16_t, 64> q{};
    for (std::size_t k = 0; k < 64; ++k)
        q[k] = static_cast<std::uint16_t>(std::clamp((kLuminance[detail::kNatural[k]] * scale + 50) / 100, 1, 255));
    const int maxval = (1 << p.precision) - 1, center = 1 << (p.precision - 1);
    const std::size_t bw = (w + 7) / 8, bh = (h + 7) / 8;
    std::vector<std::int16_t> coefs(bw * bh * 64);  // zig-zag order
    auto px = [&](std::size_t y, std::size_t x) {
        y = std::min(y, h - 1);
        x = std::min(x, w - 1);
        const std::size_t i = y * w + x;
        const int v = bps == 1 ? in[i] : (in[2 * i] | (in[2 * i + 1] << 8));
        return static_cast<float>(std::min(v & 0xFFFF, maxval) - center);
    };
    for (std::size_t by = 0; by < bh; ++by) {
        for (std::size_t bx = 0; bx < bw; ++bx) {
            float f[8][8], t[8][8];
            for (std::size_t y = 0; y < 8; ++y)
                for (std::size_t x = 0; x < 8; ++x) f[y][x] = px(by * 8 + y, bx * 8 + x);
            for (int y = 0; y < 8; ++y)
                for (int u = 0; u < 8; ++u) {
                    float s = 0;
                    for (int x = 0; x < 8; ++x) s += f[y][x] * basis.c[x][u];
                    t[y][u] = s;
                }
            std::int16_t* out = coefs.data() + (by * bw + bx) * 64;
            for (std::size_t k = 0; k < 64; ++k) {
                const int n = detail::kNatural[k], v = n / 8, u = n % 8;
                float s = 0;
                for (int y = 0; y < 8; ++y) s += t[y][u] * basis.c[y][v];
                const long qv = std::lround(s / static_cast<float>(q[k]));
                out[k] = static_cast<std::int16_t>(std::clamp<long>(qv, k == 0 ? -32767 : -16383, k == 0 ? 32767 : 16383));
            }
        }
    }
    // Symbol statistics, then the tables, then the data.
    std::array<std::uint64_t, 16> dc_counts{};
    std::array<std::uint64_t, 256> ac_counts{};
    const std::size_t ri = p.restart_interval;
    auto walk = [&](auto&& emit_dc, auto&& emit_ac, auto&& restart) {
        int pred = 0;
        for (std::size_t b = 0; b < bw * bh; ++b) {
            if (ri && b > 0 && b % ri == 0) {
                restart();
                pred = 0;
            }
            const std::int16_t* c = coefs.data() + b * 64;
            const int diff = c[0] - pred;
            pred = c[0];
            emit_dc(diff);
            int run = 0;
            for (int k = 1; k < 64; ++k) {
                const int v = c[k];
                if (v == 0) {
                    ++run;
                    continue;
                }
                while (run > 15) {
                    emit_ac(0xF0, 0);
                    run -= 16;
                }
                emit_ac((run << 4) | category(v), v);
                run = 0;
            }
            if (run > 0) emit_ac(0x00, 0);
        }
    };
    walk([&](int d) { ++dc_counts[static_cast<std::size_t>(category(d))]; },
         [&](int rs, int) { ++ac_counts[static_cast<std::size_t>(rs)]; }, [] {});
    std::array<std::uint8_t, 17> dc_bits{}, ac_bits{};
    std::vector<std::uint8_t> dc_vals, ac_vals;
    detail::optimal_table(dc_counts, dc_bits, dc_vals);
    detail::optimal_table(ac_counts, ac_bits, ac_vals);
    const Code dc = make_code(dc_bits, dc_vals), ac = make_code(ac_bits, ac_vals);

    std::vector<std::uint8_t> out;
    out.reserve(w * h * bps / 4 + 1024);
    out.insert(out.end(), {0xFF, 0xD8, 0xFF, 0xDB});
    detail::put16(out, 2 + 65);
    out.push_back(0x00);
    for (std::size_t k = 0; k < 64; ++k) out.push_back(static_cast<std::uint8_t>(q[k]));
    out.insert(out.end(), {0xFF, 0xC1});
    detail::put16(out, 11);
    out.push_back(static_cast<std::uint8_t>(p.precision));
    detail::put16(out, p.rows);
    detail::put16(out, p.columns);
    out.insert(out.end(), {0x01, 0x01, 0x11, 0x00});
    write_dht(out, 0x00, dc_bits, dc_vals);
    write_dht(out, 0x10, ac_bits, ac_vals);
    if (ri) {
        out.insert(out.end(), {0xFF, 0xDD, 0x00, 0x04});
        detail::put16(out, static_cast<unsigned>(ri));
    }
    out.insert(out.end(), {0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00});
    detail::BitWriter bw_(out);
    int rst = 0;
    auto bits_of = [](int v, int s) { return static_cast<std::uint32_t>(v < 0 ? v - 1 : v) & ((1u << s) - 1); };
    walk(
        [&](int d) {
            const int s = category(d);
            bw_.put(dc.code[static_cast<std::size_t>(s)], dc.len[static_cast<std::size_t>(s)]);
            if (s) bw_.put(bits_of(d, s), s);
        },
        [&](int rs, int v) {
            bw_.put(ac.code[static_cast<std::size_t>(rs)], ac.len[static_cast<std::size_t>(rs)]);
            const int s = rs & 15;
            if (s) bw_.put(bits_of(v, s), s);
        },
        [&] {
            bw_.flush();
            out.insert(out.end(), {0xFF, static_cast<std::uint8_t>(0xD0 + rst)});
            rst = (rst + 1) & 7;
        });
    bw_.flush();
    out.insert(out.end(), {0xFF, 0xD9});
    return out;
}

}  // namespace dicomkit::pixel::jpeg
