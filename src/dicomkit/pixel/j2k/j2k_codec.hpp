// JPEG 2000 (PS3.5 A.4.4, ISO/IEC 15444-1) through OpenJPEG: the lossless-only (.90) and the
// lossless or lossy (.91) syntaxes, and the OpenJPEG decoder other JPEG 2000 codecs fall back to.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel {

class J2kCodec final : public PixelCodec {
public:
    [[nodiscard]] std::string_view name() const override;
    [[nodiscard]] std::span<const std::string_view> decodes() const override;
    [[nodiscard]] std::span<const std::string_view> encodes() const override;
    [[nodiscard]] PixelInfo decoded_info(std::string_view ts, const PixelInfo& stored) const override;
    [[nodiscard]] Result<void> decode(std::string_view ts, std::span<const std::uint8_t> encoded,
                                      const PixelInfo& stored, std::span<std::uint8_t> out) const override;
    [[nodiscard]] Result<void> can_encode(std::string_view ts, const PixelInfo& native,
                                          const EncodeOptions& options) const override;
    [[nodiscard]] PixelInfo encoded_info(std::string_view ts, const PixelInfo& native,
                                         const EncodeOptions& options) const override;
    [[nodiscard]] Result<Bytes> encode(std::string_view ts, std::span<const std::uint8_t> frame,
                                       const PixelInfo& native, const EncodeOptions& options) const override;
    [[nodiscard]] bool lossy(std::string_view ts, const EncodeOptions& options) const override;
};

namespace j2k {

/// Decodes a JPEG 2000 codestream, or a JP2 file holding one (ISO/IEC 15444-1 Annex A and I),
/// with OpenJPEG into `out`, laid out as decoded_layout(stored). The image must have the rows,
/// columns and samples of `stored`; errors carry OpenJPEG's messages. HTJ2K codestreams
/// (ISO/IEC 15444-15) decode too. `threads` > 1 lets OpenJPEG decode code blocks in parallel.
[[nodiscard]] Result<void> openjpeg_decode(std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                                           std::span<std::uint8_t> out, int threads = 1);

struct OpenJpegEncode {
    bool reversible = true;           ///< 5/3 wavelet and RCT, else 9/7 and ICT
    double compression_ratio = 10;    ///< when not reversible
    bool colour_transform = false;    ///< RCT/ICT on three components
};

/// Encodes a native frame (planar configuration 0) as a J2K codestream.
[[nodiscard]] Result<Bytes> openjpeg_encode(std::span<const std::uint8_t> frame, const PixelInfo& native,
                                            const OpenJpegEncode& how);

/// Checks the SIZ, COD and COC marker segments of a codestream's main header (ISO/IEC 15444-1
/// A.5.1, A.6.1, A.6.2) against the standard's ranges: OpenJPH 0.9 trusts them and allocates for
/// them (110 decomposition levels take gigabytes), OpenJPEG allocates for every tile of the grid
/// and for the image the SIZ describes, which must be the `expected` frame (rows, columns, samples).
[[nodiscard]] Result<void> check_main_header(std::span<const std::uint8_t> codestream, const PixelInfo& expected);

/// "OpenJPEG 2.5.0".
[[nodiscard]] std::string_view openjpeg_name();

}  // namespace j2k

}  // namespace dicomkit::pixel
