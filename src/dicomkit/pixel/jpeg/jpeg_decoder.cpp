// The T.81 marker parser (Annex B): frame, scan, table and restart segments, every length checked
// against the buffer; scans are handed to the DCT or lossless entropy decoders.
#include <dicomkit/pixel/jpeg/jpeg_decoder.hpp>
#include <dicomkit/pixel/jpeg/jpeg_internal.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace dicomkit::pixel::jpeg {

namespace {

using detail::HuffTable;
using detail::Scan;
using detail::Tables;

std::string marker_name(int m) {
    switch (m) {
    case 0xC0: return "SOF0";
    case 0xC1: return "SOF1";
    case 0xC2: return "SOF2";
    case 0xC3: return "SOF3";
    case 0xC4: return "DHT";
    case 0xD8: return "SOI";
    case 0xD9: return "EOI";
    case 0xDA: return "SOS";
    case 0xDB: return "DQT";
    case 0xDC: return "DNL";
    case 0xDD: return "DRI";
    case 0xFE: return "COM";
    default: break;
    }
    char buf[16];
    if (m >= 0xE0 && m <= 0xEF) std::snprintf(buf, sizeof buf, "APP%d", m - 0xE0);
    else if (m >= 0xC0 && m <= 0xCF) std::snprintf(buf, sizeof buf, "SOF%d", m - 0xC0);
    else std::snprintf(buf, sizeof buf, "0xFF%02X", m);
    return buf;
}

Unexpected fail(ErrorCode code, int marker, std::size_t offset, const std::string& what) {
    return Unexpected(std::move(Error(code, "JPEG " + marker_name(marker) + ": " + what)).at_offset(offset));
}

struct Parser {
    std::span<const std::uint8_t> d;
    DecodeLimits limits;
    Image img;
    Tables tables;
    bool have_frame = false;
    std::vector<bool> decoded;
    bool header_only = false;
    /// Sample storage of an earlier image, taken by parse_sof() instead of new allocations.
    std::array<std::vector<std::uint16_t>, 4> spare_planes{};
    std::array<std::vector<std::int32_t>, 4> spare_coef{};

    [[nodiscard]] std::uint16_t u16(std::size_t p) const {
        return static_cast<std::uint16_t>((d[p] << 8) | d[p + 1]);
    }

