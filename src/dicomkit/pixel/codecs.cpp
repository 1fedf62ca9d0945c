// Builds the registry of every codec compiled in.
#include <dicomkit/pixel/codecs.hpp>

namespace dicomkit::pixel {

CodecRegistry standard_codecs() {
    CodecRegistry r;
    // One line a codec, in order of preference for the syntaxes two codecs share.
    return r;
}

}  // namespace dicomkit::pixel
