// Status classes and meanings.
#include <dicomkit/net/dimse/status.hpp>

#include <fmt/format.h>

namespace dicomkit::net::dimse {

StatusKind status_kind(std::uint16_t code) noexcept {
    if (code == 0x0000) return StatusKind::Success;
    if (code == 0xFF00 || code == 0xFF01) return StatusKind::Pending;
    if (code == 0xFE00) return StatusKind::Cancel;
    if (code == 0x0001 || (code & 0xF000) == 0xB000 || code == 0x0107 || code == 0x0116) return StatusKind::Warning;
    return StatusKind::Failure;
}

std::string_view to_string(StatusKind k) noexcept {
    switch (k) {
        case StatusKind::Success: return "Success";
        case StatusKind::Warning: return "Warning";
        case StatusKind::Failure: return "Failure";
        case StatusKind::Cancel: return "Cancel";
        case StatusKind::Pending: return "Pending";
    }
    return "?";
}

namespace {
std::string_view meaning(std::uint16_t code, CommandField field) {
    bool store = field == CommandField::C_STORE_RSP || field == CommandField::C_STORE_RQ;
    bool qr = field == CommandField::C_FIND_RSP || field == CommandField::C_MOVE_RSP || field == CommandField::C_GET_RSP;
    switch (code) {
        case 0x0000: return "Success";
        case 0xFF00: return qr ? "Pending: matches are continuing" : "Pending";
        case 0xFF01: return "Pending: matches continue, optional keys not supported";
        case 0xFE00: return "Cancel: operation terminated by cancel request";
        case 0x0001: return "Warning: requested optional attributes are not supported";
        case 0x0107: return "Warning: attribute list error";
        case 0x0116: return "Warning: attribute value out of range";
        case 0xB000:
            return store ? "Warning: coercion of data elements" : "Warning: sub-operations complete, one or more failures";
        case 0xB006: return "Warning: elements discarded";
        case 0xB007: return "Warning: data set does not match SOP class";
        case 0xA700: return "Refused: out of resources";
        case 0xA701: return "Refused: out of resources, unable to calculate number of matches";
        case 0xA702: return "Refused: out of resources, unable to perform sub-operations";
        case 0xA801: return "Refused: move destination unknown";
        case 0xA900: return qr ? "Failed: identifier does not match SOP class" : "Error: data set does not match SOP class";
        case 0xC000: return "Error: cannot understand";
        case 0xC001: return "Failed: unable to process";
        case 0x0105: return "Failure: no such attribute";
        case 0x0106: return "Failure: invalid attribute value";
        case 0x0110: return "Failure: processing failure";
        case 0x0111: return "Failure: duplicate SOP instance";
        case 0x0112: return "Failure: no such SOP instance";
        case 0x0113: return "Failure: no such event type";
        case 0x0114: return "Failure: no such argument";
        case 0x0115: return "Failure: invalid argument value";
        case 0x0117: return "Failure: invalid object instance";
        case 0x0118: return "Failure: no such SOP class";
        case 0x0119: return "Failure: class-instance conflict";
        case 0x0120: return "Failure: missing attribute";
        case 0x0121: return "Failure: missing attribute value";
        case 0x0122: return "Refused: SOP class not supported";
        case 0x0123: return "Failure: no such action type";
        case 0x0124: return "Refused: not authorized";
        case 0x0210: return "Failure: duplicate invocation";
        case 0x0211: return "Failure: unrecognized operation";
        case 0x0212: return "Failure: mistyped argument";
        case 0x0213: return "Failure: resource limitation";
        default: break;
    }
    if ((code & 0xFF00) == 0xA700) return "Refused: out of resources";
    if ((code & 0xFF00) == 0xA900) return "Error: data set does not match SOP class";
    if ((code & 0xF000) == 0xC000) return store ? "Error: cannot understand" : "Failed: unable to process";
    if ((code & 0xF000) == 0xB000) return "Warning";
    return "";
}
}  // namespace

std::string describe_status(std::uint16_t code, CommandField field) {
    auto m = meaning(code, field);
    if (m.empty()) return fmt::format("0x{:04X} {}", code, to_string(status_kind(code)));
    return fmt::format("0x{:04X} {}", code, m);
}

}  // namespace dicomkit::net::dimse
