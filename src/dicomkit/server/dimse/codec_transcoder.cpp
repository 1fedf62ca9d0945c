// The registry-backed Transcoder.
#include <dicomkit/server/dimse/codec_transcoder.hpp>

namespace dicomkit::server::dimse {

CodecTranscoder::CodecTranscoder(std::shared_ptr<const pixel::CodecRegistry> registry, pixel::TranscodeOptions options)
    : registry_(std::move(registry)), options_(options) {
    if (!registry_) registry_ = std::make_shared<const pixel::CodecRegistry>();
}

bool CodecTranscoder::can_convert(const io::TransferSyntax& from, const io::TransferSyntax& to) const {
    if (from == to || (!from.encapsulated && !to.encapsulated)) return true;
    if (!pixel::can_transcode(from, to, *registry_)) return false;
    return options_.allow_lossy || !pixel::transcode_is_lossy(to, *registry_, options_.encode);
}

Result<void> CodecTranscoder::convert(DataSet& ds, const io::TransferSyntax& from, const io::TransferSyntax& to) const {
    if (!can_convert(from, to))
        return make_error(ErrorCode::Unsupported, "no codec to convert " + pixel::describe_syntax(from.uid) + " to " +
                                                      pixel::describe_syntax(to.uid));
    return pixel::transcode(ds, from, to, *registry_, options_);
}

}  // namespace dicomkit::server::dimse
