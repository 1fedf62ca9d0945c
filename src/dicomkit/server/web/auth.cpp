#include <dicomkit/server/web/auth.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstring>

namespace dicomkit::server::web {

namespace {

std::string to_hex(const unsigned char* data, std::size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += kHex[data[i] >> 4];
        out += kHex[data[i] & 15];
    }
    return out;
}

std::optional<std::vector<unsigned char>> from_hex(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::vector<unsigned char> out;
    auto v = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int h = v(hex[i]), l = v(hex[i + 1]);
        if (h < 0 || l < 0) return std::nullopt;
        out.push_back(static_cast<unsigned char>(h * 16 + l));
    }
    return out;
}

std::vector<unsigned char> pbkdf2(std::string_view password, const std::vector<unsigned char>& salt,
                                  std::uint32_t iterations) {
    std::vector<unsigned char> out(32);
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(), static_cast<int>(salt.size()),
                      static_cast<int>(iterations), EVP_sha256(), static_cast<int>(out.size()), out.data());
    return out;
}

bool same(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sha256_hex(std::string_view text) {
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d);
    return to_hex(d, sizeof d);
}

std::optional<std::string> base64_decode(std::string_view in) {
    std::string out;
    int val = 0, bits = -8;
    for (const char c : in) {
        int d;
        if (c >= 'A' && c <= 'Z') d = c - 'A';
        else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
        else if (c >= '0' && c <= '9') d = c - '0' + 52;
        else if (c == '+') d = 62;
        else if (c == '/') d = 63;
        else if (c == '=') break;
        else return std::nullopt;
        val = (val << 6) + d;
        bits += 6;
        if (bits >= 0) {
            out += static_cast<char>((val >> bits) & 0xFF);
            bits -= 8;
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) std::abort();  // no entropy: nothing is safe
    return to_hex(buf.data(), buf.size());
}

std::string hash_password(std::string_view password, std::uint32_t iterations) {
    const auto salt = from_hex(random_hex(16)).value();
    const auto h = pbkdf2(password, salt, iterations);
    return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + to_hex(salt.data(), salt.size()) + "$" +
           to_hex(h.data(), h.size());
}

bool verify_password(std::string_view password, std::string_view hash) {
    std::vector<std::string_view> parts;
    while (parts.size() < 4) {
        const auto d = hash.find('$');
        parts.push_back(hash.substr(0, d));
        if (d == std::string_view::npos) break;
        hash = hash.substr(d + 1);
    }
    if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return false;
    std::uint32_t iterations = 0;
    for (const char c : parts[1]) {
        if (c < '0' || c > '9' || iterations > 100000000) return false;
        iterations = iterations * 10 + static_cast<std::uint32_t>(c - '0');
    }
    const auto salt = from_hex(parts[2]);
    if (!salt || iterations == 0 || iterations > 10000000) return false;
    const auto h = pbkdf2(password, *salt, iterations);
    return same(to_hex(h.data(), h.size()), parts[3]);
}

std::string_view cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        const std::string_view pair = trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            std::string_view v = pair.substr(eq + 1);
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
            return v;
        }
    }
    return {};
}

Auth::Auth(AuthSettings settings) : settings_(std::move(settings)) {}

std::optional<Auth::Identity> Auth::check_password(std::string_view user, std::string_view password) {
    const std::string key = sha256_hex(std::string(user) + '\0' + std::string(password));
    {
        std::lock_guard lock(mutex_);
        if (auto it = checked_.find(key); it != checked_.end()) return it->second;
    }
    for (const WebUser& u : settings_.users)
        if (u.name == user && verify_password(password, u.password_hash)) {
            Identity who{u.name, u.role};
            std::lock_guard lock(mutex_);
            if (checked_.size() > 1000) checked_.clear();
            checked_.emplace(key, who);
            return who;
        }
    return std::nullopt;
}

std::optional<Auth::Identity> Auth::authenticate(const Request& request) {
    if (!settings_.enabled) return Identity{"anonymous", Role::Admin};
    const std::string_view authz = trim(request.header("Authorization"));
    if (authz.size() > 7 && iequals(authz.substr(0, 7), "Bearer ")) {
        const std::string_view token = trim(authz.substr(7));
        for (const WebToken& t : settings_.tokens)
            if (same(t.token, token)) return Identity{t.name, t.role};
        return std::nullopt;
    }
    if (authz.size() > 6 && iequals(authz.substr(0, 6), "Basic ")) {
        auto decoded = base64_decode(trim(authz.substr(6)));
        if (!decoded) return std::nullopt;
        const auto colon = decoded->find(':');
        if (colon == std::string::npos) return std::nullopt;
        return check_password(std::string_view(*decoded).substr(0, colon), std::string_view(*decoded).substr(colon + 1));
    }
    const std::string_view sid = cookie_value(request.header("Cookie"), kSessionCookie);
    if (sid.empty()) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(std::string(sid));
    if (it == sessions_.end()) return std::nullopt;
    if (std::chrono::steady_clock::now() > it->second.expires) {
        sessions_.erase(it);
        return std::nullopt;
    }
    return it->second.who;
}

std::string Auth::cookie(std::string_view value, std::chrono::seconds max_age) const {
    return std::string(kSessionCookie) + "=" + std::string(value) + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
           std::to_string(max_age.count()) + (settings_.secure_cookie ? "; Secure" : "");
}

Result<std::pair<std::string, Auth::Identity>> Auth::login(std::string_view user, std::string_view password) {
    auto who = check_password(user, password);
    if (!who) return make_error(ErrorCode::NotFound, "unknown user or wrong password");
    const std::string sid = random_hex(32);
    std::lock_guard lock(mutex_);
    // Expired sessions go when a new one comes.
    const auto now = std::chrono::steady_clock::now();
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = now > it->second.expires ? sessions_.erase(it) : std::next(it);
    sessions_[sid] = Session{*who, now + settings_.session_lifetime};
    return std::pair{cookie(sid, settings_.session_lifetime), *who};
}

std::string Auth::logout(const Request& request) {
    const std::string_view sid = cookie_value(request.header("Cookie"), kSessionCookie);
    if (!sid.empty()) {
        std::lock_guard lock(mutex_);
        sessions_.erase(std::string(sid));
    }
    return cookie("", std::chrono::seconds(0));
}

}  // namespace dicomkit::server::web
