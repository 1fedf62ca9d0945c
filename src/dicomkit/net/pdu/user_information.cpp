// Decoding and encoding of the User Information item and its sub-items (PS3.8 D.1, PS3.7 D.3.3).
#include <dicomkit/net/pdu/user_information.hpp>

#include <fmt/format.h>

#include <dicomkit/net/pdu/pdu_detail.hpp>

namespace dicomkit::net::pdu::detail {

namespace {

/// Reads the fields of one sub-item; every read is preceded by a check against its length.
class SubItemReader {
  public:
    SubItemReader(Cursor c, std::uint8_t type, std::size_t start, const DecodeContext& ctx)
        : c_(c), name_(item_name(type)), start_(start), ctx_(ctx) {}

    /// Fails unless `n` more bytes are there for `field`.
    Result<void> need(std::size_t n, std::string_view field) const {
        if (c_.left() >= n) return {};
        return fail(
            ErrorCode::InvalidLength, ctx_.pdu, name_, c_.pos,
            fmt::format("{} needs {} byte(s), the sub-item has {} left", field, n, c_.left()));
    }
    Result<std::uint8_t> u8(std::string_view field) {
        if (auto r = need(1, field); !r) return Unexpected(std::move(r.error()));
        return c_.u8();
    }
    Result<std::uint16_t> u16(std::string_view field) {
        if (auto r = need(2, field); !r) return Unexpected(std::move(r.error()));
        return c_.u16();
    }
    Result<std::uint32_t> u32(std::string_view field) {
        if (auto r = need(4, field); !r) return Unexpected(std::move(r.error()));
        return c_.u32();
    }
    /// A 2-byte length followed by that many bytes.
    Result<std::span<const std::uint8_t>> prefixed(std::string_view field) {
        std::size_t at = c_.pos;
        auto length = u16(fmt::format("{}-length", field));
        if (!length) return Unexpected(std::move(length.error()));
        if (*length > c_.left()) {
            return fail(
                ErrorCode::InvalidLength, ctx_.pdu, name_, at,
                fmt::format("{}-length {} runs past the end of the sub-item ({} bytes left)", field,
                            *length, c_.left()));
        }
        return c_.take(*length);
    }
    /// A 2-byte length followed by a UID.
    Result<std::string> prefixed_uid(std::string_view field) {
        std::size_t at = c_.pos;
        auto bytes = prefixed(field);
        if (!bytes) return Unexpected(std::move(bytes.error()));
        Cursor u{c_.all, at + 2, at + 2 + bytes->size()};
        return read_uid(u, bytes->size(), ctx_, name_);
    }
    Result<std::string> rest_as_uid() { return read_uid(c_, c_.left(), ctx_, name_); }
    std::span<const std::uint8_t> rest() { return c_.take(c_.left()); }

    /// Fails if bytes are left over after the sub-item's last field.
    Result<void> done() const {
        if (c_.left() == 0) return {};
        return fail(ErrorCode::InvalidLength, ctx_.pdu, name_, c_.pos,
                    fmt::format("{} byte(s) after the last field of the sub-item", c_.left()));
    }
    Unexpected invalid(std::string_view what) const {
        return fail(ErrorCode::InvalidValue, ctx_.pdu, name_, start_, what);
    }
    Cursor& cursor() { return c_; }

