// String values of elements as UTF-8 and back, in the character set of their data set: values
// split at the delimiter 0x5C without cutting multi-byte characters (PS3.18 F.2.4), padding
// removed per VR (PS3.5 6.2), text converted with SpecificCharacterSet (PS3.5 6.1).
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::json::detail {

/// How value delimiters are found in the bytes of a character set.
enum class SplitMode {
    Simple,    ///< every 0x5C is a delimiter (single-byte sets, UTF-8, G1-only ISO 2022 sets)
    Iso2022,   ///< 0x5C inside a two-byte set designated to G0 (IR 87, IR 159) is not
    LeadByte,  ///< GBK/GB18030: the byte after a lead byte 0x81-0xFE is not
};

/// True when every byte is below 0x80 and none is ESC: such text is the same in every set.
[[nodiscard]] bool is_plain_ascii(std::string_view s) noexcept;

/// Removes the padding PS3.5 6.2 allows around one value of `vr`.
[[nodiscard]] std::string_view trim_value(std::string_view v, VR vr) noexcept;

/// The character set of one data set, as the converters use it.
class TextCodec {
  public:
    /// The default repertoire (no Specific Character Set).
    TextCodec() = default;
    TextCodec(SpecificCharacterSet cs, bool lenient);

    /// From the value of (0008,0005). Unknown terms are a CharsetError unless `lenient`.
    [[nodiscard]] static Result<TextCodec> from_element(const Element& specific_character_set,
                                                        bool lenient);

    [[nodiscard]] const SpecificCharacterSet& charset() const noexcept { return cs_; }

    /// Calls `f(std::string_view utf8)` for each value of the string element `e`: one for the
    /// text VRs (LT, ST, UT, UR), none for an empty Value Field. `f` returns Result<void>.
    template <typename F>
    [[nodiscard]] Result<void> for_each_value(const Element& e, F&& f) const;

    /// Encodes one UTF-8 value into this set; a CharsetError when the set cannot represent it.
    [[nodiscard]] Result<std::string> encode(std::string_view utf8, VR vr) const;

  private:
    [[nodiscard]] Result<std::string_view> decode(std::string_view raw, VR vr,
                                                  std::string& scratch) const;
    [[nodiscard]] std::size_t find_delimiter(std::string_view s, std::size_t from) const noexcept;

    SpecificCharacterSet cs_;
    SplitMode mode_ = SplitMode::Simple;
    bool lenient_ = false;
    bool default_ = true;
};

template <typename F>
Result<void> TextCodec::for_each_value(const Element& e, F&& f) const {
    auto b = e.bytes();
    std::string_view all(reinterpret_cast<const char*>(b.data()), b.size());
    const VR vr = e.vr();
    std::string scratch;
    if (!is_multi_valued_string(vr)) {
        std::string_view raw = trim_value(all, vr);
        if (raw.empty()) return {};
        auto text = decode(raw, vr, scratch);
        if (!text) return Unexpected(text.error());
        return f(*text);
    }
    if (trim_value(all, vr).empty()) return {};
    std::size_t start = 0;
    for (;;) {
        std::size_t end = find_delimiter(all, start);
        auto text = decode(trim_value(all.substr(start, end - start), vr), vr, scratch);
        if (!text) return Unexpected(text.error());
        if (auto r = f(*text); !r) return r;
        if (end >= all.size()) break;
        start = end + 1;
    }
    return {};
}

/// Splits one PN value (UTF-8) at '=' into its three component groups (PS3.5 6.2.1); more
/// than three groups is an InvalidValue error.
[[nodiscard]] Result<std::array<std::string_view, 3>> split_person_name(std::string_view v);
/// Splits one component group at '^' into its five components; more than five is an error.
[[nodiscard]] Result<std::array<std::string_view, 5>> split_name_components(std::string_view g);
/// Joins pieces with `sep`, dropping empty pieces at the end ("Doe^John^^" -> "Doe^John").
[[nodiscard]] std::string join_trimmed(std::span<const std::string> pieces, char sep);

/// Builds a string element from UTF-8 values ("" is an empty value) joined with '\', still in
/// UTF-8 (encode_scope converts it once the data set's character set is settled). Text VRs take
/// at most one value; a value of a multi-valued VR may not contain '\'.
[[nodiscard]] Result<Element> make_string_element(Tag tag, VR vr,
                                                  std::span<const std::string> values);

}  // namespace dicomkit::json::detail
