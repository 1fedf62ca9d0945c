// Builds expected PDU bytes field by field (big-endian, PS3.8 9.3.1) for byte-level PDU tests.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/pdu/codec.hpp>

namespace dicomkit::net::pdu::test {

class Wire {
  public:
    Wire& u8(std::uint8_t v) {
        b_.push_back(v);
        return *this;
    }
    Wire& u16(std::uint16_t v) {
        return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v));
    }
    Wire& u32(std::uint32_t v) {
        return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
    }
    Wire& text(std::string_view s) {
        b_.insert(b_.end(), s.begin(), s.end());
        return *this;
    }
    /// An AE title field: the text, then spaces up to 16 bytes.
    Wire& ae(std::string_view s) {
        text(s);
        for (std::size_t i = s.size(); i < 16; ++i) u8(' ');
        return *this;
    }
    Wire& zeros(std::size_t n) {
        b_.insert(b_.end(), n, 0);
        return *this;
    }
    Wire& bytes(const std::vector<std::uint8_t>& v) {
        b_.insert(b_.end(), v.begin(), v.end());
        return *this;
    }
    [[nodiscard]] const std::vector<std::uint8_t>& get() const { return b_; }
    operator const std::vector<std::uint8_t>&() const { return b_; }  // NOLINT: test convenience

  private:
    std::vector<std::uint8_t> b_;
};

/// Decodes `bytes` and expects an error with `code` at `offset`.
inline void expect_error(const std::vector<std::uint8_t>& bytes, ErrorCode code,
                         std::uint64_t offset, const DecodeLimits& limits = {}) {
    auto r = decode(bytes, limits);
    ASSERT_FALSE(r.has_value()) << "decoded although malformed";
    EXPECT_EQ(r.error().code, code) << r.error().to_string();
    ASSERT_TRUE(r.error().offset.has_value()) << r.error().to_string();
    EXPECT_EQ(*r.error().offset, offset) << r.error().to_string();
}

/// encode(pdu) gives `expected`, decode(expected) gives `pdu` back.
inline void expect_wire(const Pdu& pdu, const std::vector<std::uint8_t>& expected) {
    auto bytes = encode(pdu);
    ASSERT_TRUE(bytes.has_value()) << bytes.error().to_string();
    EXPECT_EQ(*bytes, expected);
    auto back = decode(expected);
    ASSERT_TRUE(back.has_value()) << back.error().to_string();
    EXPECT_TRUE(*back == pdu);
}

}  // namespace dicomkit::net::pdu::test
