// Error formatting.
#include <dicomkit/base/error.hpp>

#include <fmt/format.h>

namespace dicomkit {

std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::Ok: return "ok";
        case ErrorCode::IoError: return "I/O error";
        case ErrorCode::Truncated: return "truncated";
        case ErrorCode::InvalidLength: return "invalid length";
        case ErrorCode::InvalidVR: return "invalid VR";
        case ErrorCode::InvalidTag: return "invalid tag";
        case ErrorCode::InvalidValue: return "invalid value";
        case ErrorCode::NotDicom: return "not DICOM";
        case ErrorCode::BadMeta: return "bad file meta information";
        case ErrorCode::UnsupportedTransferSyntax: return "unsupported transfer syntax";
        case ErrorCode::CharsetError: return "character set error";
        case ErrorCode::NotFound: return "not found";
        case ErrorCode::LimitExceeded: return "limit exceeded";
        case ErrorCode::InvalidArgument: return "invalid argument";
        case ErrorCode::ParseError: return "parse error";
        case ErrorCode::Unsupported: return "unsupported";
    }
    return "unknown error";
}

std::string Error::to_string() const {
    std::string out;
    if (!file.empty()) out += file + ": ";
    if (!peer.empty()) out += "peer " + peer + ": ";
    if (offset) out += fmt::format("offset {} (0x{:X}): ", *offset, *offset);
    if (!tag_path.empty()) out += "tag " + tag_path + ": ";
    out += dicomkit::to_string(code);
    if (!message.empty()) out += ": " + message;
    return out;
}

}  // namespace dicomkit
