// libFuzzer target: the patient mapping CSV of `dicomkit anonymize --map-in` (deid::parse_patient_map)
// and the recipe reader on the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <dicomkit/deid/recipe.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto map = dicomkit::deid::parse_patient_map(text, "fuzz.csv");
    if (map)
        for (const auto& [k, v] : *map)
            if (k.empty() || v.id.empty()) std::abort();
    (void)dicomkit::deid::parse_recipe(text, "fuzz.toml");
    return 0;
}
