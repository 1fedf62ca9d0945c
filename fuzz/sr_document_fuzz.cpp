// Fuzz target: an SR document's content tree read from a file (sr::build_document) and written
// as text and JSON.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/sr/document.hpp>
#include <dicomkit/sr/render.hpp>

using namespace dicomkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto file = io::read_bytes(std::vector<std::uint8_t>(data, data + size));
    if (!file) return 0;
    sr::BuildOptions o;
    o.max_depth = 16;
    auto doc = sr::build_document(file->dataset, o);
    if (!doc) return 0;
    (void)sr::to_text(*doc);
    (void)sr::to_json(*doc);
    return 0;
}
