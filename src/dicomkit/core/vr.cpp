// VR names.
#include <dicomkit/core/vr.hpp>

namespace dicomkit {

std::string_view to_string(VR vr) noexcept {
    static constexpr char names[][3] = {
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
        "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
        "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV",
    };
    for (std::size_t i = 0; i < std::size(kAllVRs); ++i)
        if (kAllVRs[i] == vr) return names[i];
    return "??";
}

}  // namespace dicomkit
