// The lossless encoder: differences from the selected predictor (T.81 H.1.2), their SSSS
// categories coded with a Huffman table built from their counts (K.2), byte stuffing (B.1.1.5).
#include <dicomkit/pixel/jpeg/jpeg_encoder.hpp>
#include <dicomkit/pixel/jpeg/jpeg_writer.hpp>

#include <algorithm>
#include <array>

namespace dicomkit::pixel::jpeg {

void detail::optimal_table(std::span<const std::uint64_t> counts, std::array<std::uint8_t, 17>& bits,
                   std::vector<std::uint8_t>& vals) {
    const int n = static_cast<int>(counts.size()) + 1;  // the symbols + the reserved one
    std::vector<std::uint64_t> freq(static_cast<std::size_t>(n), 0);
    std::vector<int> size(static_cast<std::size_t>(n), 0);
    std::vector<int> next(static_cast<std::size_t>(n), -1);
    std::copy(counts.begin(), counts.end(), freq.begin());
    freq[static_cast<std::size_t>(n - 1)] = 1;
    while (true) {
        int v1 = -1, v2 = -1;
        for (int i = 0; i < n; ++i) {  // least frequency, the larger symbol on ties
            const auto f = freq[static_cast<std::size_t>(i)];
            if (f == 0) continue;
            if (v1 < 0 || f <= freq[static_cast<std::size_t>(v1)]) v1 = i;
        }
        for (int i = 0; i < n; ++i) {
            const auto f = freq[static_cast<std::size_t>(i)];
            if (f == 0 || i == v1) continue;
            if (v2 < 0 || f <= freq[static_cast<std::size_t>(v2)]) v2 = i;
        }
        if (v2 < 0) break;
        freq[static_cast<std::size_t>(v1)] += freq[static_cast<std::size_t>(v2)];
        freq[static_cast<std::size_t>(v2)] = 0;
        ++size[static_cast<std::size_t>(v1)];
        while (next[static_cast<std::size_t>(v1)] >= 0) {
            v1 = next[static_cast<std::size_t>(v1)];
            ++size[static_cast<std::size_t>(v1)];
        }
        next[static_cast<std::size_t>(v1)] = v2;
        ++size[static_cast<std::size_t>(v2)];
        while (next[static_cast<std::size_t>(v2)] >= 0) {
            v2 = next[static_cast<std::size_t>(v2)];
            ++size[static_cast<std::size_t>(v2)];
        }
    }
    std::array<int, 300> b{};
    for (int i = 0; i < n; ++i)
        if (size[static_cast<std::size_t>(i)]) ++b[static_cast<std::size_t>(size[static_cast<std::size_t>(i)])];
    for (int i = 299; i > 16; --i) {  // Adjust_BITS (K.3)
        while (b[static_cast<std::size_t>(i)] > 0) {
            int j = i - 2;
            while (b[static_cast<std::size_t>(j)] == 0) --j;
            b[static_cast<std::size_t>(i)] -= 2;
            ++b[static_cast<std::size_t>(i - 1)];
            b[static_cast<std::size_t>(j + 1)] += 2;
            --b[static_cast<std::size_t>(j)];
        }
    }
    int i = 16;
    while (b[static_cast<std::size_t>(i)] == 0) --i;
    --b[static_cast<std::size_t>(i)];  // drop the reserved code (the longest)
    for (int l = 1; l <= 16; ++l) bits[static_cast<std::size_t>(l)] = static_cast<std::uint8_t>(b[static_cast<std::size_t>(l)]);
    vals.clear();
    for (int l = 1; l < 300; ++l)
        for (int sym = 0; sym + 1 < n; ++sym)
            if (size[static_cast<std::size_t>(sym)] == l) vals.push_back(static_cast<std::uint8_t>(sym));
}

namespace {

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

inline int category(int diff) noexcept {
    if (diff == 32768) return 16;
    unsigned a = static_cast<unsigned>(diff < 0 ? -diff : diff);
    int s = 0;
    while (a) {
        ++s;
        a >>= 1;
    }
    return s;
}


}  // namespace

Result<std::vector<std::uint8_t>> encode_lossless(std::span<const std::uint8_t> in, const LosslessParams& p) {
    if (p.precision < 2 || p.precision > 16) return make_error(ErrorCode::InvalidArgument, "JPEG lossless precision must be 2..16");
    if (p.predictor < 1 || p.predictor > 7) return make_error(ErrorCode::InvalidArgument, "JPEG lossless predictor must be 1..7");
    if (p.components < 1 || p.components > 4) return make_error(ErrorCode::InvalidArgument, "JPEG lossless takes 1 to 4 components");
    if (p.rows == 0 || p.columns == 0 || p.rows > 65535 || p.columns > 65535)
        return make_error(ErrorCode::InvalidArgument, "JPEG takes 1..65535 rows and columns");
    if (p.bytes_per_sample != 1 && p.bytes_per_sample != 2)
        return make_error(ErrorCode::InvalidArgument, "JPEG lossless takes 8- or 16-bit containers");
    const std::size_t nc = static_cast<std::size_t>(p.components);
    const std::size_t w = p.columns, h = p.rows;
    if (in.size() < w * h * nc * static_cast<std::size_t>(p.bytes_per_sample))
        return make_error(ErrorCode::InvalidLength, "JPEG lossless: frame shorter than rows x columns x samples");
    const unsigned mask = (1u << p.precision) - 1;
    // Differences, in the order they are coded.
    std::vector<std::int32_t> diffs(w * h * nc);
    std::array<std::uint64_t, 17> counts{};
    const int initial = 1 << (p.precision - 1);
    auto sample = [&](std::size_t y, std::size_t x, std::size_t c) -> int {
        const std::size_t i = (y * w + x) * nc + c;
        const unsigned v = p.bytes_per_sample == 1 ? in[i] : static_cast<unsigned>(in[2 * i] | (in[2 * i + 1] << 8));
        return static_cast<int>(v & mask);
    };
    std::size_t k = 0;
    for (std::size_t y = 0; y < h; ++y) {
        for (std::size_t x = 0; x < w; ++x) {
            for (std::size_t c = 0; c < nc; ++c) {
                int pred;
                const bool first = y == 0 || (p.restart_rows && y % p.restart_rows == 0);
                if (first) pred = x == 0 ? initial : sample(y, x - 1, c);
                else if (x == 0) pred = sample(y - 1, x, c);
                else pred = predict(p.predictor, sample(y, x - 1, c), sample(y - 1, x, c), sample(y - 1, x - 1, c));
                int d = (sample(y, x, c) - pred) & 0xFFFF;  // modulo 2^16 (H.1.2.1)
                if (d > 32768) d -= 65536;
                diffs[k++] = d;
                ++counts[static_cast<std::size_t>(category(d))];
            }
        }
    }
    std::array<std::uint8_t, 17> bits{};
    std::vector<std::uint8_t> vals;
    detail::optimal_table(counts, bits, vals);
    // Canonical codes (C.2) per category.
    std::array<std::uint32_t, 17> code{};
    std::array<int, 17> len{};
    {
        std::uint32_t c = 0;
        std::size_t vi = 0;
        for (int l = 1; l <= 16; ++l) {
            for (int i = 0; i < bits[static_cast<std::size_t>(l)]; ++i, ++vi, ++c) {
                code[vals[vi]] = c;
                len[vals[vi]] = l;
            }
            c <<= 1;
        }
    }
    std::vector<std::uint8_t> out;
    out.reserve(w * h * nc * static_cast<std::size_t>(p.bytes_per_sample) / 2 + 1024);
    out.insert(out.end(), {0xFF, 0xD8});
    // SOF3
    out.insert(out.end(), {0xFF, 0xC3});
    detail::put16(out, 8 + 3 * static_cast<unsigned>(nc));
    out.push_back(static_cast<std::uint8_t>(p.precision));
    detail::put16(out, p.rows);
    detail::put16(out, p.columns);
    out.push_back(static_cast<std::uint8_t>(nc));
    for (std::size_t c = 0; c < nc; ++c) out.insert(out.end(), {static_cast<std::uint8_t>(c + 1), 0x11, 0x00});
    // DHT
    out.insert(out.end(), {0xFF, 0xC4});
    detail::put16(out, 2 + 17 + static_cast<unsigned>(vals.size()));
    out.push_back(0x00);
    for (int l = 1; l <= 16; ++l) out.push_back(bits[static_cast<std::size_t>(l)]);
    out.insert(out.end(), vals.begin(), vals.end());
    const std::uint64_t interval = std::uint64_t{p.restart_rows} * w;
    if (p.restart_rows && interval <= 0xFFFF && p.restart_rows < h) {
        out.insert(out.end(), {0xFF, 0xDD, 0x00, 0x04});
        detail::put16(out, static_cast<unsigned>(interval));
    }
    const bool restarts = p.restart_rows && interval <= 0xFFFF && p.restart_rows < h;
    // SOS
    out.insert(out.end(), {0xFF, 0xDA});
    detail::put16(out, 6 + 2 * static_cast<unsigned>(nc));
    out.push_back(static_cast<std::uint8_t>(nc));
    for (std::size_t c = 0; c < nc; ++c) out.insert(out.end(), {static_cast<std::uint8_t>(c + 1), 0x00});
    out.insert(out.end(), {static_cast<std::uint8_t>(p.predictor), 0x00, 0x00});
    detail::BitWriter bw(out);
    const std::size_t per_interval = restarts ? static_cast<std::size_t>(interval) * nc : 0;
    int rst = 0;
    for (std::size_t i = 0; i < diffs.size(); ++i) {
        if (per_interval && i > 0 && i % per_interval == 0) {
            bw.flush();
            out.insert(out.end(), {0xFF, static_cast<std::uint8_t>(0xD0 + rst)});
            rst = (rst + 1) & 7;
        }
        const std::int32_t d = diffs[i];
        const int s = category(d);
        bw.put(code[static_cast<std::size_t>(s)], len[static_cast<std::size_t>(s)]);
        if (s > 0 && s < 16) bw.put(static_cast<std::uint32_t>(d < 0 ? d - 1 : d), s);
    }
    bw.flush();
    out.insert(out.end(), {0xFF, 0xD9});
    return out;
}

}  // namespace dicomkit::pixel::jpeg
