// The output side of transcode(): 1-bit frames packed, offset tables.
#include <dicomkit/pixel/transcode_frames.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace dicomkit::pixel::detail {

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
