// Fuzz target: an Accept header (and the same text as a Content-Type) through parse_accept and
// parse_content_type, then negotiate() against instance, frame and metadata candidates. Checks
// the parsed form: lower-case non-empty types, q in [0, 1], a chosen candidate within range.
#include <cstdint>
#include <cstdlib>
#include <dicomkit/server/web/accept.hpp>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit::server::web;
    if (size > 32768) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto ct = parse_content_type(text);
    if (ct && (ct->type.empty() || ct->subtype.empty() || ct->type == "*")) std::abort();
    auto ranges = parse_accept(text);
    if (!ranges) return 0;
    if (ranges->empty()) std::abort();
    for (const MediaRange& r : *ranges) {
        if (r.type.empty() || r.subtype.empty() || !(r.q >= 0.0 && r.q <= 1.0)) std::abort();
        for (char c : r.type + r.subtype)
            if (c >= 'A' && c <= 'Z') std::abort();
        for (const auto& [n, v] : r.params)
            if (n.empty() || n == "q") std::abort();
    }
    static const std::vector<std::string> kTo{"1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.50",
                                              "1.2.840.10008.1.2.4.90"};
    std::vector<Representation> c =
        representations_for("application/dicom", true, "1.2.840.10008.1.2.4.70", kTo);
    for (auto& r : representations_for("application/octet-stream", true, "1.2.840.10008.1.2.1", {}))
        c.push_back(r);
    c.push_back(Representation{"application/dicom+json", "", false, false});
    for (bool stored : {false, true}) {
        auto n = negotiate(*ranges, c, NegotiateOptions{.default_is_stored = stored});
        if (n && (n->candidate >= c.size() || n->range >= ranges->size() || !(n->q > 0)))
            std::abort();
    }
    return 0;
}
