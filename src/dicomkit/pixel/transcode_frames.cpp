// Frame plumbing of transcode(): fragments per frame, native frames, offset tables.
#include <dicomkit/pixel/transcode_frames.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace dicomkit::pixel::detail {

namespace {

constexpr Tag kExtendedOffsetTable{0x7FE0, 0x0001};

std::uint64_t load_le(const std::uint8_t* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{p[i]} << (8 * i);
    return v;
}

/// Maps frame offsets (from the first fragment item's first byte) to fragment ranges.
Result<std::vector<std::pair<std::size_t, std::size_t>>> ranges_from_offsets(const std::vector<std::uint64_t>& offsets,
                                                                            const PixelFragments& pf,
                                                                            std::string_view table) {
    std::vector<std::uint64_t> starts(pf.fragments.size());
    std::uint64_t pos = 0;
    for (std::size_t k = 0; k < pf.fragments.size(); ++k) {
        starts[k] = pos;
        pos += 8 + pf.fragments[k].size();
    }
    std::vector<std::size_t> first(offsets.size());
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        auto it = std::lower_bound(starts.begin(), starts.end(), offsets[i]);
        if (it == starts.end() || *it != offsets[i] || (i > 0 && offsets[i] <= offsets[i - 1]))
            return make_error(ErrorCode::InvalidValue,
                              fmt::format("{}: the offset of frame {} ({}) is not the start of a fragment after the "
                                          "previous frame's",
                                          table, i + 1, offsets[i]));
        first[i] = static_cast<std::size_t>(it - starts.begin());
    }
    std::vector<std::pair<std::size_t, std::size_t>> out(offsets.size());
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        const std::size_t end = i + 1 < offsets.size() ? first[i + 1] : pf.fragments.size();
        out[i] = {first[i], end - first[i]};
    }
    return out;
}

bool starts_frame(const Bytes& f) {
    if (f.size() >= 2 && f[0] == 0xFF && (f[1] == 0xD8 || f[1] == 0x0A)) return true;  // JPEG SOI, JPEG XL
    if (f.size() >= 4 && f[0] == 0xFF && f[1] == 0x4F && f[2] == 0xFF && f[3] == 0x51) return true;  // J2K SOC SIZ
    static constexpr std::uint8_t kJxlBox[] = {0, 0, 0, 0x0C, 'J', 'X', 'L', ' '};
    return f.size() >= 8 && std::memcmp(f.data(), kJxlBox, 8) == 0;
}

}  // namespace

Result<std::vector<std::pair<std::size_t, std::size_t>>> frame_fragments(const DataSet& ds, const PixelFragments& pf,
                                                                        std::uint32_t frames) {
    const std::size_t n = pf.fragments.size();
    if (n == 0) return make_error(ErrorCode::InvalidValue, "the encapsulated pixel data has no fragments");
    if (const Element* eot = ds.find(kExtendedOffsetTable); eot && !eot->bytes().empty()) {
        auto b = eot->bytes();
        if (b.size() != std::size_t{8} * frames)
            return make_error(ErrorCode::InvalidValue,
                              fmt::format("Extended Offset Table (7FE0,0001) has {} bytes for {} frames", b.size(), frames));
        std::vector<std::uint64_t> offsets(frames);
        for (std::uint32_t i = 0; i < frames; ++i) offsets[i] = load_le(b.data() + 8 * i, 8);
        return ranges_from_offsets(offsets, pf, "Extended Offset Table (7FE0,0001)");
    }
    if (!pf.basic_offset_table.empty() && pf.basic_offset_table.size() == std::size_t{4} * frames) {
        std::vector<std::uint64_t> offsets(frames);
        for (std::uint32_t i = 0; i < frames; ++i) offsets[i] = load_le(pf.basic_offset_table.data() + 4 * i, 4);
        return ranges_from_offsets(offsets, pf, "Basic Offset Table");
    }
    std::vector<std::pair<std::size_t, std::size_t>> out;
    if (frames == 1) return std::vector<std::pair<std::size_t, std::size_t>>{{0, n}};
    if (n == frames) {
        for (std::size_t i = 0; i < n; ++i) out.emplace_back(i, 1);
        return out;
    }
    std::vector<std::size_t> firsts;
    for (std::size_t k = 0; k < n; ++k)
        if (starts_frame(pf.fragments[k])) firsts.push_back(k);
    if (firsts.size() == frames && firsts.front() == 0) {
        for (std::size_t i = 0; i < frames; ++i)
            out.emplace_back(firsts[i], (i + 1 < frames ? firsts[i + 1] : n) - firsts[i]);
        return out;
    }
    return make_error(ErrorCode::InvalidValue,
                      fmt::format("cannot tell which fragments make up each frame: no offset table, {} fragments "
                                  "for {} frames",
                                  n, frames));
}

