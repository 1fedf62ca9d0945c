// Fuzz target: DICOM JSON reading; whatever reads must write back and read to the same data set.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <dicomkit/json/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto all = json::from_json_array(text);
    if (!all) return 0;
    for (const DataSet& ds : *all) {
        json::JsonOptions o;
        o.lenient_charset = true;
        auto out = json::to_json(ds, o);
        if (!out) continue;  // e.g. text the declared character set cannot decode
        auto again = json::from_json(*out);
        if (!again) std::abort();
    }
    return 0;
}
