// Codecs whose frames are the native bytes, deflated or not: Deflated Image Frame Compression
// (1.2.840.10008.1.2.8.1, PS3.5 A.4.13) and Encapsulated Uncompressed Explicit VR Little Endian
// (1.2.840.10008.1.2.1.98, PS3.5 A.4.11).
#pragma once

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel::simple {

/// Each frame's native bytes deflated on their own (RFC 1951), padded to even length.
class DeflatedFrameCodec final : public PixelCodec {
public:
    [[nodiscard]] std::string_view name() const override { return "Deflated Image Frame (zlib)"; }
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

/// Each frame's native bytes in one fragment, padded to even length.
class EncapsulatedUncompressedCodec final : public PixelCodec {
public:
    [[nodiscard]] std::string_view name() const override { return "Encapsulated Uncompressed"; }
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

}  // namespace dicomkit::pixel::simple
