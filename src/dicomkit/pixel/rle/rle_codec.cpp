// RLE Lossless: PackBits byte segments (PS3.5 Annex G).
#include <dicomkit/pixel/rle/rle_codec.hpp>

#include <fmt/format.h>

#include <array>
#include <cstring>

#include <dicomkit/base/endian.hpp>

namespace dicomkit::pixel::rle {

namespace {

constexpr std::string_view kRle = "1.2.840.10008.1.2.5";
constexpr std::array<std::string_view, 1> kSyntaxes{kRle};

Result<void> check(const PixelInfo& info) {
    const std::uint32_t bps = info.bytes_per_sample();
    if (info.bits_allocated < 8 || info.bits_allocated % 8)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("RLE Lossless takes 8, 16, 32 or 64 bits allocated; this image has {}", info.bits_allocated));
    if (std::uint32_t{info.samples_per_pixel} * bps > 15)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("RLE Lossless holds at most 15 segments; {} samples of {} bytes need {}",
                                      info.samples_per_pixel, bps, info.samples_per_pixel * bps));
    return {};
}

/// Decodes one PackBits segment (G.3.1) into `out` (exactly out_size bytes). Runs that go past
/// the end are cut (some encoders do); a segment that ends early is an error.
Result<void> unpack(const std::uint8_t* in, const std::uint8_t* end, std::uint8_t* out, std::size_t out_size,
                    std::uint32_t segment) {
    std::size_t o = 0;
    while (o < out_size && in < end) {
        const int n = static_cast<std::int8_t>(*in++);
        if (n >= 0) {
            std::size_t count = static_cast<std::size_t>(n) + 1;
            const std::size_t avail = static_cast<std::size_t>(end - in);
            if (count > avail) count = avail;
            if (count > out_size - o) count = out_size - o;
            std::memcpy(out + o, in, count);
            in += count;
            o += count;
        } else if (n != -128) {
            if (in == end) break;
            std::size_t count = static_cast<std::size_t>(1 - n);
            if (count > out_size - o) count = out_size - o;
            std::memset(out + o, *in++, count);
            o += count;
        }
    }
    if (o < out_size)
        return make_error(ErrorCode::Truncated,
                          fmt::format("RLE segment {} decodes to {} bytes; {} expected", segment + 1, o, out_size));
    return {};
}

/// Appends one row of PackBits: replicate runs of 3 or more bytes, literal runs otherwise.
void pack_row(const std::uint8_t* row, std::size_t n, Bytes& out) {
    std::size_t i = 0;
    while (i < n) {
        std::size_t run = 1;
        while (i + run < n && run < 128 && row[i + run] == row[i]) ++run;
        if (run >= 3 || (run == 2 && i + run == n)) {
            out.push_back(static_cast<std::uint8_t>(257 - run));
            out.push_back(row[i]);
            i += run;
            continue;
        }
        const std::size_t start = i;
        while (i < n && i - start < 128) {
            if (i + 2 < n && row[i] == row[i + 1] && row[i] == row[i + 2]) break;
            ++i;
        }
        out.push_back(static_cast<std::uint8_t>(i - start - 1));
        out.insert(out.end(), row + start, row + i);
    }
}

}  // namespace

std::span<const std::string_view> RleCodec::decodes() const { return kSyntaxes; }
std::span<const std::string_view> RleCodec::encodes() const { return kSyntaxes; }

PixelInfo RleCodec::decoded_info(std::string_view, const PixelInfo& stored) const {
    PixelInfo out = stored;
    out.planar_configuration = 0;
    return out;
}

