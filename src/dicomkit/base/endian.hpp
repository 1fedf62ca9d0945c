// Loading and storing little- and big-endian integers from unaligned bytes.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace dicomkit {

enum class Endian { Little, Big };

template <typename T>
[[nodiscard]] constexpr T byteswap(T v) noexcept {
    static_assert(std::is_integral_v<T>);
    if constexpr (sizeof(T) == 1) {
        return v;
    } else if constexpr (sizeof(T) == 2) {
        return static_cast<T>(__builtin_bswap16(static_cast<std::uint16_t>(v)));
    } else if constexpr (sizeof(T) == 4) {
        return static_cast<T>(__builtin_bswap32(static_cast<std::uint32_t>(v)));
    } else {
        return static_cast<T>(__builtin_bswap64(static_cast<std::uint64_t>(v)));
    }
}

template <typename T>
[[nodiscard]] inline T load(const std::uint8_t* p, Endian e) noexcept {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if constexpr (sizeof(T) > 1) {
        if ((e == Endian::Little) != (std::endian::native == std::endian::little)) v = byteswap(v);
    }
    return v;
}

template <typename T>
[[nodiscard]] inline T load_le(const std::uint8_t* p) noexcept {
    return load<T>(p, Endian::Little);
}

template <typename T>
inline void store(std::uint8_t* p, T v, Endian e) noexcept {
    if constexpr (sizeof(T) > 1) {
        if ((e == Endian::Little) != (std::endian::native == std::endian::little)) v = byteswap(v);
    }
    std::memcpy(p, &v, sizeof(T));
}

/// Swaps every `width`-byte word of `data` in place (width 2, 4 or 8).
inline void swap_words(std::uint8_t* data, std::size_t size, std::size_t width) noexcept {
    auto each = [&](auto word) {
        using W = decltype(word);
        for (std::size_t i = 0; i + sizeof(W) <= size; i += sizeof(W)) {
            W v;
            std::memcpy(&v, data + i, sizeof(W));
            v = byteswap(v);
            std::memcpy(data + i, &v, sizeof(W));
        }
    };
    switch (width) {
        case 2: each(std::uint16_t{}); break;
        case 4: each(std::uint32_t{}); break;
        case 8: each(std::uint64_t{}); break;
        default: break;
    }
}

}  // namespace dicomkit
