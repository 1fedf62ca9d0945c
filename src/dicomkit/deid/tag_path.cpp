// The tag path parser and printer.
#include <fmt/format.h>

#include <cctype>
#include <dicomkit/deid/tag_path.hpp>
#include <dicomkit/dict/dictionary.hpp>

namespace dicomkit::deid {

namespace {

/// Deep enough for any real data set; keeps `--insert` from building absurd item lists.
constexpr std::size_t kMaxItemIndex = 99999;
constexpr std::size_t kMaxCreatorLength = 64;  // LO

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

class Parser {
  public:
    explicit Parser(std::string_view s) : s_(s) {}

    Result<TagPath> parse() {
        std::vector<TagPathStep> steps;
        skip_blanks();
        if (at_end()) return fail("empty tag path");
        for (;;) {
            std::size_t step_start = pos_;
            auto step = parse_step();
            if (!step) return Unexpected(step.error());
            steps.push_back(std::move(*step));
            skip_blanks();
            if (at_end()) break;
            if (peek() != '.')
                return fail(fmt::format("expected '.', '[' or the end after {}, found '{}'",
                                        step_str(steps.back()), peek()));
            if (steps.back().items == TagPathStep::Items::None)
                return fail(
                    fmt::format(
                        "{} is followed by another step but selects no item: write {}[n] or {}[*]",
                        step_str(steps.back()), step_str(steps.back()), step_str(steps.back())),
                    step_start);
            ++pos_;
            skip_blanks();
            if (at_end()) return fail("a tag is missing after '.'");
        }
        return TagPath(std::move(steps));
    }

  private:
    [[nodiscard]] bool at_end() const { return pos_ >= s_.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
    }
    void skip_blanks() {
        while (!at_end() && (peek() == ' ' || peek() == '\t')) ++pos_;
    }

    Unexpected fail(std::string message) { return fail(std::move(message), pos_); }
    Unexpected fail(std::string message, std::size_t at) {
        Error e(ErrorCode::ParseError,
                fmt::format("tag path \"{}\": column {}: {}", s_, at + 1, message));
        return Unexpected(std::move(e).at_offset(at));
    }

    /// `n` hex digits as a number; fails naming what was expected.
    Result<std::uint32_t> hex(std::size_t n, std::string_view what) {
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!is_hex(peek())) {
                return fail(
                    at_end()
                        ? fmt::format("the path ends where {} ({} hex digits) should be", what, n)
                        : fmt::format("expected {} ({} hex digits), found '{}'", what, n, peek()));
            }
            v = (v << 4) | static_cast<std::uint32_t>(hex_value(peek()));
            ++pos_;
        }
        return v;
    }

    Result<void> expect(char c) {
        if (peek() == c) {
            ++pos_;
            return {};
        }
        if (at_end()) return fail(fmt::format("the path ends where '{}' should be", c));
        return fail(fmt::format("expected '{}', found '{}'", c, peek()));
    }

