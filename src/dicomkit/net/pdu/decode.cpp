// PDU decoding (PS3.8 9.3): every length is checked against the enclosing structure and the
// limits before anything is read or allocated.
#include <dicomkit/net/pdu/codec.hpp>

#include <bitset>

#include <fmt/format.h>

#include <dicomkit/net/pdu/pdu_detail.hpp>

namespace dicomkit::net::pdu {

using detail::Cursor;
using detail::DecodeContext;
using detail::fail;
using detail::item_name;

namespace {

constexpr std::size_t kAssociateFixedLength = detail::kAssociateFixedEnd - kPduHeaderSize;

/// Checks the 6-byte header against the buffer and the limits; returns the body's cursor.
Result<Cursor> open_pdu(std::span<const std::uint8_t> whole, const DecodeLimits& limits) {
    if (whole.size() < kPduHeaderSize) {
        std::string_view name = whole.empty() ? "PDU" : pdu_type_name(whole[0]);
        return fail(ErrorCode::Truncated, name, "", 0,
                    fmt::format("{} byte(s) where the PDU header needs 6", whole.size()));
    }
    auto length = pdu_length_from_header(whole, limits.max_pdu_length);
    if (!length) return Unexpected(std::move(length.error()));
    std::string_view name = pdu_type_name(whole[0]);
    std::size_t body = whole.size() - kPduHeaderSize;
    if (body < **length) {
        return fail(
            ErrorCode::Truncated, name, "", 2,
            fmt::format("PDU-length {} but only {} bytes follow the header", **length, body));
    }
    if (body > **length) {
        return fail(ErrorCode::InvalidLength, name, "", kPduHeaderSize + **length,
                    fmt::format("{} bytes after the end of the PDU (PDU-length {})",
                                body - **length, **length));
    }
    return Cursor{whole, kPduHeaderSize, whole.size()};
}

Result<void> expect_length(const Cursor& body, std::size_t expected, std::string_view pdu) {
    if (body.left() != expected) {
        return fail(ErrorCode::InvalidLength, pdu, "", 2,
                    fmt::format("PDU-length is {}, this PDU has a fixed length of {}", body.left(),
                                expected));
    }
    return {};
}

/// The protocol version and AE titles of A-ASSOCIATE-RQ/AC (PS3.8 Tables 9-11, 9-17).
template <typename Assoc>
Result<void> decode_fixed_fields(Cursor& c, const DecodeContext& ctx, bool check_titles,
                                 Assoc& out) {
    if (c.left() < kAssociateFixedLength) {
        return fail(ErrorCode::InvalidLength, ctx.pdu, "", 2,
                    fmt::format("PDU-length {} is shorter than the {} bytes of fixed fields",
                                c.left(), kAssociateFixedLength));
    }
    out.protocol_version = c.u16();
    c.pos += 2;  // reserved
    std::string* titles[2] = {&out.called_ae_title, &out.calling_ae_title};
    for (int i = 0; i < 2; ++i) {
        std::size_t at = c.pos;
        *titles[i] = std::string(detail::trim_ae_title(c.text(detail::kAeTitleSize)));
        // PS3.8 Table 9-11: sixteen spaces ("no Application Name specified") shall not be used.
        if (check_titles && titles[i]->empty()) {
            return fail(ErrorCode::InvalidValue, ctx.pdu,
                        i == 0 ? "Called-AE-title" : "Calling-AE-title", at,
                        "AE title is empty (all spaces)");
        }
    }
    c.pos += 32;  // reserved
    return {};
}

Result<std::string> read_syntax(Cursor& c, const DecodeContext& ctx, std::uint8_t type,
                                std::size_t start, bool allow_empty = false) {
    auto uid = detail::read_uid(c, c.left(), ctx, item_name(type));
    if (uid && uid->empty() && !allow_empty)
        return fail(ErrorCode::InvalidValue, ctx.pdu, item_name(type), start, "empty UID");
    return uid;
}

/// PS3.8 9.3.2.2: one abstract syntax and one or more transfer syntaxes.
Result<std::uint8_t> decode_context_rq(std::size_t start, Cursor item, const DecodeContext& ctx,
                                       std::vector<PresentationContextRq>& out) {
    const std::string name = item_name(detail::kPresentationContextRqItem);
    if (item.left() < 4) {
        return fail(ErrorCode::InvalidLength, ctx.pdu, name, start,
                    fmt::format("item length {} is shorter than its 4 fixed bytes", item.left()));
    }
    PresentationContextRq pc;
    pc.id = item.u8();
    item.pos += 3;  // reserved
    const bool keep = ctx.limits.keep_malformed_contexts;
    if (!detail::valid_context_id(pc.id) && !keep) {
        return fail(ErrorCode::InvalidValue, ctx.pdu, name, start + 4,
                    fmt::format("presentation context ID {} is not odd", pc.id));
    }
    bool have_abstract = false;
    auto r = detail::for_each_item(
        item, ctx, name, [&](std::uint8_t type, std::size_t at, Cursor sub) -> Result<void> {
            if (type == detail::kAbstractSyntaxSubItem) {
                if (have_abstract)
                    return fail(ErrorCode::InvalidValue, ctx.pdu, item_name(type), at,
                                "a second abstract syntax");
                auto uid = read_syntax(sub, ctx, type, at, keep);
                if (!uid) return Unexpected(std::move(uid.error()));
                pc.abstract_syntax = std::move(*uid);
                have_abstract = true;
            } else if (type == detail::kTransferSyntaxSubItem) {
                if (pc.transfer_syntaxes.size() >= ctx.limits.max_transfer_syntaxes) {
                    return fail(ErrorCode::LimitExceeded, ctx.pdu, item_name(type), at,
                                fmt::format("more than {} transfer syntaxes",
                                            ctx.limits.max_transfer_syntaxes));
                }
                auto uid = read_syntax(sub, ctx, type, at, keep);
                if (!uid) return Unexpected(std::move(uid.error()));
                pc.transfer_syntaxes.push_back(std::move(*uid));
            }
            return {};  // PS3.8 9.3.1: sub-items of unrecognized types are ignored
        });
    if (!r) return Unexpected(std::move(r.error()));
    if (keep) {
        out.push_back(std::move(pc));
        return out.back().id;
    }
    if (!have_abstract) {
        return fail(ErrorCode::InvalidValue, ctx.pdu, name, start,
                    fmt::format("presentation context {} has no abstract syntax sub-item", pc.id));
    }
    if (pc.transfer_syntaxes.empty()) {
        return fail(ErrorCode::InvalidValue, ctx.pdu, name, start,
                    fmt::format("presentation context {} has no transfer syntax sub-item", pc.id));
    }
    out.push_back(std::move(pc));
    return out.back().id;
}

/// PS3.8 9.3.3.2: result/reason and one transfer syntax, significant only on acceptance.
Result<std::uint8_t> decode_context_ac(std::size_t start, Cursor item, const DecodeContext& ctx,
                                       std::vector<PresentationContextAc>& out) {
    const std::string name = item_name(detail::kPresentationContextAcItem);
    if (item.left() < 4) {
        return fail(ErrorCode::InvalidLength, ctx.pdu, name, start,
                    fmt::format("item length {} is shorter than its 4 fixed bytes", item.left()));
    }
    PresentationContextAc pc;
    pc.id = item.u8();
    item.u8();  // reserved
    std::uint8_t result = item.u8();
    item.u8();  // reserved
    if (!detail::valid_context_id(pc.id)) {
        return fail(ErrorCode::InvalidValue, ctx.pdu, name, start + 4,
                    fmt::format("presentation context ID {} is not odd", pc.id));
    }
    if (result > 4) {
        return fail(ErrorCode::InvalidValue, ctx.pdu, name, start + 6,
                    fmt::format("result/reason {} is not one of 0-4", result));
    }
    pc.result = static_cast<ContextResult>(result);
    const bool accepted = pc.result == ContextResult::Acceptance;
    int syntaxes = 0;
    auto r = detail::for_each_item(
        item, ctx, name, [&](std::uint8_t type, std::size_t at, Cursor sub) -> Result<void> {
            if (type != detail::kTransferSyntaxSubItem) return {};
            if (++syntaxes > 1) {
                // Not significant (and not tested) unless the context was accepted.
                if (!accepted) return {};
                return fail(ErrorCode::InvalidValue, ctx.pdu, item_name(type), at,
                            "a second transfer syntax");
            }
            auto uid = accepted ? read_syntax(sub, ctx, type, at)
                                : detail::read_uid(sub, sub.left(), ctx, item_name(type));
            if (!uid) return Unexpected(std::move(uid.error()));
            pc.transfer_syntax = std::move(*uid);
            return {};
        });
    if (!r) return Unexpected(std::move(r.error()));
    if (accepted && syntaxes == 0) {
        return fail(
            ErrorCode::InvalidValue, ctx.pdu, name, start,
            fmt::format("accepted presentation context {} has no transfer syntax sub-item", pc.id));
    }
    out.push_back(std::move(pc));
    return out.back().id;
}

/// The variable field of A-ASSOCIATE-RQ/AC: one application context item, presentation context
/// items (decoded by `on_context`) and one user information item; unknown items are skipped.
template <typename Assoc, typename OnContext>
Result<void> decode_variable_items(Cursor c, const DecodeContext& ctx, std::uint8_t context_type,
                                   Assoc& out, OnContext&& on_context) {
    bool have_application_context = false;
    bool have_user_information = false;
    std::size_t items = 0;
    std::bitset<256> ids;
    auto r = detail::for_each_item(
        c, ctx, "PDU", [&](std::uint8_t type, std::size_t start, Cursor item) -> Result<void> {
            if (++items > ctx.limits.max_items) {
                return fail(ErrorCode::LimitExceeded, ctx.pdu, item_name(type), start,
                            fmt::format("more than {} items", ctx.limits.max_items));
            }
            if (type == detail::kApplicationContextItem) {
                if (have_application_context) {
                    return fail(ErrorCode::InvalidValue, ctx.pdu, item_name(type), start,
                                "a second application context item");
                }
                auto uid = read_syntax(item, ctx, type, start);
                if (!uid) return Unexpected(std::move(uid.error()));
                out.application_context_name = std::move(*uid);
                have_application_context = true;
            } else if (type == context_type) {
                if (out.presentation_contexts.size() >= ctx.limits.max_presentation_contexts) {
                    return fail(ErrorCode::LimitExceeded, ctx.pdu, item_name(type), start,
                                fmt::format("more than {} presentation contexts",
                                            ctx.limits.max_presentation_contexts));
                }
                auto id = on_context(start, item, ctx, out.presentation_contexts);
                if (!id) return Unexpected(std::move(id.error()));
                const bool keep = context_type == detail::kPresentationContextRqItem &&
                                  ctx.limits.keep_malformed_contexts;
                if (ids.test(*id) && !keep) {
                    return fail(ErrorCode::InvalidValue, ctx.pdu, item_name(type), start,
                                fmt::format("presentation context ID {} used twice", *id));
                }
                ids.set(*id);
            } else if (type == detail::kUserInformationItem) {
                if (have_user_information) {
                    return fail(ErrorCode::InvalidValue, ctx.pdu, item_name(type), start,
                                "a second user information item");
                }
                auto info = detail::decode_user_information(item, ctx);
                if (!info) return Unexpected(std::move(info.error()));
                out.user_information = std::move(*info);
                have_user_information = true;
            }
            return {};  // PS3.8 9.3.1: items of unrecognized types are ignored
        });
    if (!r) return r;
    if (!have_application_context) {
        return fail(ErrorCode::InvalidValue, ctx.pdu, "", detail::kAssociateFixedEnd,
                    "no application context item");
    }
    return {};
}

Result<Pdu> decode_associate_rq(Cursor body, const DecodeContext& ctx) {
    AssociateRq rq;
    if (auto r = decode_fixed_fields(body, ctx, !ctx.limits.keep_malformed_contexts, rq); !r)
        return Unexpected(std::move(r.error()));
    auto r =
        decode_variable_items(body, ctx, detail::kPresentationContextRqItem, rq, decode_context_rq);
    if (!r) return Unexpected(std::move(r.error()));
    if (rq.presentation_contexts.empty()) {
        return fail(ErrorCode::InvalidValue, ctx.pdu, "", detail::kAssociateFixedEnd,
                    "no presentation context item");
    }
    return Pdu(std::move(rq));
}

Result<Pdu> decode_associate_ac(Cursor body, const DecodeContext& ctx) {
    AssociateAc ac;
    // PS3.8 Table 9-17: the AE title fields are reserved in the AC and not tested.
    if (auto r = decode_fixed_fields(body, ctx, false, ac); !r)
        return Unexpected(std::move(r.error()));
    auto r =
        decode_variable_items(body, ctx, detail::kPresentationContextAcItem, ac, decode_context_ac);
    if (!r) return Unexpected(std::move(r.error()));
    return Pdu(std::move(ac));
}

Result<Pdu> decode_associate_rj(Cursor body, std::string_view pdu) {
    if (auto r = expect_length(body, 4, pdu); !r) return Unexpected(std::move(r.error()));
    body.u8();  // reserved
    std::uint8_t result = body.u8();
    std::uint8_t source = body.u8();
    std::uint8_t reason = body.u8();
    if (!detail::valid_reject(result, source, reason)) {
        return fail(ErrorCode::InvalidValue, pdu, "", 7,
                    fmt::format("result {}, source {}, reason {} is not in PS3.8 Table 9-21",
                                result, source, reason));
    }
    return Pdu(
        AssociateRj{static_cast<RejectResult>(result), static_cast<RejectSource>(source), reason});
}

Result<Pdu> decode_abort(Cursor body, std::string_view pdu) {
    if (auto r = expect_length(body, 4, pdu); !r) return Unexpected(std::move(r.error()));
    body.pos += 2;  // reserved
    std::uint8_t source = body.u8();
    std::uint8_t reason = body.u8();
    if (!detail::valid_abort(source, reason)) {
        return fail(ErrorCode::InvalidValue, pdu, "", 8,
                    fmt::format("source {}, reason {} is not in PS3.8 Table 9-26", source, reason));
    }
    return Pdu(Abort{static_cast<AbortSource>(source), static_cast<AbortReason>(reason)});
}

/// PS3.8 9.3.5.1: PDV items with 4-byte lengths, context ID and message control header.
Result<std::vector<PdvView>> decode_pdvs(Cursor c, const DecodeLimits& limits) {
    constexpr std::string_view pdu = "P-DATA-TF";
    std::vector<PdvView> pdvs;
    while (c.left() > 0) {
        std::size_t start = c.pos;
        if (c.left() < 4) {
            return fail(ErrorCode::Truncated, pdu, "PDV item", start,
                        fmt::format("{} byte(s) left where a PDV item length needs 4", c.left()));
        }
        std::uint32_t length = c.u32();
        if (length < 2 || length > c.left()) {
            return fail(ErrorCode::InvalidLength, pdu, "PDV item", start,
                        fmt::format("item length {} does not fit 2..{} (context ID, header, data)",
                                    length, c.left()));
        }
        if (pdvs.size() >= limits.max_pdvs) {
            return fail(ErrorCode::LimitExceeded, pdu, "PDV item", start,
                        fmt::format("more than {} PDVs", limits.max_pdvs));
        }
        PdvView v;
        v.context_id = c.u8();
        if (!detail::valid_context_id(v.context_id)) {
            return fail(ErrorCode::InvalidValue, pdu, "PDV item", start + 4,
                        fmt::format("presentation context ID {} is not odd", v.context_id));
        }
        std::uint8_t header = c.u8();  // PS3.8 E.2: bits 2-7 not checked
        v.command = (header & 0x01) != 0;
        v.last = (header & 0x02) != 0;
        v.data = c.take(length - 2);
        pdvs.push_back(v);
    }
    if (pdvs.empty()) return fail(ErrorCode::InvalidValue, pdu, "", kPduHeaderSize, "no PDV item");
    return pdvs;
}

}  // namespace

Result<std::optional<std::uint32_t>> pdu_length_from_header(std::span<const std::uint8_t> first6,
                                                            std::uint32_t max_pdu) {
    if (first6.size() < kPduHeaderSize) return std::optional<std::uint32_t>{};
    if (!is_known_pdu_type(first6[0])) {
        return fail(ErrorCode::InvalidValue, "PDU", "", 0,
                    fmt::format("unrecognized PDU type {:02X}H", first6[0]));
    }
    Cursor c{first6, 2, kPduHeaderSize};
    std::uint32_t length = c.u32();
    if (length > max_pdu) {
        return fail(ErrorCode::LimitExceeded, pdu_type_name(first6[0]), "", 2,
                    fmt::format("PDU-length {} is over the limit of {}", length, max_pdu));
    }
    return std::optional<std::uint32_t>{length};
}

Result<std::vector<PdvView>> decode_p_data_tf(std::span<const std::uint8_t> whole_pdu,
                                              const DecodeLimits& limits) {
    auto body = open_pdu(whole_pdu, limits);
    if (!body) return Unexpected(std::move(body.error()));
    if (whole_pdu[0] != static_cast<std::uint8_t>(PduType::PDataTf)) {
        return fail(ErrorCode::InvalidValue, pdu_type_name(whole_pdu[0]), "", 0,
                    "not a P-DATA-TF PDU");
    }
    return decode_pdvs(*body, limits);
}

Result<Pdu> decode(std::span<const std::uint8_t> whole_pdu, const DecodeLimits& limits) {
    auto body = open_pdu(whole_pdu, limits);
    if (!body) return Unexpected(std::move(body.error()));
    const auto type = static_cast<PduType>(whole_pdu[0]);
    const std::string_view name = pdu_type_name(whole_pdu[0]);
    const DecodeContext ctx{name, limits};
    switch (type) {
        case PduType::AssociateRq:
            return decode_associate_rq(*body, ctx);
        case PduType::AssociateAc:
            return decode_associate_ac(*body, ctx);
        case PduType::AssociateRj:
            return decode_associate_rj(*body, name);
        case PduType::PDataTf: {
            auto views = decode_pdvs(*body, limits);
            if (!views) return Unexpected(std::move(views.error()));
            PDataTf p;
            p.pdvs.reserve(views->size());
            for (const PdvView& v : *views) {
                p.pdvs.push_back(
                    Pdv{v.context_id, v.command, v.last, Bytes(v.data.begin(), v.data.end())});
            }
            return Pdu(std::move(p));
        }
        case PduType::ReleaseRq:
        case PduType::ReleaseRp: {
            // PS3.8 9.3.6/9.3.7: fixed length 4, reserved content not tested.
            if (auto r = expect_length(*body, 4, name); !r) return Unexpected(std::move(r.error()));
            return type == PduType::ReleaseRq ? Pdu(ReleaseRq{}) : Pdu(ReleaseRp{});
        }
        case PduType::Abort:
            return decode_abort(*body, name);
    }
    return fail(ErrorCode::InvalidValue, name, "", 0, "unrecognized PDU type");
}

}  // namespace dicomkit::net::pdu