Result<void> RleCodec::decode(std::string_view, std::span<const std::uint8_t> encoded, const PixelInfo& stored,
                              std::span<std::uint8_t> out) const {
    if (auto ok = check(stored); !ok) return ok;
    const std::uint32_t bps = stored.bytes_per_sample();
    const std::uint32_t spp = stored.samples_per_pixel;
    const std::uint32_t segments = spp * bps;
    const std::size_t pixels = std::size_t{stored.rows} * stored.columns;
    if (out.size() < pixels * segments)
        return make_error(ErrorCode::InvalidArgument, fmt::format("output of {} bytes for a frame of {}", out.size(), pixels * segments));
    if (encoded.size() < 64)
        return make_error(ErrorCode::Truncated, fmt::format("RLE frame of {} bytes has no 64-byte header", encoded.size()));
    const std::uint32_t count = load_le<std::uint32_t>(encoded.data());
    if (count != segments)
        return make_error(ErrorCode::InvalidValue,
                          fmt::format("RLE header has {} segments; {} samples of {} bits need {}", count, spp,
                                      stored.bits_allocated, segments));
    std::array<std::uint64_t, 16> offsets{};
    for (std::uint32_t i = 0; i < count; ++i) {
        offsets[i] = load_le<std::uint32_t>(encoded.data() + 4 + 4 * i);
        if (offsets[i] < 64 || offsets[i] > encoded.size() || (i > 0 && offsets[i] < offsets[i - 1]))
            return make_error(ErrorCode::InvalidValue,
                              fmt::format("RLE segment {} offset {} outside 64..{} or before the previous segment", i + 1,
                                          offsets[i], encoded.size()));
    }
    offsets[count] = encoded.size();

    const std::uint8_t* base = encoded.data();
    Bytes scratch;
    for (std::uint32_t s = 0; s < spp; ++s) {
        for (std::uint32_t b = 0; b < bps; ++b) {
            const std::uint32_t seg = s * bps + b;
            const std::uint8_t* in = base + offsets[seg];
            const std::uint8_t* end = base + offsets[seg + 1];
            if (segments == 1) {  // 8-bit grey: straight into the frame
                if (auto ok = unpack(in, end, out.data(), pixels, seg); !ok) return ok;
                continue;
            }
            scratch.resize(pixels);
            if (auto ok = unpack(in, end, scratch.data(), pixels, seg); !ok) return ok;
            // Segment 0 of a sample is its most significant byte; the frame is little endian.
            std::uint8_t* o = out.data() + std::size_t{s} * bps + (bps - 1 - b);
            const std::size_t stride = segments;
            const std::uint8_t* src = scratch.data();
            for (std::size_t p = 0; p < pixels; ++p) o[p * stride] = src[p];
        }
    }
    return {};
}

Result<void> RleCodec::can_encode(std::string_view ts, const PixelInfo& native, const EncodeOptions&) const {
    if (ts != kRle) return make_error(ErrorCode::UnsupportedTransferSyntax, fmt::format("RLE does not encode {}", ts));
    if (native.format != SampleFormat::Integer)
        return make_error(ErrorCode::Unsupported, "RLE Lossless takes integer pixel data");
    return check(native);
}

PixelInfo RleCodec::encoded_info(std::string_view, const PixelInfo& native, const EncodeOptions&) const {
    PixelInfo out = native;
    out.planar_configuration = 0;
    return out;
}

Result<Bytes> RleCodec::encode(std::string_view ts, std::span<const std::uint8_t> frame, const PixelInfo& native,
                               const EncodeOptions& options) const {
    if (auto ok = can_encode(ts, native, options); !ok) return Unexpected(ok.error());
    const std::uint32_t bps = native.bytes_per_sample();
    const std::uint32_t spp = native.samples_per_pixel;
    const std::uint32_t segments = spp * bps;
    const std::size_t rows = native.rows, cols = native.columns, pixels = rows * cols;
    if (frame.size() < pixels * segments)
        return make_error(ErrorCode::InvalidArgument, fmt::format("frame of {} bytes; {} expected", frame.size(), pixels * segments));
    Bytes out(64, 0);
    out.reserve(64 + pixels * segments + pixels * segments / 64 + 64);
    store<std::uint32_t>(out.data(), segments, Endian::Little);
    Bytes plane(cols);
    for (std::uint32_t s = 0; s < spp; ++s) {
        for (std::uint32_t b = 0; b < bps; ++b) {
            const std::uint32_t seg = s * bps + b;
            if (out.size() > 0xFFFFFFFFu)
                return make_error(ErrorCode::LimitExceeded, "RLE frame over 4 GiB");
            store<std::uint32_t>(out.data() + 4 + 4 * seg, static_cast<std::uint32_t>(out.size()), Endian::Little);
            const std::uint8_t* src = frame.data() + std::size_t{s} * bps + (bps - 1 - b);
            for (std::size_t r = 0; r < rows; ++r) {  // each row a run sequence of its own (G.3.1)
                const std::uint8_t* row = src + r * cols * segments;
                for (std::size_t c = 0; c < cols; ++c) plane[c] = row[c * segments];
                pack_row(plane.data(), cols, out);
            }
            if (out.size() % 2) out.push_back(0);
        }
    }
    return out;
}

}  // namespace dicomkit::pixel::rle
