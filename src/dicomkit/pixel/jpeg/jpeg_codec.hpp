// The JPEG (ITU-T T.81) codec: Baseline (.50), Extended (.51), Lossless (.57) and Lossless SV1
// (.70). 8-bit DCT decodes through libjpeg-turbo with our decoder as fallback; 12-bit and
// lossless decode with our own; encodes .50 with libjpeg-turbo and .57/.70 with our own.
#pragma once

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel {

namespace jpeg_ts {
inline constexpr std::string_view kBaseline = "1.2.840.10008.1.2.4.50";
inline constexpr std::string_view kExtended = "1.2.840.10008.1.2.4.51";
inline constexpr std::string_view kLossless = "1.2.840.10008.1.2.4.57";
inline constexpr std::string_view kLosslessSV1 = "1.2.840.10008.1.2.4.70";
}  // namespace jpeg_ts

class JpegCodec final : public PixelCodec {
public:
    /// `use_turbo` false decodes 8-bit DCT with our own decoder too (for tests and comparison).
    explicit JpegCodec(bool use_turbo = true) : use_turbo_(use_turbo) {}

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
    bool use_turbo_;
};

}  // namespace dicomkit::pixel
