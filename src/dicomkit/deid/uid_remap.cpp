#include <dicomkit/deid/uid_remap.hpp>

#include <algorithm>
#include <atomic>
#include <unordered_map>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <dicomkit/dict/dictionary.hpp>

namespace dicomkit::deid {

Digest hmac_sha256(std::string_view key, std::string_view message) {
    Digest out{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
    return out;
}

KeyedHmac::KeyedHmac(std::string_view key) {
    std::array<unsigned char, 64> block{};
    if (key.size() > block.size()) {
        unsigned int len = 0;
        EVP_Digest(key.data(), key.size(), block.data(), &len, EVP_sha256(), nullptr);
    } else {
        std::copy(key.begin(), key.end(), block.begin());
    }
    std::array<unsigned char, 64> ipad, opad;
    for (std::size_t i = 0; i < 64; ++i) {
        ipad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
        opad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
    }
    EVP_MD_CTX* in = EVP_MD_CTX_new();
    EVP_MD_CTX* out = EVP_MD_CTX_new();
    EVP_DigestInit_ex(in, EVP_sha256(), nullptr);
    EVP_DigestUpdate(in, ipad.data(), ipad.size());
    EVP_DigestInit_ex(out, EVP_sha256(), nullptr);
    EVP_DigestUpdate(out, opad.data(), opad.size());
    inner_ = in;
    outer_ = out;
}

KeyedHmac::~KeyedHmac() {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(inner_));
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(outer_));
}

Digest KeyedHmac::operator()(std::string_view message) const {
    struct Ctx {
        EVP_MD_CTX* c = EVP_MD_CTX_new();
        ~Ctx() { EVP_MD_CTX_free(c); }
    };
    thread_local Ctx work;
    Digest inner{}, out{};
    unsigned int len = 0;
    EVP_MD_CTX_copy_ex(work.c, static_cast<const EVP_MD_CTX*>(inner_));
    EVP_DigestUpdate(work.c, message.data(), message.size());
    EVP_DigestFinal_ex(work.c, inner.data(), &len);
    EVP_MD_CTX_copy_ex(work.c, static_cast<const EVP_MD_CTX*>(outer_));
    EVP_DigestUpdate(work.c, inner.data(), inner.size());
    EVP_DigestFinal_ex(work.c, out.data(), &len);
    return out;
}

bool is_well_known_uid(std::string_view uid) noexcept {
    if (uid.starts_with("1.2.840.10008.")) return true;
    return dict::find_uid(uid) != nullptr;
}

namespace {
std::string_view trim_uid(std::string_view s) noexcept {
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
}
}  // namespace

namespace {
std::atomic<std::uint64_t> next_remapper_id{1};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

/// One thread's replacements of one remapper (the last one it used), cleared when it grows past
/// kMaxCached entries, so its memory stays small however many UIDs a run meets.
struct RemapCache {
    static constexpr std::size_t kMaxCached = 16384;
    std::uint64_t owner = 0;
    std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> map;
};
}  // namespace

UidRemapper::UidRemapper(std::string key)
    : key_(std::move(key)), mac_(key_), id_(next_remapper_id.fetch_add(1, std::memory_order_relaxed)) {}

void UidRemapper::compute(std::string_view uid, std::string& out) const {
    if (is_well_known_uid(uid)) {
        out.append(uid);
        return;
    }
    const Digest d = mac_(uid);
    unsigned __int128 v = 0;
    for (int i = 0; i < 16; ++i) v = (v << 8) | d[static_cast<std::size_t>(i)];
    char digits[40];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
        v /= 10;
    } while (v != 0);
    out.append("2.25.");
    for (int i = n - 1; i >= 0; --i) out.push_back(digits[i]);
}

void UidRemapper::remap_append(std::string_view uid, std::string& out) const {
    uid = trim_uid(uid);
    if (uid.empty()) return;
    thread_local RemapCache cache;
    if (cache.owner != id_ || cache.map.size() >= RemapCache::kMaxCached) {
        cache.map.clear();
        cache.owner = id_;
    }
    if (auto it = cache.map.find(uid); it != cache.map.end()) {
        out.append(it->second);
        return;
    }
    std::string value;
    compute(uid, value);
    out.append(value);
    cache.map.emplace(std::string(uid), std::move(value));
}

std::string UidRemapper::remap(std::string_view uid) const {
    std::string out;
    remap_append(uid, out);
    return out;
}

std::uint64_t UidRemapper::keyed_number(std::string_view purpose, std::string_view text,
                                        std::uint64_t modulus) const {
    std::string msg(purpose);
    msg.push_back('\0');
    msg.append(text);
    // Remembered per thread as UIDs are: the files of one patient ask for the same numbers.
    struct NumberCache {
        std::uint64_t owner = 0;
        std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>> map;
    };
    thread_local NumberCache cache;
    if (cache.owner != id_ || cache.map.size() >= RemapCache::kMaxCached) {
        cache.map.clear();
        cache.owner = id_;
    }
    std::uint64_t v = 0;
    if (auto it = cache.map.find(msg); it != cache.map.end()) {
        v = it->second;
    } else {
        const Digest d = mac_(msg);
        for (int i = 0; i < 8; ++i) v = (v << 8) | d[static_cast<std::size_t>(i)];
        cache.map.emplace(std::move(msg), v);
    }
    return modulus ? v % modulus : v;
}

}  // namespace dicomkit::deid
