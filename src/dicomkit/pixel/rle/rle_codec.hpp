// RLE Lossless (PS3.5 Annex G, 1.2.840.10008.1.2.5): decode and encode.
#pragma once

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel::rle {

/// Byte segments in PackBits runs, one segment per byte of each sample, most significant byte
/// first (PS3.5 G.2); 8, 16, 32 and 64 bits allocated, up to 15 segments.
class RleCodec final : public PixelCodec {
public:
    [[nodiscard]] std::string_view name() const override { return "RLE"; }
    [[nodiscard]] std::span<const std::string_view> decodes() const override;
    [[nodiscard]] std::span<const std::string_view> encodes() const override;
    [[nodiscard]] PixelInfo decoded_info(std::string_view ts, const PixelInfo& stored) const override;
    [[nodiscard]] Result<void> decode(std::string_view ts, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                                      std::span<std::uint8_t> out) const override;
    [[nodiscard]] Result<void> can_encode(std::string_view ts, const PixelInfo& native,
                                          const EncodeOptions& options) const override;
    [[nodiscard]] PixelInfo encoded_info(std::string_view ts, const PixelInfo& native,
                                         const EncodeOptions& options) const override;
    [[nodiscard]] Result<Bytes> encode(std::string_view ts, std::span<const std::uint8_t> frame, const PixelInfo& native,
                                       const EncodeOptions& options) const override;
    [[nodiscard]] bool lossy(std::string_view, const EncodeOptions&) const override { return false; }
};

}  // namespace dicomkit::pixel::rle
