// Reading and writing the Image Pixel Module attributes, with checked size arithmetic.
#include <dicomkit/pixel/pixel_info.hpp>

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace dicomkit::pixel {

namespace {

constexpr Tag kSamplesPerPixel{0x0028, 0x0002};
constexpr Tag kPhotometric{0x0028, 0x0004};
constexpr Tag kPlanarConfiguration{0x0028, 0x0006};
constexpr Tag kNumberOfFrames{0x0028, 0x0008};
constexpr Tag kRows{0x0028, 0x0010};
constexpr Tag kColumns{0x0028, 0x0011};
constexpr Tag kBitsAllocated{0x0028, 0x0100};
constexpr Tag kBitsStored{0x0028, 0x0101};
constexpr Tag kHighBit{0x0028, 0x0102};
constexpr Tag kPixelRepresentation{0x0028, 0x0103};
constexpr Tag kFloatPixelData{0x7FE0, 0x0008};
constexpr Tag kDoubleFloatPixelData{0x7FE0, 0x0009};
constexpr Tag kPixelData{0x7FE0, 0x0010};

Error bad(std::string_view source, ErrorCode code, std::string_view attribute, Tag tag, std::string message) {
    Error e(code, fmt::format("{} {}: {}", attribute, tag.str(), message));
    e.file = std::string(source);
    e.tag_path = tag.str();
    return e;
}

/// An unsigned number of a US/UL/IS element; nullopt when absent or empty.
Result<std::optional<std::uint64_t>> number(const DataSet& ds, Tag tag, std::string_view source, std::string_view attribute) {
    const Element* e = ds.find(tag);
    if (!e || e->length() == 0) return std::optional<std::uint64_t>{};
    if (e->vr() == VR::IS || e->vr() == VR::DS || e->vr() == VR::UN) {
        auto s = ds.get_string(tag);
        if (!s) return Unexpected(bad(source, ErrorCode::InvalidValue, attribute, tag, "not a number"));
        std::string_view v = *s;
        while (!v.empty() && (v.front() == ' ' || v.front() == '+')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
        std::uint64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc{} || p != v.data() + v.size())
            return Unexpected(bad(source, ErrorCode::InvalidValue, attribute, tag, fmt::format("\"{}\" is not a count", v)));
        return std::optional<std::uint64_t>{n};
    }
    auto n = e->as<std::uint64_t>(0);
    if (!n) return Unexpected(bad(source, ErrorCode::InvalidValue, attribute, tag, "not a number"));
    return std::optional<std::uint64_t>{*n};
}

bool mul(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return false;
    out = a * b;
    return true;
}

}  // namespace

std::uint64_t PixelInfo::samples_per_frame() const noexcept {
    return std::uint64_t{rows} * columns * samples_per_pixel;
}

std::uint64_t PixelInfo::frame_bits() const noexcept { return samples_per_frame() * bits_allocated; }

std::uint64_t PixelInfo::frame_bytes() const noexcept { return (frame_bits() + 7) / 8; }

std::uint32_t PixelInfo::bytes_per_sample() const noexcept { return bits_allocated <= 8 ? 1 : (bits_allocated + 7) / 8; }

Result<PixelInfo> describe(const DataSet& ds, std::string_view source, const PixelLimits& limits) {
    PixelInfo info;
    if (ds.contains(kFloatPixelData)) info.format = SampleFormat::Float32;
    else if (ds.contains(kDoubleFloatPixelData)) info.format = SampleFormat::Float64;
    (void)kPixelData;

    auto required = [&](Tag tag, std::string_view attribute, std::uint64_t max) -> Result<std::uint64_t> {
        auto n = number(ds, tag, source, attribute);
        if (!n) return Unexpected(n.error());
        if (!*n) return Unexpected(bad(source, ErrorCode::InvalidValue, attribute, tag, "missing or empty"));
        if (**n == 0 || **n > max)
            return Unexpected(bad(source, ErrorCode::InvalidValue, attribute, tag, fmt::format("{} is out of range 1..{}", **n, max)));
        return **n;
    };
    auto rows = required(kRows, "Rows", 0xFFFF);
    if (!rows) return Unexpected(rows.error());
    auto cols = required(kColumns, "Columns", 0xFFFF);
    if (!cols) return Unexpected(cols.error());
    info.rows = static_cast<std::uint32_t>(*rows);
    info.columns = static_cast<std::uint32_t>(*cols);

    auto spp = number(ds, kSamplesPerPixel, source, "Samples per Pixel");
    if (!spp) return Unexpected(spp.error());
    std::uint64_t samples = spp->value_or(1);
    if (samples != 1 && samples != 3 && samples != 4)
        return Unexpected(bad(source, ErrorCode::InvalidValue, "Samples per Pixel", kSamplesPerPixel,
                              fmt::format("{} (1, 3 or 4 expected)", samples)));
    info.samples_per_pixel = static_cast<std::uint16_t>(samples);

    std::uint64_t allocated = 0;
    if (info.format == SampleFormat::Float32) allocated = 32;
    else if (info.format == SampleFormat::Float64) allocated = 64;
    auto ba = number(ds, kBitsAllocated, source, "Bits Allocated");
    if (!ba) return Unexpected(ba.error());
    if (*ba) {
        if (allocated != 0 && **ba != allocated)
            return Unexpected(bad(source, ErrorCode::InvalidValue, "Bits Allocated", kBitsAllocated,
                                  fmt::format("{} for {}-bit floating point pixel data", **ba, allocated)));
        allocated = **ba;
    }
    if (allocated == 0) return Unexpected(bad(source, ErrorCode::InvalidValue, "Bits Allocated", kBitsAllocated, "missing or empty"));
    if (allocated != 1 && allocated % 8 != 0)
        return Unexpected(bad(source, ErrorCode::InvalidValue, "Bits Allocated", kBitsAllocated,
                              fmt::format("{} (1 or a multiple of 8 expected)", allocated)));
    if (allocated > 64)
        return Unexpected(bad(source, ErrorCode::InvalidValue, "Bits Allocated", kBitsAllocated, fmt::format("{} is over 64", allocated)));
    info.bits_allocated = static_cast<std::uint16_t>(allocated);

    auto bs = number(ds, kBitsStored, source, "Bits Stored");
    if (!bs) return Unexpected(bs.error());
    std::uint64_t stored = bs->value_or(allocated);
    if (stored == 0 || stored > allocated)
        return Unexpected(bad(source, ErrorCode::InvalidValue, "Bits Stored", kBitsStored,
                              fmt::format("{} with Bits Allocated {}", stored, allocated)));
    info.bits_stored = static_cast<std::uint16_t>(stored);
    auto hb = number(ds, kHighBit, source, "High Bit");
    if (!hb) return Unexpected(hb.error());
    std::uint64_t high = hb->value_or(stored - 1);
    if (high >= allocated || high + 1 < stored)
        return Unexpected(bad(source, ErrorCode::InvalidValue, "High Bit", kHighBit,
                              fmt::format("{} with Bits Stored {} and Bits Allocated {}", high, stored, allocated)));
    info.high_bit = static_cast<std::uint16_t>(high);

    auto pr = number(ds, kPixelRepresentation, source, "Pixel Representation");
    if (!pr) return Unexpected(pr.error());
    if (pr->value_or(0) > 1)
        return Unexpected(bad(source, ErrorCode::InvalidValue, "Pixel Representation", kPixelRepresentation,
                              fmt::format("{} (0 or 1 expected)", **pr)));
    info.is_signed = pr->value_or(0) == 1 || info.format != SampleFormat::Integer;

    auto pc = number(ds, kPlanarConfiguration, source, "Planar Configuration");
    if (!pc) return Unexpected(pc.error());
    if (pc->value_or(0) > 1)
        return Unexpected(bad(source, ErrorCode::InvalidValue, "Planar Configuration", kPlanarConfiguration,
                              fmt::format("{} (0 or 1 expected)", **pc)));
    info.planar_configuration = samples > 1 ? static_cast<std::uint16_t>(pc->value_or(0)) : 0;

    info.photometric = ds.string_or(kPhotometric);
    while (!info.photometric.empty() && (info.photometric.back() == ' ' || info.photometric.back() == '\0'))
        info.photometric.pop_back();
    if (info.photometric.empty()) info.photometric = samples == 1 ? "MONOCHROME2" : "RGB";

    auto nf = number(ds, kNumberOfFrames, source, "Number of Frames");
    if (!nf) return Unexpected(nf.error());
    std::uint64_t frames = nf->value_or(1);
    if (frames == 0) frames = 1;
    if (frames > 0xFFFFFFFFu)
        return Unexpected(bad(source, ErrorCode::LimitExceeded, "Number of Frames", kNumberOfFrames, fmt::format("{} frames", frames)));
    info.frames = static_cast<std::uint32_t>(frames);

    std::uint64_t bits = 0, total = 0;
    if (!mul(std::uint64_t{info.rows} * info.columns, samples, bits) || !mul(bits, allocated, bits) ||
        (bits + 7) / 8 > limits.max_frame_bytes)
        return Unexpected(bad(source, ErrorCode::LimitExceeded, "Rows", kRows,
                              fmt::format("{} x {} x {} samples x {} bits is over the frame limit of {} bytes", info.rows,
                                          info.columns, samples, allocated, limits.max_frame_bytes)));
    if (!mul(bits, frames, total) || (total + 7) / 8 > limits.max_total_bytes)
        return Unexpected(bad(source, ErrorCode::LimitExceeded, "Number of Frames", kNumberOfFrames,
                              fmt::format("{} frames of {} bytes are over the limit of {} bytes", frames, (bits + 7) / 8,
                                          limits.max_total_bytes)));
    return info;
}

void apply(const PixelInfo& info, DataSet& ds) {
    auto us = [&](Tag t, std::uint16_t v) { ds.set(Element::from_numbers<std::uint16_t>(t, VR::US, std::span<const std::uint16_t>(&v, 1))); };
    us(kSamplesPerPixel, info.samples_per_pixel);
    ds.set_string(kPhotometric, VR::CS, info.photometric);
    if (info.samples_per_pixel > 1) us(kPlanarConfiguration, info.planar_configuration);
    else ds.remove(kPlanarConfiguration);
    if (ds.contains(kNumberOfFrames) || info.frames > 1) ds.set_string(kNumberOfFrames, VR::IS, std::to_string(info.frames));
    us(kRows, static_cast<std::uint16_t>(info.rows));
    us(kColumns, static_cast<std::uint16_t>(info.columns));
    us(kBitsAllocated, info.bits_allocated);
    if (info.format == SampleFormat::Integer) {
        us(kBitsStored, info.bits_stored);
        us(kHighBit, info.high_bit);
        us(kPixelRepresentation, info.is_signed ? 1 : 0);
    }
}

}  // namespace dicomkit::pixel
