// VOI window functions, LUT lookup and LUT parsing (PS3.3 C.11, C.7.6.3.1.5, C.7.9.2).
#include <dicomkit/pixel/render/lut.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dicomkit::pixel::render {

namespace {

constexpr Tag kLutDescriptor{0x0028, 0x3002};
constexpr Tag kLutExplanation{0x0028, 0x3003};
constexpr Tag kLutData{0x0028, 0x3006};

Error lut_error(Tag tag, std::string message) {
    return std::move(Error(ErrorCode::InvalidValue, fmt::format("{}: {}", tag.str(), std::move(message)))).at_tag(tag.str());
}

/// The three descriptor values: entries, first mapped (raw 16 bits), bits.
Result<std::array<std::uint16_t, 3>> descriptor(const DataSet& ds, Tag tag) {
    const Element* e = ds.find(tag);
    if (!e) return Unexpected(lut_error(tag, "LUT Descriptor missing"));
    std::array<std::uint16_t, 3> d{};
    auto b = e->bytes();
    if (e->vr() == VR::US || e->vr() == VR::SS || e->vr() == VR::OW || e->vr() == VR::UN) {
        if (b.size() < 6) return Unexpected(lut_error(tag, "LUT Descriptor needs 3 values"));
        for (std::size_t i = 0; i < 3; ++i) d[i] = static_cast<std::uint16_t>(b[2 * i] | (b[2 * i + 1] << 8));
        return d;
    }
    for (std::size_t i = 0; i < 3; ++i) {
        auto v = e->as<std::int64_t>(i);
        if (!v) return Unexpected(lut_error(tag, "LUT Descriptor needs 3 values"));
        d[i] = static_cast<std::uint16_t>(*v);
    }
    return d;
}

/// Entries from LUT Data bytes (little endian words, or bytes when 8-bit entries are packed).
Result<std::vector<std::uint16_t>> entries(std::span<const std::uint8_t> b, std::size_t n, unsigned bits, Tag tag) {
    std::vector<std::uint16_t> out(n);
    if (bits <= 8 && (b.size() == n || b.size() == n + 1)) {  // two 8-bit entries a word
        for (std::size_t i = 0; i < n; ++i) out[i] = b[i];
        return out;
    }
    if (b.size() < 2 * n)
        return Unexpected(lut_error(tag, fmt::format("LUT Data has {} bytes for {} entries", b.size(), n)));
    const std::uint16_t mask = bits >= 16 ? 0xFFFF : static_cast<std::uint16_t>((1u << bits) - 1);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint16_t>(b[2 * i] | (b[2 * i + 1] << 8)) & mask;
    return out;
}

}  // namespace

double voi_linear(double x, double c, double w, double ymin, double ymax) noexcept {
    if (w < 1) w = 1;
    if (x <= c - 0.5 - (w - 1) / 2) return ymin;
    if (x > c - 0.5 + (w - 1) / 2) return ymax;
    if (w == 1) return ymax;  // the interval (c - 0.5, c - 0.5] is empty
    return ((x - (c - 0.5)) / (w - 1) + 0.5) * (ymax - ymin) + ymin;
}

double voi_linear_exact(double x, double c, double w, double ymin, double ymax) noexcept {
    if (w <= 0) w = 1e-9;
    if (x <= c - w / 2) return ymin;
    if (x > c + w / 2) return ymax;
    return ((x - c) / w + 0.5) * (ymax - ymin) + ymin;
}

double voi_sigmoid(double x, double c, double w, double ymin, double ymax) noexcept {
    if (w <= 0) w = 1e-9;
    return (ymax - ymin) / (1 + std::exp(-4 * (x - c) / w)) + ymin;
}

double apply_window(const Window& win, double x, double ymin, double ymax) noexcept {
    switch (win.function) {
        case VoiFunction::LinearExact: return voi_linear_exact(x, win.center, win.width, ymin, ymax);
        case VoiFunction::Sigmoid: return voi_sigmoid(x, win.center, win.width, ymin, ymax);
        case VoiFunction::Linear: break;
    }
    return voi_linear(x, win.center, win.width, ymin, ymax);
}

std::uint16_t lut_lookup(const Lut& lut, std::int64_t x) noexcept {
    if (lut.data.empty()) return 0;
    std::int64_t i = x - lut.first_mapped;
    if (i <= 0) return lut.data.front();
    if (i >= static_cast<std::int64_t>(lut.data.size())) return lut.data.back();
    return lut.data[static_cast<std::size_t>(i)];
}

double lut_max(const Lut& lut) noexcept {
    unsigned bits = std::clamp<unsigned>(lut.bits, 1, 16);
    return static_cast<double>((1u << bits) - 1);
}

