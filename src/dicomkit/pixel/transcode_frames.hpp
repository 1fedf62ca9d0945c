// The frame plumbing of transcode(): which fragments make up each frame of encapsulated pixel data
// (PS3.5 A.4), native frames in and out of a value (1-bit frames included), planar configuration.
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

/// For each of `frames` frames, the fragments (first index, count) that hold it: from the
/// Extended Offset Table (7FE0,0001) of `ds` when present, else the Basic Offset Table, else one
/// frame of all fragments, one fragment a frame, or the fragments that start with a JPEG, JPEG
/// 2000 or JPEG XL start marker when those are as many as the frames.
[[nodiscard]] Result<std::vector<std::pair<std::size_t, std::size_t>>> frame_fragments(
    const DataSet& ds, const PixelFragments& pf, std::uint32_t frames);

/// Frame `index` of a native value laid out as `info` (1-bit frames shifted to start at bit 0),
/// with planar configuration 1 turned into 0; into `scratch` when it must be copied.
[[nodiscard]] std::span<const std::uint8_t> native_frame(std::span<const std::uint8_t> value, const PixelInfo& info,
                                                         std::uint32_t index, Bytes& scratch);

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
