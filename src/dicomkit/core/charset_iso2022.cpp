// The ISO/IEC 2022 state machine of PS3.5 6.1.2.5: escape sequences designate code elements to
// G0 and G1; designations return to the initial ones at the points 6.1.2.5.3 names per VR.
#include <fmt/format.h>

#include <dicomkit/core/charset_detail.hpp>

namespace dicomkit::detail {

namespace {

constexpr std::uint8_t kEsc = 0x1B;

struct Designations {
    CodeElement g0 = CodeElement::IsoIr6;
    CodeElement g1 = CodeElement::None;
};

std::string describe_escape(std::string_view after_esc) {
    std::string s = "ESC";
    for (char c : after_esc) {
        s += ' ';
        s += c;
    }
    return s;
}

bool is_double_byte(CodeElement e) noexcept { return element_info(e).width == 2; }

class Decoder {
public:
    Decoder(std::string_view in, const Repertoire& rep, VR vr, bool lenient)
        : in_(in), rep_(rep), vr_(vr), lenient_(lenient), st_{rep.initial_g0, rep.initial_g1} {}

    Result<std::string> run() {
        while (pos_ < in_.size()) {
            const std::uint8_t b = byte(pos_);
            Result<void> step;
            if (b == kEsc) {
                step = escape();
            } else if (b >= 0x80) {
                step = g1_character();
            } else if (is_double_byte(st_.g0) && b >= 0x21 && b <= 0x7E) {
                step = g0_double_byte();
            } else {
                // A single-byte G0 character, SPACE, DEL or a control character. Delimiters
                // only count here: inside a two-byte G0 character 05/12 or 05/14 are halves.
                out_ += static_cast<char>(b);
                if (is_reset_point(b, vr_)) st_ = {rep_.initial_g0, rep_.initial_g1};
                ++pos_;
            }
            if (!step) return Unexpected(std::move(step.error()));
        }
        return std::move(out_);
    }

private:
    std::uint8_t byte(std::size_t i) const { return static_cast<std::uint8_t>(in_[i]); }

    /// Strict: the error. Lenient: U+FFFD for `skip` bytes at `offset`, then carry on.
    Result<void> fail(std::size_t offset, std::size_t skip, std::string message) {
        if (!lenient_) return charset_error(offset, std::move(message));
        append_utf8(out_, kReplacement);
        pos_ = offset + skip;
        return {};
    }

    Result<void> escape() {
        const std::size_t start = pos_;
        std::size_t end = start + 1;
        while (end < in_.size() && byte(end) >= 0x20 && byte(end) <= 0x2F) ++end;  // intermediates
        if (end >= in_.size())
            return fail(start, in_.size() - start,
                        fmt::format("truncated escape sequence at offset {}", start));
        const std::uint8_t final_byte = byte(end);
        if (final_byte < 0x30 || final_byte > 0x7E)
            return fail(start, end - start,
                        fmt::format("malformed escape sequence at offset {}", start));
        const std::string_view seq = in_.substr(start + 1, end - start);
        auto element = element_for_escape(seq);
        if (!element && lenient_) element = element_for_lenient_escape(seq);
        if (!element)
            return fail(start, end + 1 - start,
                        fmt::format("unknown escape sequence {} at offset {}", describe_escape(seq),
                                    start));
        if (!lenient_ && !rep_.extensions)
            return charset_error(
                start,
                fmt::format("escape sequence {} at offset {}, but {} does not use code extensions",
                            describe_escape(seq), start, rep_.label));
        if (!lenient_ && !rep_.is_declared(*element))
            return charset_error(
                start,
                fmt::format("escape sequence {} at offset {} designates {}, which {} does not list",
                            describe_escape(seq), start, element_info(*element).name, rep_.label));
        (element_info(*element).graphic == 0 ? st_.g0 : st_.g1) = *element;
        pos_ = end + 1;
        return {};
    }

    Result<void> g0_double_byte() {
        const std::size_t at = pos_;
        const auto name = element_info(st_.g0).name;
        if (at + 1 >= in_.size() || byte(at + 1) < 0x21 || byte(at + 1) > 0x7E)
            return fail(at, 1,
                        fmt::format("incomplete two-byte {} character at offset {}", name, at));
        if (!codec_.decode(st_.g0, byte(at), byte(at + 1), out_))
            return fail(at, 2,
                        fmt::format("bytes 0x{:02X} 0x{:02X} at offset {} are not a {} character",
                                    byte(at), byte(at + 1), at, name));
        pos_ += 2;
        return {};
    }

