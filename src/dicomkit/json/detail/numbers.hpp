// Numbers in text form for the JSON and XML models: binary values (US ... FD, AT) to text and
// back, and the JSON number grammar that decides whether IS/DS go out as numbers or strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/core/vr.hpp>

namespace dicomkit::json::detail {

/// Room for the longest text format_binary_value writes.
struct NumberBuffer {
    char data[48];
};

/// One formatted value: its text (pointing into the buffer) and whether a JSON Number may carry
/// it (PS3.18 F.2.3: SV/UV beyond 2^53 and non-finite floats go as strings).
struct NumberText {
    std::string_view text;
    bool json_number = true;
};

/// Text for the style of the output: JSON spells non-finite floats "NaN", "Infinity",
/// "-Infinity"; XML Schema spells them "NaN", "INF", "-INF".
enum class NumberStyle { Json, Xml };

/// Formats the value at `p` (value_size(vr) bytes, little endian) of a US, SS, UL, SL, UV, SV,
/// FL, FD or AT element. Floats use the shortest text that reads back to the same value.
[[nodiscard]] NumberText format_binary_value(VR vr, const std::uint8_t* p, NumberBuffer& buf,
                                             NumberStyle style);

/// Parses one value of a binary VR from text and appends its little-endian bytes. Integers must
/// be integral and in the VR's range; AT takes "GGGGEEEE"; FL/FD also take NaN and infinities.
[[nodiscard]] Result<void> append_binary_from_text(VR vr, std::string_view text, Bytes& out);

/// RFC 8259 section 6 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
[[nodiscard]] bool is_json_number_text(std::string_view s) noexcept;
/// The integer part of that grammar only: -?(0|[1-9][0-9]*)
[[nodiscard]] bool is_json_integer_text(std::string_view s) noexcept;

/// An IS value from the text of a JSON number: kept as written when it is an integer literal,
/// else converted when it is integral (1e3 -> 1000); IS range is -2^31 .. 2^31-1 (PS3.5 6.2).
[[nodiscard]] Result<std::string> integer_string_from_number(std::string_view raw);
/// A DS value from the text of a JSON number: kept as written when it fits the 16 bytes of DS,
/// else reformatted to the closest value that does.
[[nodiscard]] Result<std::string> decimal_string_from_number(std::string_view raw);

}  // namespace dicomkit::json::detail
