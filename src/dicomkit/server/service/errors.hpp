// Typed errors of the archive's use cases: what went wrong in terms any front (DIMSE, HTTP) maps
// to its own statuses (server/dimse/status_map.hpp for DIMSE).
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include <dicomkit/base/error.hpp>

namespace dicomkit::server::service {

/// The kinds of failure a service reports. Fronts map a kind (and the operation) to a status; the
/// message says what happened, for the Error Comment or the log.
enum class ErrorKind {
    OutOfResources,      ///< the index, the disk or the operating system failed; retrying later may work
    BadIdentifier,       ///< the request's identifier (or data set) does not say what it must
    UnableToProcess,     ///< the request is well-formed but cannot be carried out (data unreadable, ...)
    NotAuthorized,       ///< the caller may not do this (Authorizer)
    NoSuchObject,        ///< the object named is not in the archive
    Unsupported,         ///< a SOP class, model or option the archive does not implement
    UnknownDestination,  ///< a C-MOVE destination (or any forwarding target) that is not configured
    DuplicateRefused,    ///< a copy of the instance is stored and the duplicate policy refuses another
    Cancelled,           ///< the caller cancelled the operation
};

[[nodiscard]] std::string_view to_string(ErrorKind kind) noexcept;

/// A service's error: its kind and what happened.
struct ServiceError {
    ErrorKind kind = ErrorKind::UnableToProcess;
    std::string message;
};

/// What services return.
template <class T>
using ServiceResult = tl::expected<T, ServiceError>;

[[nodiscard]] inline tl::unexpected<ServiceError> service_error(ErrorKind kind, std::string message) {
    return tl::unexpected(ServiceError{kind, std::move(message)});
}

/// An Error of the layers below as a service error of `kind`.
[[nodiscard]] inline tl::unexpected<ServiceError> service_error(ErrorKind kind, const Error& e) {
    return tl::unexpected(ServiceError{kind, e.message});
}

/// The kind of a failure to take in a received instance (Ingest): the operating system, the disk
/// or the index failed: OutOfResources; the data set does not say what it must (a UID missing,
/// invalid or other than the request's): BadIdentifier; anything else is a data set that cannot
/// be read to its end: UnableToProcess.
[[nodiscard]] ErrorKind store_error_kind(const Error& e) noexcept;

/// The kind of an error the index (or storage) returned to a query or retrieve: Unsupported for
/// what the backend does not implement, OutOfResources for anything else (the database or the
/// disk failed: the request was sound, and may succeed later).
[[nodiscard]] ErrorKind index_error_kind(const Error& e) noexcept;

}  // namespace dicomkit::server::service