    Result<void> g1_character() {
        const std::size_t at = pos_;
        const std::uint8_t b1 = byte(at);
        if (st_.g1 == CodeElement::None)
            return fail(
                at, 1,
                fmt::format(
                    "byte 0x{:02X} at offset {}: no character set is designated to G1 in {}", b1,
                    at, rep_.label));
        const auto name = element_info(st_.g1).name;
        if (!is_double_byte(st_.g1)) {
            if (!codec_.decode(st_.g1, b1, 0, out_))
                return fail(
                    at, 1,
                    fmt::format("byte 0x{:02X} at offset {} is not a {} character", b1, at, name));
            ++pos_;
            return {};
        }
        if (b1 < 0xA1 || b1 == 0xFF || at + 1 >= in_.size() || byte(at + 1) < 0xA1 ||
            byte(at + 1) == 0xFF)
            return fail(at, 1,
                        fmt::format("incomplete two-byte {} character at offset {}", name, at));
        if (!codec_.decode(st_.g1, b1, byte(at + 1), out_))
            return fail(at, 2,
                        fmt::format("bytes 0x{:02X} 0x{:02X} at offset {} are not a {} character",
                                    b1, byte(at + 1), at, name));
        pos_ += 2;
        return {};
    }

    std::string_view in_;
    const Repertoire& rep_;
    VR vr_;
    bool lenient_;
    Designations st_;
    std::size_t pos_ = 0;
    std::string out_;
    ElementCodec codec_;
};

class Encoder {
public:
    Encoder(std::string_view in, const Repertoire& rep, VR vr)
        : in_(in), rep_(rep), vr_(vr), st_{rep.initial_g0, rep.initial_g1} {}

    Result<std::string> run() {
        for (std::size_t pos = 0; pos < in_.size();) {
            const Utf8Char c = next_utf8(in_, pos);  // the caller validated the input
            Result<void> step = c.cp < 0x80 ? single_byte(c.cp, pos) : other(c.cp, pos);
            if (!step) return Unexpected(std::move(step.error()));
            pos += c.length;
        }
        restore_initial();
        return std::move(out_);
    }

private:
    void designate(CodeElement e) {
        out_ += static_cast<char>(kEsc);
        out_ += element_info(e).escape;
        (element_info(e).graphic == 0 ? st_.g0 : st_.g1) = e;
    }

    /// PS3.5 6.1.2.5.3: the initial designations are active again before each reset point and
    /// at the end of the value. A G1 set with no initial counterpart needs no escape (Annex I).
    void restore_initial() {
        if (st_.g0 != rep_.initial_g0) designate(rep_.initial_g0);
        if (rep_.initial_g1 != CodeElement::None && st_.g1 != rep_.initial_g1)
            designate(rep_.initial_g1);
        st_ = {rep_.initial_g0, rep_.initial_g1};
    }

    Result<void> single_byte(char32_t c, std::size_t pos) {
        if (c == kEsc)
            return charset_error(
                pos,
                fmt::format(
                    "ESC at offset {} cannot be encoded in {}: it would start an escape sequence",
                    pos, rep_.label));
        if (is_reset_point(c, vr_)) {
            restore_initial();
        } else if (is_double_byte(st_.g0)) {
            designate(rep_.initial_g0);
        }
        out_ += static_cast<char>(c);
        return {};
    }

    /// A character outside ASCII: from the sets designated now if they have it, else from the
    /// first listed set that has it, designated with its escape sequence.
    Result<void> other(char32_t c, std::size_t pos) {
        if (is_double_byte(st_.g0) && codec_.encode(st_.g0, c, out_)) return {};
        if (st_.g1 != CodeElement::None && codec_.encode(st_.g1, c, out_)) return {};
        if (rep_.extensions) {
            for (CodeElement e : rep_.declared) {
                if (e == st_.g0 || e == st_.g1) continue;
                std::string bytes;
                if (!codec_.encode(e, c, bytes)) continue;
                designate(e);
                out_ += bytes;
                return {};
            }
        }
        return charset_error(pos, fmt::format("{} at offset {} cannot be encoded in {}",
                                              code_point_name(c), pos, rep_.label));
    }

    std::string_view in_;
    const Repertoire& rep_;
    VR vr_;
    Designations st_;
    std::string out_;
    ElementCodec codec_;
};

}  // namespace

Result<std::string> decode_iso2022(std::string_view bytes, const Repertoire& rep, VR vr,
                                   bool lenient) {
    return Decoder(bytes, rep, vr, lenient).run();
}

Result<std::string> encode_iso2022(std::string_view utf8, const Repertoire& rep, VR vr) {
    return Encoder(utf8, rep, vr).run();
}

}  // namespace dicomkit::detail
