// Naming of stored instances: UID checks and the file name of an instance.
#include <dicomkit/server/storage/naming.hpp>

#include <cstdint>
#include <cstdio>

namespace dicomkit::server::storage {

namespace {

/// Digits and dots, 1 to 64 characters, no empty component; `strict`: no leading zero either.
bool check_uid(std::string_view uid, bool strict) noexcept {
    if (uid.empty() || uid.size() > 64) return false;
    std::size_t start = 0;  // of the current component
    for (std::size_t i = 0; i <= uid.size(); ++i) {
        if (i < uid.size() && uid[i] != '.') {
            if (uid[i] < '0' || uid[i] > '9') return false;
            continue;
        }
        if (i == start) return false;                                    // empty component
        if (strict && i - start > 1 && uid[start] == '0') return false;  // leading zero (but "0" itself)
        start = i + 1;
    }
    return true;
}

/// "x" and 16 hexadecimal digits of the FNV-1a hash of `uid`.
std::string hashed(std::string_view uid) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64
    for (unsigned char c : uid) h = (h ^ c) * 1099511628211ull;
    char buf[24];
    std::snprintf(buf, sizeof buf, "x%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace

bool is_valid_uid(std::string_view uid) noexcept { return check_uid(uid, true); }

bool is_nameable_uid(std::string_view uid) noexcept { return check_uid(uid, false); }

std::string name_base(std::string_view uid) { return is_nameable_uid(uid) ? std::string(uid) : hashed(uid); }

std::string instance_file_name(std::string_view uid) {
    return (is_valid_uid(uid) ? std::string(uid) : hashed(uid)) + ".dcm";
}

}  // namespace dicomkit::server::storage
