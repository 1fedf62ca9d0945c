// Specific Character Set (0008,0005): decoding values to UTF-8 and encoding UTF-8 back, for every
// defined term of PS3.3 C.12.1.1.2 (single-byte sets, ISO_IR 192, GB18030, GBK, and ISO 2022
// with code extensions: IR 87/159 Japanese, IR 149 Korean, IR 58 Chinese). PS3.5 6.1.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/vr.hpp>

namespace dicomkit {

namespace detail {
struct Repertoire;
}

class SpecificCharacterSet {
public:
    /// The default repertoire (ISO IR 6, ASCII).
    SpecificCharacterSet() = default;

    /// From the value of (0008,0005), e.g. "ISO_IR 100", "\\ISO 2022 IR 87", "ISO 2022 IR 6\\ISO
    /// 2022 IR 149". Values are trimmed of padding; value 1 may be empty (ISO-IR 6, PS3.3
    /// C.12.1.1.2). Errors (ErrorCode::CharsetError): a term that is not one of the defined terms
    /// of Tables C.12-2..C.12-5 (the message names it), an empty value other than value 1, and
    /// a term without code extensions (Tables C.12-2, C.12-5) among several values. Callers
    /// reading leniently fall back to `lenient_parse`.
    [[nodiscard]] static Result<SpecificCharacterSet> parse(std::string_view value);
    /// Like parse, but never fails; each repair is reported in `warnings`: misspelt terms are read
    /// as the term they most likely mean ("ISO-IR 100", "ISO_IR 6"), unknown ones are skipped,
    /// single-byte terms among several take their "ISO 2022" form, and UTF-8/GB18030/GBK among
    /// several is used alone.
    [[nodiscard]] static SpecificCharacterSet lenient_parse(
        std::string_view value, std::vector<std::string>* warnings = nullptr);

    /// The defined terms, in order as given (first may be empty: the default repertoire).
    [[nodiscard]] const std::vector<std::string>& terms() const noexcept { return terms_; }
    /// True when every value is ASCII or UTF-8 already (no conversion needed).
    [[nodiscard]] bool is_utf8_compatible() const noexcept;

    /// Decodes the bytes of one value of VR `vr` to UTF-8 (padding is kept; multiple values stay
    /// joined by '\\'). VRs the Specific Character Set does not apply to (PS3.5 6.1.2.3: all
    /// but SH, LO, ST, LT, PN, UC, UT) are read in the default repertoire. With code extensions,
    /// value 1 is designated initially (PS3.5 6.1.2.5.1) and the escape sequences of PS3.3 Tables
    /// C.12-3/C.12-4 designate the others; the designations return to the initial ones at the
    /// points PS3.5 6.1.2.5.3 names for the VR (value '\\', PN component '^' and group '=', CR LF
    /// FF TAB and the other control characters but ESC). Bytes the set cannot decode, truncated
    /// or unknown escape sequences, and (strictly) designations of sets (0008,0005) does not list
    /// are a CharsetError whose offset is the byte offset in `bytes`; with `lenient` they become
    /// U+FFFD (known escape sequences are then obeyed whatever (0008,0005) lists).
    [[nodiscard]] Result<std::string> decode(std::string_view bytes, VR vr,
                                             bool lenient = false) const;

    /// Encodes UTF-8 text to this character set. With code extensions, each character comes from
    /// the sets designated at that point if they have it, else from the first listed set that has
    /// it, designated by its escape sequence; before each reset point and at the end the initial
    /// designations are restored (as in PS3.5 Annexes H, I and K). A character no listed set
    /// holds, or an ESC in the text, is a CharsetError whose offset is the byte offset in `utf8`;
    /// input that is not UTF-8 is an InvalidArgument error.
    [[nodiscard]] Result<std::string> encode(std::string_view utf8, VR vr) const;

    /// The values of a multi-valued string (PS3.5 6.4) decoded to UTF-8: the whole value is
    /// decoded first and then split at '\', because in ISO 2022 IR 87/159, GBK and GB18030 the
    /// byte 5CH can be half of a two-byte character (Element::strings() splits raw bytes and is
    /// right only for single-byte and UTF-8 sets). Padding is removed; LT, ST, UT and UR are one
    /// value.
    [[nodiscard]] Result<std::vector<std::string>> decode_values(std::string_view bytes, VR vr,
                                                                 bool lenient = false) const;

private:
    /// "Specific Character Set 'A\\B'", for messages.
    [[nodiscard]] std::string label() const;
    /// Builds the shared resolved form from ids_ (none for the default repertoire).
    void resolve();

    std::vector<std::string> terms_;
    std::vector<std::uint8_t> ids_;  ///< per term: index into the table of defined terms
    std::shared_ptr<const detail::Repertoire> repertoire_;  ///< resolved once, shared by copies
};

/// Every defined term of PS3.3 Tables C.12-2 to C.12-5 that SpecificCharacterSet reads and
/// writes, in the tables' order (the default repertoire, ISO_IR 6 as an empty value 1, aside).
[[nodiscard]] std::vector<std::string_view> supported_character_sets();

}  // namespace dicomkit
