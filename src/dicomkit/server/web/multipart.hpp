// multipart/related bodies (RFC 2046 5.1, RFC 2387; PS3.18 8.6): an incremental parser that takes
// a body in chunks of any size and hands over each part's headers and data as they arrive, and
// the pieces to write one without buffering it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <dicomkit/base/error.hpp>
#include <dicomkit/server/web/accept.hpp>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dicomkit::server::web {

/// A body part's header fields (RFC 2045, RFC 2046 5.1.1), in order, names lower-cased, values
/// with surrounding white space removed; the ones PS3.18 8.6 uses are parsed out.
struct PartHeaders {
    std::vector<std::pair<std::string, std::string>> fields;
    std::optional<MediaType> content_type;  ///< absent: text/plain (RFC 2046 5.1.1)
    std::string content_location;
    std::string content_id;
    std::string content_transfer_encoding;  ///< lower-cased; empty when absent
    std::optional<std::uint64_t> content_length;

    /// The first value of field `name` (lower case), nullopt when absent.
    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept;
};

struct MultipartLimits {
    std::size_t max_parts = 10000;
    std::size_t max_header_bytes = 16 * 1024;           ///< one part's header section
    std::size_t max_header_fields = 64;                 ///< fields in one part's header section
    std::uint64_t max_total = std::uint64_t{64} << 30;  ///< bytes of the whole body
};

/// What the parser hands over. Each callback may return an error to stop parsing: feed() then
/// returns it. Parts arrive as begin, data* (chunks of any size, never empty), end.
struct MultipartCallbacks {
    std::function<Result<void>(const PartHeaders& headers)> part_begin;
    std::function<Result<void>(std::span<const std::uint8_t> data)> part_data;
    std::function<Result<void>()> part_end;
};

/// RFC 2046 5.1.1: a boundary is 1 to 70 characters of bchars (digits, letters, '()+_,-./:=?
/// and space), not ending in a space.
[[nodiscard]] bool valid_boundary(std::string_view boundary) noexcept;

/// Parses a multipart body incrementally (RFC 2046 5.1.1): the preamble (before the first
/// "--boundary" line) and the epilogue (after "--boundary--") are ignored; a delimiter is CRLF
/// "--" boundary, so the CRLF before it belongs to it and not to the part's data; transport
/// padding (spaces, tabs) may follow a boundary before its CRLF. A part's header section ends at
/// an empty line. The whole body is treated as if a CRLF preceded it, so that the first boundary
/// may open the body. Errors carry the byte offset in the body: ParseError for a boundary line
/// followed by anything but padding and CRLF (or "--"), a header line without ':', a
/// Content-Type that does not parse, a body without parts, and (finish) a missing close
/// delimiter; LimitExceeded over the limits. After an error every call returns it again.
class MultipartParser {
  public:
    /// InvalidArgument when `boundary` is not valid_boundary().
    [[nodiscard]] static Result<MultipartParser> create(std::string_view boundary,
                                                        MultipartCallbacks callbacks,
                                                        const MultipartLimits& limits = {});

    /// Takes the next bytes of the body, in chunks of any size (a delimiter may straddle chunks).
    [[nodiscard]] Result<void> feed(std::span<const std::uint8_t> chunk);
    [[nodiscard]] Result<void> feed(std::string_view chunk) {
        return feed(std::span(reinterpret_cast<const std::uint8_t*>(chunk.data()), chunk.size()));
    }
    /// The body has ended: an error unless the close delimiter was seen.
    [[nodiscard]] Result<void> finish();

    /// Parts begun so far.
    [[nodiscard]] std::size_t parts() const noexcept { return parts_; }
    /// Whether the close delimiter has been seen.
    [[nodiscard]] bool closed() const noexcept { return state_ == State::Epilogue; }

  private:
    enum class State { Preamble, AfterBoundary, Headers, Body, Epilogue, Failed };

    MultipartParser(std::string delimiter, MultipartCallbacks callbacks,
                    const MultipartLimits& limits);
    Result<void> run();
    Result<void> step(bool& progressed);
    Result<void> on_delimiter_line();
    Result<void> parse_headers(std::string_view text, std::uint64_t at);
    Result<void> fail(Error e);
    /// Body offset of pending_[i].
    [[nodiscard]] std::uint64_t offset_of(std::size_t i) const noexcept;

    std::string delimiter_;  ///< CRLF "--" boundary
    MultipartCallbacks callbacks_;
    MultipartLimits limits_;
    State state_ = State::Preamble;
    std::vector<std::uint8_t> pending_;
    std::size_t head_ = 0;            ///< bytes of pending_ consumed
    std::size_t scanned_ = 0;         ///< Headers: pending_ searched up to here for the empty line
    std::uint64_t pending_base_ = 0;  ///< offset (+2 for the virtual CRLF) of pending_[0]
    std::uint64_t total_ = 0;         ///< bytes fed
    std::size_t parts_ = 0;
    std::optional<Error> error_;
};

/// A boundary of 32 random hexadecimal digits from std::random_device (the operating system's
/// random source), new on each call, so that it cannot occur in the content by chance.
[[nodiscard]] std::string random_boundary();

/// The value of a Content-Type header for a multipart/related body (RFC 2387; PS3.18 8.6.1.2):
/// `multipart/related; type="<part_type>"; boundary=<boundary>` (the boundary quoted when it
/// is not a token), with `; transfer-syntax=<ts>` after type= when `transfer_syntax` is set.
[[nodiscard]] std::string multipart_content_type(std::string_view part_type,
                                                 std::string_view boundary,
                                                 std::string_view transfer_syntax = {});

/// Writes a multipart body piece by piece: begin_part() before each part's data, close() at
/// the end; nothing is buffered. For parts after the first the CRLF that ends the previous
/// part's data is written as the start of the delimiter (RFC 2046 5.1.1).
class MultipartWriter {
  public:
    explicit MultipartWriter(std::string boundary) : boundary_(std::move(boundary)) {}

    /// `--boundary CRLF Content-Type: <content_type> CRLF [name: value CRLF]* CRLF`, preceded
    /// by CRLF for every part but the first. InvalidArgument when a name or value holds CR or LF
    /// (header injection) or a name is not a token.
    [[nodiscard]] Result<std::string> begin_part(
        std::string_view content_type,
        std::span<const std::pair<std::string, std::string>> headers = {});
    /// The close delimiter: `CRLF --boundary-- CRLF` (without the leading CRLF before any part).
    [[nodiscard]] std::string close();

    [[nodiscard]] const std::string& boundary() const noexcept { return boundary_; }
    [[nodiscard]] std::size_t parts() const noexcept { return parts_; }

  private:
    std::string boundary_;
    std::size_t parts_ = 0;
};

}  // namespace dicomkit::server::web
