#include <dicomkit/server/web/http.hpp>

#include <array>
#include <cstdio>

namespace dicomkit::server::web {

std::string_view to_string(Role role) noexcept {
    switch (role) {
        case Role::None: return "none";
        case Role::Read: return "read";
        case Role::Write: return "write";
        case Role::Admin: return "admin";
    }
    return "none";
}

std::optional<Role> parse_role(std::string_view text) noexcept {
    if (text == "read") return Role::Read;
    if (text == "write") return Role::Write;
    if (text == "admin") return Role::Admin;
    return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string_view Request::header(std::string_view name) const noexcept {
    for (const Header& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

bool Request::has_header(std::string_view name) const noexcept {
    for (const Header& h : headers)
        if (iequals(h.name, name)) return true;
    return false;
}

Result<std::string> Request::read_body(std::uint64_t max_bytes) {
    std::string out;
    if (!body) return out;
    if (auto n = body->length(); n && *n > max_bytes)
        return make_error(ErrorCode::LimitExceeded,
                          "request body of " + std::to_string(*n) + " bytes is over the limit of " +
                              std::to_string(max_bytes));
    std::array<std::uint8_t, 16384> buf{};
    for (;;) {
        auto n = body->read(buf);
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) return out;
        if (out.size() + *n > max_bytes)
            return make_error(ErrorCode::LimitExceeded,
                              "request body over the limit of " + std::to_string(max_bytes) + " bytes");
        out.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
}

Response& Response::set(std::string name, std::string value) {
    for (Header& h : headers)
        if (iequals(h.name, name)) {
            h.value = std::move(value);
            return *this;
        }
    headers.push_back({std::move(name), std::move(value)});
    return *this;
}

std::string_view Response::header(std::string_view name) const noexcept {
    for (const Header& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

Response Response::json(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.set("Content-Type", "application/json");
    return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.set("Content-Type", std::move(content_type));
    return r;
}

Response Response::error(int status, std::string_view message) {
    return json(status, "{\"error\":" + json_quote(message) + "}");
}

namespace {

/// The length of the UTF-8 sequence at s[i] when it is valid, 0 otherwise.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string json_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8_length(text, i);
            if (n == 0) {
                out += "\xEF\xBF\xBD";
                ++i;
            } else {
                out.append(text.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
    out += '"';
    return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int h = hex_value(text[i + 1]), l = hex_value(text[i + 2]);
            if (h < 0 || l < 0) return std::nullopt;
            out += static_cast<char>(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        auto name = percent_decode(part.substr(0, eq), true);
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), true);
        if (!name || !value)
            return make_error(ErrorCode::InvalidArgument,
                              "malformed percent-encoding in query parameter '" + std::string(part.substr(0, 64)) + "'");
        out.emplace_back(std::move(*name), std::move(*value));
        if (out.size() > 1000) return make_error(ErrorCode::LimitExceeded, "more than 1000 query parameters");
    }
    return out;
}

}  // namespace dicomkit::server::web
