// The Value Field of encapsulated Pixel Data (PS3.5 A.4) as one byte string, for InlineBinary
// and bulk data: an Item holding the Basic Offset Table, one Item per fragment, then a Sequence
// Delimitation Item, all little endian.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <dicomkit/core/dataset.hpp>

namespace dicomkit::json::detail {

/// Appends the encapsulated Value Field of `f` to `out`.
void append_encapsulated(Bytes& out, const PixelFragments& f);

/// Parses an encapsulated Value Field: Items (the first being the offset table) followed by a
/// Sequence Delimitation Item (which may be missing at the very end). nullopt when the bytes are
/// not such a structure, in which case the caller keeps them as native data.
[[nodiscard]] std::optional<PixelFragments> parse_encapsulated(std::span<const std::uint8_t> bytes);

}  // namespace dicomkit::json::detail
