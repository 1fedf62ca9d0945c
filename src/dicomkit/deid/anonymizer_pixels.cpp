// Clean Pixel Data (PS3.15 E.3.1): configured rectangles blanked in the stored pixel values, in
// native pixel data directly and in encapsulated pixel data through the codecs (decoded, blanked,
// encoded again in the file's own transfer syntax).
#include <dicomkit/deid/anonymizer.hpp>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/pixel/pixel_info.hpp>
#include <dicomkit/pixel/transcode.hpp>

namespace dicomkit::deid {

namespace {
bool same_text(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}
}  // namespace

const PixelCleanRule* pixel_rule_for(const DataSet& ds, const std::vector<PixelCleanRule>& rules) {
    if (!ds.contains(tags::PixelData)) return nullptr;
    const std::string modality = ds.string_or(tags::Modality);
    const auto rows = ds.get_number<std::uint16_t>(tags::Rows);
    const auto cols = ds.get_number<std::uint16_t>(tags::Columns);
    for (const PixelCleanRule& r : rules) {
        if (!r.modality.empty() && !same_text(r.modality, modality)) continue;
        if (r.rows && (!rows || *rows != r.rows)) continue;
        if (r.columns && (!cols || *cols != r.columns)) continue;
        return &r;
    }
    return nullptr;
}

Result<void> blank_native_pixels(DataSet& ds, const PixelCleanRule& rule) {
    auto info = pixel::describe(ds);
    if (!info) return Unexpected(info.error());
    Element* px = ds.find(tags::PixelData);
    if (!px || !px->is_bytes())
        return make_error(ErrorCode::Unsupported, "Clean Pixel Data: the pixel data is not native and loaded");
    const std::uint32_t bps = info->bytes_per_sample();
    if (info->bits_allocated % 8 != 0 || bps == 0 || bps > 4 || info->format != pixel::SampleFormat::Integer)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("Clean Pixel Data: {} bits allocated not supported", info->bits_allocated));
    // The darkest stored value: MONOCHROME1 shows its largest value as black.
    std::uint32_t black = 0;
    const std::uint32_t bits = info->bits_stored ? info->bits_stored : info->bits_allocated;
    if (info->photometric == "MONOCHROME1") {
        black = info->is_signed ? (1u << (bits - 1)) - 1 : static_cast<std::uint32_t>((std::uint64_t{1} << bits) - 1);
    } else if (info->photometric == "MONOCHROME2" && info->is_signed) {
        black = static_cast<std::uint32_t>(-(std::int64_t{1} << (bits - 1)));
    }
    ValueBytes& bytes = px->mutable_bytes();
    const std::uint64_t frame_bytes = info->frame_bytes();
    const std::uint64_t rows = info->rows, cols = info->columns, spp = info->samples_per_pixel;
    for (std::uint32_t f = 0; f < info->frames; ++f) {
        const std::uint64_t base = f * frame_bytes;
        if (base + frame_bytes > bytes.size())
            return make_error(ErrorCode::Truncated, fmt::format("Clean Pixel Data: frame {} is beyond the pixel data", f + 1));
        for (const PixelRegion& r : rule.regions) {
            const std::uint64_t x0 = std::min<std::uint64_t>(r.x, cols), x1 = std::min<std::uint64_t>(std::uint64_t{r.x} + r.width, cols);
            const std::uint64_t y0 = std::min<std::uint64_t>(r.y, rows), y1 = std::min<std::uint64_t>(std::uint64_t{r.y} + r.height, rows);
            for (std::uint64_t y = y0; y < y1; ++y)
                for (std::uint64_t x = x0; x < x1; ++x)
                    for (std::uint64_t s = 0; s < spp; ++s) {
                        const std::uint64_t index = info->planar_configuration == 1 && spp > 1
                                                        ? s * rows * cols + y * cols + x
                                                        : (y * cols + x) * spp + s;
                        std::uint8_t* p = reinterpret_cast<std::uint8_t*>(bytes.data()) + base + index * bps;
                        for (std::uint32_t b = 0; b < bps; ++b) p[b] = static_cast<std::uint8_t>(black >> (8 * b));
                    }
        }
    }
    return {};
}

Result<bool> clean_pixels(DataSet& ds, const io::TransferSyntax* ts, const std::vector<PixelCleanRule>& rules,
                          const pixel::CodecRegistry* codecs, std::string_view source) {
    const PixelCleanRule* rule = pixel_rule_for(ds, rules);
    if (!rule) return false;
    const Element* px = ds.find(tags::PixelData);
    if (px->is_fragments()) {
        if (!ts || !ts->encapsulated)
            return make_error(ErrorCode::InvalidArgument, "Clean Pixel Data: encapsulated pixel data without its transfer syntax");
        if (!codecs)
            return make_error(ErrorCode::Unsupported, "Clean Pixel Data: no codecs to decode the encapsulated pixel data");
        pixel::TranscodeOptions to;
        to.source = source;
        if (auto ok = pixel::transcode(ds, *ts, io::ts::ExplicitVRLittleEndian, *codecs, to); !ok)
            return Unexpected(ok.error());
        if (auto ok = blank_native_pixels(ds, *rule); !ok) return Unexpected(ok.error());
        to.allow_lossy = true;  // a lossy file stays in its own (lossy) syntax
        if (auto ok = pixel::transcode(ds, io::ts::ExplicitVRLittleEndian, *ts, *codecs, to); !ok)
            return Unexpected(ok.error());
        return true;
    }
    if (auto ok = blank_native_pixels(ds, *rule); !ok) return Unexpected(ok.error());
    return true;
}

}  // namespace dicomkit::deid