    Result<void> parse_sof(int m, std::size_t at, std::size_t body, std::size_t len) {
        if (have_frame) return fail(ErrorCode::InvalidValue, m, at, "a second frame header");
        if (m != 0xC0 && m != 0xC1 && m != 0xC2 && m != 0xC3)
            return fail(ErrorCode::Unsupported, m, at, "hierarchical and arithmetic-coded JPEG are not supported");
        if (len < 6) return fail(ErrorCode::InvalidLength, m, at, "segment shorter than its fixed fields");
        img.sof = static_cast<std::uint8_t>(m);
        img.precision = d[body];
        img.rows = u16(body + 1);
        img.columns = u16(body + 3);
        int nf = d[body + 5];
        if (len != 6 + 3u * static_cast<unsigned>(nf))
            return fail(ErrorCode::InvalidLength, m, at, "length " + std::to_string(len + 2) + " does not fit " +
                                                          std::to_string(nf) + " components");
        if (nf < 1 || nf > 4) return fail(ErrorCode::InvalidValue, m, at, std::to_string(nf) + " components (1..4 supported)");
        if (img.lossless()) {
            if (img.precision < 2 || img.precision > 16)
                return fail(ErrorCode::InvalidValue, m, at, "precision " + std::to_string(img.precision) + " (2..16)");
        } else if (img.precision != 8 && !((m == 0xC1 || m == 0xC2) && img.precision == 12)) {
            return fail(ErrorCode::InvalidValue, m, at, "precision " + std::to_string(img.precision) +
                                                         (m == 0xC0 ? " (baseline takes 8)" : " (8 or 12)"));
        }
        if (img.columns == 0) return fail(ErrorCode::InvalidValue, m, at, "zero samples per line");
        if (img.rows == 0 && !header_only) {
            if (limits.rows_if_dnl == 0) return fail(ErrorCode::InvalidValue, m, at, "zero lines and no line count known");
            img.rows = limits.rows_if_dnl;
        }
        img.components.resize(static_cast<std::size_t>(nf));
        for (int i = 0; i < nf; ++i) {
            std::size_t p = body + 6 + 3 * static_cast<std::size_t>(i);
            Component& c = img.components[static_cast<std::size_t>(i)];
            c.id = d[p];
            c.h = static_cast<std::uint8_t>(d[p + 1] >> 4);
            c.v = static_cast<std::uint8_t>(d[p + 1] & 15);
            c.tq = d[p + 2];
            if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)
                return fail(ErrorCode::InvalidValue, m, at, "sampling factors out of 1..4");
            if (c.tq > 3) return fail(ErrorCode::InvalidValue, m, at, "quantization table selector > 3");
            for (int j = 0; j < i; ++j)
                if (img.components[static_cast<std::size_t>(j)].id == c.id)
                    return fail(ErrorCode::InvalidValue, m, at, "two components with identifier " + std::to_string(c.id));
            img.hmax = std::max<int>(img.hmax, c.h);
            img.vmax = std::max<int>(img.vmax, c.v);
        }
        have_frame = true;
        if (header_only) return {};
        const std::uint32_t unit = img.lossless() ? 1 : 8;
        const std::uint64_t mx = (img.columns + unit * img.hmax - 1) / (unit * img.hmax);
        const std::uint64_t my = (img.rows + unit * img.vmax - 1) / (unit * img.vmax);
        std::uint64_t total = 0;
        for (Component& c : img.components) {
            c.width = static_cast<std::uint32_t>((std::uint64_t{img.columns} * c.h + img.hmax - 1) / img.hmax);
            c.height = static_cast<std::uint32_t>((std::uint64_t{img.rows} * c.v + img.vmax - 1) / img.vmax);
            c.stride = static_cast<std::uint32_t>(mx * c.h * unit);
            c.plane_rows = static_cast<std::uint32_t>(my * c.v * unit);
            total += std::uint64_t{c.stride} * c.plane_rows;
        }
        if (total > limits.max_samples)
            return fail(ErrorCode::LimitExceeded, m, at, std::to_string(img.columns) + "x" + std::to_string(img.rows) +
                                                           " image is over the decode limit");
        for (std::size_t i = 0; i < img.components.size(); ++i) {
            Component& c = img.components[i];
            c.plane = std::move(spare_planes[i]);
            c.plane.assign(std::uint64_t{c.stride} * c.plane_rows, 0);
            c.coef = std::move(spare_coef[i]);
            if (img.progressive()) c.coef.assign(std::uint64_t{c.stride} * c.plane_rows, 0);
            else c.coef.clear();
        }
        decoded.assign(img.components.size(), false);
        return {};
    }

    Result<void> parse_dht(std::size_t at, std::size_t body, std::size_t len) {
        std::size_t p = body, end = body + len;
        while (p < end) {
            if (end - p < 17) return fail(ErrorCode::InvalidLength, 0xC4, at, "table header past the segment end");
            int tc = d[p] >> 4, th = d[p] & 15;
            if (tc > 1 || th > 3) return fail(ErrorCode::InvalidValue, 0xC4, at, "table class/identifier out of range");
            int count = 0;
            for (int i = 0; i < 16; ++i) count += d[p + 1 + static_cast<std::size_t>(i)];
            if (count > 256 || end - p - 17 < static_cast<std::size_t>(count))
                return fail(ErrorCode::InvalidLength, 0xC4, at, std::to_string(count) + " values past the segment end");
            HuffTable& t = tc == 0 ? tables.dc[static_cast<std::size_t>(th)] : tables.ac[static_cast<std::size_t>(th)];
            if (!detail::build_huffman(t, &d[p + 1], &d[p + 17], count, tc == 1))
                return fail(ErrorCode::InvalidValue, 0xC4, at, "code lengths do not form a Huffman code");
            p += 17 + static_cast<std::size_t>(count);
        }
        return {};
    }

