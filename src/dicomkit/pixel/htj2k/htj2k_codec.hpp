// High-Throughput JPEG 2000 (PS3.5 A.4.6, ISO/IEC 15444-15) through OpenJPH: HTJ2K Lossless
// (.201), HTJ2K Lossless RPCL (.202) and HTJ2K (.203); OpenJPEG decodes what OpenJPH refuses.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel {

class Htj2kCodec final : public PixelCodec {
public:
    /// Which library decodes. OpenJPH 0.9 (Debian's build keeps its assertions) aborts the
    /// process on some corrupt packet headers, which no check before it can rule out, so frames
    /// of unknown origin are decoded with OpenJPEG 2.5 (about 5-10x slower on HTJ2K). OpenJph is
    /// for trusted frames (e.g. ones this process encoded): OpenJPH first, OpenJPEG for what it
    /// refuses.
    enum class Decoder { OpenJpeg, OpenJph };
    explicit Htj2kCodec(Decoder decoder = Decoder::OpenJpeg) noexcept : decoder_(decoder) {}

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

private:
    Decoder decoder_;
};

namespace htj2k {

/// Decodes an HTJ2K codestream with OpenJPH alone (no fallback); errors carry its message. The
/// main header is checked first, but corrupt packet data can still abort in OpenJPH 0.9.
[[nodiscard]] Result<void> openjph_decode(std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                                          std::span<std::uint8_t> out);

/// The first quantisation step tried for a target compression ratio (0.02 at 10:1, in proportion
/// to the ratio); the encoder then searches for the step that meets the ratio, as OpenJPH has no
/// rate control (ISO/IEC 15444-15 leaves it to the encoder).
[[nodiscard]] float quantisation_step(double compression_ratio) noexcept;

}  // namespace htj2k

}  // namespace dicomkit::pixel
