// Service error kinds -> DIMSE statuses, per operation.
#include <dicomkit/server/dimse/status_map.hpp>

#include <dicomkit/net/dimse/status.hpp>

namespace dicomkit::server::dimse {

namespace st = net::dimse::status;
using service::ErrorKind;

std::string_view to_string(Operation op) noexcept {
    switch (op) {
        case Operation::Echo: return "C-ECHO";
        case Operation::Store: return "C-STORE";
        case Operation::Find: return "C-FIND";
        case Operation::Move: return "C-MOVE";
        case Operation::Get: return "C-GET";
        case Operation::NCreate: return "N-CREATE";
        case Operation::NSet: return "N-SET";
        case Operation::NGet: return "N-GET";
        case Operation::NAction: return "N-ACTION";
        case Operation::NDelete: return "N-DELETE";
        case Operation::NEventReport: return "N-EVENT-REPORT";
    }
    return "?";
}

namespace {

/// PS3.4 B.2.3.
std::uint16_t store_status(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::OutOfResources: return st::OutOfResources;
        case ErrorKind::BadIdentifier: return st::DataSetDoesNotMatchSOPClass;
        case ErrorKind::NotAuthorized:
        case ErrorKind::DuplicateRefused: return st::NotAuthorized;
        case ErrorKind::Unsupported: return st::SOPClassNotSupported;
        default: return st::CannotUnderstand;
    }
}

/// PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4.
std::uint16_t query_retrieve_status(ErrorKind kind, Operation op) noexcept {
    switch (kind) {
        case ErrorKind::OutOfResources: return op == Operation::Find ? st::OutOfResources : st::OutOfResourcesNumberOfMatches;
        case ErrorKind::BadIdentifier: return st::DataSetDoesNotMatchSOPClass;
        case ErrorKind::NotAuthorized: return st::NotAuthorized;
        case ErrorKind::Unsupported: return st::SOPClassNotSupported;
        case ErrorKind::UnknownDestination: return op == Operation::Move ? st::MoveDestinationUnknown : st::UnableToProcess;
        case ErrorKind::Cancelled: return st::Cancel;
        default: return st::UnableToProcess;
    }
}

/// PS3.7 Annex C general statuses, as the DIMSE-N services use them.
std::uint16_t normalized_status(ErrorKind kind, Operation op) noexcept {
    switch (kind) {
        case ErrorKind::OutOfResources: return st::ResourceLimitation;
        case ErrorKind::BadIdentifier:
            return op == Operation::NCreate || op == Operation::NSet ? std::uint16_t{0x0106} : st::ProcessingFailure;
        case ErrorKind::NotAuthorized: return st::NotAuthorized;
        case ErrorKind::NoSuchObject: return st::NoSuchSOPInstance;
        case ErrorKind::Unsupported: return st::SOPClassNotSupported;
        case ErrorKind::DuplicateRefused: return op == Operation::NCreate ? st::DuplicateSOPInstance : st::ProcessingFailure;
        default: return st::ProcessingFailure;
    }
}

}  // namespace

std::uint16_t dimse_status(ErrorKind kind, Operation op) noexcept {
    switch (op) {
        case Operation::Store: return store_status(kind);
        case Operation::Find:
        case Operation::Move:
        case Operation::Get: return query_retrieve_status(kind, op);
        case Operation::Echo:
            return kind == ErrorKind::NotAuthorized ? st::NotAuthorized
                   : kind == ErrorKind::Unsupported ? st::SOPClassNotSupported
                                                    : st::ProcessingFailure;
        default: return normalized_status(kind, op);
    }
}

net::dimse::Outcome outcome_of(const service::ServiceError& e, Operation op) {
    return {dimse_status(e.kind, op), e.message};
}

}  // namespace dicomkit::server::dimse