    Result<void> parse_dqt(std::size_t at, std::size_t body, std::size_t len) {
        std::size_t p = body, end = body + len;
        while (p < end) {
            int pq = d[p] >> 4, tq = d[p] & 15;
            if (pq > 1 || tq > 3) return fail(ErrorCode::InvalidValue, 0xDB, at, "precision/identifier out of range");
            std::size_t n = pq ? 128 : 64;
            if (end - p - 1 < n) return fail(ErrorCode::InvalidLength, 0xDB, at, "table past the segment end");
            detail::QuantTable& q = tables.q[static_cast<std::size_t>(tq)];
            for (std::size_t i = 0; i < 64; ++i)
                q.q[i] = pq ? u16(p + 1 + 2 * i) : d[p + 1 + i];
            q.defined = true;
            p += 1 + n;
        }
        return {};
    }

    Result<Scan> parse_sos(std::size_t at, std::size_t body, std::size_t len) {
        if (!have_frame) return fail(ErrorCode::InvalidValue, 0xDA, at, "scan before the frame header");
        Scan s;
        s.offset = at;
        if (len < 1) return fail(ErrorCode::InvalidLength, 0xDA, at, "empty segment");
        s.count = d[body];
        if (s.count < 1 || s.count > 4 || len != 4 + 2u * static_cast<unsigned>(s.count))
            return fail(ErrorCode::InvalidLength, 0xDA, at, "length does not fit " + std::to_string(s.count) + " components");
        int blocks = 0;
        for (int i = 0; i < s.count; ++i) {
            std::size_t p = body + 1 + 2 * static_cast<std::size_t>(i);
            int idx = -1;
            for (std::size_t k = 0; k < img.components.size(); ++k)
                if (img.components[k].id == d[p]) idx = static_cast<int>(k);
            if (idx < 0) return fail(ErrorCode::InvalidValue, 0xDA, at, "component " + std::to_string(d[p]) + " not in the frame");
            for (int j = 0; j < i; ++j)
                if (s.comp[static_cast<std::size_t>(j)] == idx) return fail(ErrorCode::InvalidValue, 0xDA, at, "component listed twice");
            const auto ui = static_cast<std::size_t>(i);
            s.comp[ui] = idx;
            s.td[ui] = static_cast<std::uint8_t>(d[p + 1] >> 4);
            s.ta[ui] = static_cast<std::uint8_t>(d[p + 1] & 15);
            if (s.td[ui] > 3 || s.ta[ui] > 3) return fail(ErrorCode::InvalidValue, 0xDA, at, "table selector > 3");
            const Component& c = img.components[static_cast<std::size_t>(idx)];
            blocks += c.h * c.v;
        }
        if (s.count > 1 && blocks > 10) return fail(ErrorCode::InvalidValue, 0xDA, at, "more than 10 blocks in an MCU");
        std::size_t p = body + 1 + 2 * static_cast<std::size_t>(s.count);
        s.ss = d[p];
        s.se = d[p + 1];
        s.ah = d[p + 2] >> 4;
        s.al = d[p + 2] & 15;
        if (img.lossless()) {
            if (s.ss < 1 || s.ss > 7) return fail(ErrorCode::InvalidValue, 0xDA, at, "predictor " + std::to_string(s.ss) + " (1..7)");
            if (s.al >= img.precision) return fail(ErrorCode::InvalidValue, 0xDA, at, "point transform >= precision");
        } else if (img.progressive()) {
            if (s.se > 63 || s.ss > s.se || (s.ss == 0 && s.se != 0) || (s.ss > 0 && s.count != 1) || s.al > 13 || s.ah > 13)
                return fail(ErrorCode::InvalidValue, 0xDA, at, "spectral selection or successive approximation out of range");
        }
        const bool need_dc = img.lossless() || !img.progressive() || s.ss == 0;
        const bool need_ac = !img.lossless() && (!img.progressive() || s.ss > 0);
        for (int i = 0; i < s.count; ++i) {
            const auto ui = static_cast<std::size_t>(i);
            const Component& c = img.components[static_cast<std::size_t>(s.comp[ui])];
            if (need_dc && !tables.dc[s.td[ui]].defined)
                return fail(ErrorCode::InvalidValue, 0xDA, at, "Huffman table " + std::to_string(s.td[ui]) + " not defined");
            if (need_ac && !tables.ac[s.ta[ui]].defined)
                return fail(ErrorCode::InvalidValue, 0xDA, at, "AC Huffman table " + std::to_string(s.ta[ui]) + " not defined");
            if (!img.lossless() && !tables.q[c.tq].defined)
                return fail(ErrorCode::InvalidValue, 0xDA, at, "quantization table " + std::to_string(c.tq) + " not defined");
        }
        return s;
    }