  private:
    Cursor c_;
    std::string name_;
    std::size_t start_;
    const DecodeContext& ctx_;
};

#define DK_TRY(var, expr) \
    auto var = (expr);    \
    if (!var) return Unexpected(std::move(var.error()))

Result<void> decode_role_selection(SubItemReader& r, UserInformation& info) {
    RoleSelection role;
    DK_TRY(uid, r.prefixed_uid("UID"));
    DK_TRY(scu, r.u8("SCU-role"));
    DK_TRY(scp, r.u8("SCP-role"));
    if (*scu > 1 || *scp > 1) {
        return r.invalid(fmt::format("SCU-role {} / SCP-role {}: each must be 0 or 1", *scu, *scp));
    }
    role.sop_class_uid = std::move(*uid);
    role.scu_role = *scu == 1;
    role.scp_role = *scp == 1;
    info.role_selections.push_back(std::move(role));
    return r.done();
}

Result<void> decode_extended_negotiation(SubItemReader& r, UserInformation& info) {
    DK_TRY(uid, r.prefixed_uid("SOP-class-uid"));
    auto rest = r.rest();
    info.extended_negotiations.push_back(
        SopClassExtendedNegotiation{std::move(*uid), Bytes(rest.begin(), rest.end())});
    return {};
}

/// PS3.7 D.3.3.6: Table D.3-12 with the Related General SOP Class sub-fields of Table D.3-13.
Result<void> decode_common_extended_negotiation(SubItemReader& r, UserInformation& info,
                                                const DecodeContext& ctx) {
    SopClassCommonExtendedNegotiation n;
    DK_TRY(sop, r.prefixed_uid("SOP-class-uid"));
    DK_TRY(service, r.prefixed_uid("Service-class-uid"));
    std::size_t related_at = r.cursor().pos;
    DK_TRY(related, r.prefixed("Related-general-sop-class-identification"));
    Cursor rc{r.cursor().all, related_at + 2, related_at + 2 + related->size()};
    SubItemReader rr(rc, sub_item::kSopClassCommonExtendedNegotiation, related_at, ctx);
    while (rr.cursor().left() > 0) {
        if (n.related_general_sop_class_uids.size() >= ctx.limits.max_sub_items) {
            return r.invalid("too many related general SOP classes");
        }
        DK_TRY(uid, rr.prefixed_uid("Related-general-sop-class-uid"));
        n.related_general_sop_class_uids.push_back(std::move(*uid));
    }
    n.sop_class_uid = std::move(*sop);
    n.service_class_uid = std::move(*service);
    info.common_extended_negotiations.push_back(std::move(n));
    return r.done();
}

/// PS3.7 D.3.3.7.1, Table D.3-14.
Result<void> decode_user_identity_rq(SubItemReader& r, UserInformation& info) {
    DK_TRY(type, r.u8("User-Identity-Type"));
    DK_TRY(positive, r.u8("Positive-response-requested"));
    DK_TRY(primary, r.prefixed("Primary-field"));
    DK_TRY(secondary, r.prefixed("Secondary-field"));
    UserIdentityRq id;
    id.type = static_cast<UserIdentityType>(*type);
    id.positive_response_requested = *positive != 0;
    id.primary_field.assign(primary->begin(), primary->end());
    id.secondary_field.assign(secondary->begin(), secondary->end());
    info.user_identity_rq = std::move(id);
    return r.done();
}

Result<void> decode_sub_item(std::uint8_t type, std::size_t start, Cursor c,
                             const DecodeContext& ctx, UserInformation& info) {
    SubItemReader r(c, type, start, ctx);
    auto once = [&](bool present) -> Result<void> {
        if (!present) return {};
        return r.invalid("a second sub-item of this type");
    };
    switch (type) {
        case sub_item::kMaximumLength: {
            DK_TRY(dup, once(info.maximum_length.has_value()));
            DK_TRY(v, r.u32("Maximum-length-received"));
            info.maximum_length = *v;
            return r.done();
        }
        case sub_item::kImplementationClassUid: {
            DK_TRY(dup, once(info.implementation_class_uid.has_value()));
            DK_TRY(uid, r.rest_as_uid());
            info.implementation_class_uid = std::move(*uid);
            return {};
        }
        case sub_item::kAsynchronousOperationsWindow: {
            DK_TRY(dup, once(info.asynchronous_operations_window.has_value()));
            DK_TRY(invoked, r.u16("Maximum-number-operations-invoked"));
            DK_TRY(performed, r.u16("Maximum-number-operations-performed"));
            info.asynchronous_operations_window =
                AsynchronousOperationsWindow{*invoked, *performed};
            return r.done();
        }
        case sub_item::kRoleSelection:
            return decode_role_selection(r, info);
        case sub_item::kImplementationVersionName: {
            DK_TRY(dup, once(info.implementation_version_name.has_value()));
            auto rest = r.rest();
            info.implementation_version_name = std::string(rest.begin(), rest.end());
            return {};
        }
        case sub_item::kSopClassExtendedNegotiation:
            return decode_extended_negotiation(r, info);
        case sub_item::kSopClassCommonExtendedNegotiation:
            return decode_common_extended_negotiation(r, info, ctx);
        case sub_item::kUserIdentityRq: {
            DK_TRY(dup, once(info.user_identity_rq.has_value()));
            return decode_user_identity_rq(r, info);
        }
        case sub_item::kUserIdentityAc: {
            DK_TRY(dup, once(info.user_identity_ac.has_value()));
            DK_TRY(response, r.prefixed("Server-response"));
            info.user_identity_ac = UserIdentityAc{Bytes(response->begin(), response->end())};
            return r.done();
        }
        default: {
            // PS3.8 D.2: unrecognized sub-items are ignored by the acceptor; kept for re-encoding.
            auto rest = r.rest();
            info.unknown_sub_items.push_back(RawSubItem{type, Bytes(rest.begin(), rest.end())});
            return {};
        }
    }
}

// ---- encoding --------------------------------------------------------------------------------

Result<void> put_prefixed(Writer& w, std::span<const std::uint8_t> bytes, std::string_view field,
                          std::string_view pdu, std::uint8_t type) {
    if (bytes.size() > 0xFFFF) {
        return fail(
            ErrorCode::InvalidArgument, pdu, item_name(type), w.size(),
            fmt::format("{} of {} bytes does not fit its 16-bit length", field, bytes.size()));
    }
    w.u16(static_cast<std::uint16_t>(bytes.size()));
    w.bytes(bytes);
    return {};
}

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// Writes the content of the known sub-items of one type (there may be several, or none).
Result<void> put_known(Writer& w, std::uint8_t type, const UserInformation& info,
                       std::string_view pdu) {
    auto item = [&](auto&& content) -> Result<void> {
        std::size_t start = w.begin_item(type);
        if (auto r = content(); !r) return r;
        return w.end_item(start, pdu);
    };
    auto prefixed = [&](std::span<const std::uint8_t> b, std::string_view field) {
        return put_prefixed(w, b, field, pdu, type);
    };
    switch (type) {
        case sub_item::kMaximumLength:
            if (!info.maximum_length) return {};
            return item([&]() -> Result<void> {
                w.u32(*info.maximum_length);
                return {};
            });
        case sub_item::kImplementationClassUid:
            if (!info.implementation_class_uid) return {};
            return item([&]() -> Result<void> {
                w.text(*info.implementation_class_uid);
                return {};
            });
        case sub_item::kAsynchronousOperationsWindow:
            if (!info.asynchronous_operations_window) return {};
            return item([&]() -> Result<void> {
                w.u16(info.asynchronous_operations_window->max_operations_invoked);
                w.u16(info.asynchronous_operations_window->max_operations_performed);
                return {};
            });
        case sub_item::kRoleSelection:
            for (const RoleSelection& role : info.role_selections) {
                auto r = item([&]() -> Result<void> {
                    if (auto p = prefixed(as_bytes(role.sop_class_uid), "UID"); !p) return p;
                    w.u8(role.scu_role ? 1 : 0);
                    w.u8(role.scp_role ? 1 : 0);
                    return {};
                });
                if (!r) return r;
            }
            return {};
        case sub_item::kImplementationVersionName:
            if (!info.implementation_version_name) return {};
            return item([&]() -> Result<void> {
                w.text(*info.implementation_version_name);
                return {};
            });
        case sub_item::kSopClassExtendedNegotiation:
            for (const SopClassExtendedNegotiation& n : info.extended_negotiations) {
                auto r = item([&]() -> Result<void> {
                    if (auto p = prefixed(as_bytes(n.sop_class_uid), "SOP-class-uid"); !p) return p;
                    w.bytes(n.service_class_application_information);
                    return {};
                });
                if (!r) return r;
            }
            return {};
        default:
            return {};
    }
}

/// The sub-items of types 57H-59H (put_known covers 51H-56H).
Result<void> put_known_high(Writer& w, std::uint8_t type, const UserInformation& info,
                            std::string_view pdu) {
    auto prefixed = [&](std::span<const std::uint8_t> b, std::string_view field) {
        return put_prefixed(w, b, field, pdu, type);
    };
    if (type == sub_item::kSopClassCommonExtendedNegotiation) {
        for (const SopClassCommonExtendedNegotiation& n : info.common_extended_negotiations) {
            std::size_t start = w.begin_item(type);  // byte 2 is the Sub-item-version, 00H
            if (auto p = prefixed(as_bytes(n.sop_class_uid), "SOP-class-uid"); !p) return p;
            if (auto p = prefixed(as_bytes(n.service_class_uid), "Service-class-uid"); !p) return p;
            Writer related;
            for (const std::string& uid : n.related_general_sop_class_uids) {
                if (auto p = put_prefixed(related, as_bytes(uid), "Related-general-sop-class-uid",
                                          pdu, type);
                    !p)
                    return p;
            }
            Bytes r = std::move(related).take();
            if (auto p = prefixed(r, "Related-general-sop-class-identification"); !p) return p;
            if (auto e = w.end_item(start, pdu); !e) return e;
        }
    } else if (type == sub_item::kUserIdentityRq && info.user_identity_rq) {
        const UserIdentityRq& id = *info.user_identity_rq;
        std::size_t start = w.begin_item(type);
        w.u8(static_cast<std::uint8_t>(id.type));
        w.u8(id.positive_response_requested ? 1 : 0);
        if (auto p = prefixed(id.primary_field, "Primary-field"); !p) return p;
        if (auto p = prefixed(id.secondary_field, "Secondary-field"); !p) return p;
        return w.end_item(start, pdu);
    } else if (type == sub_item::kUserIdentityAc && info.user_identity_ac) {
        std::size_t start = w.begin_item(type);
        if (auto p = prefixed(info.user_identity_ac->server_response, "Server-response"); !p)
            return p;
        return w.end_item(start, pdu);
    }
    return {};
}

#undef DK_TRY

}  // namespace

Result<UserInformation> decode_user_information(Cursor c, const DecodeContext& ctx) {
    UserInformation info;
    std::size_t count = 0;
    const std::string name = item_name(kUserInformationItem);
    auto r = for_each_item(
        c, ctx, name, [&](std::uint8_t type, std::size_t start, Cursor sub) -> Result<void> {
            if (++count > ctx.limits.max_sub_items) {
                return fail(ErrorCode::LimitExceeded, ctx.pdu, item_name(type), start,
                            fmt::format("more than {} user information sub-items",
                                        ctx.limits.max_sub_items));
            }
            return decode_sub_item(type, start, sub, ctx, info);
        });
    if (!r) return Unexpected(std::move(r.error()));
    return info;
}

Result<void> encode_user_information(Writer& w, const UserInformation& info, std::string_view pdu) {
    std::size_t start = w.begin_item(kUserInformationItem);
    auto unknown = info.unknown_sub_items.begin();
    auto put_unknown_below = [&](unsigned limit) -> Result<void> {
        // Unknown sub-items keep their relative order; each goes before the first known type above
        // it.
        for (; unknown != info.unknown_sub_items.end() && unknown->type < limit; ++unknown) {
            if (is_known_sub_item(unknown->type)) {
                return fail(ErrorCode::InvalidArgument, pdu, item_name(unknown->type), w.size(),
                            "a raw sub-item may not have the type of a known sub-item");
            }
            std::size_t s = w.begin_item(unknown->type);
            w.bytes(unknown->value);
            if (auto e = w.end_item(s, pdu); !e) return e;
        }
        return {};
    };
    for (unsigned type = sub_item::kMaximumLength; type <= sub_item::kUserIdentityAc; ++type) {
        if (auto r = put_unknown_below(type); !r) return r;
        auto t = static_cast<std::uint8_t>(type);
        auto r = type < sub_item::kSopClassCommonExtendedNegotiation
                     ? put_known(w, t, info, pdu)
                     : put_known_high(w, t, info, pdu);
        if (!r) return r;
    }
    if (auto r = put_unknown_below(0x100); !r) return r;
    return w.end_item(start, pdu);
}

}  // namespace dicomkit::net::pdu::detail
