// CodecRegistry: the pixel codecs an application has, looked up by transfer syntax. An object the
// application builds and passes down (no global registration).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/pixel/codec.hpp>

namespace dicomkit::pixel {

class CodecRegistry {
public:
    /// Adds a codec. For a syntax two codecs handle, the one added first is used.
    void add(std::shared_ptr<const PixelCodec> codec);

    /// The codec that decodes (encodes) `ts`, nullptr when none does.
    [[nodiscard]] const PixelCodec* decoder(std::string_view ts) const noexcept;
    [[nodiscard]] const PixelCodec* encoder(std::string_view ts) const noexcept;
    /// As above, or an UnsupportedTransferSyntax error naming the syntax ("no decoder for JPEG
    /// 2000 Image Compression (1.2.840.10008.1.2.4.90)").
    [[nodiscard]] Result<const PixelCodec*> need_decoder(std::string_view ts) const;
    [[nodiscard]] Result<const PixelCodec*> need_encoder(std::string_view ts) const;

    /// Every codec, in the order added.
    [[nodiscard]] const std::vector<std::shared_ptr<const PixelCodec>>& codecs() const noexcept { return codecs_; }

private:
    std::vector<std::shared_ptr<const PixelCodec>> codecs_;
};

/// "JPEG 2000 Image Compression (1.2.840.10008.1.2.4.90)", or the UID alone when unknown.
[[nodiscard]] std::string describe_syntax(std::string_view ts);

}  // namespace dicomkit::pixel
