// Authorizer: the one place that decides what a caller (a calling AE title from an address, over
// TLS or not; later an HTTP user) may do with the archive. Fronts ask it, then map NotAuthorized.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/server/service/errors.hpp>

namespace dicomkit::server::service {

/// What a caller asks to do. MoveDestination: be sent the instances of a C-MOVE (PS3.4 C.4.2).
/// Administer: remove instances, use the peers, jobs and logs (the web front's admin API).
enum class Action { Echo, Store, Query, Retrieve, MoveDestination, Administer };

/// The role of an authenticated web user: read (query, retrieve), write (and store), admin (and
/// administer). Each includes the ones before it.
enum class WebRole { None = 0, Read = 1, Write = 2, Admin = 3 };

/// "echo", "store", "query", "retrieve", "move-destination": the config's words.
[[nodiscard]] std::string_view to_string(Action a) noexcept;
[[nodiscard]] std::optional<Action> parse_action(std::string_view text) noexcept;

/// Who asks.
struct Caller {
    std::string ae_title;                 ///< calling AE title (spaces trimmed when compared)
    std::string address;                  ///< the peer's "10.0.0.5:51234" or "[::1]:51234"
    bool tls = false;                     ///< the connection is TLS (PS3.15 B.1)
    std::optional<std::string> user;      ///< an authenticated HTTP user, for the web front
    WebRole web_role = WebRole::None;     ///< that user's role
};

class Authorizer {
public:
    virtual ~Authorizer() = default;
    /// Whether an association (or session) of `caller` may be established at all.
    [[nodiscard]] virtual ServiceResult<void> admit(const Caller& caller) const = 0;
    /// Whether `caller` may do `action`: NotAuthorized with a message that names the caller and
    /// the permission it lacks.
    [[nodiscard]] virtual ServiceResult<void> check(const Caller& caller, Action action) const = 0;
    /// Whether `caller` may have instances sent to `destination_ae` (C-MOVE): UnknownDestination
    /// when that AE is not one instances may be sent to.
    [[nodiscard]] virtual ServiceResult<void> check_destination(const Caller& caller,
                                                                std::string_view destination_ae) const = 0;
};

/// Everyone may do everything (tests, tools, a private network by choice).
class AllowAll final : public Authorizer {
public:
    [[nodiscard]] ServiceResult<void> admit(const Caller&) const override { return {}; }
    [[nodiscard]] ServiceResult<void> check(const Caller&, Action) const override { return {}; }
    [[nodiscard]] ServiceResult<void> check_destination(const Caller&, std::string_view) const override { return {}; }
};

/// A known peer and what it may do.
struct PeerRule {
    std::string ae_title;
    std::string host;              ///< an address, or a name that resolves to it
    bool check_address = false;    ///< the association must come from `host`
    bool tls = false;              ///< refused without TLS while a TLS port runs beside (AccessPolicy::tls_port)
    std::vector<Action> allow;
};

/// The access rules of the config (DESIGN 4: unknown calling AEs refused unless configured).
struct AccessPolicy {
    std::vector<PeerRule> peers;
    bool accept_unknown = false;  ///< AE titles not listed may store, query and retrieve (not be destinations)
    /// The TLS port serve runs beside a plain one (0: none): the peers with tls = true are
    /// refused when they come without TLS.
    std::uint16_t tls_port = 0;
};

/// The Authorizer of an AccessPolicy:
/// - admit: a peer with tls = true without TLS while a TLS port runs is refused; an AE title
///   whose every entry says check_address, from an address none of their hosts has, is refused;
///   then the caller must be allowed store, query or retrieve.
/// - check: a web user (Caller::user set) may do what its role allows; a listed AE title has the permissions of its entries (several entries add up), an
///   unlisted one store, query and retrieve when accept_unknown; echo goes with any of those.
/// - check_destination: the destination must be a listed peer allowed "move-destination".
class PolicyAuthorizer final : public Authorizer {
public:
    explicit PolicyAuthorizer(AccessPolicy policy);

    /// The TLS port, once it is known (a port 0 in the config is chosen when serve starts). Set it
    /// before the plain port accepts associations.
    void set_tls_port(std::uint16_t port) noexcept { tls_port_.store(port); }

    [[nodiscard]] ServiceResult<void> admit(const Caller& caller) const override;
    [[nodiscard]] ServiceResult<void> check(const Caller& caller, Action action) const override;
    [[nodiscard]] ServiceResult<void> check_destination(const Caller& caller,
                                                        std::string_view destination_ae) const override;

    /// Whether `caller` may do `action` (check() without the message).
    [[nodiscard]] bool allows(std::string_view ae_title, Action action) const;
    /// Whether an association from `ae_title` at `address` passes the address checks: false only
    /// when every entry with that AE title says check_address and none of their hosts is that
    /// address (IPv4-mapped IPv6 addresses count as IPv4).
    [[nodiscard]] bool address_matches(std::string_view ae_title, std::string_view address) const;

    [[nodiscard]] const AccessPolicy& policy() const noexcept { return policy_; }

private:
    AccessPolicy policy_;
    std::atomic<std::uint16_t> tls_port_;
};

}  // namespace dicomkit::server::service
