// Keyed, repeatable replacement of UIDs and other identifiers: the same key maps the same input
// to the same output in every run, so references across files de-identified in separate batches
// still resolve. HMAC-SHA256 (RFC 2104, FIPS 180-4), thread-safe. Each thread remembers the
// UIDs it replaced lately (a set repeats its study, series and frame of reference UIDs in every
// file), so a repeated UID is looked up rather than hashed again.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace dicomkit::deid {

using Digest = std::array<std::uint8_t, 32>;

/// HMAC-SHA256(key, message).
[[nodiscard]] Digest hmac_sha256(std::string_view key, std::string_view message);

/// Whether a UID is kept as it is: a UID of the standard (1.2.840.10008.*: SOP classes, transfer
/// syntaxes, well-known instances and frames of reference) or one the dictionary knows.
[[nodiscard]] bool is_well_known_uid(std::string_view uid) noexcept;

/// HMAC-SHA256 with the key's inner and outer blocks hashed once: each message then costs two
/// SHA-256 continuations (no key setup, no algorithm lookup). Const use from many threads.
class KeyedHmac {
public:
    explicit KeyedHmac(std::string_view key);
    ~KeyedHmac();
    KeyedHmac(const KeyedHmac&) = delete;
    KeyedHmac& operator=(const KeyedHmac&) = delete;
    KeyedHmac(KeyedHmac&& o) noexcept : inner_(o.inner_), outer_(o.outer_) { o.inner_ = o.outer_ = nullptr; }
    KeyedHmac& operator=(KeyedHmac&&) = delete;
    [[nodiscard]] Digest operator()(std::string_view message) const;

private:
    void* inner_ = nullptr;  ///< EVP_MD_CTX after the ipad block
    void* outer_ = nullptr;  ///< EVP_MD_CTX after the opad block
};

class UidRemapper {
public:
    explicit UidRemapper(std::string key);

    /// "2.25." followed by the decimal value of the first 128 bits of HMAC-SHA256(key, uid);
    /// well-known UIDs and an empty value are returned unchanged. Padding (NUL, space) is
    /// ignored, so "1.2.3" and "1.2.3\0" map alike.
    [[nodiscard]] std::string remap(std::string_view uid) const;
    /// remap() appended to `out` (no string of its own).
    void remap_append(std::string_view uid, std::string& out) const;

    /// A keyed number in [0, modulus) for `purpose` and `text` (patient IDs, date shifts).
    [[nodiscard]] std::uint64_t keyed_number(std::string_view purpose, std::string_view text,
                                             std::uint64_t modulus) const;

    [[nodiscard]] const std::string& key() const noexcept { return key_; }

private:
    /// remap() without the cache.
    void compute(std::string_view uid, std::string& out) const;

    std::string key_;
    KeyedHmac mac_;
    std::uint64_t id_;  ///< tells the per-thread caches of remappers with other keys apart
};

}  // namespace dicomkit::deid
