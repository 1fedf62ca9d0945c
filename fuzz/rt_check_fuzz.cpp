// Fuzz target: a data set read as `dicomkit rt check` reads it (up to Pixel Data), checked on its
// own and beside a copy of itself, and every report format written. Seeds: tests/data/rt_set's RS and RP,
// and the first 4000 bytes of its RD.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/rt/reference_check.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    io::ReadOptions ro;
    ro.stop_before = Tag(0x7FE0, 0x0010);
    ro.defer_larger_than = 256;
    auto file = io::read_bytes(std::vector<std::uint8_t>(data, data + size), ro);
    if (!file) return 0;
    rt::Checker checker;
    checker.add("a", file->dataset);
    rt::Report one = checker.check();
    checker.add("b", file->dataset);
    rt::Report two = checker.check();
    for (const rt::Report* r : {&one, &two}) {
        if (rt::to_text(*r).empty() || rt::to_json(*r).empty() || rt::to_dot(*r).empty()) std::abort();
        for (const rt::Reference& ref : r->references)
            if (ref.from >= r->instances.size() || (ref.to && *ref.to >= r->instances.size())) std::abort();
    }
    // Two copies of one instance are always a duplicate.
    if (!file->dataset.string_or(Tag(0x0008, 0x0018)).empty() && two.ok()) std::abort();
    return 0;
}
