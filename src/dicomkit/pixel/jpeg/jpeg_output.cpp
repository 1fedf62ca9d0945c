// Native output of decoded T.81 images: upsampling, colour conversion and sample containers.
#include <dicomkit/pixel/jpeg/jpeg_output.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>
#include <vector>

namespace dicomkit::pixel::jpeg {

namespace {

struct Plane {
    const std::uint16_t* data;
    std::size_t stride;
};

/// 2:1 horizontal triangle filter of one line (3/4 nearer + 1/4 farther sample, as libjpeg).
void fancy_h2(const std::uint16_t* in, std::size_t n, std::uint16_t* out) {
    if (n == 1) {
        out[0] = out[1] = in[0];
        return;
    }
    out[0] = in[0];
    out[1] = static_cast<std::uint16_t>((in[0] * 3 + in[1] + 2) >> 2);
    for (std::size_t i = 1; i + 1 < n; ++i) {
        out[2 * i] = static_cast<std::uint16_t>((in[i] * 3 + in[i - 1] + 1) >> 2);
        out[2 * i + 1] = static_cast<std::uint16_t>((in[i] * 3 + in[i + 1] + 2) >> 2);
    }
    out[2 * n - 2] = static_cast<std::uint16_t>((in[n - 1] * 3 + in[n - 2] + 1) >> 2);
    out[2 * n - 1] = in[n - 1];
}

/// 2:1 both ways: each output line mixes its line (3/4) and the nearer neighbour line (1/4).
void fancy_h2v2_line(const std::uint16_t* in, const std::uint16_t* near, std::size_t n, std::uint16_t* out) {
    auto colsum = [&](std::size_t i) { return static_cast<int>(in[i]) * 3 + near[i]; };
    if (n == 1) {
        out[0] = static_cast<std::uint16_t>((colsum(0) * 4 + 8) >> 4);
        out[1] = static_cast<std::uint16_t>((colsum(0) * 4 + 7) >> 4);
        return;
    }
    int last = colsum(0), cur = colsum(0), next = colsum(1);
    out[0] = static_cast<std::uint16_t>((cur * 4 + 8) >> 4);
    out[1] = static_cast<std::uint16_t>((cur * 3 + next + 7) >> 4);
    for (std::size_t i = 1; i < n; ++i) {
        last = cur;
        cur = next;
        next = i + 1 < n ? colsum(i + 1) : 0;
        out[2 * i] = static_cast<std::uint16_t>((cur * 3 + last + 8) >> 4);
        out[2 * i + 1] = i + 1 < n ? static_cast<std::uint16_t>((cur * 3 + next + 7) >> 4)
                                   : static_cast<std::uint16_t>((cur * 4 + 7) >> 4);
    }
}

/// A full-size plane for a subsampled component.
std::vector<std::uint16_t> upsample(const Component& c, const Image& img, std::size_t& stride) {
    const std::size_t w = img.columns, h = img.rows;
    const int hr = img.hmax / c.h, vr = img.vmax / c.v;
    const bool exact = img.hmax % c.h == 0 && img.vmax % c.v == 0;
    stride = std::max<std::size_t>(w, std::size_t{c.width} * 2);
    const std::size_t rows = std::max<std::size_t>(h, std::size_t{c.height} * 2);
    std::vector<std::uint16_t> out(stride * rows);
    const std::size_t cw = c.width, ch = c.height;
    if (exact && hr == 2 && vr == 1) {
        for (std::size_t y = 0; y < h; ++y) fancy_h2(c.plane.data() + y * c.stride, cw, out.data() + y * stride);
    } else if (exact && hr == 2 && vr == 2) {
        for (std::size_t y = 0; y < ch; ++y) {
            const std::uint16_t* line = c.plane.data() + y * c.stride;
            const std::uint16_t* above = y > 0 ? line - c.stride : line;
            const std::uint16_t* below = y + 1 < ch ? line + c.stride : line;
            fancy_h2v2_line(line, above, cw, out.data() + (2 * y) * stride);
            fancy_h2v2_line(line, below, cw, out.data() + (2 * y + 1) * stride);
        }
    } else {
        for (std::size_t y = 0; y < h; ++y) {
            const std::size_t sy = std::min(ch - 1, y * c.v / static_cast<std::size_t>(img.vmax));
            const std::uint16_t* line = c.plane.data() + sy * c.stride;
            for (std::size_t x = 0; x < w; ++x)
                out[y * stride + x] = line[std::min(cw - 1, x * c.h / static_cast<std::size_t>(img.hmax))];
        }
    }
    return out;
}

template <typename T>
void write_planes(const Image& img, const std::array<Plane, 4>& p, bool ycc, T* out) {
    const std::size_t w = img.columns, h = img.rows, n = img.components.size();
    if (ycc && n == 3) {
        const int center = 1 << (img.precision - 1);
        const int maxval = (1 << img.precision) - 1;
        for (std::size_t y = 0; y < h; ++y) {
            const std::uint16_t* py = p[0].data + y * p[0].stride;
            const std::uint16_t* pb = p[1].data + y * p[1].stride;
            const std::uint16_t* pr = p[2].data + y * p[2].stride;
            T* o = out + y * w * 3;
            for (std::size_t x = 0; x < w; ++x) {
                const int yy = py[x], cb = pb[x] - center, cr = pr[x] - center;
                // T.871 7: R = Y + 1.402 Cr, G = Y - 0.34414 Cb - 0.71414 Cr, B = Y + 1.772 Cb (16-bit fixed point).
                const int r = yy + ((91881 * cr + 32768) >> 16);
                const int g = yy + ((-22554 * cb - 46802 * cr + 32768) >> 16);
                const int b = yy + ((116130 * cb + 32768) >> 16);
                o[3 * x] = static_cast<T>(std::clamp(r, 0, maxval));
                o[3 * x + 1] = static_cast<T>(std::clamp(g, 0, maxval));
                o[3 * x + 2] = static_cast<T>(std::clamp(b, 0, maxval));
            }
        }
        return;
    }
    if (n == 1) {  // grey: whole lines, contiguous both sides
        const int pt = img.components[0].point_transform;
        for (std::size_t y = 0; y < h; ++y) {
            const std::uint16_t* s = p[0].data + y * p[0].stride;
            T* o = out + y * w;
            if constexpr (std::is_same_v<T, std::uint16_t>) {
                if (pt == 0) {
                    std::memcpy(o, s, w * sizeof(T));
                    continue;
                }
            }
            for (std::size_t x = 0; x < w; ++x) o[x] = static_cast<T>(s[x] << pt);
        }
        return;
    }
    for (std::size_t c = 0; c < n; ++c) {
        const int pt = img.components[c].point_transform;
        for (std::size_t y = 0; y < h; ++y) {
            const std::uint16_t* s = p[c].data + y * p[c].stride;
            T* o = out + y * w * n + c;
            if (pt == 0) {
                for (std::size_t x = 0; x < w; ++x) o[x * n] = static_cast<T>(s[x]);
            } else {
                for (std::size_t x = 0; x < w; ++x) o[x * n] = static_cast<T>(s[x] << pt);
            }
        }
    }
}

}  // namespace

Result<void> write_native(const Image& img, bool ycbcr_to_rgb, int bytes_per_sample, std::span<std::uint8_t> out) {
    const std::size_t n = img.components.size();
    const std::size_t need = std::size_t{img.columns} * img.rows * n * static_cast<std::size_t>(bytes_per_sample);
    if (out.size() < need) return make_error(ErrorCode::InvalidLength, "JPEG: output buffer smaller than the frame");
    std::array<std::vector<std::uint16_t>, 4> tmp;
    std::array<Plane, 4> planes{};
    for (std::size_t c = 0; c < n; ++c) {
        const Component& comp = img.components[c];
        if (comp.h == img.hmax && comp.v == img.vmax) {
            planes[c] = Plane{comp.plane.data(), comp.stride};
        } else {
            std::size_t stride = 0;
            tmp[c] = upsample(comp, img, stride);
            planes[c] = Plane{tmp[c].data(), stride};
        }
    }
    if (bytes_per_sample == 1) {
        write_planes(img, planes, ycbcr_to_rgb, out.data());
    } else {
        // Little-endian 16-bit output through an aligned buffer when `out` is not aligned.
        if (reinterpret_cast<std::uintptr_t>(out.data()) % alignof(std::uint16_t) == 0) {
            write_planes(img, planes, ycbcr_to_rgb, reinterpret_cast<std::uint16_t*>(out.data()));
        } else {
            std::vector<std::uint16_t> buf(need / 2);
            write_planes(img, planes, ycbcr_to_rgb, buf.data());
            std::copy_n(reinterpret_cast<const std::uint8_t*>(buf.data()), need, out.data());
        }
    }
    return {};
}

}  // namespace dicomkit::pixel::jpeg
