// multipart/related: incremental parser and writer pieces (RFC 2046 5.1.1).
#include <algorithm>
#include <dicomkit/server/web/multipart.hpp>
#include <random>

namespace dicomkit::server::web {

namespace {

constexpr std::size_t kMaxPadding = 1024;  // transport padding after a boundary

bool is_bchar(char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                        (c >= 'A' && c <= 'Z') ||
                        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

Error error_at(ErrorCode code, std::string message, std::uint64_t at) {
    return Error(code, std::move(message)).at_offset(at);
}

}  // namespace

std::optional<std::string_view> PartHeaders::get(std::string_view name) const noexcept {
    for (const auto& [n, v] : fields)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

bool valid_boundary(std::string_view boundary) noexcept {
    if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') return false;
    return std::all_of(boundary.begin(), boundary.end(), is_bchar);
}

Result<MultipartParser> MultipartParser::create(std::string_view boundary,
                                                MultipartCallbacks callbacks,
                                                const MultipartLimits& limits) {
    if (!valid_boundary(boundary))
        return make_error(ErrorCode::InvalidArgument,
                          "not a multipart boundary (RFC 2046 5.1.1: 1-70 bchars)");
    return MultipartParser("\r\n--" + std::string(boundary), std::move(callbacks), limits);
}

MultipartParser::MultipartParser(std::string delimiter, MultipartCallbacks callbacks,
                                 const MultipartLimits& limits)
    : delimiter_(std::move(delimiter)), callbacks_(std::move(callbacks)), limits_(limits) {
    pending_ = {'\r', '\n'};  // the body is read as if a CRLF preceded it
}

std::uint64_t MultipartParser::offset_of(std::size_t i) const noexcept {
    const std::uint64_t v = pending_base_ + i;
    return v >= 2 ? v - 2 : 0;
}

Result<void> MultipartParser::fail(Error e) {
    state_ = State::Failed;
    error_ = e;
    return tl::unexpected(std::move(e));
}

Result<void> MultipartParser::feed(std::span<const std::uint8_t> chunk) {
    if (error_) return tl::unexpected(*error_);
    if (chunk.size() > limits_.max_total - std::min(total_, limits_.max_total) ||
        total_ > limits_.max_total)
        return fail(error_at(ErrorCode::LimitExceeded, "multipart body too large", total_));
    total_ += chunk.size();
    if (state_ == State::Epilogue) return {};
    if (head_ > 0) {
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(head_));
        pending_base_ += head_;
        scanned_ = scanned_ > head_ ? scanned_ - head_ : 0;
        head_ = 0;
    }
    pending_.insert(pending_.end(), chunk.begin(), chunk.end());
    return run();
}

Result<void> MultipartParser::run() {
    for (;;) {
        bool progressed = false;
        auto r = step(progressed);
        if (!r) return fail(std::move(r.error()));
        if (!progressed) return {};
    }
}

Result<void> MultipartParser::step(bool& progressed) {
    const std::string_view avail(reinterpret_cast<const char*>(pending_.data()) + head_,
                                 pending_.size() - head_);
    const std::size_t keep = delimiter_.size() - 1;  // a delimiter's start may be in the last bytes
    switch (state_) {
        case State::Preamble: {
            const auto p = avail.find(delimiter_);
            if (p == std::string_view::npos) {
                if (avail.size() > keep) head_ += avail.size() - keep;
                return {};
            }
            head_ += p + delimiter_.size();
            state_ = State::AfterBoundary;
            progressed = true;
            return {};
        }
        case State::Body: {
            const auto p = avail.find(delimiter_);
            const std::size_t data_end =
                p == std::string_view::npos ? (avail.size() > keep ? avail.size() - keep : 0) : p;
            if (data_end > 0 && callbacks_.part_data) {
                auto r = callbacks_.part_data(std::span(pending_.data() + head_, data_end));
                if (!r) return tl::unexpected(std::move(r.error()));
            }
            head_ += data_end;
            if (p == std::string_view::npos) return {};
            head_ += delimiter_.size();
            if (callbacks_.part_end) {
                auto r = callbacks_.part_end();
                if (!r) return tl::unexpected(std::move(r.error()));
            }
            state_ = State::AfterBoundary;
            progressed = true;
            return {};
        }
        case State::AfterBoundary: {
            if (avail.size() < 2) return {};
            if (avail.starts_with("--")) {
                head_ += 2;
                state_ = State::Epilogue;
                if (parts_ == 0)
                    return tl::unexpected(error_at(ErrorCode::ParseError,
                                                   "multipart body without a part",
                                                   offset_of(head_ - 2)));
                progressed = true;
                return {};
            }
            std::size_t i = 0;
            while (i < avail.size() && (avail[i] == ' ' || avail[i] == '\t')) ++i;
            if (i > kMaxPadding)
                return tl::unexpected(error_at(ErrorCode::LimitExceeded,
                                               "too much padding after a boundary",
                                               offset_of(head_)));
            if (avail.size() - i < 2) return {};
            if (avail[i] != '\r' || avail[i + 1] != '\n')
                return tl::unexpected(error_at(ErrorCode::ParseError,
                                               "a boundary not followed by CRLF or \"--\"",
                                               offset_of(head_ + i)));
            head_ += i + 2;
            if (parts_ >= limits_.max_parts)
                return tl::unexpected(
                    error_at(ErrorCode::LimitExceeded, "too many parts", offset_of(head_)));
            state_ = State::Headers;
            scanned_ = head_;
            progressed = true;
            return {};
        }
        case State::Headers: {
            if (avail.size() < 2) return {};
            std::size_t end = 0;
            if (avail.starts_with("\r\n")) {
                end = 0;  // no header fields
            } else {
                const std::size_t from = scanned_ > head_ + 3 ? scanned_ - head_ - 3 : 0;
                const auto p = avail.find("\r\n\r\n", from);
                if (p == std::string_view::npos) {
                    scanned_ = pending_.size();
                    // Unseen, the section's end is past avail.size() - 2: over the limit from here.
                    if (avail.size() >= limits_.max_header_bytes + 2)
                        return tl::unexpected(error_at(ErrorCode::LimitExceeded,
                                                       "part header section too long",
                                                       offset_of(head_)));
                    return {};
                }
                end = p + 2;
            }
            if (end > limits_.max_header_bytes)
                return tl::unexpected(error_at(ErrorCode::LimitExceeded,
                                               "part header section too long", offset_of(head_)));
            auto r = parse_headers(avail.substr(0, end), offset_of(head_));
            if (!r) return r;
            head_ += end + 2;
            state_ = State::Body;
            progressed = true;
            return {};
        }
        case State::Epilogue:
            head_ = pending_.size();
            return {};
        case State::Failed:
            return tl::unexpected(error_.value_or(Error(ErrorCode::ParseError, "failed")));
    }
    return {};
}

Result<void> MultipartParser::parse_headers(std::string_view text, std::uint64_t at) {
    PartHeaders h;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto eol = text.find("\r\n", pos);
        const std::string_view line = text.substr(pos, eol - pos);
        const std::uint64_t line_at = at + pos;
        pos = eol + 2;
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {  // RFC 5322 folding
            if (h.fields.empty())
                return tl::unexpected(
                    error_at(ErrorCode::ParseError, "continuation line without a field", line_at));
            h.fields.back().second += ' ';
            h.fields.back().second += trim(line);
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return tl::unexpected(
                error_at(ErrorCode::ParseError, "header line is not \"name: value\"", line_at));
        if (h.fields.size() >= limits_.max_header_fields)
            return tl::unexpected(
                error_at(ErrorCode::LimitExceeded, "too many header fields in a part", line_at));
        h.fields.emplace_back(lowered(line.substr(0, colon)),
                              std::string(trim(line.substr(colon + 1))));
    }
    if (auto ct = h.get("content-type")) {
        auto m = parse_content_type(*ct);
        if (!m)
            return tl::unexpected(
                error_at(ErrorCode::ParseError, "part Content-Type: " + m.error().message, at));
        h.content_type = std::move(*m);
    }
    if (auto v = h.get("content-location")) h.content_location = std::string(*v);
    if (auto v = h.get("content-id")) h.content_id = std::string(*v);
    if (auto v = h.get("content-transfer-encoding")) h.content_transfer_encoding = lowered(*v);
    if (auto v = h.get("content-length")) {
        std::uint64_t n = 0;
        if (v->empty() || v->size() > 19 ||
            !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; }))
            return tl::unexpected(
                error_at(ErrorCode::ParseError, "part Content-Length is not a number", at));
        for (char c : *v) n = n * 10 + static_cast<std::uint64_t>(c - '0');
        h.content_length = n;
    }
    ++parts_;
    if (callbacks_.part_begin) {
        auto r = callbacks_.part_begin(h);
        if (!r) return r;
    }
    return {};
}

