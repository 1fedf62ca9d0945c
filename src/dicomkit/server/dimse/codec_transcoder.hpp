// CodecTranscoder: the net::dimse::Transcoder of the applications (send, serve's C-MOVE and C-GET
// sub-operations), backed by a pixel::CodecRegistry: compressed data sets decoded for a peer that
// takes only native syntaxes, native ones encoded for a peer that takes only a compressed one.
#pragma once

#include <memory>

#include <dicomkit/net/dimse/transcoder.hpp>
#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/pixel/transcode.hpp>

namespace dicomkit::server::dimse {

class CodecTranscoder final : public net::dimse::Transcoder {
public:
    /// `options.allow_lossy` false (the default): never converts to a syntax whose encoding loses
    /// information with `options.encode`.
    explicit CodecTranscoder(std::shared_ptr<const pixel::CodecRegistry> registry, pixel::TranscodeOptions options = {});

    /// Between native syntaxes always; from an encapsulated syntax when the registry decodes it,
    /// to one when the registry encodes it (losslessly unless lossy is allowed).
    [[nodiscard]] bool can_convert(const io::TransferSyntax& from, const io::TransferSyntax& to) const override;
    /// pixel::transcode() of the data set's pixel data; errors name the frame and the syntax.
    [[nodiscard]] Result<void> convert(DataSet& ds, const io::TransferSyntax& from,
                                       const io::TransferSyntax& to) const override;

    [[nodiscard]] const pixel::CodecRegistry& registry() const noexcept { return *registry_; }

private:
    std::shared_ptr<const pixel::CodecRegistry> registry_;
    pixel::TranscodeOptions options_;
};

}  // namespace dicomkit::server::dimse
