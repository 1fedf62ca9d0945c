// Fuzz target: Part 10 / bare data set reading (lenient and strict), then writing back what was
// read and reading that again, which must succeed.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    std::vector<std::uint8_t> bytes(data, data + size);
    io::ReadOptions strict;
    strict.strict = true;
    (void)io::read_bytes(bytes, strict);
    io::ReadOptions lenient;
    lenient.defer_larger_than = 256;
    auto file = io::read_bytes(std::move(bytes), lenient);
    if (!file) return 0;
    io::FileWriteOptions wo;
    wo.transfer_syntax = file->transfer_syntax.is_uncompressed() || file->transfer_syntax.deflated
                             ? &io::ts::ExplicitVRLittleEndian
                             : nullptr;
    auto encoded = io::encode_file(*file, wo);
    if (!encoded) return 0;  // e.g. encapsulated data in a native syntax: refused cleanly
    auto again = io::read_bytes(*encoded);
    if (!again) std::abort();  // what we write must read back
    return 0;
}
