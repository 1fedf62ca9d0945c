// Builds the registry of every codec compiled in.
#include <dicomkit/pixel/codecs.hpp>

#include <memory>

#include <dicomkit/pixel/jpegls/jpegls_codec.hpp>
#include <dicomkit/pixel/jxl/jxl_codec.hpp>

namespace dicomkit::pixel {

CodecRegistry standard_codecs() {
    CodecRegistry r;
    // One line a codec, in order of preference for the syntaxes two codecs share.
    r.add(std::make_shared<JpegLsCodec>());
    r.add(std::make_shared<JxlCodec>());
    return r;
}

}  // namespace dicomkit::pixel
