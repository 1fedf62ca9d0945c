// Accept / Content-Type parsing and PS3.18 8.7 representation choice.
#include <array>
#include <cmath>
#include <dicomkit/server/web/accept.hpp>

namespace dicomkit::server::web {

namespace {

/// RFC 7230 3.2.6 tchar.
bool is_tchar(char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

Unexpected parse_error(std::size_t at, std::string message) {
    return Unexpected(Error(ErrorCode::ParseError, std::move(message)).at_offset(at));
}

/// A cursor over one header value.
class Lexer {
  public:
    explicit Lexer(std::string_view s) : s_(s) {}

    [[nodiscard]] bool done() const noexcept { return i_ >= s_.size(); }
    [[nodiscard]] std::size_t pos() const noexcept { return i_; }
    [[nodiscard]] char peek() const noexcept { return done() ? '\0' : s_[i_]; }
    void skip_ows() noexcept {
        while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    bool eat(char c) noexcept {
        if (peek() != c || done()) return false;
        ++i_;
        return true;
    }
    /// 1*tchar (plus '/' when `slash`).
    std::string_view token(bool slash = false) noexcept {
        const std::size_t start = i_;
        while (!done() && (is_tchar(s_[i_]) || (slash && s_[i_] == '/'))) ++i_;
        return s_.substr(start, i_ - start);
    }
    /// RFC 7230 3.2.6 quoted-string, the opening quote current.
    Result<std::string> quoted() {
        const std::size_t start = i_;
        ++i_;
        std::string out;
        while (!done()) {
            const char c = s_[i_++];
            if (c == '"') return out;
            if (c == '\\') {
                if (done()) break;
                out.push_back(s_[i_++]);
                continue;
            }
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F)
                return parse_error(i_ - 1, "control character in a quoted string");
            out.push_back(c);
        }
        return parse_error(start, "unterminated quoted string");
    }

  private:
    std::string_view s_;
    std::size_t i_ = 0;
};

/// RFC 7231 5.3.1 qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")].
std::optional<double> parse_q(std::string_view v) {
    if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return std::nullopt;
    double q = v[0] - '0';
    if (v.size() == 1) return q;
    if (v[1] != '.') return std::nullopt;
    double scale = 0.1;
    for (std::size_t i = 2; i < v.size(); ++i) {
        if (v[i] < '0' || v[i] > '9') return std::nullopt;
        q += (v[i] - '0') * scale;
        scale /= 10;
    }
    if (q > 1.0) return std::nullopt;
    return q;
}

struct Parsed {
    std::string type, subtype;
    MediaParams params;
    std::optional<double> q;
};

/// type "/" subtype *( OWS ";" OWS parameter ), stopping before ',' or the end.
Result<Parsed> parse_one(Lexer& lx, bool accept, const AcceptLimits& limits) {
    Parsed p;
    const std::size_t start = lx.pos();
    const auto type = lx.token();
    if (type.empty()) return parse_error(lx.pos(), "expected a media type");
    if (!lx.eat('/')) return parse_error(lx.pos(), "expected '/' after the media type's type");
    const auto subtype = lx.token();
    if (subtype.empty()) return parse_error(lx.pos(), "expected a media subtype");
    p.type = lowered(type);
    p.subtype = lowered(subtype);
    if (p.type == "*" && p.subtype != "*")
        return parse_error(start, "'*/subtype' is not a media range");
    if (!accept && (p.type == "*" || p.subtype == "*"))
        return parse_error(start, "a wild card is not a media type");
    for (;;) {
        lx.skip_ows();
        if (!lx.eat(';')) break;
        lx.skip_ows();
        if (lx.done() || lx.peek() == ',' || lx.peek() == ';') continue;  // "type/sub;" tolerated
        const std::size_t name_at = lx.pos();
        const auto name = lx.token();
        if (name.empty()) return parse_error(lx.pos(), "expected a parameter name");
        lx.skip_ows();
        if (!lx.eat('=')) return parse_error(lx.pos(), "expected '=' after parameter name");
        lx.skip_ows();
        std::string value;
        const std::size_t value_at = lx.pos();
        if (lx.peek() == '"') {
            auto v = lx.quoted();
            if (!v) return tl::unexpected(v.error());
            value = std::move(*v);
        } else {
            value = std::string(lx.token(true));
            if (value.empty()) return parse_error(value_at, "expected a parameter value");
        }
        std::string lname = lowered(name);
        if (accept && lname == "q") {
            auto q = parse_q(value);
            if (!q)
                return parse_error(value_at, "q is not a qvalue (0 to 1, at most three decimals)");
            p.q = *q;
            continue;
        }
        if (p.params.size() >= limits.max_params)
            return Unexpected(Error(ErrorCode::LimitExceeded, "too many media type parameters")
                                  .at_offset(name_at));
        p.params.emplace_back(std::move(lname), std::move(value));
    }
    return p;
}

}  // namespace

std::optional<std::string_view> find_param(const MediaParams& params,
                                           std::string_view name) noexcept {
    for (const auto& [n, v] : params)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

Result<std::vector<MediaRange>> parse_accept(std::string_view header, const AcceptLimits& limits) {
    if (header.size() > limits.max_bytes)
        return make_error(ErrorCode::LimitExceeded, "Accept header too long");
    std::vector<MediaRange> out;
    Lexer lx(header);
    for (;;) {
        lx.skip_ows();
        if (lx.done()) break;
        if (lx.eat(',')) continue;  // RFC 7230 7: empty list elements
        if (out.size() >= limits.max_ranges)
            return Unexpected(
                Error(ErrorCode::LimitExceeded, "too many media ranges").at_offset(lx.pos()));
        auto p = parse_one(lx, true, limits);
        if (!p) return tl::unexpected(p.error());
        out.push_back(MediaRange{std::move(p->type), std::move(p->subtype), p->q.value_or(1.0),
                                 std::move(p->params)});
        lx.skip_ows();
        if (lx.done()) break;
        if (!lx.eat(',')) return parse_error(lx.pos(), "expected ',' or ';'");
    }
    if (out.empty()) out.push_back(MediaRange{"*", "*", 1.0, {}});
    return out;
}

Result<MediaType> parse_content_type(std::string_view header, const AcceptLimits& limits) {
    if (header.size() > limits.max_bytes)
        return make_error(ErrorCode::LimitExceeded, "Content-Type header too long");
    Lexer lx(header);
    lx.skip_ows();
    auto p = parse_one(lx, false, limits);
    if (!p) return tl::unexpected(p.error());
    lx.skip_ows();
    if (!lx.done()) return parse_error(lx.pos(), "unexpected text after the media type");
    return MediaType{std::move(p->type), std::move(p->subtype), std::move(p->params)};
}

std::string_view default_transfer_syntax(std::string_view media_type) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kDefaults{{
        {"application/dicom", "1.2.840.10008.1.2.1"},
        {"application/octet-stream", "1.2.840.10008.1.2.1"},
        {"image/jpeg", "1.2.840.10008.1.2.4.70"},
        {"image/dicom-rle", "1.2.840.10008.1.2.5"},
        {"image/jls", "1.2.840.10008.1.2.4.80"},
        {"image/jp2", "1.2.840.10008.1.2.4.90"},
        {"image/jpx", "1.2.840.10008.1.2.4.92"},
    }};
    for (const auto& [m, ts] : kDefaults)
        if (m == media_type) return ts;
    return {};
}

namespace {

/// How specifically `r` accepts `c`, -1 when it does not: one point per precise type, subtype,
/// part type and transfer syntax.
int specificity(const MediaRange& r, const Representation& c, bool any_stored,
                const NegotiateOptions& options) {
    int score = 0;
    std::string_view part_type = c.media_type;
    if (r.type == "*") {
        // */*: anything
    } else if (r.type == "multipart") {
        if (!c.multipart) return -1;
        if (r.subtype != "*") {
            if (r.subtype != "related") return -1;
            score += 2;
            if (auto t = r.param("type")) {
                if (lowered(*t) != c.media_type) return -1;
                score += 1;
            }
        } else {
            score += 1;
        }
    } else {
        if (c.multipart) return -1;
        const auto slash = c.media_type.find('/');
        const std::string_view ctype = std::string_view(c.media_type).substr(0, slash);
        if (r.type != ctype) return -1;
        score += 1;
        if (r.subtype != "*") {
            if (slash == std::string::npos ||
                r.subtype != std::string_view(c.media_type).substr(slash + 1))
                return -1;
            score += 2;
        }
    }
    // PS3.18 8.7.3.5.2 allows one transfer-syntax parameter; a range that repeats it is read as
    // accepting any of the syntaxes it names.
    bool named = false, star = false, listed = false;
    for (const auto& [n, v] : r.params) {
        if (n != "transfer-syntax") continue;
        named = true;
        star = star || v == "*";
        listed = listed || v == c.transfer_syntax;
    }
    if (c.transfer_syntax.empty()) return named && !star ? -1 : score;
    if (named) {
        if (listed) return score + 2;
        if (star) return (c.stored || !any_stored) ? score + 1 : -1;
        return -1;
    }
    if (options.default_is_stored && c.stored) return score;
    return default_transfer_syntax(part_type) == c.transfer_syntax ? score : -1;
}

}  // namespace

std::optional<Negotiated> negotiate(std::span<const MediaRange> accept,
                                    std::span<const Representation> candidates,
                                    const NegotiateOptions& options) {
    std::optional<Negotiated> best;
    for (std::size_t ci = 0; ci < candidates.size(); ++ci) {
        bool any_stored = false;  // of this media type
        for (const auto& o : candidates)
            any_stored = any_stored || (o.stored && o.media_type == candidates[ci].media_type &&
                                        o.multipart == candidates[ci].multipart);
        int best_score = -1;
        Negotiated mine{ci, 0, 0};
        for (std::size_t ri = 0; ri < accept.size(); ++ri) {
            const int s = specificity(accept[ri], candidates[ci], any_stored, options);
            if (s < 0) continue;
            if (s > best_score || (s == best_score && accept[ri].q > mine.q)) {
                best_score = s;
                mine.q = accept[ri].q;
                mine.range = ri;
            }
        }
        if (best_score < 0 || mine.q <= 0) continue;
        if (!best || mine.q > best->q) best = mine;
    }
    return best;
}

std::vector<Representation> representations_for(std::string_view media_type, bool multipart,
                                                std::string_view stored_ts,
                                                std::span<const std::string> transcodable) {
    std::vector<Representation> out;
    out.push_back(Representation{std::string(media_type), std::string(stored_ts), multipart, true});
    for (const auto& ts : transcodable) {
        if (ts == stored_ts) continue;
        out.push_back(Representation{std::string(media_type), ts, multipart, false});
    }
    return out;
}

}  // namespace dicomkit::server::web
