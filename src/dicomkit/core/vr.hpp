// VR: the 34 value representations of PS3.5 Table 6.2-1 and their encoding traits.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace dicomkit {

/// The enumerator's value is the two ASCII characters as they appear on the wire (big-endian).
enum class VR : std::uint16_t {
    AE = 0x4145, AS = 0x4153, AT = 0x4154, CS = 0x4353, DA = 0x4441, DS = 0x4453, DT = 0x4454,
    FD = 0x4644, FL = 0x464C, IS = 0x4953, LO = 0x4C4F, LT = 0x4C54, OB = 0x4F42, OD = 0x4F44,
    OF = 0x4F46, OL = 0x4F4C, OV = 0x4F56, OW = 0x4F57, PN = 0x504E, SH = 0x5348, SL = 0x534C,
    SQ = 0x5351, SS = 0x5353, ST = 0x5354, SV = 0x5356, TM = 0x544D, UC = 0x5543, UI = 0x5549,
    UL = 0x554C, UN = 0x554E, UR = 0x5552, US = 0x5553, UT = 0x5554, UV = 0x5556,
};

inline constexpr VR kAllVRs[] = {
    VR::AE, VR::AS, VR::AT, VR::CS, VR::DA, VR::DS, VR::DT, VR::FD, VR::FL, VR::IS, VR::LO, VR::LT,
    VR::OB, VR::OD, VR::OF, VR::OL, VR::OV, VR::OW, VR::PN, VR::SH, VR::SL, VR::SQ, VR::SS, VR::ST,
    VR::SV, VR::TM, VR::UC, VR::UI, VR::UL, VR::UN, VR::UR, VR::US, VR::UT, VR::UV,
};

namespace detail {
/// 1 + the index into kAllVRs of the VR spelled by two upper-case letters, or 0; indexed
/// (a - 'A') * 26 + (b - 'A'). Explicit VR parsing looks up every element header here.
inline constexpr auto kVRByLetters = [] {
    std::array<std::uint8_t, 26 * 26> t{};
    for (std::size_t i = 0; i < std::size(kAllVRs); ++i) {
        auto code = static_cast<std::uint16_t>(kAllVRs[i]);
        t[static_cast<std::size_t>(((code >> 8) - 'A') * 26 + ((code & 0xFF) - 'A'))] = static_cast<std::uint8_t>(i + 1);
    }
    return t;
}();
}  // namespace detail

/// The VR named by two characters, if it is one of the 34.
[[nodiscard]] constexpr std::optional<VR> vr_from_chars(char a, char b) noexcept {
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return std::nullopt;
    std::uint8_t i = detail::kVRByLetters[static_cast<std::size_t>((a - 'A') * 26 + (b - 'A'))];
    if (i == 0) return std::nullopt;
    return kAllVRs[i - 1];
}
[[nodiscard]] inline std::optional<VR> vr_from_string(std::string_view s) noexcept {
    if (s.size() != 2) return std::nullopt;
    return vr_from_chars(s[0], s[1]);
}

[[nodiscard]] std::string_view to_string(VR vr) noexcept;

/// PS3.5 7.1.2: VRs whose explicit-VR header has 2 reserved bytes and a 32-bit length.
[[nodiscard]] constexpr bool has_long_length(VR vr) noexcept {
    switch (vr) {
        case VR::OB: case VR::OD: case VR::OF: case VR::OL: case VR::OV: case VR::OW:
        case VR::SQ: case VR::SV: case VR::UC: case VR::UN: case VR::UR: case VR::UT: case VR::UV:
            return true;
        default: return false;
    }
}

/// Character-string VRs (values are text, padded with a space or, for UI, a NUL).
[[nodiscard]] constexpr bool is_string(VR vr) noexcept {
    switch (vr) {
        case VR::AE: case VR::AS: case VR::CS: case VR::DA: case VR::DS: case VR::DT: case VR::IS:
        case VR::LO: case VR::LT: case VR::PN: case VR::SH: case VR::ST: case VR::TM: case VR::UC:
        case VR::UI: case VR::UR: case VR::UT:
            return true;
        default: return false;
    }
}

/// String VRs whose value may hold several values separated by a backslash (PS3.5 6.4).
[[nodiscard]] constexpr bool is_multi_valued_string(VR vr) noexcept {
    return is_string(vr) && vr != VR::LT && vr != VR::ST && vr != VR::UT && vr != VR::UR;
}

/// String VRs that the Specific Character Set applies to (PS3.5 6.1.2.3).
[[nodiscard]] constexpr bool uses_charset(VR vr) noexcept {
    switch (vr) {
        case VR::LO: case VR::LT: case VR::PN: case VR::SH: case VR::ST: case VR::UC: case VR::UT:
            return true;
        default: return false;
    }
}

/// Size in bytes of one binary value, used for byte swapping and VM: 0 for strings, SQ, OB, UN.
[[nodiscard]] constexpr std::size_t word_size(VR vr) noexcept {
    switch (vr) {
        case VR::AT: case VR::OW: case VR::SS: case VR::US: return 2;
        case VR::FL: case VR::OF: case VR::OL: case VR::SL: case VR::UL: return 4;
        case VR::FD: case VR::OD: case VR::OV: case VR::SV: case VR::UV: return 8;
        default: return 0;
    }
}

/// Size of one value for VM counting (AT is one 4-byte value made of two 16-bit words).
[[nodiscard]] constexpr std::size_t value_size(VR vr) noexcept {
    return vr == VR::AT ? 4 : word_size(vr);
}

/// PS3.5 6.2: UI is padded with NUL, other strings with a space, binary values with NUL.
[[nodiscard]] constexpr std::uint8_t padding_byte(VR vr) noexcept {
    return (is_string(vr) && vr != VR::UI) ? ' ' : 0;
}

/// Binary VRs whose value is one stream of words rather than a list of values (OB, OW, ...).
[[nodiscard]] constexpr bool is_bulk(VR vr) noexcept {
    switch (vr) {
        case VR::OB: case VR::OD: case VR::OF: case VR::OL: case VR::OV: case VR::OW: case VR::UN:
            return true;
        default: return false;
    }
}

}  // namespace dicomkit

template <>
struct fmt::formatter<dicomkit::VR> : fmt::formatter<std::string_view> {
    auto format(dicomkit::VR v, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(dicomkit::to_string(v), ctx);
    }
};
