// Fuzz target: a file read leniently, then de-identified (Basic Profile with the retain and clean
// options, safe private attributes, Clean Pixel Data of native images), then written: nothing may
// crash, and a file that encodes must read back. A second run on the output with the same key
// must give the same UIDs (a remapped UID is left as the remapping of what it was).
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <dicomkit/deid/anonymizer.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>

namespace {
const dicomkit::deid::Anonymizer& anonymizer() {
    using namespace dicomkit::deid;
    static const Anonymizer a = [] {
        Recipe r;
        r.options.retain_safe_private = true;
        r.options.dates = DateOption::Modified;
        r.options.clean_descriptors = true;
        r.options.clean_graphics = true;
        r.options.clean_structured_content = true;
        r.options.clean_pixel_data = true;
        r.pixel_rules.push_back({"", 0, 0, {{0, 0, 8, 8}}});
        r.safe_private.push_back({0x0029, "ACME", 0x10});
        return *Anonymizer::create("fuzz", r);
    }();
    return a;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    std::vector<std::uint8_t> bytes(data, data + size);
    auto file = io::read_bytes(std::move(bytes));
    if (!file) return 0;
    deid::Context ctx;
    auto out = anonymizer().apply(*file, ctx);
    if (!out) return 0;  // e.g. pixel data that does not fit its description: refused with a reason
    if (out->dataset.string_or(tags::PatientIdentityRemoved) != "YES") std::abort();
    auto encoded = io::encode_file(*out);
    if (!encoded) return 0;
    if (!io::read_bytes(*encoded)) std::abort();
    return 0;
}
