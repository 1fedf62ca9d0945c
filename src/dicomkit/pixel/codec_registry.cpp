// The codec registry: codecs looked up by transfer syntax.
#include <dicomkit/pixel/codec_registry.hpp>

#include <fmt/format.h>

#include <algorithm>

#include <dicomkit/io/transfer_syntax.hpp>

namespace dicomkit::pixel {

namespace {

bool has(std::span<const std::string_view> list, std::string_view ts) {
    return std::find(list.begin(), list.end(), ts) != list.end();
}

std::string_view trimmed(std::string_view ts) {
    while (!ts.empty() && (ts.back() == '\0' || ts.back() == ' ')) ts.remove_suffix(1);
    return ts;
}

}  // namespace

void CodecRegistry::add(std::shared_ptr<const PixelCodec> codec) {
    if (codec) codecs_.push_back(std::move(codec));
}

const PixelCodec* CodecRegistry::decoder(std::string_view ts) const noexcept {
    ts = trimmed(ts);
    for (const auto& c : codecs_)
        if (has(c->decodes(), ts)) return c.get();
    return nullptr;
}

const PixelCodec* CodecRegistry::encoder(std::string_view ts) const noexcept {
    ts = trimmed(ts);
    for (const auto& c : codecs_)
        if (has(c->encodes(), ts)) return c.get();
    return nullptr;
}

Result<const PixelCodec*> CodecRegistry::need_decoder(std::string_view ts) const {
    if (const PixelCodec* c = decoder(ts)) return c;
    return make_error(ErrorCode::UnsupportedTransferSyntax, fmt::format("no decoder for {}", describe_syntax(ts)));
}

Result<const PixelCodec*> CodecRegistry::need_encoder(std::string_view ts) const {
    if (const PixelCodec* c = encoder(ts)) return c;
    return make_error(ErrorCode::UnsupportedTransferSyntax, fmt::format("no encoder for {}", describe_syntax(ts)));
}

std::string describe_syntax(std::string_view ts) {
    ts = trimmed(ts);
    if (const io::TransferSyntax* t = io::find_transfer_syntax(ts)) return fmt::format("{} ({})", t->name, ts);
    return std::string(ts);
}

}  // namespace dicomkit::pixel
