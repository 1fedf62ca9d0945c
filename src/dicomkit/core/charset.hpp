// Specific Character Set (0008,0005): decoding values to UTF-8 and encoding UTF-8 back, for every
// defined term of PS3.3 C.12.1.1.2 (single-byte sets, ISO_IR 192, GB18030, GBK, and ISO 2022
// with code extensions: IR 87/159 Japanese, IR 149 Korean, IR 58 Chinese). PS3.5 6.1.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/vr.hpp>

namespace dicomkit {

class SpecificCharacterSet {
public:
    /// The default repertoire (ISO IR 6, ASCII).
    SpecificCharacterSet() = default;

    /// From the value of (0008,0005), e.g. "ISO_IR 100", "\\ISO 2022 IR 87", "ISO 2022 IR 6\\ISO
    /// 2022 IR 149". Unknown terms are an error naming the term; callers reading leniently fall
    /// back to `lenient_parse`.
    [[nodiscard]] static Result<SpecificCharacterSet> parse(std::string_view value);
    /// Like parse, but unknown terms are skipped (and reported in `warnings`).
    [[nodiscard]] static SpecificCharacterSet lenient_parse(std::string_view value,
                                                            std::vector<std::string>* warnings = nullptr);

    /// The defined terms, in order as given (first may be empty: the default repertoire).
    [[nodiscard]] const std::vector<std::string>& terms() const noexcept { return terms_; }
    /// True when every value is ASCII or UTF-8 already (no conversion needed).
    [[nodiscard]] bool is_utf8_compatible() const noexcept;

    /// Decodes the bytes of one value of VR `vr` to UTF-8. Code extensions are reset at the
    /// delimiters PS3.5 6.1.2.5.3 names for the VR (value '\', PN component '^' and group '=',
    /// CR LF FF TAB for text). Bytes the set cannot decode are an error unless `lenient`, in which
    /// case they become U+FFFD.
    [[nodiscard]] Result<std::string> decode(std::string_view bytes, VR vr, bool lenient = false) const;

    /// Encodes UTF-8 text to this character set (with ISO 2022 escape sequences where needed).
    [[nodiscard]] Result<std::string> encode(std::string_view utf8, VR vr) const;

private:
    std::vector<std::string> terms_;
};

}  // namespace dicomkit
