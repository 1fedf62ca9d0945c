// Fuzz target: DICOMDIR reading, the record tree built by following the offsets (loops, offsets
// into nowhere, deep nesting must be errors, never a crash or a hang).
#include <cstdint>
#include <vector>

#include <dicomkit/media/dicomdir.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    std::vector<std::uint8_t> bytes(data, data + size);
    media::ReadLimits limits;
    limits.max_depth = 16;
    auto dir = media::read_dicomdir_bytes(std::move(bytes), limits, "fuzz");
    if (dir) {
        std::size_t n = 0;
        auto count = [&n](auto&& self, const std::vector<media::Record>& rs) -> void {
            for (const auto& r : rs) {
                ++n;
                (void)media::referenced_file_id(r.data);
                self(self, r.children);
            }
        };
        count(count, dir->roots);
        if (n > dir->records_in_sequence) __builtin_trap();  // each record is reached at most once
    }
    return 0;
}