    Result<TagPathStep> parse_step() {
        TagPathStep step;
        std::size_t start = pos_;
        if (peek() == '(') {
            ++pos_;
            skip_blanks();
            auto group = hex(4, "a group");
            if (!group) return Unexpected(group.error());
            skip_blanks();
            if (auto ok = expect(','); !ok) return Unexpected(ok.error());
            skip_blanks();
            if (peek() == '"') {
                auto ok = parse_creator(step, static_cast<std::uint16_t>(*group), start);
                if (!ok) return Unexpected(ok.error());
            } else {
                auto element = hex(4, "an element number");
                if (!element) return Unexpected(element.error());
                step.tag =
                    Tag(static_cast<std::uint16_t>(*group), static_cast<std::uint16_t>(*element));
            }
            skip_blanks();
            if (auto ok = expect(')'); !ok) return Unexpected(ok.error());
        } else if (hex_run() >= 8 && !is_alnum(peek(8))) {
            auto v = hex(8, "a tag");
            if (!v) return Unexpected(v.error());
            step.tag = Tag(*v);
        } else if (hex_run() == 4 && peek(4) == ',') {
            auto group = hex(4, "a group");
            if (!group) return Unexpected(group.error());
            ++pos_;
            auto element = hex(4, "an element number");
            if (!element) return Unexpected(element.error());
            step.tag =
                Tag(static_cast<std::uint16_t>(*group), static_cast<std::uint16_t>(*element));
        } else if (std::isalpha(static_cast<unsigned char>(peek())) != 0) {
            std::size_t b = pos_;
            while (!at_end() && (is_alnum(peek()) || peek() == '_')) ++pos_;
            std::string_view word = s_.substr(b, pos_ - b);
            const dict::AttributeInfo* info = dict::find_keyword(word);
            if (!info || info->mask != 0xFFFFFFFF)
                return fail(
                    fmt::format("unknown keyword '{}' (keywords are case-sensitive, as in PS3.6)",
                                word),
                    b);
            step.tag = info->tag;
        } else if (at_end()) {
            return fail("a tag is missing");
        } else {
            return fail(
                fmt::format("expected a tag: (gggg,eeee), ggggeeee, (gggg,\"creator\",ee) or a "
                            "keyword; found '{}'",
                            peek()));
        }
        if (step.tag.is_delimiter())
            return fail(
                fmt::format("{} is an item or delimiter tag, not an attribute", step.tag.str()),
                start);
        skip_blanks();
        if (peek() == '[') {
            ++pos_;
            skip_blanks();
            if (peek() == '*') {
                ++pos_;
                step.items = TagPathStep::Items::All;
            } else if (std::isdigit(static_cast<unsigned char>(peek())) != 0) {
                std::size_t b = pos_;
                std::size_t v = 0;
                while (std::isdigit(static_cast<unsigned char>(peek())) != 0) {
                    v = v * 10 + static_cast<std::size_t>(peek() - '0');
                    ++pos_;
                    if (v > kMaxItemIndex)
                        return fail(fmt::format("item index over {}", kMaxItemIndex), b);
                }
                step.items = TagPathStep::Items::Index;
                step.index = v;
            } else {
                return fail(
                    at_end() ? std::string("the path ends inside '[...]'")
                             : fmt::format("expected an item number or '*', found '{}'", peek()));
            }
            skip_blanks();
            if (auto ok = expect(']'); !ok) return Unexpected(ok.error());
        }
        return step;
    }

    /// (gggg,"creator",ee): the part from the opening quote.
    Result<void> parse_creator(TagPathStep& step, std::uint16_t group, std::size_t start) {
        ++pos_;  // "
        std::size_t b = pos_;
        while (!at_end() && peek() != '"') {
            if (peek() == '\\' || static_cast<unsigned char>(peek()) < 0x20)
                return fail("a private creator may not hold '\\' or control characters");
            ++pos_;
        }
        if (at_end()) return fail("the private creator's closing '\"' is missing", b - 1);
        std::string_view creator = s_.substr(b, pos_ - b);
        ++pos_;
        std::string_view trimmed = creator;
        while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
        while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
        if (trimmed.empty()) return fail("empty private creator", b);
        if (creator.size() > kMaxCreatorLength)
            return fail(fmt::format("private creator longer than {} characters", kMaxCreatorLength),
                        b);
        if (!Tag(group, 0x0010).is_private())
            return fail(fmt::format("group {:04X} is not a private group (odd, above 0007)", group),
                        start + 1);
        skip_blanks();
        if (auto ok = expect(','); !ok) return Unexpected(ok.error());
        skip_blanks();
        // The element byte: "ee", or "xxee" as DCMTK's private dictionary writes it.
        if ((peek() == 'x' || peek() == 'X') && (peek(1) == 'x' || peek(1) == 'X')) pos_ += 2;
        auto element = hex(2, "the element byte");
        if (!element) return Unexpected(element.error());
        step.tag = Tag(group, static_cast<std::uint16_t>(*element));
        step.creator = std::string(trimmed);
        return {};
    }

    /// The number of hex digits from the current position.
    [[nodiscard]] std::size_t hex_run() const {
        std::size_t n = 0;
        while (pos_ + n < s_.size() && is_hex(s_[pos_ + n])) ++n;
        return n;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

}  // namespace

Result<TagPath> TagPath::parse(std::string_view text) { return Parser(text).parse(); }

std::string step_str(const TagPathStep& step) {
    std::string out = step.by_creator() ? fmt::format("({:04X},\"{}\",{:02X})", step.tag.group,
                                                      step.creator, step.tag.element & 0xFF)
                                        : step.tag.str();
    switch (step.items) {
        case TagPathStep::Items::None:
            break;
        case TagPathStep::Items::Index:
            out += fmt::format("[{}]", step.index);
            break;
        case TagPathStep::Items::All:
            out += "[*]";
            break;
    }
    return out;
}

std::string TagPath::str() const {
    std::string out;
    for (std::size_t i = 0; i < steps_.size(); ++i) {
        if (i) out.push_back('.');
        out += step_str(steps_[i]);
    }
    return out;
}

bool TagPath::has_wildcard() const noexcept {
    for (const auto& s : steps_)
        if (s.items == TagPathStep::Items::All) return true;
    return false;
}

}  // namespace dicomkit::deid
