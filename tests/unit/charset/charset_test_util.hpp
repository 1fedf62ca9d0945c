// Helpers for the Specific Character Set tests: byte strings from hex lists, one-line checks.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <dicomkit/core/charset.hpp>

namespace dicomkit::test {

/// The bytes as listed in the standard (e.g. {0x1B, 0x24, 0x42}) as a std::string.
inline std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s += static_cast<char>(b);
    return s;
}

/// Bytes from space-separated hex pairs, as pydicom's bytes.hex(' ') prints them.
inline std::string hex(std::string_view text) {
    std::string s;
    for (std::size_t i = 0; i + 1 < text.size(); i += 3)
        s += static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16));
    return s;
}

inline SpecificCharacterSet charset(std::string_view value) {
    auto cs = SpecificCharacterSet::parse(value);
    EXPECT_TRUE(cs.has_value()) << (cs ? "" : cs.error().to_string());
    return cs ? *cs : SpecificCharacterSet();
}

/// Decodes strictly and returns the text, or "<error: ...>" so that a failure shows why.
inline std::string decoded(const SpecificCharacterSet& cs, std::string_view raw, VR vr) {
    auto r = cs.decode(raw, vr);
    return r ? *r : "<error: " + r.error().to_string() + ">";
}

inline std::string encoded(const SpecificCharacterSet& cs, std::string_view text, VR vr) {
    auto r = cs.encode(text, vr);
    return r ? *r : "<error: " + r.error().to_string() + ">";
}

}  // namespace dicomkit::test
