// Names of the service error kinds, and the kinds of the errors of the layers below.
#include <dicomkit/server/service/errors.hpp>

namespace dicomkit::server::service {

std::string_view to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::OutOfResources: return "out of resources";
        case ErrorKind::BadIdentifier: return "bad identifier";
        case ErrorKind::UnableToProcess: return "unable to process";
        case ErrorKind::NotAuthorized: return "not authorized";
        case ErrorKind::NoSuchObject: return "no such object";
        case ErrorKind::Unsupported: return "unsupported";
        case ErrorKind::UnknownDestination: return "unknown destination";
        case ErrorKind::DuplicateRefused: return "duplicate refused";
        case ErrorKind::Cancelled: return "cancelled";
    }
    return "unknown";
}

ErrorKind store_error_kind(const Error& e) noexcept {
    switch (e.code) {
        case ErrorCode::IoError: return ErrorKind::OutOfResources;
        case ErrorCode::InvalidValue: return ErrorKind::BadIdentifier;
        default: return ErrorKind::UnableToProcess;
    }
}

ErrorKind index_error_kind(const Error& e) noexcept {
    return e.code == ErrorCode::Unsupported ? ErrorKind::Unsupported : ErrorKind::OutOfResources;
}

}  // namespace dicomkit::server::service