Result<void> MultipartParser::finish() {
    if (error_) return tl::unexpected(*error_);
    if (state_ != State::Epilogue)
        return fail(error_at(ErrorCode::ParseError,
                             "multipart body ends without its close delimiter", total_));
    return {};
}

std::string random_boundary() {
    std::random_device rd;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (int i = 0; i < 4; ++i) {
        std::uint32_t v = rd();
        for (int k = 0; k < 8; ++k, v >>= 4) out.push_back(kHex[v & 0xF]);
    }
    return out;
}

std::string multipart_content_type(std::string_view part_type, std::string_view boundary,
                                   std::string_view transfer_syntax) {
    std::string out = "multipart/related; type=\"";
    out += part_type;
    out += '"';
    if (!transfer_syntax.empty()) {
        out += "; transfer-syntax=";
        out += transfer_syntax;
    }
    out += "; boundary=";
    if (is_token(boundary)) {
        out += boundary;
    } else {
        out += '"';
        for (char c : boundary) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out;
}

Result<std::string> MultipartWriter::begin_part(
    std::string_view content_type, std::span<const std::pair<std::string, std::string>> headers) {
    const auto bad = [](std::string_view s) {
        return s.find_first_of("\r\n") != std::string_view::npos;
    };
    if (bad(content_type))
        return make_error(ErrorCode::InvalidArgument, "CR or LF in a part's Content-Type");
    for (const auto& [n, v] : headers)
        if (!is_token(n) || bad(v))
            return make_error(ErrorCode::InvalidArgument, "bad part header field " + n);
    std::string out;
    if (parts_ > 0) out += "\r\n";
    out += "--";
    out += boundary_;
    out += "\r\nContent-Type: ";
    out += content_type;
    out += "\r\n";
    for (const auto& [n, v] : headers) {
        out += n;
        out += ": ";
        out += v;
        out += "\r\n";
    }
    out += "\r\n";
    ++parts_;
    return out;
}

std::string MultipartWriter::close() {
    std::string out = parts_ > 0 ? "\r\n--" : "--";
    out += boundary_;
    out += "--\r\n";
    return out;
}

}  // namespace dicomkit::server::web
