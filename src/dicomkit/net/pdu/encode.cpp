// PDU encoding (PS3.8 9.3): big-endian fields, reserved fields 00H, items in increasing type order.
#include <dicomkit/net/pdu/codec.hpp>

#include <fmt/format.h>

#include <dicomkit/net/pdu/pdu_detail.hpp>

namespace dicomkit::net::pdu {

using detail::fail;
using detail::item_name;
using detail::Writer;

namespace {

Unexpected invalid(std::string_view pdu, std::string_view item, std::size_t offset,
                   std::string_view what) {
    return fail(ErrorCode::InvalidArgument, pdu, item, offset, what);
}

/// PS3.8 Table 9-11: 16 characters, space padded.
Result<void> put_ae_title(Writer& w, std::string_view title, bool required, std::string_view pdu,
                          std::string_view field) {
    if (title.size() > detail::kAeTitleSize) {
        return invalid(pdu, field, w.size(),
                       fmt::format("\"{}\" is longer than 16 characters", title));
    }
    if (required && detail::trim_ae_title(title).empty()) {
        return invalid(pdu, field, w.size(), "AE title is empty");
    }
    w.text(title);
    for (std::size_t i = title.size(); i < detail::kAeTitleSize; ++i) w.u8(' ');
    return {};
}

/// A sub-item whose whole content is one UID or name (10H, 30H, 40H).
Result<void> put_string_item(Writer& w, std::uint8_t type, std::string_view value,
                             std::string_view pdu) {
    std::size_t start = w.begin_item(type);
    w.text(value);
    return w.end_item(start, pdu);
}

Result<void> check_context_id(const Writer& w, std::uint8_t id, std::string_view pdu,
                              std::uint8_t type) {
    if (detail::valid_context_id(id)) return {};
    return invalid(pdu, item_name(type), w.size(),
                   fmt::format("presentation context ID {} is not odd", id));
}

Result<void> put_context(Writer& w, const PresentationContextRq& pc, std::string_view pdu) {
    constexpr std::uint8_t type = detail::kPresentationContextRqItem;
    if (auto r = check_context_id(w, pc.id, pdu, type); !r) return r;
    if (pc.abstract_syntax.empty() || pc.transfer_syntaxes.empty()) {
        return invalid(
            pdu, item_name(type), w.size(),
            fmt::format("presentation context {} needs an abstract syntax and a transfer syntax",
                        pc.id));
    }
    std::size_t start = w.begin_item(type);
    w.u8(pc.id);
    w.zeros(3);
    if (auto r = put_string_item(w, detail::kAbstractSyntaxSubItem, pc.abstract_syntax, pdu); !r)
        return r;
    for (const std::string& ts : pc.transfer_syntaxes) {
        if (ts.empty())
            return invalid(pdu, item_name(detail::kTransferSyntaxSubItem), w.size(),
                           "empty transfer syntax");
        if (auto r = put_string_item(w, detail::kTransferSyntaxSubItem, ts, pdu); !r) return r;
    }
    return w.end_item(start, pdu);
}

Result<void> put_context(Writer& w, const PresentationContextAc& pc, std::string_view pdu) {
    constexpr std::uint8_t type = detail::kPresentationContextAcItem;
    if (auto r = check_context_id(w, pc.id, pdu, type); !r) return r;
    auto result = static_cast<std::uint8_t>(pc.result);
    if (result > 4)
        return invalid(pdu, item_name(type), w.size(),
                       fmt::format("result/reason {} is not 0-4", result));
    if (pc.result == ContextResult::Acceptance && pc.transfer_syntax.empty()) {
        return invalid(
            pdu, item_name(type), w.size(),
            fmt::format("accepted presentation context {} needs a transfer syntax", pc.id));
    }
    std::size_t start = w.begin_item(type);
    w.u8(pc.id);
    w.u8(0);
    w.u8(result);
    w.u8(0);
    // PS3.8 9.3.3.2: one transfer syntax sub-item, not significant unless accepted.
    if (auto r = put_string_item(w, detail::kTransferSyntaxSubItem, pc.transfer_syntax, pdu); !r)
        return r;
    return w.end_item(start, pdu);
}

/// A-ASSOCIATE-RQ/AC: fixed fields (PS3.8 Tables 9-11, 9-17) and the variable field.
template <typename Assoc>
Result<Bytes> encode_associate(const Assoc& a, PduType type) {
    const std::string_view pdu = pdu_type_name(static_cast<std::uint8_t>(type));
    const bool rq = type == PduType::AssociateRq;
    Writer w;
    w.begin_pdu(type);
    w.u16(a.protocol_version);
    w.zeros(2);
    if (auto r = put_ae_title(w, a.called_ae_title, rq, pdu, "Called-AE-title"); !r)
        return Unexpected(std::move(r.error()));
    if (auto r = put_ae_title(w, a.calling_ae_title, rq, pdu, "Calling-AE-title"); !r)
        return Unexpected(std::move(r.error()));
    w.zeros(32);
    if (a.application_context_name.empty()) {
        return invalid(pdu, item_name(detail::kApplicationContextItem), w.size(),
                       "empty application context name");
    }
    if (rq && a.presentation_contexts.empty())
        return invalid(pdu, "", w.size(), "no presentation context");
    auto r = put_string_item(w, detail::kApplicationContextItem, a.application_context_name, pdu);
    for (std::size_t i = 0; r && i < a.presentation_contexts.size(); ++i) {
        r = put_context(w, a.presentation_contexts[i], pdu);
    }
    if (r) r = detail::encode_user_information(w, a.user_information, pdu);
    if (r) r = w.end_pdu(pdu);
    if (!r) return Unexpected(std::move(r.error()));
    return std::move(w).take();
}

/// PDUs of fixed length 4: A-ASSOCIATE-RJ, A-RELEASE-RQ/RP, A-ABORT (PS3.8 9.3.4, 9.3.6-9.3.8).
Bytes fixed_pdu(PduType type, std::uint8_t b7, std::uint8_t b8, std::uint8_t b9, std::uint8_t b10) {
    return Bytes{static_cast<std::uint8_t>(type), 0, 0, 0, 0, 4, b7, b8, b9, b10};
}

Result<Bytes> encode_rj(const AssociateRj& rj) {
    auto result = static_cast<std::uint8_t>(rj.result);
    auto source = static_cast<std::uint8_t>(rj.source);
    if (!detail::valid_reject(result, source, rj.reason)) {
        return invalid("A-ASSOCIATE-RJ", "", 7,
                       fmt::format("result {}, source {}, reason {} is not in PS3.8 Table 9-21",
                                   result, source, rj.reason));
    }
    return fixed_pdu(PduType::AssociateRj, 0, result, source, rj.reason);
}

Result<Bytes> encode_abort(const Abort& a) {
    auto source = static_cast<std::uint8_t>(a.source);
    auto reason = static_cast<std::uint8_t>(a.reason);
    if (!detail::valid_abort(source, reason)) {
        return invalid(
            "A-ABORT", "", 8,
            fmt::format("source {}, reason {} is not in PS3.8 Table 9-26", source, reason));
    }
    return fixed_pdu(PduType::Abort, 0, 0, source, reason);
}

}  // namespace

Result<Bytes> encode_p_data_tf(std::span<const PdvView> pdvs) {
    constexpr std::string_view pdu = "P-DATA-TF";
    if (pdvs.empty()) return invalid(pdu, "", kPduHeaderSize, "no PDV");
    std::size_t total = 0;
    for (const PdvView& v : pdvs) {
        if (!detail::valid_context_id(v.context_id)) {
            return invalid(pdu, "PDV item", kPduHeaderSize + total,
                           fmt::format("presentation context ID {} is not odd", v.context_id));
        }
        total += 6 + v.data.size();
        if (total > 0xFFFFFFFFu)
            return invalid(pdu, "", 2, "PDVs do not fit the 32-bit PDU-length");
    }
    Writer w;
    w.begin_pdu(PduType::PDataTf);
    for (const PdvView& v : pdvs) {
        w.u32(static_cast<std::uint32_t>(2 + v.data.size()));
        w.u8(v.context_id);
        // PS3.8 E.2: bit 0 command, bit 1 last fragment, bits 2-7 zero.
        w.u8(static_cast<std::uint8_t>((v.command ? 0x01 : 0x00) | (v.last ? 0x02 : 0x00)));
        w.bytes(v.data);
    }
    if (auto r = w.end_pdu(pdu); !r) return Unexpected(std::move(r.error()));
    return std::move(w).take();
}

Result<Bytes> encode(const Pdu& pdu) {
    struct Visitor {
        Result<Bytes> operator()(const AssociateRq& rq) const {
            return encode_associate(rq, PduType::AssociateRq);
        }
        Result<Bytes> operator()(const AssociateAc& ac) const {
            return encode_associate(ac, PduType::AssociateAc);
        }
        Result<Bytes> operator()(const AssociateRj& rj) const { return encode_rj(rj); }
        Result<Bytes> operator()(const PDataTf& p) const {
            std::vector<PdvView> views;
            views.reserve(p.pdvs.size());
            for (const Pdv& v : p.pdvs)
                views.push_back(PdvView{v.context_id, v.command, v.last, v.data});
            return encode_p_data_tf(views);
        }
        Result<Bytes> operator()(const ReleaseRq&) const {
            return fixed_pdu(PduType::ReleaseRq, 0, 0, 0, 0);
        }
        Result<Bytes> operator()(const ReleaseRp&) const {
            return fixed_pdu(PduType::ReleaseRp, 0, 0, 0, 0);
        }
        Result<Bytes> operator()(const Abort& a) const { return encode_abort(a); }
    };
    return std::visit(Visitor{}, pdu);
}

}  // namespace dicomkit::net::pdu
