// The uncompressed transcoder.
#include <dicomkit/net/dimse/transcoder.hpp>

namespace dicomkit::net::dimse {

bool UncompressedTranscoder::can_convert(const io::TransferSyntax& from, const io::TransferSyntax& to) const {
    return from == to || (!from.encapsulated && !to.encapsulated);
}

Result<void> UncompressedTranscoder::convert(DataSet&, const io::TransferSyntax& from,
                                             const io::TransferSyntax& to) const {
    if (!can_convert(from, to))
        return make_error(ErrorCode::Unsupported, "no codec to convert " + std::string(from.name) + " to " +
                                                      std::string(to.name));
    return {};
}

}  // namespace dicomkit::net::dimse