    Result<void> run() {
        const std::size_t n = d.size();
        std::size_t pos = 0;
        if (n < 2 || d[0] != 0xFF || d[1] != 0xD8)
            return Unexpected(std::move(Error(ErrorCode::InvalidValue, "JPEG: no SOI marker at the start")).at_offset(0));
        pos = 2;
        bool scanned = false;
        while (true) {
            // Find the next marker; bytes between segments are skipped, fill bytes 0xFF too.
            while (pos < n && d[pos] != 0xFF) ++pos;
            while (pos + 1 < n && d[pos + 1] == 0xFF) ++pos;
            if (pos + 1 >= n) {
                if (scanned || header_only) break;  // a missing EOI is tolerated
                return Unexpected(std::move(Error(ErrorCode::Truncated, "JPEG: data ended before a scan")).at_offset(n));
            }
            const std::size_t at = pos;
            const int m = d[pos + 1];
            pos += 2;
            if (m == 0xD9) break;                          // EOI
            if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) continue;  // stray RSTn, TEM, SOI
            if (pos + 2 > n) return fail(ErrorCode::Truncated, m, at, "segment length past the end of data");
            const std::size_t len = u16(pos);
            if (len < 2) return fail(ErrorCode::InvalidLength, m, at, "length " + std::to_string(len) + " < 2");
            if (pos + len > n)
                return fail(ErrorCode::Truncated, m, at, "length " + std::to_string(len) + " past the end of data (" +
                                                          std::to_string(n - pos) + " bytes left)");
            const std::size_t body = pos + 2, blen = len - 2;
            pos += len;
            if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
                if (auto r = parse_sof(m, at, body, blen); !r) return r;
                if (header_only) return {};
            } else if (m == 0xC4) {
                if (auto r = parse_dht(at, body, blen); !r) return r;
            } else if (m == 0xCC) {
                return fail(ErrorCode::Unsupported, m, at, "arithmetic coding is not supported");
            } else if (m == 0xDB) {
                if (auto r = parse_dqt(at, body, blen); !r) return r;
            } else if (m == 0xDD) {
                if (blen < 2) return fail(ErrorCode::InvalidLength, m, at, "segment too short");
                tables.restart_interval = u16(body);
            } else if (m == 0xDC) {
                // DNL: the lines were taken from the caller at SOF; nothing more to do.
            } else if (m == 0xEE && blen >= 12 && std::memcmp(&d[body], "Adobe", 5) == 0) {
                img.adobe_seen = true;
                img.adobe_transform = d[body + 11];
            } else if (m == 0xDA) {
                if (header_only) return fail(ErrorCode::InvalidValue, m, at, "scan before the frame header");
                auto s = parse_sos(at, body, blen);
                if (!s) return Unexpected(s.error());
                auto end = img.lossless()      ? detail::decode_lossless_scan(img, tables, *s, d, pos)
                           : img.progressive() ? detail::decode_progressive_scan(img, tables, *s, d, pos)
                                               : detail::decode_dct_scan(img, tables, *s, d, pos);
                if (!end) return Unexpected(end.error());
                pos = *end;
                for (int i = 0; i < s->count; ++i) decoded[static_cast<std::size_t>(s->comp[static_cast<std::size_t>(i)])] = true;
                scanned = true;
            }
            // APPn, COM and other segments are skipped.
        }
        if (!have_frame) return Unexpected(std::move(Error(ErrorCode::InvalidValue, "JPEG: no frame header")).at_offset(pos));
        if (header_only) return {};
        if (img.progressive()) detail::finish_progressive(img, tables);
        for (std::size_t i = 0; i < decoded.size(); ++i)
            if (!decoded[i])
                return Unexpected(std::move(Error(ErrorCode::Truncated, "JPEG: component " +
                                                  std::to_string(img.components[i].id) + " has no scan")).at_offset(pos));
        return {};
    }
};

}  // namespace

