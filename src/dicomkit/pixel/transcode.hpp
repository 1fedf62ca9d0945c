// Transcoding a data set's pixel data from one transfer syntax to another (native <-> encapsulated,
// encapsulated <-> encapsulated) through decoded frames, frame-parallel, with the Image Pixel
// Module and the Lossy Image Compression attributes updated (PS3.5 8.2, A.4; PS3.3 C.7.6.1.1.5).
#pragma once

#include <cstdint>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/pixel/codec.hpp>
#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace dicomkit::pixel {

struct TranscodeOptions {
    EncodeOptions encode;      ///< quality, ratio, NEAR, predictor for the target's encoder
    bool allow_lossy = false;  ///< refuse an encoding that loses information unless true
    unsigned threads = 0;      ///< frames transcoded at once for multi-frame data; 0: hardware concurrency
    PixelLimits limits;        ///< what describe() accepts
    std::string_view source;   ///< names the data set in errors (a file name), may be empty
};

/// Whether `registry` can take pixel data from `from` to `to` at all: true when both are native
/// (the writer does that), when the same, else when `from` is native or decodable and `to` native
/// or encodable. The data set may still be refused (bits, photometric, lossy): see transcode().
[[nodiscard]] bool can_transcode(const io::TransferSyntax& from, const io::TransferSyntax& to,
                                 const CodecRegistry& registry) noexcept;

/// Whether encoding in `to` with `options` loses information (false for native targets and
/// syntaxes without an encoder).
[[nodiscard]] bool transcode_is_lossy(const io::TransferSyntax& to, const CodecRegistry& registry,
                                      const EncodeOptions& options) noexcept;

/// Changes `ds` (read in `from`, group 0002 removed or kept) so that writing it in `to` gives a
/// valid data set of that syntax. Frames are decoded with the registry's decoder of `from` (when
/// encapsulated) and encoded with its encoder of `to` (when encapsulated); a multi-frame data set
/// is done `options.threads` frames at a time. Encapsulated output has one fragment per frame
/// (even length) and a Basic Offset Table, or an Extended Offset Table (7FE0,0001-0002) and an
/// empty Basic one when the fragments pass 4 GiB (PS3.5 A.4). The pixel attributes become the
/// encoder's encoded_info() (or the decoder's decoded_info() for a native target); a lossy
/// encoding sets Lossy Image Compression (0028,2110) "01" and appends its ratio (0028,2112) and
/// method (0028,2114) to those already there (PS3.3 C.7.6.1.1.5), and is refused
/// (ErrorCode::Unsupported) unless options.allow_lossy. A data set without pixel data, or
/// between two native syntaxes, is left as it is. Errors name the frame and the syntax. On error
/// `ds` is unchanged.
[[nodiscard]] Result<void> transcode(DataSet& ds, const io::TransferSyntax& from, const io::TransferSyntax& to,
                                     const CodecRegistry& registry, const TranscodeOptions& options = {});

/// Writes `file` as a Part 10 file at `path` in the native little endian syntax `to`, decoding
/// its encapsulated frames on `options.threads` threads, each frame written to its place in the
/// file as soon as it is decoded (memory: one frame for each thread, beside the mapped input).
/// The result is the file write_file() would write after transcode(). `file` must have been read
/// with `stop_before` = Pixel Data, so that its fragments stay in the mapped file. Returns false,
/// having written nothing, when this path does not apply (a native source or a deflated, big
/// endian or encapsulated target, elements after the pixel data, 1-bit or float pixels, a group
/// length for group 7FE0, a file that cannot be split into frames, more than 4 GiB): then
/// transcode() and write_file() do it. A decoding error removes the partial file.
[[nodiscard]] Result<bool> transcode_to_file(const io::DicomFile& file, const io::TransferSyntax& to,
                                             const CodecRegistry& registry, const TranscodeOptions& options,
                                             const std::string& path, const io::FileWriteOptions& write = {});

/// A transfer syntax by UID, keyword ("JPEGLSLossless", exact case first), a codec alias (any
/// case): rle, jpeg (baseline), jpeg-extended, jpeg-lossless (SV1), jpeg-lossless-14, jpeg-ls,
/// jpeg-ls-near, j2k (lossless), j2k-lossy, htj2k (lossless), htj2k-rpcl, htj2k-lossy, jpegxl,
/// jpegxl-lossless, deflated-frame, encapsulated; or the names of io::find_transfer_syntax_by_name
/// (implicit, explicit, big, deflated, keywords in any case). nullptr when none is called that.
[[nodiscard]] const io::TransferSyntax* find_syntax(std::string_view name) noexcept;

}  // namespace dicomkit::pixel
