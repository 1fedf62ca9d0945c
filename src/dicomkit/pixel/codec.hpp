// PixelCodec: decodes and encodes the frames of one or more encapsulated transfer syntaxes
// (PS3.5 8.2, Annex A.4). Codecs work on one frame at a time; frame splitting, frame-parallel
// transcoding and attribute updates are done by their callers (frames.hpp, transcode.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace dicomkit::pixel {

using Bytes = std::vector<std::uint8_t>;

/// What an encoder is asked for. Each codec uses the fields that concern it.
struct EncodeOptions {
    int quality = 90;             ///< lossy JPEG / JPEG XL quality, 1..100
    double compression_ratio = 10; ///< lossy JPEG 2000 / HTJ2K target ratio (uncompressed : compressed)
    int near_lossless = 2;        ///< JPEG-LS NEAR for the near-lossless syntax (.81); 0 for .80
    int predictor = 1;            ///< JPEG lossless (.57) selection value 1..7; .70 always uses 1
};

class PixelCodec {
public:
    virtual ~PixelCodec() = default;

    /// A short name for messages and --version ("RLE", "libjpeg-turbo 2.1.5", "CharLS 2.4").
    [[nodiscard]] virtual std::string_view name() const = 0;
    /// The transfer syntax UIDs this codec decodes, and those it encodes.
    [[nodiscard]] virtual std::span<const std::string_view> decodes() const = 0;
    [[nodiscard]] virtual std::span<const std::string_view> encodes() const = 0;

    /// How a frame stored as `stored` in `ts` looks once decoded: e.g. JPEG of YBR_FULL_422 gives
    /// RGB, JPEG 2000 with YBR_RCT/YBR_ICT gives RGB, planar configuration 0. Same rows,
    /// columns, samples, bits allocated and signedness.
    [[nodiscard]] virtual PixelInfo decoded_info(std::string_view ts, const PixelInfo& stored) const = 0;
    /// Decodes one frame's bitstream into `out`, which is decoded_info(ts, stored).frame_bytes()
    /// long. An error names what is wrong in the bitstream (marker, offset).
    [[nodiscard]] virtual Result<void> decode(std::string_view ts, std::span<const std::uint8_t> encoded,
                                              const PixelInfo& stored, std::span<std::uint8_t> out) const = 0;

    /// Whether frames laid out as `native` can be encoded in `ts`; the error says why not
    /// (e.g. "JPEG Baseline (Process 1) takes 8-bit samples; this image has 16").
    [[nodiscard]] virtual Result<void> can_encode(std::string_view ts, const PixelInfo& native,
                                                  const EncodeOptions& options) const = 0;
    /// The pixel attributes the data set has once encoded in `ts`: photometric (YBR_FULL_422 for
    /// lossy JPEG of colour, YBR_RCT / YBR_ICT for JPEG 2000 with its colour transform, RGB ...),
    /// planar configuration 0.
    [[nodiscard]] virtual PixelInfo encoded_info(std::string_view ts, const PixelInfo& native,
                                                 const EncodeOptions& options) const = 0;
    /// Encodes one native frame (planar configuration 0, laid out as `native`).
    [[nodiscard]] virtual Result<Bytes> encode(std::string_view ts, std::span<const std::uint8_t> frame,
                                               const PixelInfo& native, const EncodeOptions& options) const = 0;
    /// Whether encoding in `ts` with `options` loses information (PS3.3 C.7.6.1.1.5).
    [[nodiscard]] virtual bool lossy(std::string_view ts, const EncodeOptions& options) const = 0;
};

}  // namespace dicomkit::pixel
