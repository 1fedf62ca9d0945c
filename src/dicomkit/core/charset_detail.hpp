// Internals of SpecificCharacterSet: the defined-term and code-element tables of PS3.3 C.12.1.1.2,
// per-code-element byte conversion (glibc iconv), UTF-8 helpers and the ISO 2022 machine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/vr.hpp>

namespace dicomkit::detail {

/// A graphic character set that ISO 2022 can designate (a "code element", PS3.3 Tables C.12-2..4).
enum class CodeElement : std::uint8_t {
    None,
    IsoIr6,    ///< ISO 646 (ASCII), G0
    IsoIr14,   ///< JIS X 0201 romaji, G0
    IsoIr13,   ///< JIS X 0201 katakana, G1
    IsoIr100,  ///< ISO 8859-1 right half, G1 (likewise the following nine)
    IsoIr101,
    IsoIr109,
    IsoIr110,
    IsoIr144,
    IsoIr127,
    IsoIr126,
    IsoIr138,
    IsoIr148,
    IsoIr203,
    IsoIr166,  ///< TIS 620-2533, G1
    IsoIr87,   ///< JIS X 0208, G0, two bytes
    IsoIr159,  ///< JIS X 0212, G0, two bytes
    IsoIr149,  ///< KS X 1001, G1, two bytes
    IsoIr58,   ///< GB 2312, G1, two bytes
};

struct ElementInfo {
    CodeElement id;
    std::string_view name;    ///< "ISO-IR 87", for messages
    std::string_view escape;  ///< the bytes after ESC that designate it, e.g. "$B"
    std::uint8_t graphic;     ///< 0: designated to G0, 1: to G1
    std::uint8_t width;       ///< bytes per character: 1 or 2
    std::string_view
        iconv_name;  ///< the code table iconv converts it with ("" for ASCII-like sets)
};

[[nodiscard]] const ElementInfo& element_info(CodeElement e) noexcept;
/// The code element an escape sequence designates (bytes after ESC), if it is one DICOM uses.
[[nodiscard]] std::optional<CodeElement> element_for_escape(std::string_view after_esc) noexcept;
/// Escape sequences PS3.3 does not list but that can only mean one of its sets, for lenient
/// reading: ESC $ @ (JIS C 6226-1978, the forerunner of JIS X 0208) and ESC $ ( B.
[[nodiscard]] std::optional<CodeElement> element_for_lenient_escape(
    std::string_view after_esc) noexcept;

/// How a whole value is encoded.
enum class Encoding : std::uint8_t { Iso2022, Utf8, Gb18030, Gbk };

/// One defined term of PS3.3 Tables C.12-2 .. C.12-5.
struct TermInfo {
    std::string_view term;
    bool extensions;  ///< the "ISO 2022 ..." form (code extensions allowed)
    Encoding encoding;
    CodeElement g0;  ///< what the term designates to G0 (None: nothing)
    CodeElement g1;  ///< what the term designates to G1 (None: nothing)
};

inline constexpr std::uint8_t kDefaultTerm = 0xFF;  ///< index standing for an empty value 1

[[nodiscard]] std::span<const TermInfo> term_table() noexcept;
/// Index into term_table() of an exact defined term.
[[nodiscard]] std::optional<std::uint8_t> find_term(std::string_view term) noexcept;
/// Index of a defined term a misspelt one most likely means ("ISO-IR 100", "iso_ir100"), or
/// the default repertoire for the frequent non-term "ISO_IR 6".
[[nodiscard]] std::optional<std::uint8_t> guess_term(std::string_view term) noexcept;
/// The extension form ("ISO 2022 IR 100") of a single-byte term without extensions.
[[nodiscard]] std::optional<std::uint8_t> extension_form(std::uint8_t term_index) noexcept;

/// The resolved character set: what decode and encode work with.
struct Repertoire {
    Encoding encoding = Encoding::Iso2022;
    bool extensions = false;                       ///< ESC sequences may designate other sets
    CodeElement initial_g0 = CodeElement::IsoIr6;  ///< PS3.5 6.1.2.5.1 initial designation
    CodeElement initial_g1 = CodeElement::None;
    std::vector<CodeElement> declared;  ///< sets that may be designated, in term order
    std::string label;                  ///< the Specific Character Set, for messages

