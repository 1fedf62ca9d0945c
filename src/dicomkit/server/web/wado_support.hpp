// What the WADO-RS and WADO-URI handlers share: finding the instances a path names, opening
// them, choosing the representation the Accept header allows, the bytes of an instance (as
// stored or transcoded), its metadata, rendering, and the multipart framing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/server/service/retrieve.hpp>
#include <dicomkit/server/web/http.hpp>
#include <dicomkit/server/web/multipart.hpp>

namespace dicomkit::server::web {

struct WebContext;

/// A result, or the response that says why there is none.
template <class T>
using Answer = tl::expected<T, Response>;

struct InstanceKey {
    std::string study, series, instance;  ///< empty below the level asked for
};

/// The instances below `key` (404 when none, 400 for a UID that is not one).
[[nodiscard]] Answer<std::vector<service::RetrieveItem>> locate(WebContext& ctx, const InstanceKey& key);
/// Tells the audit trail (WebContext::audit) that `req` reads `items` of study `key.study`.
void audit_retrieve(WebContext& ctx, const Request& req, const InstanceKey& key,
                    const std::vector<service::RetrieveItem>& items);

struct OpenedInstance {
    io::DicomFile file;
    service::RetrieveItem item;
};
/// The instance's file; `defer`: values over 64 KiB (pixel data) left in the file, read when used.
[[nodiscard]] Answer<OpenedInstance> open_instance(WebContext& ctx, const service::RetrieveItem& item, bool defer = true);

/// An instance's Part 10 bytes: its blob as stored, or an encoded transcoded copy.
class InstanceBytes {
public:
    InstanceBytes(std::unique_ptr<storage::BlobReader> blob) : blob_(std::move(blob)) {}
    InstanceBytes(Bytes encoded) : encoded_(std::move(encoded)) {}
    [[nodiscard]] Result<void> write_to(BodySink& out);

private:
    std::unique_ptr<storage::BlobReader> blob_;
    Bytes encoded_;
};
/// `target`: a transfer syntax UID, or empty for the stored one. Unsupported when there is no
/// codec for it (or it would be lossy).
[[nodiscard]] Result<InstanceBytes> instance_bytes(WebContext& ctx, const service::RetrieveItem& item,
                                                   const std::string& target);

/// PS3.18 8.7.3: the transfer syntax for application/dicom parts.
struct DicomChoice {
    std::string transfer_syntax;  ///< empty: each as stored
};
[[nodiscard]] Answer<DicomChoice> choose_dicom_syntax(std::string_view accept,
                                                      const std::vector<service::RetrieveItem>& items,
                                                      const pixel::CodecRegistry& codecs);

/// The representation of frames (PS3.18 8.7.3.3: octet-stream uncompressed by default, the stored
/// bitstream's media type with transfer-syntax=*).
struct FrameChoice {
    std::string media_type;         ///< of the parts: "application/octet-stream", "image/jls" ...
    std::string transfer_syntax;    ///< of the parts
    std::string part_content_type;  ///< each part's Content-Type
    bool as_stored = false;         ///< the stored bitstream (else decoded, little endian)
};
[[nodiscard]] Answer<FrameChoice> choose_frame_syntax(std::string_view accept, const io::TransferSyntax& stored,
                                                      const pixel::CodecRegistry& codecs);

/// 406 unless the Accept header allows one of `types` (absent: anything).
[[nodiscard]] Answer<void> accepts_any(std::string_view accept, std::initializer_list<std::string_view> types);

/// One instance as a DICOM JSON object, bulk data (values over 1 KiB, pixel data) as BulkDataURIs
/// below `base` (".../dicom-web").
[[nodiscard]] Result<std::string> instance_metadata(WebContext& ctx, const service::RetrieveItem& item,
                                                    const std::string& base);

/// "1,3,5" -> {1,3,5}; frame numbers start at 1.
[[nodiscard]] Result<std::vector<std::uint32_t>> parse_frame_list(std::string_view list);

/// The rendering parameters of PS3.18 8.3.5 (window, viewport, quality) and WADO-URI's.
struct RenderRequest {
    bool thumbnail = false;
    bool png = false;
    std::optional<double> center, width;
    std::string function;  ///< "linear", "linear-exact", "sigmoid"; empty: the file's
    std::uint32_t viewport_width = 0, viewport_height = 0;
    int quality = 90;
    std::optional<std::uint32_t> frame_number;
    /// WADO-RS query parameters and Accept header: Unsupported (406) for an Accept with no image
    /// type this server makes, InvalidArgument for a bad parameter.
    [[nodiscard]] Result<void> read(const std::vector<std::pair<std::string, std::string>>& params,
                                    std::string_view accept);
    /// WADO-URI's windowCenter, windowWidth, rows, columns, frameNumber, imageQuality.
    [[nodiscard]] Result<void> read_wado_uri(const std::vector<std::pair<std::string, std::string>>& params,
                                             std::string_view content_type);
};
/// One frame (1-based; nullopt: the first, or the middle one of a multi-frame thumbnail) as
/// JPEG or PNG bytes.
[[nodiscard]] Result<std::vector<std::uint8_t>> render_instance(WebContext& ctx, const OpenedInstance& instance,
                                                                std::optional<std::uint32_t> frame,
                                                                const RenderRequest& request);

/// GET .../bulkdata/{tag path}: the value of that element of the instance.
[[nodiscard]] Response retrieve_bulkdata(Request& req, WebContext& ctx, const InstanceKey& key,
                                         const std::string& path);

/// Writes one multipart part: its head, `data`.
[[nodiscard]] Result<void> write_part(BodySink& out, MultipartWriter& writer, std::string_view content_type,
                                      std::span<const std::uint8_t> data);

}  // namespace dicomkit::server::web
