// Small helpers that build encoded data set bytes element by element, for byte-level tests.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <dicomkit/base/endian.hpp>
#include <dicomkit/core/tag.hpp>

namespace dicomkit::test {

class BytesBuilder {
public:
    explicit BytesBuilder(Endian e = Endian::Little) : e_(e) {}

    BytesBuilder& u16(std::uint16_t v) { return raw_int(v); }
    BytesBuilder& u32(std::uint32_t v) { return raw_int(v); }
    BytesBuilder& tag(Tag t) { return u16(t.group).u16(t.element); }
    BytesBuilder& text(std::string_view s) {
        b_.insert(b_.end(), s.begin(), s.end());
        return *this;
    }
    BytesBuilder& bytes(std::initializer_list<std::uint8_t> v) {
        b_.insert(b_.end(), v.begin(), v.end());
        return *this;
    }
    /// Explicit VR element with a 2-byte length (AE..US) and its value.
    BytesBuilder& ex(Tag t, std::string_view vr, std::string_view value) {
        tag(t).text(vr).u16(static_cast<std::uint16_t>(value.size()));
        return text(value);
    }
    /// Explicit VR header with reserved bytes and a 4-byte length (OB, SQ, UN, UT ...).
    BytesBuilder& ex_long(Tag t, std::string_view vr, std::uint32_t length) {
        return tag(t).text(vr).u16(0).u32(length);
    }
    /// Implicit VR element.
    BytesBuilder& im(Tag t, std::string_view value) {
        tag(t).u32(static_cast<std::uint32_t>(value.size()));
        return text(value);
    }
    BytesBuilder& item(std::uint32_t length = 0xFFFFFFFF) { return tag(Tag(0xFFFE, 0xE000)).u32(length); }
    BytesBuilder& item_end() { return tag(Tag(0xFFFE, 0xE00D)).u32(0); }
    BytesBuilder& seq_end() { return tag(Tag(0xFFFE, 0xE0DD)).u32(0); }

    [[nodiscard]] const std::vector<std::uint8_t>& get() const { return b_; }
    [[nodiscard]] std::size_t size() const { return b_.size(); }

private:
    template <typename T>
    BytesBuilder& raw_int(T v) {
        std::uint8_t tmp[sizeof(T)];
        store(tmp, v, e_);
        b_.insert(b_.end(), tmp, tmp + sizeof(T));
        return *this;
    }
    Endian e_;
    std::vector<std::uint8_t> b_;
};

}  // namespace dicomkit::test
