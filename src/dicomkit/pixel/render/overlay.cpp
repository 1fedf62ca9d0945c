// Reading overlay planes and burning them into rendered frames (PS3.3 C.9.2).
#include <dicomkit/pixel/render/overlay.hpp>

#include <fmt/format.h>

namespace dicomkit::pixel::render {

namespace {

Error overlay_error(std::uint16_t group, std::uint16_t element, std::string message) {
    Tag t{group, element};
    return std::move(Error(ErrorCode::InvalidValue, fmt::format("overlay {}: {}", t.str(), std::move(message)))).at_tag(t.str());
}

std::int64_t number_or(const DataSet& ds, Tag t, std::size_t index, std::int64_t fallback) {
    const Element* e = ds.find(t);
    if (!e || e->length() == 0) return fallback;
    auto v = e->as<std::int64_t>(index);
    return v ? *v : fallback;
}

}  // namespace

Result<std::vector<Overlay>> read_overlays(const DataSet& ds) {
    std::vector<Overlay> out;
    for (std::uint16_t g = 0x6000; g <= 0x601E; g += 2) {
        const bool has_rows = ds.contains(Tag{g, 0x0010});
        const Element* data = ds.find(Tag{g, 0x3000});
        if (!has_rows && !data) continue;
        Overlay ov;
        ov.group = g;
        const std::int64_t rows = number_or(ds, Tag{g, 0x0010}, 0, 0);
        const std::int64_t cols = number_or(ds, Tag{g, 0x0011}, 0, 0);
        if (rows <= 0 || cols <= 0) return Unexpected(overlay_error(g, 0x0010, "no Overlay Rows or Columns"));
        ov.rows = static_cast<std::uint32_t>(rows);
        ov.columns = static_cast<std::uint32_t>(cols);
        ov.origin_row = static_cast<std::int32_t>(number_or(ds, Tag{g, 0x0050}, 0, 1));
        ov.origin_column = static_cast<std::int32_t>(number_or(ds, Tag{g, 0x0050}, 1, 1));
        ov.frames = static_cast<std::uint32_t>(std::max<std::int64_t>(1, number_or(ds, Tag{g, 0x0015}, 0, 1)));
        ov.first_frame = static_cast<std::uint32_t>(std::max<std::int64_t>(1, number_or(ds, Tag{g, 0x0051}, 0, 1)));
        ov.type = ds.string_or(Tag{g, 0x0040}, "G");
        const std::int64_t bits_allocated = number_or(ds, Tag{g, 0x0100}, 0, 1);
        if (data && data->is_bytes() && data->length() > 0) {
            auto b = data->bytes();
            const std::uint64_t need_bits = std::uint64_t{ov.rows} * ov.columns * ov.frames;
            if (b.size() * 8 < need_bits)
                return Unexpected(overlay_error(g, 0x3000, fmt::format("{} bytes, {} bits needed", b.size(), need_bits)));
            ov.data.assign(b.begin(), b.end());
        } else if (bits_allocated > 1) {
            ov.bit_position = static_cast<std::uint16_t>(number_or(ds, Tag{g, 0x0102}, 0, 0));
        } else {
            return Unexpected(overlay_error(g, 0x3000, "no Overlay Data"));
        }
        out.push_back(std::move(ov));
    }
    return out;
}

bool overlay_bit(const Overlay& ov, std::size_t frame, std::int64_t row, std::int64_t column, const PixelInfo& info,
                 std::span<const std::uint8_t> pixels) noexcept {
    const std::int64_t r = row - (ov.origin_row - 1), c = column - (ov.origin_column - 1);
    if (r < 0 || c < 0 || r >= ov.rows || c >= ov.columns) return false;
    if (ov.bit_position) {
        // Embedded: the overlay covers the image one to one; bit `bit_position` of the sample.
        if (row < 0 || column < 0 || row >= info.rows || column >= info.columns || info.samples_per_pixel != 1) return false;
        const std::size_t i = static_cast<std::size_t>(row) * info.columns + static_cast<std::size_t>(column);
        std::uint32_t v = 0;
        if (info.bits_allocated == 8) {
            if (i >= pixels.size()) return false;
            v = pixels[i];
        } else if (info.bits_allocated == 16) {
            if (2 * i + 1 >= pixels.size()) return false;
            v = pixels[2 * i] | (pixels[2 * i + 1] << 8);
        } else {
            return false;
        }
        return (*ov.bit_position < 32) && ((v >> *ov.bit_position) & 1u);
    }
    const std::int64_t f = static_cast<std::int64_t>(frame) - (ov.first_frame - 1);
    if (f < 0 || f >= ov.frames) return false;
    const std::uint64_t bit = (static_cast<std::uint64_t>(f) * ov.rows + static_cast<std::uint64_t>(r)) * ov.columns +
                              static_cast<std::uint64_t>(c);
    if (bit / 8 >= ov.data.size()) return false;
    return (ov.data[bit / 8] >> (bit % 8)) & 1u;
}

void burn_overlays(const std::vector<Overlay>& overlays, std::size_t frame, const PixelInfo& info,
                   std::span<const std::uint8_t> pixels, std::uint16_t value, Raster& raster) {
    for (const Overlay& ov : overlays) {
        const std::int64_t r0 = std::max<std::int64_t>(0, ov.origin_row - 1);
        const std::int64_t c0 = std::max<std::int64_t>(0, ov.origin_column - 1);
        const std::int64_t r1 = std::min<std::int64_t>(raster.height, ov.origin_row - 1 + std::int64_t{ov.rows});
        const std::int64_t c1 = std::min<std::int64_t>(raster.width, ov.origin_column - 1 + std::int64_t{ov.columns});
        for (std::int64_t y = r0; y < r1; ++y)
            for (std::int64_t x = c0; x < c1; ++x)
                if (overlay_bit(ov, frame, y, x, info, pixels))
                    for (std::uint8_t ch = 0; ch < raster.channels; ++ch)
                        raster.at(static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), ch) = value;
    }
}

}  // namespace dicomkit::pixel::render
