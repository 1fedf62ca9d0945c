// Fuzz target: a file read from bytes (io::read_bytes) and validated against its IOD, the report
// written as text and JSON.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/validate/validator.hpp>

using namespace dicomkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    io::ReadOptions ro;
    ro.max_depth = 16;
    auto file = io::read_bytes(std::vector<std::uint8_t>(data, data + size), ro);
    if (!file) return 0;
    validate::Report report = validate::validate(file->meta, file->dataset);
    (void)validate::to_text("fuzz", report);
    (void)validate::to_json("fuzz", report);
    return 0;
}
