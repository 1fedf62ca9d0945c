// PNG through libpng, JPEG through libturbojpeg, and area/bilinear resampling.
#include <dicomkit/pixel/render/writers.hpp>

#include <fmt/format.h>
#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <memory>

namespace dicomkit::pixel::render {

namespace {

Error write_error(std::string message) { return Error(ErrorCode::IoError, std::move(message)); }

struct PngSink {
    std::vector<std::uint8_t>* out;
    std::string error;
};

void png_write(png_structp png, png_bytep data, png_size_t size) {
    auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
    sink->out->insert(sink->out->end(), data, data + size);
}
void png_flush(png_structp) {}
void png_fail(png_structp png, png_const_charp message) {
    auto* sink = static_cast<PngSink*>(png_get_error_ptr(png));
    sink->error = message ? message : "libpng error";
    png_longjmp(png, 1);
}
void png_warn(png_structp, png_const_charp) {}

/// The whole encode in one function without objects that need destructors across setjmp.
bool png_encode(PngSink& sink, const Raster& r, const std::vector<std::uint8_t>& rows_bytes, std::size_t stride) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_fail, png_warn);
    if (!png) return false;
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, info ? &info : nullptr);
        return false;
    }
    png_set_write_fn(png, &sink, png_write, png_flush);
    png_set_compression_level(png, 6);
    png_set_IHDR(png, info, r.width, r.height, r.bit_depth, r.channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (std::uint32_t y = 0; y < r.height; ++y)
        png_write_row(png, const_cast<png_bytep>(rows_bytes.data() + y * stride));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return true;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_png(const Raster& r) {
    if (r.width == 0 || r.height == 0) return Unexpected(write_error("empty raster"));
    if ((r.channels != 1 && r.channels != 3) || (r.bit_depth != 8 && r.bit_depth != 16))
        return Unexpected(write_error(fmt::format("PNG of {} channels, {} bits", r.channels, r.bit_depth)));
    const std::size_t bytes = r.bit_depth / 8;
    const std::size_t stride = std::size_t{r.width} * r.channels * bytes;
    std::vector<std::uint8_t> rows(stride * r.height);
    if (bytes == 1) {
        for (std::size_t i = 0; i < r.samples.size(); ++i) rows[i] = static_cast<std::uint8_t>(r.samples[i]);
    } else {
        for (std::size_t i = 0; i < r.samples.size(); ++i) {
            rows[2 * i] = static_cast<std::uint8_t>(r.samples[i] >> 8);
            rows[2 * i + 1] = static_cast<std::uint8_t>(r.samples[i] & 0xFF);
        }
    }
    std::vector<std::uint8_t> out;
    PngSink sink{&out, {}};
    if (!png_encode(sink, r, rows, stride)) return Unexpected(write_error("PNG: " + sink.error));
    return out;
}

Result<std::vector<std::uint8_t>> encode_jpeg(const Raster& r, int quality) {
    if (r.width == 0 || r.height == 0) return Unexpected(write_error("empty raster"));
    if (r.channels != 1 && r.channels != 3) return Unexpected(write_error(fmt::format("JPEG of {} channels", r.channels)));
    std::vector<std::uint8_t> px(r.samples.size());
    const unsigned shift = r.bit_depth > 8 ? r.bit_depth - 8u : 0u;
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(r.samples[i] >> shift);
    std::unique_ptr<void, int (*)(tjhandle)> tj(tjInitCompress(), tjDestroy);
    if (!tj) return Unexpected(write_error("JPEG: cannot start the compressor"));
    unsigned char* buf = nullptr;
    unsigned long size = 0;
    const int pf = r.channels == 3 ? TJPF_RGB : TJPF_GRAY;
    const int sub = r.channels == 3 ? TJSAMP_420 : TJSAMP_GRAY;
    if (tjCompress2(tj.get(), px.data(), static_cast<int>(r.width), 0, static_cast<int>(r.height), pf, &buf, &size, sub,
                    std::clamp(quality, 1, 100), TJFLAG_ACCURATEDCT) != 0) {
        std::string msg = tjGetErrorStr2(tj.get());
        tjFree(buf);
        return Unexpected(write_error("JPEG: " + msg));
    }
    std::vector<std::uint8_t> out(buf, buf + size);
    tjFree(buf);
    return out;
}

std::pair<std::uint32_t, std::uint32_t> fit_size(std::uint32_t width, std::uint32_t height, std::uint32_t box_w,
                                                 std::uint32_t box_h) noexcept {
    if (width == 0 || height == 0) return {1, 1};
    if (box_w == 0 && box_h == 0) return {width, height};
    double s = std::numeric_limits<double>::max();
    if (box_w) s = std::min(s, static_cast<double>(box_w) / width);
    if (box_h) s = std::min(s, static_cast<double>(box_h) / height);
    auto w = static_cast<std::uint32_t>(std::max(1.0, std::round(width * s)));
    auto h = static_cast<std::uint32_t>(std::max(1.0, std::round(height * s)));
    if (box_w) w = std::min(w, box_w);
    if (box_h) h = std::min(h, box_h);
    return {w, h};
}

namespace {

/// Weights of one axis: for each output index, the input span and weights (area or bilinear).
struct Taps {
    std::vector<std::uint32_t> start;
    std::vector<std::uint32_t> count;
    std::vector<float> weight;  ///< count[i] weights from offset[i]
    std::vector<std::size_t> offset;
};

Taps taps(std::uint32_t in, std::uint32_t out) {
    Taps t;
    const double scale = static_cast<double>(in) / out;
    for (std::uint32_t o = 0; o < out; ++o) {
        t.offset.push_back(t.weight.size());
        if (scale > 1.0) {  // area: the input interval [o*scale, (o+1)*scale)
            const double a = o * scale, b = (o + 1) * scale;
            const auto first = static_cast<std::uint32_t>(std::floor(a));
            const auto last = std::min<std::uint32_t>(in - 1, static_cast<std::uint32_t>(std::ceil(b)) - 1);
            t.start.push_back(first);
            t.count.push_back(last - first + 1);
            for (std::uint32_t i = first; i <= last; ++i) {
                const double w = std::min<double>(b, i + 1) - std::max<double>(a, i);
                t.weight.push_back(static_cast<float>(w / scale));
            }
        } else {  // bilinear between the two nearest input centres
            const double x = std::clamp((o + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
            const auto i0 = static_cast<std::uint32_t>(std::floor(x));
            const std::uint32_t i1 = std::min(in - 1, i0 + 1);
            const double f = x - i0;
            t.start.push_back(i0);
            t.count.push_back(i1 == i0 ? 1 : 2);
            t.weight.push_back(static_cast<float>(i1 == i0 ? 1.0 : 1.0 - f));
            if (i1 != i0) t.weight.push_back(static_cast<float>(f));
        }
    }
    return t;
}

}  // namespace

Raster resize(const Raster& r, std::uint32_t width, std::uint32_t height) {
    if (width == r.width && height == r.height) return r;
    Raster out{width, height, r.channels, r.bit_depth, {}};
    if (r.width == 0 || r.height == 0 || width == 0 || height == 0) return out;
    const Taps tx = taps(r.width, width), ty = taps(r.height, height);
    const std::size_t ch = r.channels;
    // Horizontal pass into floats, then vertical into the output.
    std::vector<float> mid(std::size_t{width} * r.height * ch);
    for (std::uint32_t y = 0; y < r.height; ++y) {
        const std::uint16_t* row = r.samples.data() + std::size_t{y} * r.width * ch;
        float* dst = mid.data() + std::size_t{y} * width * ch;
        for (std::uint32_t x = 0; x < width; ++x)
            for (std::size_t c = 0; c < ch; ++c) {
                float acc = 0;
                for (std::uint32_t k = 0; k < tx.count[x]; ++k) acc += tx.weight[tx.offset[x] + k] * row[(tx.start[x] + k) * ch + c];
                dst[x * ch + c] = acc;
            }
    }
    const float hi = r.bit_depth == 16 ? 65535.f : 255.f;
    out.samples.resize(std::size_t{width} * height * ch);
    for (std::uint32_t y = 0; y < height; ++y) {
        std::uint16_t* dst = out.samples.data() + std::size_t{y} * width * ch;
        for (std::size_t i = 0; i < std::size_t{width} * ch; ++i) {
            float acc = 0;
            for (std::uint32_t k = 0; k < ty.count[y]; ++k)
                acc += ty.weight[ty.offset[y] + k] * mid[(ty.start[y] + k) * std::size_t{width} * ch + i];
            dst[i] = static_cast<std::uint16_t>(std::clamp(std::lround(acc), 0L, static_cast<long>(hi)));
        }
    }
    return out;
}

}  // namespace dicomkit::pixel::render