Result<Lut> parse_lut(const DataSet& item, bool signed_first) {
    auto d = descriptor(item, kLutDescriptor);
    if (!d) return Unexpected(d.error());
    Lut lut;
    const std::size_t n = (*d)[0] == 0 ? 65536 : (*d)[0];
    lut.first_mapped = signed_first ? static_cast<std::int16_t>((*d)[1]) : static_cast<std::int32_t>((*d)[1]);
    lut.bits = (*d)[2];
    if (lut.bits < 1 || lut.bits > 16)
        return Unexpected(lut_error(kLutDescriptor, fmt::format("{} bits an entry is not 1..16", lut.bits)));
    const Element* data = item.find(kLutData);
    if (!data || !data->is_bytes()) return Unexpected(lut_error(kLutData, "LUT Data missing"));
    auto e = entries(data->bytes(), n, lut.bits, kLutData);
    if (!e) return Unexpected(e.error());
    lut.data = std::move(*e);
    // Some writers declare 16 bits for 8-bit tables or the reverse; trust the data when it does
    // not fit the declared range (as viewers do).
    if (lut.bits == 8 || lut.bits == 16) {
        const std::uint16_t hi = *std::max_element(lut.data.begin(), lut.data.end());
        if (lut.bits == 8 && hi > 255) lut.bits = 16;
    }
    lut.explanation = item.string_or(kLutExplanation);
    return lut;
}

Result<Lut> parse_palette_lut(const DataSet& ds, Tag descriptor_tag, Tag data_tag, Tag segmented_tag) {
    auto d = descriptor(ds, descriptor_tag);
    if (!d) return Unexpected(d.error());
    Lut lut;
    const std::size_t n = (*d)[0] == 0 ? 65536 : (*d)[0];
    lut.first_mapped = (*d)[1];  // PS3.3 C.7.6.3.1.5: always US for palettes
    lut.bits = (*d)[2];
    if (lut.bits != 8 && lut.bits != 16)
        return Unexpected(lut_error(descriptor_tag, fmt::format("{} bits a palette entry is not 8 or 16", lut.bits)));
    if (const Element* data = ds.find(data_tag); data && data->is_bytes() && !data->bytes().empty()) {
        auto e = entries(data->bytes(), n, lut.bits, data_tag);
        if (!e) return Unexpected(e.error());
        lut.data = std::move(*e);
        return lut;
    }
    const Element* seg = ds.find(segmented_tag);
    if (!seg || !seg->is_bytes()) return Unexpected(lut_error(data_tag, "palette LUT data missing"));
    auto b = seg->bytes();
    std::vector<std::uint16_t> words(b.size() / 2);
    for (std::size_t i = 0; i < words.size(); ++i) words[i] = static_cast<std::uint16_t>(b[2 * i] | (b[2 * i + 1] << 8));
    // PS3.3 C.7.9.2: opcode 0 discrete (n values), 1 linear (n entries up to y), 2 indirect (copy
    // n segments found at a 32-bit word offset, low word first). Indirect segments nest once.
    std::vector<std::uint16_t> out;
    out.reserve(n);
    auto run = [&](std::size_t pos, std::size_t end, std::size_t max_segments, bool allow_indirect, auto& self) -> Result<void> {
        std::size_t done = 0;
        while (pos + 1 < end && done < max_segments && out.size() < n) {
            const std::uint16_t op = words[pos], len = words[pos + 1];
            if (op == 0) {
                if (pos + 2 + len > words.size()) break;
                out.insert(out.end(), words.begin() + static_cast<std::ptrdiff_t>(pos + 2),
                           words.begin() + static_cast<std::ptrdiff_t>(pos + 2 + len));
                pos += 2 + len;
            } else if (op == 1) {
                if (pos + 2 >= words.size() || out.empty())
                    return Unexpected(lut_error(segmented_tag, "linear segment without a start value"));
                const double y0 = out.back(), y1 = words[pos + 2];
                for (std::uint16_t i = 1; i <= len; ++i)
                    out.push_back(static_cast<std::uint16_t>(std::lround(y0 + (y1 - y0) * i / len)));
                pos += 3;
            } else if (op == 2 && allow_indirect) {
                if (pos + 3 >= words.size()) return Unexpected(lut_error(segmented_tag, "short indirect segment"));
                const std::size_t off = words[pos + 2] | (std::size_t{words[pos + 3]} << 16);
                if (off >= words.size()) return Unexpected(lut_error(segmented_tag, "indirect offset past the data"));
                auto r = self(off, words.size(), len, false, self);
                if (!r) return r;
                pos += 4;
            } else {
                return Unexpected(lut_error(segmented_tag, fmt::format("segment opcode {} not allowed", op)));
            }
            ++done;
        }
        return {};
    };
    auto r = run(0, words.size(), SIZE_MAX, true, run);
    if (!r) return Unexpected(r.error());
    if (out.empty()) return Unexpected(lut_error(segmented_tag, "empty segmented palette"));
    out.resize(n, out.back());
    lut.data = std::move(out);
    return lut;
}

}  // namespace dicomkit::pixel::render
