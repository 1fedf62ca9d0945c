// Authentication of web requests: users with hashed passwords (PBKDF2-HMAC-SHA256), tokens for
// scripts (Bearer), Basic, and browser sessions (a random id in an HttpOnly, SameSite=Strict
// cookie). Each identity has a Role; what a role may do is decided where the routes are made.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/server/web/http.hpp>

namespace dicomkit::server::web {

struct WebUser {
    std::string name;
    std::string password_hash;  ///< hash_password()'s text
    Role role = Role::Read;
};

struct WebToken {
    std::string name;   ///< who it stands for, in logs
    std::string token;  ///< the secret itself
    Role role = Role::Read;
};

struct AuthSettings {
    bool enabled = true;  ///< false: every request is admin (a private machine by choice)
    std::vector<WebUser> users;
    std::vector<WebToken> tokens;
    std::chrono::seconds session_lifetime{8 * 3600};
    bool secure_cookie = false;  ///< add Secure to the cookie (HTTPS)
};

/// "pbkdf2-sha256$ITERATIONS$SALT$HASH" (salt and hash in hex).
[[nodiscard]] std::string hash_password(std::string_view password, std::uint32_t iterations = 200000);
[[nodiscard]] bool verify_password(std::string_view password, std::string_view hash);
/// `bytes` random bytes from the operating system's generator, in hex.
[[nodiscard]] std::string random_hex(std::size_t bytes);

inline constexpr std::string_view kSessionCookie = "dk_session";

class Auth {
public:
    explicit Auth(AuthSettings settings);

    struct Identity {
        std::string user;
        Role role = Role::None;
    };
    /// Who sent `request`: a session cookie, a Bearer token, or Basic credentials; nullopt when
    /// none of them is there and valid.
    [[nodiscard]] std::optional<Identity> authenticate(const Request& request);
    /// A new session for `user` with `password`: the Set-Cookie value. NotFound for a wrong
    /// user or password (the same error for both).
    [[nodiscard]] Result<std::pair<std::string, Identity>> login(std::string_view user, std::string_view password);
    /// Ends the request's session (if any): the Set-Cookie value that clears it.
    [[nodiscard]] std::string logout(const Request& request);
    [[nodiscard]] bool enabled() const noexcept { return settings_.enabled; }

private:
    [[nodiscard]] std::optional<Identity> check_password(std::string_view user, std::string_view password);
    [[nodiscard]] std::string cookie(std::string_view value, std::chrono::seconds max_age) const;

    AuthSettings settings_;
    std::mutex mutex_;
    struct Session {
        Identity who;
        std::chrono::steady_clock::time_point expires;
    };
    std::unordered_map<std::string, Session> sessions_;
    /// Basic credentials already checked (a digest of user and password -> who): PBKDF2 is slow
    /// on purpose, and a script sends the same credentials with every request.
    std::unordered_map<std::string, Identity> checked_;
};

/// The value of cookie `name` in a Cookie header; empty when absent.
[[nodiscard]] std::string_view cookie_value(std::string_view header, std::string_view name);

}  // namespace dicomkit::server::web