std::span<const std::uint8_t> native_frame(std::span<const std::uint8_t> value, const PixelInfo& info,
                                           std::uint32_t index, Bytes& scratch) {
    const std::uint64_t fb = info.frame_bytes();
    if (info.bits_allocated == 1) {
        const std::uint64_t bits = info.frame_bits();
        const std::uint64_t first = bits * index;
        scratch.assign(fb, 0);
        const unsigned shift = static_cast<unsigned>(first % 8);
        const std::uint8_t* src = value.data() + first / 8;
        const std::size_t avail = value.size() - static_cast<std::size_t>(first / 8);
        for (std::uint64_t i = 0; i < fb; ++i) {
            unsigned v = i < avail ? src[i] >> shift : 0;
            if (shift && i + 1 < avail) v |= static_cast<unsigned>(src[i + 1]) << (8 - shift);
            scratch[i] = static_cast<std::uint8_t>(v);
        }
        if (bits % 8) scratch[fb - 1] &= static_cast<std::uint8_t>((1u << (bits % 8)) - 1);
        return scratch;
    }
    auto frame = value.subspan(static_cast<std::size_t>(fb * index), static_cast<std::size_t>(fb));
    if (info.planar_configuration == 0 || info.samples_per_pixel < 2) return frame;
    // Planar configuration 1: one plane per sample, turned into samples of a pixel together.
    const std::size_t bps = info.bytes_per_sample();
    const std::size_t spp = info.samples_per_pixel;
    const std::size_t pixels = std::size_t{info.rows} * info.columns;
    scratch.resize(frame.size());
    for (std::size_t s = 0; s < spp; ++s) {
        const std::uint8_t* plane = frame.data() + s * pixels * bps;
        std::uint8_t* dst = scratch.data() + s * bps;
        if (bps == 1) {
            for (std::size_t p = 0; p < pixels; ++p) dst[p * spp] = plane[p];
        } else {
            for (std::size_t p = 0; p < pixels; ++p) std::memcpy(dst + p * spp * bps, plane + p * bps, bps);
        }
    }
    return scratch;
}

Bytes pack_bit_frames(const std::vector<Bytes>& frames, const PixelInfo& info) {
    const std::uint64_t bits = info.frame_bits();
    const std::uint64_t total = (bits * frames.size() + 7) / 8;
    Bytes out(static_cast<std::size_t>(total + (total % 2)), 0);
    std::uint64_t pos = 0;
    for (const Bytes& f : frames) {
        if (pos % 8 == 0) {
            std::memcpy(out.data() + pos / 8, f.data(), static_cast<std::size_t>((bits + 7) / 8));
            if (bits % 8) out[static_cast<std::size_t>((pos + bits - 1) / 8)] &= static_cast<std::uint8_t>((1u << (bits % 8)) - 1);
        } else {
            for (std::uint64_t b = 0; b < bits; ++b)
                if (f[static_cast<std::size_t>(b / 8)] >> (b % 8) & 1)
                    out[static_cast<std::size_t>((pos + b) / 8)] |= static_cast<std::uint8_t>(1u << ((pos + b) % 8));
        }
        pos += bits;
    }
    return out;
}

OffsetTables offset_tables(std::span<const std::uint64_t> sizes) {
    OffsetTables t;
    std::uint64_t pos = 0;
    std::vector<std::uint64_t> offsets;
    offsets.reserve(sizes.size());
    for (std::uint64_t size : sizes) {
        offsets.push_back(pos);
        pos += 8 + size;
    }
    if (offsets.empty() || offsets.back() <= std::numeric_limits<std::uint32_t>::max()) {
        t.basic.resize(offsets.size() * 4);
        for (std::size_t i = 0; i < offsets.size(); ++i)
            for (int b = 0; b < 4; ++b) t.basic[4 * i + b] = static_cast<std::uint8_t>(offsets[i] >> (8 * b));
        return t;
    }
    // PS3.5 A.4: the Basic Offset Table cannot address past 4 GiB; the Extended one can.
    t.extended_offsets = std::move(offsets);
    t.extended_lengths.assign(sizes.begin(), sizes.end());
    return t;
}

}  // namespace dicomkit::pixel::detail
