// HTTP media types for DICOMweb: Accept and Content-Type header parsing (RFC 7231 3.1.1.1, 5.3.2)
// and the choice of a representation per PS3.18 8.7 (media type, transfer syntax, multipart).
#pragma once

#include <cstddef>
#include <dicomkit/base/error.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dicomkit::server::web {

/// Media type parameters in header order: names lower-cased, values unquoted (quoted-pair
/// escapes resolved) and otherwise as sent. A name may repeat.
using MediaParams = std::vector<std::pair<std::string, std::string>>;

/// The first value of parameter `name` (lower case), nullopt when absent.
[[nodiscard]] std::optional<std::string_view> find_param(const MediaParams& params,
                                                         std::string_view name) noexcept;

/// A media type (RFC 7231 3.1.1.1) as in Content-Type: type and subtype lower-cased.
struct MediaType {
    std::string type, subtype;
    MediaParams params;

    /// "type/subtype".
    [[nodiscard]] std::string essence() const { return type + "/" + subtype; }
    [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const noexcept {
        return find_param(params, name);
    }
};

/// One element of an Accept header (RFC 7231 5.3.2): a media range, its weight and parameters.
/// type/subtype are lower-cased, "*" for wild cards ("*/*", "image/*"). `q` is the weight
/// (0 = not acceptable); the "q" parameter itself is not in `params`, every other one is, those
/// after q (accept-ext) included: DICOMweb clients put boundary= or transfer-syntax= after it.
struct MediaRange {
    std::string type, subtype;
    double q = 1.0;
    MediaParams params;

    [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const noexcept {
        return find_param(params, name);
    }
};

/// Bounds on what a header may hold.
struct AcceptLimits {
    std::size_t max_bytes = 16 * 1024;  ///< header value length
    std::size_t max_ranges = 64;        ///< media ranges in one Accept header
    std::size_t max_params = 16;        ///< parameters of one media range / type
};

/// Parses an Accept header value (RFC 7231 5.3.2): a comma-separated list (empty elements
/// allowed), each `type/subtype` or `type/*` or `*/*` with `; name=value` parameters (token or
/// quoted-string, case-insensitive names, optional white space). Unquoted values may also hold
/// '/' (clients send `type=application/dicom` unquoted). An empty or blank header means "*/*"
/// (RFC 7231: no Accept header, any media type). Errors: ParseError with the byte offset
/// (a missing '/', `*/subtype`, a bad token, an unterminated quoted string, a q outside 0..1 or
/// with more than three decimals); LimitExceeded over `limits`.
[[nodiscard]] Result<std::vector<MediaRange>> parse_accept(std::string_view header,
                                                           const AcceptLimits& limits = {});

/// Parses a Content-Type header value: exactly one media type, no wild cards, e.g.
/// `multipart/related; type="application/dicom"; boundary=abc; start="<1@x>"`. Errors as
/// parse_accept's.
[[nodiscard]] Result<MediaType> parse_content_type(std::string_view header,
                                                   const AcceptLimits& limits = {});

/// PS3.18 Table 8.7.3-2/-4/-5: the transfer syntax a DICOM or bulk data media type stands for
/// when no transfer-syntax parameter is given: Explicit VR Little Endian (1.2.840.10008.1.2.1)
/// for application/dicom and application/octet-stream; for compressed bulk data the "D" row:
/// image/jpeg 1.2.840.10008.1.2.4.70, image/dicom-rle 1.2.840.10008.1.2.5, image/jls
/// 1.2.840.10008.1.2.4.80, image/jp2 1.2.840.10008.1.2.4.90, image/jpx 1.2.840.10008.1.2.4.92.
/// Empty for media types without one (application/dicom+json, text, video: not tabulated here).
[[nodiscard]] std::string_view default_transfer_syntax(std::string_view media_type) noexcept;

/// One representation the server can produce for a resource.
struct Representation {
    /// The (part) media type, lower case: "application/dicom", "application/octet-stream",
    /// "image/jpeg", "application/dicom+json", ...
    std::string media_type;
    /// The transfer syntax UID of the content, empty for media types without one.
    std::string transfer_syntax;
    /// Sent as multipart/related parts (type=media_type) rather than as the whole body.
    bool multipart = false;
    /// The data are stored in this transfer syntax (sending it needs no transcoding): the
    /// candidate a `transfer-syntax=*` range selects (PS3.18 8.7.3.5.2).
    bool stored = false;
};

struct NegotiateOptions {
    /// PS3.18 8.7.3.3: when the server has the pixel data only in lossy (or too long lossless)
    /// compressed form, a range without transfer-syntax accepts the stored candidate instead of
    /// the media type's default transfer syntax.
    bool default_is_stored = false;
};

/// The outcome of negotiate(): the candidate chosen, the weight it got and the Accept range that
/// gave it (index into the Accept list).
struct Negotiated {
    std::size_t candidate = 0;
    double q = 0;
    std::size_t range = 0;
};

/// Chooses the representation to send (PS3.18 8.7.5, 8.7.8; RFC 7231 5.3.2).
///
/// `candidates` are in server-preference order. A range accepts a candidate when:
/// - media type: `multipart/related` accepts multipart candidates whose media_type equals its
///   `type=` parameter (any part type when it has none); another type/subtype accepts
///   single-part candidates of that media type, `type/*` likewise by type; `*/*` (and
///   `multipart/*`) accept any candidate (multipart only for `multipart/*`);
/// - transfer syntax (only checked when the candidate has one): the range's transfer-syntax
///   parameter equals it (a range repeating the parameter accepts each value it names); `*` accepts
///   stored candidates (any candidate when none of that media type is marked stored); with no
///   parameter it must be default_transfer_syntax() of the candidate's media type (or the stored
///   one, see NegotiateOptions). A range naming a transfer syntax accepts no candidate without one.
/// Each candidate takes the q of the most specific range that accepts it (a precise range
/// overrides a wild card, so `image/jpeg;q=0, */*` refuses JPEG only); ties between equally
/// specific ranges take the highest q. The candidate with the highest q > 0 wins, ties by
/// candidate order. nullopt: nothing acceptable (HTTP 406).
///
/// A handler describes "stored as X, can transcode to {Y, Z}" with representations_for().
[[nodiscard]] std::optional<Negotiated> negotiate(std::span<const MediaRange> accept,
                                                  std::span<const Representation> candidates,
                                                  const NegotiateOptions& options = {});

/// Candidates for one media type: `stored_ts` first (marked stored), then each of `transcodable`
/// (in the order given, the stored one skipped), all with `multipart` as given.
[[nodiscard]] std::vector<Representation> representations_for(
    std::string_view media_type, bool multipart, std::string_view stored_ts,
    std::span<const std::string> transcodable);

}  // namespace dicomkit::server::web
