// Options for reading data sets and files, and the warnings a lenient read collects.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/tag.hpp>

namespace dicomkit::io {

struct ReadOptions {
    /// Stop at the first top-level element whose tag is >= this one (e.g. PixelData): it and
    /// everything after it are not read.
    std::optional<Tag> stop_before;
    /// Values longer than this are not copied but recorded as DeferredValue (offset, length) and
    /// can be loaded later with load_deferred().
    std::uint64_t defer_larger_than = std::numeric_limits<std::uint64_t>::max();
    /// Every deviation from the standard that a lenient read accepts with a warning (odd length,
    /// bad VR, missing meta, wrong group length, trailing garbage, ...) becomes an error.
    bool strict = false;
    /// Sequences nested deeper than this are an error (protects the stack).
    std::uint32_t max_depth = 64;
    /// Explicit VR UN elements that the dictionary knows are read as the dictionary's VR.
    bool resolve_un = true;
};

/// What a lenient read noticed; each entry has the offset and tag path.
struct Diagnostics {
    std::vector<Error> warnings;
};

}  // namespace dicomkit::io
