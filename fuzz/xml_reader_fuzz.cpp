// Fuzz target: Native DICOM Model XML reading; whatever reads must write back and read again.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <dicomkit/json/xml.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto ds = json::from_xml(text);
    if (!ds) return 0;
    json::XmlOptions o;
    o.lenient_charset = true;
    auto out = json::to_xml(*ds, o);
    if (!out) return 0;  // e.g. control characters XML cannot carry
    auto again = json::from_xml(*out);
    if (!again) std::abort();
    return 0;
}
