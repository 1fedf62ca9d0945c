// The codec seam of the SCU: when the presentation context accepted for a C-STORE has another
// transfer syntax than the data set's, a Transcoder says whether it can convert and makes the
// data set encodable in the accepted one. net/ knows only the uncompressed conversions; codecs
// (pixel/) come in through this interface, built by the applications.
#pragma once

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/io/transfer_syntax.hpp>

namespace dicomkit::net::dimse {

class Transcoder {
public:
    virtual ~Transcoder() = default;
    /// Whether a data set read in `from` can be sent in `to`.
    [[nodiscard]] virtual bool can_convert(const io::TransferSyntax& from, const io::TransferSyntax& to) const = 0;
    /// Changes `ds` (read in `from`, group 0002 removed) so that encoding it in `to` gives a valid
    /// data set of that syntax (e.g. Pixel Data decompressed or compressed, PS3.5 8.2). Called
    /// only when can_convert(from, to) and from != to; the caller encodes.
    [[nodiscard]] virtual Result<void> convert(DataSet& ds, const io::TransferSyntax& from,
                                               const io::TransferSyntax& to) const = 0;
};

/// Between the native (unencapsulated) syntaxes, deflated included: the data set in memory does
/// not depend on them, encoding does the work (PS3.5 A.1-A.3, A.5). Encapsulated ones only to
/// themselves.
class UncompressedTranscoder final : public Transcoder {
public:
    [[nodiscard]] bool can_convert(const io::TransferSyntax& from, const io::TransferSyntax& to) const override;
    [[nodiscard]] Result<void> convert(DataSet& ds, const io::TransferSyntax& from,
                                       const io::TransferSyntax& to) const override;
};

}  // namespace dicomkit::net::dimse
