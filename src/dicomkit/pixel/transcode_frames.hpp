// The output side of transcode(): 1-bit frames packed into a native value (PS3.5 8.1.1), and the
// offset tables of encapsulated pixel data (PS3.5 A.4). Frames are read through FrameSet.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/pixel/codec.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace dicomkit::pixel::detail {

/// Packs 1-bit frames one after the other without padding (PS3.5 8.1.1), padded to even length.
[[nodiscard]] Bytes pack_bit_frames(const std::vector<Bytes>& frames, const PixelInfo& info);

/// The Basic Offset Table of fragments of `sizes` bytes (each an item: 8 bytes of header and its
/// value), or the Extended Offset Table's offsets and lengths when a frame starts past 4 GiB
/// (the Basic one empty then).
struct OffsetTables {
    Bytes basic;
    std::vector<std::uint64_t> extended_offsets;
    std::vector<std::uint64_t> extended_lengths;
};
[[nodiscard]] OffsetTables offset_tables(std::span<const std::uint64_t> sizes);

}  // namespace dicomkit::pixel::detail
