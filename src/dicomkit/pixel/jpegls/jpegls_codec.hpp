// JpegLsCodec: JPEG-LS lossless and near-lossless (PS3.5 A.4.3, ISO/IEC 14495-1) through CharLS.
#pragma once

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel {

/// Decodes and encodes 1.2.840.10008.1.2.4.80 (JPEG-LS Lossless) and .81 (JPEG-LS Near-Lossless),
/// 2 to 16 bits stored in 8- or 16-bit containers, 1 or 3 samples per pixel.
///
/// Decoding accepts every interleave mode (none, line, sample) and writes planar configuration 0.
/// Signed data (PS3.5 8.2.3) is coded as its Bits Stored bits taken as unsigned; decoding sign
/// extends them into the container, encoding masks them. Streams without an LSE segment that do
/// not decode with the default coding parameters of T.87 C.2.4.1.1 are tried again with the
/// thresholds legacy encoders used without writing them: JAI-ImageIO for more than 12 bits
/// (FACTOR from the unclamped MAXVAL), CharLS before 2.1 and the DCMTK built on it for fewer than
/// 8 bits (the MAXVAL >= 128 formulas throughout).
/// Encoding writes one sample-interleaved scan with default coding parameters; .81 uses
/// EncodeOptions::near_lossless as NEAR.
class JpegLsCodec final : public PixelCodec {
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

}  // namespace dicomkit::pixel
