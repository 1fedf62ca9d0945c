// Fuzz target: the token reader over raw bytes in every encoding, strict and lenient; every token
// must lie inside the input.
#include <cstdint>
#include <cstdlib>
#include <span>

#include <dicomkit/io/token_reader.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    std::span<const std::uint8_t> in(data, size);
    for (int mode = 0; mode < 6; ++mode) {
        io::ReadOptions o;
        o.strict = mode >= 3;
        io::TokenReaderConfig c;
        c.explicit_vr = (mode % 3) != 0;
        c.endian = (mode % 3) == 2 ? Endian::Big : Endian::Little;
        io::Diagnostics d;
        io::TokenReader r(in, c, o, &d);
        for (int i = 0; i < 100000; ++i) {
            auto t = r.next();
            if (!t || t->kind == io::TokenKind::End) break;
            if (!t->value.empty() && (t->value.data() < data || t->value.data() + t->value.size() > data + size))
                std::abort();
            if (r.position() > size) std::abort();
        }
    }
    return 0;
}