    [[nodiscard]] bool is_declared(CodeElement e) const noexcept;
};

[[nodiscard]] Repertoire make_repertoire(const std::vector<std::uint8_t>& term_ids,
                                         std::string label);
/// The default repertoire (ISO-IR 6 only): for VRs the Specific Character Set does not apply to.
[[nodiscard]] const Repertoire& default_repertoire();

// ---- UTF-8 -----------------------------------------------------------------------------------

inline constexpr char32_t kReplacement = 0xFFFD;

struct Utf8Char {
    char32_t cp = 0;
    std::size_t length = 1;  ///< bytes consumed (for an invalid sequence: its maximal subpart)
    bool valid = false;
};
/// Reads one strictly valid UTF-8 character (no overlongs, surrogates or values over U+10FFFF).
[[nodiscard]] Utf8Char next_utf8(std::string_view s, std::size_t pos) noexcept;
void append_utf8(std::string& out, char32_t cp);
/// "U+00E9" for messages.
[[nodiscard]] std::string code_point_name(char32_t cp);

// ---- iconv -----------------------------------------------------------------------------------

/// An owned glibc iconv descriptor.
class Iconv {
public:
    Iconv() = default;
    Iconv(const char* to, const char* from);
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;
    Iconv(Iconv&& other) noexcept;
    Iconv& operator=(Iconv&& other) noexcept;
    ~Iconv();

    [[nodiscard]] bool valid() const noexcept;

    struct Outcome {
        std::size_t consumed = 0;  ///< input bytes converted
        bool complete = false;     ///< all input converted
        bool incomplete = false;   ///< stopped at a sequence cut short by the end of input
    };
    /// Converts as much of `in` as possible, appending to `out`; resets the shift state first.
    Outcome convert(std::string_view in, std::string& out);

private:
    void* cd_ = reinterpret_cast<void*>(-1);
};

/// Converts single characters of the code elements to and from Unicode. Holds the iconv
/// descriptors it opened, so one instance serves one decode or encode call.
class ElementCodec {
public:
    /// Decodes one character whose bytes (one, or two for double-byte sets) are given as they
    /// appear in GL or GR; appends UTF-8 and returns true, or returns false if unmapped.
    bool decode(CodeElement e, std::uint8_t b1, std::uint8_t b2, std::string& out);
    /// Encodes `cp` in `e`; appends the bytes in their G0 (7-bit) or G1 (8-bit) form and returns
    /// true, or returns false when `e` has no such character.
    bool encode(CodeElement e, char32_t cp, std::string& out);

private:
    Iconv& to_utf8(CodeElement e);
    Iconv& from_utf8(CodeElement e);
    std::array<Iconv, 4> decoders_;  // one per double-byte set (IR 87, 159, 149, 58)
    std::array<Iconv, 4> encoders_;
};

// ---- value codecs ----------------------------------------------------------------------------

/// PS3.5 6.1.2.5.3: whether `c` (read as a single-byte G0 character) ends the scope of
/// designations in a value of VR `vr`: C0 controls other than ESC, '\' between values, '^' and
/// '=' between the components and component groups of PN.
[[nodiscard]] bool is_reset_point(char32_t c, VR vr) noexcept;

[[nodiscard]] Result<std::string> decode_iso2022(std::string_view bytes, const Repertoire& rep,
                                                 VR vr, bool lenient);
[[nodiscard]] Result<std::string> encode_iso2022(std::string_view utf8, const Repertoire& rep,
                                                 VR vr);
/// Stateless multi-byte encodings (GB18030, GBK) through one iconv table.
[[nodiscard]] Result<std::string> decode_whole(std::string_view bytes, const char* table,
                                               std::string_view label, bool lenient);
[[nodiscard]] Result<std::string> encode_whole(std::string_view utf8, const char* table,
                                               std::string_view label);
[[nodiscard]] Result<std::string> decode_utf8(std::string_view bytes, bool lenient);
/// Checks that `utf8` is valid; the error names the byte offset of the first bad sequence.
[[nodiscard]] Result<void> validate_utf8(std::string_view utf8, ErrorCode code);

[[nodiscard]] Unexpected charset_error(std::size_t offset, std::string message);

}  // namespace dicomkit::detail
