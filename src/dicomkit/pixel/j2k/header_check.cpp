// Checks of a JPEG 2000 main header made before a library allocates for what it says.
#include <string>

#include <dicomkit/pixel/j2k/j2k_codec.hpp>

namespace dicomkit::pixel::j2k {
namespace {

std::uint32_t be16(const std::uint8_t* p) noexcept { return static_cast<std::uint32_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) noexcept { return be16(p) << 16 | be16(p + 2); }

}  // namespace

Result<void> check_main_header(std::span<const std::uint8_t> cs, const PixelInfo& expected) {
    std::size_t pos = 2;  // after SOC
    std::uint32_t components = 0;
    bool siz = false;
    const auto bad = [](std::string what, std::size_t at) {
        return make_error(ErrorCode::InvalidValue, "JPEG 2000 main header: " + what + " at offset " + std::to_string(at));
    };
    const auto check_coding = [&](const std::uint8_t* sp, std::size_t at) -> Result<void> {
        // SPcod / SPcoc: decomposition levels, code-block width and height exponents (A.6.1).
        if (sp[0] > 32) return bad("more than 32 decomposition levels (" + std::to_string(sp[0]) + ")", at);
        if (sp[1] > 8 || sp[2] > 8 || sp[1] + sp[2] > 8) return bad("a code-block size out of range", at);
        return {};
    };
    while (true) {
        if (pos + 4 > cs.size()) return bad("the main header ends without SOT", pos);
        if (cs[pos] != 0xFF) return bad("no marker", pos);
        const std::uint8_t m = cs[pos + 1];
        if (m == 0x90 || m == 0x93) {  // SOT, SOD: the main header is over
            if (!siz) return bad("no SIZ before the first tile", pos);
            return {};
        }
        const std::uint32_t length = be16(&cs[pos + 2]);
        if (length < 2 || pos + 2 + length > cs.size()) return bad("a marker segment longer than the stream", pos);
        const std::uint8_t* seg = &cs[pos + 4];
        const std::size_t body = length - 2;
        if (m == 0x51) {  // SIZ
            if (body < 36 + 3) return bad("a short SIZ", pos);
            const std::uint64_t x = be32(seg + 2), y = be32(seg + 6), xo = be32(seg + 10), yo = be32(seg + 14);
            const std::uint64_t xt = be32(seg + 18), yt = be32(seg + 22), xto = be32(seg + 26), yto = be32(seg + 30);
            components = be16(seg + 34);
            // A.5.1: the first tile overlaps the image (else the tile grid, which decoders
            // allocate for, can be far larger than the image).
            if (xt == 0 || yt == 0 || x <= xo || y <= yo || xto > xo || yto > yo || xto + xt <= xo || yto + yt <= yo)
                return bad("an impossible SIZ", pos);
            const std::uint64_t tiles = ((x - xto + xt - 1) / xt) * ((y - yto + yt - 1) / yt);
            if (tiles > 65535) return bad("more than 65535 tiles", pos);
            if (components == 0 || body < 36 + 3 * std::size_t{components}) return bad("a short SIZ", pos);
            // The image is the frame the data set describes: nothing is allocated for another size.
            if (x - xo != expected.columns || y - yo != expected.rows)
                return make_error(ErrorCode::InvalidValue,
                                  "JPEG 2000: the codestream is " + std::to_string(x - xo) + "x" + std::to_string(y - yo) +
                                      ", the data set says " + std::to_string(expected.columns) + "x" +
                                      std::to_string(expected.rows) + " (Columns x Rows)");
            if (components != expected.samples_per_pixel)
                return make_error(ErrorCode::InvalidValue, "JPEG 2000: the codestream has " + std::to_string(components) +
                                                               " components, Samples per Pixel is " +
                                                               std::to_string(expected.samples_per_pixel));
            siz = true;
        } else if (m == 0x52) {  // COD
            if (body < 10) return bad("a short COD", pos);
            if (be16(seg + 2) == 0) return bad("a COD with no quality layer", pos);
            if (auto ok = check_coding(seg + 5, pos); !ok) return ok;
        } else if (m == 0x53) {  // COC
            const std::size_t c = components < 257 ? 1 : 2;
            if (body < c + 1 + 5) return bad("a short COC", pos);
            if (auto ok = check_coding(seg + c + 1, pos); !ok) return ok;
        }
        pos += 2 + length;
    }
}
}  // namespace dicomkit::pixel::j2k
