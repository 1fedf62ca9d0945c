// Builds the registry of every codec compiled in.
#include <dicomkit/pixel/codecs.hpp>

#include <memory>

#include <dicomkit/pixel/rle/rle_codec.hpp>
#include <dicomkit/pixel/simple/simple_codecs.hpp>

namespace dicomkit::pixel {

CodecRegistry standard_codecs() {
    CodecRegistry r;
    // One line a codec, in order of preference for the syntaxes two codecs share.
    r.add(std::make_shared<rle::RleCodec>());
    r.add(std::make_shared<simple::DeflatedFrameCodec>());
    r.add(std::make_shared<simple::EncapsulatedUncompressedCodec>());
    return r;
}

}  // namespace dicomkit::pixel
