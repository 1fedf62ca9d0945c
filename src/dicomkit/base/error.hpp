// Error and Result<T>: how every library function reports failure, with context.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace dicomkit {

/// What went wrong, in kinds a caller can act on.
enum class ErrorCode {
    Ok = 0,
    IoError,           ///< the operating system refused a read or write
    Truncated,         ///< the input ended before a structure it announced
    InvalidLength,     ///< a length field contradicts the bytes there are or a limit
    InvalidVR,         ///< a VR that is not one of PS3.5 Table 6.2-1
    InvalidTag,        ///< a tag out of order or where none may stand
    InvalidValue,      ///< a value that does not parse as its VR says
    NotDicom,          ///< no preamble/DICM and no recognisable data set
    BadMeta,           ///< File Meta Information missing or inconsistent
    UnsupportedTransferSyntax,
    CharsetError,      ///< a byte sequence that the Specific Character Set cannot decode
    NotFound,          ///< asked for an element or entry that is not there
    LimitExceeded,     ///< nesting depth, size or count over a configured limit
    InvalidArgument,   ///< a caller passed something meaningless
    ParseError,        ///< JSON/XML/text input that does not parse
    Unsupported,       ///< a well-formed request for something not implemented
};

[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

/// An error with the context a person needs to find the cause: file, byte offset, tag path, peer.
struct Error {
    ErrorCode code = ErrorCode::Ok;
    std::string message;
    std::string file;
    std::optional<std::uint64_t> offset;
    std::string tag_path;  ///< e.g. (0008,1140)[0].(0008,1155)
    std::string peer;

    Error() = default;
    Error(ErrorCode c, std::string msg) : code(c), message(std::move(msg)) {}

    Error&& at_offset(std::uint64_t o) && {
        if (!offset) offset = o;
        return std::move(*this);
    }
    Error&& in_file(std::string f) && {
        if (file.empty()) file = std::move(f);
        return std::move(*this);
    }
    Error&& at_tag(std::string path) && {
        if (tag_path.empty()) tag_path = std::move(path);
        return std::move(*this);
    }

    /// One line: "file: offset 0x1A4: tag (0008,1140)[0].(0008,1155): truncated: message".
    [[nodiscard]] std::string to_string() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

using Unexpected = tl::unexpected<Error>;

[[nodiscard]] inline Unexpected make_error(ErrorCode code, std::string message) {
    return Unexpected(Error(code, std::move(message)));
}

}  // namespace dicomkit
