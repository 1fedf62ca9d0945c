// PolicyAuthorizer: the config's peers, their permissions and address checks, accept_unknown.
#include <dicomkit/server/service/authorizer.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <dicomkit/base/log.hpp>

namespace dicomkit::server::service {

namespace {

constexpr std::array<std::pair<Action, std::string_view>, 6> kActions{{{Action::Echo, "echo"},
                                                                        {Action::Store, "store"},
                                                                        {Action::Query, "query"},
                                                                        {Action::Retrieve, "retrieve"},
                                                                        {Action::MoveDestination, "move-destination"},
                                                                        {Action::Administer, "administer"}}};

/// The least web role that may do `a`.
WebRole role_needed(Action a) {
    switch (a) {
        case Action::Echo:
        case Action::Query:
        case Action::Retrieve: return WebRole::Read;
        case Action::Store: return WebRole::Write;
        case Action::MoveDestination:
        case Action::Administer: return WebRole::Admin;
    }
    return WebRole::Admin;
}

std::string_view role_name(WebRole r) {
    switch (r) {
        case WebRole::None: return "none";
        case WebRole::Read: return "read";
        case WebRole::Write: return "write";
        case WebRole::Admin: return "admin";
    }
    return "none";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
}

/// The address part of "10.0.0.5:51234" or "[::1]:51234", as 16 bytes (IPv4 as IPv4-mapped IPv6).
std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view text) {
    std::array<std::uint8_t, 16> out{};
    const std::string s(text);
    in_addr v4{};
    if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        out[10] = out[11] = 0xFF;
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

std::string_view address_of(std::string_view peer_address) {
    if (peer_address.starts_with('[')) {
        const auto end = peer_address.find(']');
        return end == std::string_view::npos ? peer_address.substr(1) : peer_address.substr(1, end - 1);
    }
    const auto colon = peer_address.rfind(':');
    return colon == std::string_view::npos ? peer_address : peer_address.substr(0, colon);
}

/// Whether `host` (an address, or a name resolved now) is `ip`.
bool host_is(const std::string& host, const std::array<std::uint8_t, 16>& ip) {
    if (auto h = parse_ip(host)) return *h == ip;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return false;
    bool match = false;
    for (addrinfo* a = res; a && !match; a = a->ai_next) {
        char buf[INET6_ADDRSTRLEN] = {};
        const void* src = a->ai_family == AF_INET
                              ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                              : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
        if (::inet_ntop(a->ai_family, src, buf, sizeof buf)) {
            auto r = parse_ip(buf);
            match = r && *r == ip;
        }
    }
    ::freeaddrinfo(res);
    return match;
}

/// What is allowed an AE title that no entry lists, under accept_unknown.
bool unknown_may(Action a) { return a != Action::MoveDestination; }

}  // namespace

std::string_view to_string(Action a) noexcept {
    for (const auto& [act, name] : kActions)
        if (act == a) return name;
    return "unknown";
}

std::optional<Action> parse_action(std::string_view text) noexcept {
    for (const auto& [act, name] : kActions)
        if (name == text) return act;
    return std::nullopt;
}

PolicyAuthorizer::PolicyAuthorizer(AccessPolicy policy) : policy_(std::move(policy)), tls_port_(policy_.tls_port) {
    for (PeerRule& p : policy_.peers) p.ae_title = std::string(trim(p.ae_title));
}

bool PolicyAuthorizer::allows(std::string_view ae_title, Action action) const {
    const std::string_view ae = trim(ae_title);
    bool known = false;
    for (const PeerRule& p : policy_.peers) {
        if (p.ae_title != ae) continue;
        known = true;
        if (std::find(p.allow.begin(), p.allow.end(), action) != p.allow.end()) return true;
        // Echo is part of any service a peer may use (PS3.4 A: verification of the association).
        if (action == Action::Echo && std::any_of(p.allow.begin(), p.allow.end(), [](Action a) {
                return a == Action::Store || a == Action::Query || a == Action::Retrieve;
            }))
            return true;
    }
    return !known && policy_.accept_unknown && unknown_may(action);
}

bool PolicyAuthorizer::address_matches(std::string_view ae_title, std::string_view address) const {
    const std::string_view ae = trim(ae_title);
    const auto ip = parse_ip(address_of(address));
    bool checked = false;
    for (const PeerRule& p : policy_.peers) {
        if (p.ae_title != ae) continue;
        if (!p.check_address) return true;  // this entry trusts the AE title alone
        checked = true;
        if (ip && host_is(p.host, *ip)) return true;
    }
    return !checked;
}

ServiceResult<void> PolicyAuthorizer::admit(const Caller& caller) const {
    const std::string ae(trim(caller.ae_title));
    const std::uint16_t tls_port = tls_port_.load();
    if (!caller.tls && tls_port != 0 &&
        std::any_of(policy_.peers.begin(), policy_.peers.end(),
                    [&](const PeerRule& p) { return p.tls && p.ae_title == ae; }))
        return service_error(ErrorKind::NotAuthorized, "refused on the plain port: peer " + ae +
                                                           " has tls = true, so it must use the TLS port " +
                                                           std::to_string(tls_port));
    if (!address_matches(ae, caller.address))
        return service_error(ErrorKind::NotAuthorized,
                             "refused: calling AE " + log::printable(ae, 16) + " is listed for other addresses (check_address)");
    if (!allows(ae, Action::Store) && !allows(ae, Action::Query) && !allows(ae, Action::Retrieve))
        return service_error(ErrorKind::NotAuthorized,
                             "refused: calling AE " + log::printable(ae, 16) + " may not store, query or retrieve");
    return {};
}

ServiceResult<void> PolicyAuthorizer::check(const Caller& caller, Action action) const {
    if (caller.user) {
        const WebRole need = role_needed(action);
        if (static_cast<int>(caller.web_role) >= static_cast<int>(need)) return {};
        return service_error(ErrorKind::NotAuthorized, "user " + log::printable(*caller.user, 64) + " (role " +
                                                           std::string(role_name(caller.web_role)) + ") may not " +
                                                           std::string(to_string(action)) + ": it needs role " +
                                                           std::string(role_name(need)));
    }
    if (action == Action::Administer) return service_error(ErrorKind::NotAuthorized, "administer is for web users");
    if (allows(caller.ae_title, action)) return {};
    // The Error Comment is an LO (64 characters): the AE title as sent, escaped, at most 16.
    return service_error(ErrorKind::NotAuthorized, "calling AE " + log::printable(trim(caller.ae_title), 16) +
                                                       " lacks the " + std::string(to_string(action)) + " permission");
}

ServiceResult<void> PolicyAuthorizer::check_destination(const Caller&, std::string_view destination_ae) const {
    if (allows(destination_ae, Action::MoveDestination) &&
        std::any_of(policy_.peers.begin(), policy_.peers.end(),
                    [&](const PeerRule& p) { return p.ae_title == trim(destination_ae); }))
        return {};
    return service_error(ErrorKind::UnknownDestination,
                         "unknown move destination " + log::printable(trim(destination_ae), 16));
}

}  // namespace dicomkit::server::service
