// PDU names, value checks and the wire helpers shared by encoder and decoder.
#include <dicomkit/net/pdu/pdu.hpp>

#include <fmt/format.h>

#include <dicomkit/net/pdu/pdu_detail.hpp>

namespace dicomkit::net::pdu {

std::string_view pdu_type_name(std::uint8_t type) noexcept {
    switch (type) {
        case 0x01:
            return "A-ASSOCIATE-RQ";
        case 0x02:
            return "A-ASSOCIATE-AC";
        case 0x03:
            return "A-ASSOCIATE-RJ";
        case 0x04:
            return "P-DATA-TF";
        case 0x05:
            return "A-RELEASE-RQ";
        case 0x06:
            return "A-RELEASE-RP";
        case 0x07:
            return "A-ABORT";
        default:
            return "unknown PDU";
    }
}

PduType type_of(const Pdu& pdu) noexcept {
    // The variant's alternatives are declared in PDU-type order.
    return static_cast<PduType>(pdu.index() + 1);
}

std::string_view uid_without_padding(std::string_view uid) noexcept {
    while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.remove_suffix(1);
    return uid;
}

namespace detail {

std::string item_name(std::uint8_t type) {
    std::string_view name;
    switch (type) {
        case kApplicationContextItem:
            name = "application context item";
            break;
        case kPresentationContextRqItem:
        case kPresentationContextAcItem:
            name = "presentation context item";
            break;
        case kAbstractSyntaxSubItem:
            name = "abstract syntax sub-item";
            break;
        case kTransferSyntaxSubItem:
            name = "transfer syntax sub-item";
            break;
        case kUserInformationItem:
            name = "user information item";
            break;
        case sub_item::kMaximumLength:
            name = "maximum length sub-item";
            break;
        case sub_item::kImplementationClassUid:
            name = "implementation class UID sub-item";
            break;
        case sub_item::kAsynchronousOperationsWindow:
            name = "asynchronous operations window sub-item";
            break;
        case sub_item::kRoleSelection:
            name = "SCP/SCU role selection sub-item";
            break;
        case sub_item::kImplementationVersionName:
            name = "implementation version name sub-item";
            break;
        case sub_item::kSopClassExtendedNegotiation:
            name = "SOP class extended negotiation sub-item";
            break;
        case sub_item::kSopClassCommonExtendedNegotiation:
            name = "SOP class common extended negotiation sub-item";
            break;
        case sub_item::kUserIdentityRq:
        case sub_item::kUserIdentityAc:
            name = "user identity sub-item";
            break;
        default:
            name = "item";
            break;
    }
    return fmt::format("{} ({:02X}H)", name, type);
}

Unexpected fail(ErrorCode code, std::string_view pdu, std::string_view item, std::size_t offset,
                std::string_view what) {
    std::string message = item.empty()
                              ? fmt::format("{} at offset {}: {}", pdu, offset, what)
                              : fmt::format("{}, {} at offset {}: {}", pdu, item, offset, what);
    return Unexpected(Error(code, std::move(message)).at_offset(offset));
}

bool valid_reject(std::uint8_t result, std::uint8_t source, std::uint8_t reason) noexcept {
    if (result != 1 && result != 2) return false;
    switch (source) {
        case 1:
            return reason >= 1 && reason <= 10;  // 4-6 and 8-10 reserved
        case 2:
            return reason == 1 || reason == 2;
        case 3:
            return reason <= 7;  // 0 and 3-7 reserved
        default:
            return false;
    }
}

bool valid_abort(std::uint8_t source, std::uint8_t reason) noexcept {
    if (source > 2) return false;
    // A service-user abort's reason is not significant and not tested (PS3.8 9.3.8).
    return source != 2 || reason <= 6;
}

std::string_view trim_ae_title(std::string_view text) noexcept {
    auto pad = [](char ch) { return ch == ' ' || ch == '\0'; };
    while (!text.empty() && pad(text.front())) text.remove_prefix(1);
    while (!text.empty() && pad(text.back())) text.remove_suffix(1);
    return text;
}

Result<void> Writer::end_item(std::size_t start, std::string_view pdu) {
    std::size_t length = out_.size() - start - 4;
    if (length > 0xFFFF) {
        return fail(ErrorCode::InvalidArgument, pdu, item_name(out_[start]), start,
                    fmt::format("content of {} bytes does not fit the 16-bit item length", length));
    }
    out_[start + 2] = static_cast<std::uint8_t>(length >> 8);
    out_[start + 3] = static_cast<std::uint8_t>(length);
    return {};
}

Result<void> Writer::end_pdu(std::string_view pdu) {
    std::size_t length = out_.size() - kPduHeaderSize;
    if (length > 0xFFFFFFFFu) {
        return fail(ErrorCode::InvalidArgument, pdu, "", 0,
                    fmt::format("{} bytes do not fit the 32-bit PDU-length", length));
    }
    for (int i = 0; i < 4; ++i) out_[2 + i] = static_cast<std::uint8_t>(length >> (24 - 8 * i));
    return {};
}

Result<std::string> read_uid(Cursor& c, std::size_t n, const DecodeContext& ctx,
                             std::string_view item) {
    std::size_t at = c.pos;
    std::string_view uid = uid_without_padding(c.text(n));
    if (uid.size() > ctx.limits.max_uid_length) {
        return fail(ErrorCode::LimitExceeded, ctx.pdu, item, at,
                    fmt::format("UID of {} characters is longer than the limit of {}", uid.size(),
                                ctx.limits.max_uid_length));
    }
    return std::string(uid);
}

}  // namespace detail
}  // namespace dicomkit::net::pdu
