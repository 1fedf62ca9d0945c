// Ready-made bulk data policies.
#include <dicomkit/json/bulk_data.hpp>

#include <dicomkit/json/detail/model.hpp>

namespace dicomkit::json {

namespace {

/// RFC 3986 2.3: unreserved characters stay, everything else is percent-encoded.
std::string percent_encode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

}  // namespace

BulkDataWriter refer_values_over(std::size_t threshold, std::string base_uri) {
    return [threshold, base = std::move(base_uri)](
               const Element& e, std::string_view tag_path) -> std::optional<std::string> {
        bool refer = e.is_deferred() || e.is_fragments() ||
                     (detail::may_be_bulk_data(e.vr()) && e.length() > threshold);
        if (!refer) return std::nullopt;
        return base + percent_encode(tag_path);
    };
}

}  // namespace dicomkit::json
