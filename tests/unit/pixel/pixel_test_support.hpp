// Helpers for pixel codec tests: files' frames, peers run in a temporary directory, comparisons.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/frame_reader.hpp>
#include <dicomkit/pixel/codec.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace dicomkit::pixel::test {

/// A file's pixel description, transfer syntax and frames (as stored).
struct LoadedFrames {
    PixelInfo info;
    std::string ts;
    std::vector<Bytes> frames;
    std::string error;  ///< non-empty when the file could not be read
};

inline LoadedFrames load_frames(const std::string& path) {
    LoadedFrames out;
    auto file = io::read_file(path);
    if (!file) {
        out.error = file.error().to_string();
        return out;
    }
    auto info = describe(file->dataset, path);
    if (!info) {
        out.error = info.error().to_string();
        return out;
    }
    out.info = *info;
    out.ts = std::string(file->transfer_syntax.uid);
    auto reader = io::FrameReader::open(*file);
    if (!reader) {
        out.error = reader.error().to_string();
        return out;
    }
    for (std::size_t i = 0; i < reader->frame_count(); ++i) {
        auto f = reader->frame(i);
        if (!f) {
            out.error = f.error().to_string();
            return out;
        }
        out.frames.push_back(std::move(*f));
    }
    return out;
}

/// A temporary directory removed at the end of its scope.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() / ("dicomkit-pixel-" + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    [[nodiscard]] std::string file(const std::string& name) const { return (path / name).string(); }
};

inline bool have_tool(const std::string& name) {
    return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

/// Runs a shell command, its output discarded; true on exit status 0.
inline bool run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

/// Sample `i` of a frame laid out as `info` (planar configuration 0 or 1), as stored bits.
inline std::uint32_t sample(const PixelInfo& info, const Bytes& frame, std::size_t pixel, std::size_t component) {
    const std::size_t n = std::size_t{info.rows} * info.columns;
    const std::size_t idx = info.planar_configuration == 1 ? component * n + pixel
                                                           : pixel * info.samples_per_pixel + component;
    const std::uint32_t v = info.bits_allocated == 8 ? frame.at(idx)
                                                     : std::uint32_t(frame.at(2 * idx)) | (std::uint32_t(frame.at(2 * idx + 1)) << 8);
    return v & ((1u << info.bits_stored) - 1);
}

/// The largest difference between two frames' samples (masked to Bits Stored, signed data
/// compared as signed); -1 when their shapes differ.
inline long max_difference(const PixelInfo& a_info, const Bytes& a, const PixelInfo& b_info, const Bytes& b) {
    if (a_info.rows != b_info.rows || a_info.columns != b_info.columns ||
        a_info.samples_per_pixel != b_info.samples_per_pixel || a_info.bits_stored != b_info.bits_stored)
        return -1;
    if (a.size() < a_info.frame_bytes() || b.size() < b_info.frame_bytes()) return -1;
    const int bits = a_info.bits_stored;
    auto value = [&](std::uint32_t v) -> long {
        if (a_info.is_signed && (v & (1u << (bits - 1)))) return long(v) - (1L << bits);
        return long(v);
    };
    long worst = 0;
    const std::size_t n = std::size_t{a_info.rows} * a_info.columns;
    for (std::size_t p = 0; p < n; ++p)
        for (std::size_t c = 0; c < a_info.samples_per_pixel; ++c)
            worst = std::max(worst, std::labs(value(sample(a_info, a, p, c)) - value(sample(b_info, b, p, c))));
    return worst;
}

/// Writes a Part 10 Secondary Capture file with `frames` encapsulated in `ts` (fragments padded
/// to even length), or native when `ts` is Explicit VR Little Endian.
inline bool write_frames(const std::string& path, const PixelInfo& info, const io::TransferSyntax& ts,
                         const std::vector<Bytes>& frames) {
    io::DicomFile file;
    DataSet& ds = file.dataset;
    ds.set(Element::from_string(Tag{0x0008, 0x0016}, VR::UI, "1.2.840.10008.5.1.4.1.1.7"));
    ds.set(Element::from_string(Tag{0x0008, 0x0018}, VR::UI, "2.25.1234567890123456789"));
    ds.set(Element::from_string(Tag{0x0008, 0x0060}, VR::CS, "OT"));
    ds.set(Element::from_string(Tag{0x0010, 0x0010}, VR::PN, "Test^Pixel"));
    PixelInfo written = info;
    written.frames = static_cast<std::uint32_t>(frames.size());
    apply(written, ds);
    if (frames.size() > 1) ds.set(Element::from_string(Tag{0x0028, 0x0008}, VR::IS, std::to_string(frames.size())));
    const VR vr = info.bits_allocated > 8 ? VR::OW : VR::OB;
    if (ts.encapsulated) {
        PixelFragments f;
        for (Bytes b : frames) {
            if (b.size() % 2) b.push_back(0);
            f.fragments.push_back(std::move(b));
        }
        ds.set(Element(Tag{0x7FE0, 0x0010}, VR::OB, std::move(f)));
    } else {
        Bytes all;
        for (const Bytes& b : frames) all.insert(all.end(), b.begin(), b.end());
        if (all.size() % 2) all.push_back(0);
        ds.set(Element(Tag{0x7FE0, 0x0010}, vr, all));
    }
    file.transfer_syntax = ts;
    file.meta = io::make_meta(ds, ts);
    io::FileWriteOptions options;
    options.transfer_syntax = &ts;
    return static_cast<bool>(io::write_file(path, file, options));
}

/// A frame of random or smooth samples fitting `info` (signed ones sign extended).
inline Bytes make_frame(const PixelInfo& info, bool smooth, std::uint32_t seed) {
    std::mt19937 rng(seed);
    const std::size_t n = info.samples_per_frame();
    Bytes out(n * info.bytes_per_sample());
    const int bits = info.bits_stored;
    const std::uint32_t mask = (1u << bits) - 1;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t pixel = i / info.samples_per_pixel;
        const std::size_t x = pixel % info.columns, y = pixel / info.columns;
        std::uint32_t v = smooth ? static_cast<std::uint32_t>((x * 7 + y * 3 + (i % info.samples_per_pixel) * 50) *
                                                               (mask / 300 + 1) + rng() % 3)
                                 : rng();
        v &= mask;
        if (info.is_signed && (v & (1u << (bits - 1)))) v |= ~mask;
        if (info.bits_allocated == 8) {
            out[i] = static_cast<std::uint8_t>(v);
        } else {
            out[2 * i] = static_cast<std::uint8_t>(v);
            out[2 * i + 1] = static_cast<std::uint8_t>(v >> 8);
        }
    }
    return out;
}

inline PixelInfo grey(std::uint32_t rows, std::uint32_t cols, std::uint16_t allocated, std::uint16_t stored,
                      bool is_signed = false) {
    PixelInfo i;
    i.rows = rows;
    i.columns = cols;
    i.bits_allocated = allocated;
    i.bits_stored = stored;
    i.high_bit = static_cast<std::uint16_t>(stored - 1);
    i.is_signed = is_signed;
    i.photometric = "MONOCHROME2";
    return i;
}

inline PixelInfo rgb(std::uint32_t rows, std::uint32_t cols, std::uint16_t allocated, std::uint16_t stored) {
    PixelInfo i = grey(rows, cols, allocated, stored);
    i.samples_per_pixel = 3;
    i.photometric = "RGB";
    return i;
}

}  // namespace dicomkit::pixel::test
