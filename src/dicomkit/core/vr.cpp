// VR names.
#include <dicomkit/core/vr.hpp>

namespace dicomkit {

std::string_view to_string(VR vr) noexcept {
    static constexpr char names[][3] = {
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
        "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
        "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV",
    };
    auto code = static_cast<std::uint16_t>(vr);
    int a = (code >> 8) - 'A', b = (code & 0xFF) - 'A';
    if (a < 0 || a >= 26 || b < 0 || b >= 26) return "??";
    std::uint8_t i = detail::kVRByLetters[static_cast<std::size_t>(a * 26 + b)];
    return i ? std::string_view(names[i - 1], 2) : std::string_view("??");
}

}  // namespace dicomkit
