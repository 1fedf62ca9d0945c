// Builds the registry of every codec compiled in.
#include <dicomkit/pixel/codecs.hpp>

#include <memory>

#include <dicomkit/pixel/htj2k/htj2k_codec.hpp>
#include <dicomkit/pixel/j2k/j2k_codec.hpp>
#include <dicomkit/pixel/rle/rle_codec.hpp>
#include <dicomkit/pixel/simple/simple_codecs.hpp>
#include <dicomkit/pixel/jpeg/jpeg_codec.hpp>
#include <dicomkit/pixel/jpegls/jpegls_codec.hpp>
#include <dicomkit/pixel/jxl/jxl_codec.hpp>

namespace dicomkit::pixel {

CodecRegistry standard_codecs() {
    CodecRegistry r;
    // One line a codec, in order of preference for the syntaxes two codecs share.
    r.add(std::make_shared<rle::RleCodec>());
    r.add(std::make_shared<simple::DeflatedFrameCodec>());
    r.add(std::make_shared<simple::EncapsulatedUncompressedCodec>());
    r.add(std::make_shared<JpegCodec>());
    r.add(std::make_shared<JpegLsCodec>());
    r.add(std::make_shared<JxlCodec>());
    r.add(std::make_shared<J2kCodec>());
    r.add(std::make_shared<Htj2kCodec>());
    return r;
}

}  // namespace dicomkit::pixel
