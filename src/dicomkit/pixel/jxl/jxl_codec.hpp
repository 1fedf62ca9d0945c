// JxlCodec: JPEG XL (PS3.5 A.4.11, ISO/IEC 18181) through libjxl.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel {

namespace detail {
class JxlLibrary;
struct JxlApi;
}  // namespace detail

/// Decodes 1.2.840.10008.1.2.4.110 (JPEG XL Lossless), .111 (JPEG XL JPEG Recompression, decoded
/// to pixels) and .112 (JPEG XL); encodes .110 and .112 (EncodeOptions::quality, 100 meaning
/// lossless). Unsigned samples in 8- or 16-bit containers, MONOCHROME2 or RGB (1 or 3 samples);
/// colour decodes to RGB, planar configuration 0. libjxl 0.7 gives samples scaled to the full
/// container range, so streams of other bit depths are scaled back to their own range.
/// libjxl is opened at the first frame decoded or encoded, not when the codec is made: without
/// it, those calls fail with an error naming the library, and everything else works.
class JxlCodec final : public PixelCodec {
public:
    JxlCodec();
    /// A codec that loads libjxl under another name (tests; a libjxl installed apart).
    explicit JxlCodec(std::string soname);
    ~JxlCodec() override;
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
    /// The library's functions, loading it at the first call (once, whichever thread comes first).
    [[nodiscard]] Result<const detail::JxlApi*> api() const;

    std::string soname_;
    mutable std::once_flag once_;
    mutable std::unique_ptr<detail::JxlLibrary> library_;
    mutable Error load_error_;
};

}  // namespace dicomkit::pixel
