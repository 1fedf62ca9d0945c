// Fuzz target: DIMSE command set decoding; whatever decodes must encode and decode to the same.
#include <cstdint>
#include <cstdlib>
#include <span>

#include <dicomkit/net/dimse/command.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit::net::dimse;
    auto c = decode(std::span<const std::uint8_t>(data, size));
    if (!c) return 0;
    (void)describe(*c);
    auto bytes = encode(*c);
    if (!bytes) std::abort();
    auto again = decode(*bytes);
    if (!again || !(*again == *c)) std::abort();
    return 0;
}