namespace detail {

namespace {

/// The look-up entries of one code of length l <= kLutBits: every continuation of the code's bits.
void fill_lut(HuffTable& t, int l, std::int32_t code, int symbol, bool ac) {
    const int free = kLutBits - l;
    const int s = ac ? (symbol & 15) : symbol;  // extra bits after the code
    const auto base = static_cast<std::size_t>(code) << free;
    for (std::size_t j = 0; j < (std::size_t{1} << free); ++j) {
        std::int32_t e = (l << 4) | (symbol << 8);
        if (s <= free && s < 16) {  // the extra bits are in the look-up too (SSSS 16: none, but 32768)
            const int v = s == 0 ? 0 : extend(static_cast<std::uint32_t>(j >> (free - s)) & ((1u << s) - 1), s);
            e |= (l + s) | static_cast<std::int32_t>(static_cast<std::uint32_t>(v) << 16);
        }
        t.lut[base + j] = e;
    }
}

}  // namespace

bool build_huffman(HuffTable& t, const std::uint8_t* bits, const std::uint8_t* vals, int count, bool ac) {
    t = HuffTable{};
    std::copy(vals, vals + count, t.values.begin());
    std::int32_t code = 0;
    int k = 0;
    for (int l = 1; l <= 16; ++l) {
        const int n = bits[l - 1];
        const auto ul = static_cast<std::size_t>(l);
        t.valoffset[ul] = k - code;
        if (n == 0) {
            t.maxcode[ul] = -1;
        } else {
            for (int i = 0; i < n; ++i, ++k, ++code) {
                if (code >= (1 << l)) return false;
                if (l <= kLutBits) fill_lut(t, l, code, vals[k], ac);
            }
            t.maxcode[ul] = code - 1;
        }
        code <<= 1;
    }
    t.maxcode[17] = 0x7FFFFFFF;
    t.defined = true;
    return true;
}

}  // namespace detail

Result<Image> read_header(std::span<const std::uint8_t> data) {
    Parser p{data, {}, {}, {}, false, {}, true};
    if (auto r = p.run(); !r) return Unexpected(r.error());
    return std::move(p.img);
}

Result<Image> decode(std::span<const std::uint8_t> data, const DecodeLimits& limits) {
    Parser p{data, limits, {}, {}, false, {}, false};
    if (auto r = p.run(); !r) return Unexpected(r.error());
    return std::move(p.img);
}

Result<void> decode(std::span<const std::uint8_t> data, const DecodeLimits& limits, Image& img) {
    Parser p{data, limits, {}, {}, false, {}, false};
    for (std::size_t i = 0; i < img.components.size() && i < p.spare_planes.size(); ++i) {
        p.spare_planes[i] = std::move(img.components[i].plane);
        p.spare_coef[i] = std::move(img.components[i].coef);
    }
    auto r = p.run();
    img = std::move(p.img);
    return r;
}

}  // namespace dicomkit::pixel::jpeg
