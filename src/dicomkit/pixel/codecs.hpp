// The registry of every codec this build has, for applications to build and pass down.
#pragma once

#include <dicomkit/pixel/codec_registry.hpp>

namespace dicomkit::pixel {

/// A registry with every codec compiled in, the preferred codec of a syntax first.
[[nodiscard]] CodecRegistry standard_codecs();

}  // namespace dicomkit::pixel
