// Test support for the JPEG 2000 codecs: frames of a file, GDCM's decoding of a file, and files
// written from encoded frames.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/frame_reader.hpp>
#include <dicomkit/pixel/codec.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace dicomkit::pixel::test {

struct Frames {
    PixelInfo info;
    std::string ts;
    std::vector<Bytes> frames;
};

/// The pixel attributes and every frame (as stored) of a file; nullopt when it cannot be read.
inline std::optional<Frames> load_frames(const std::string& path) {
    auto file = io::read_file(path);
    if (!file) return std::nullopt;
    auto info = describe(file->dataset, path);
    if (!info) return std::nullopt;
    auto reader = io::FrameReader::open(*file);
    if (!reader) return std::nullopt;
    Frames f{*info, file->transfer_syntax_uid, {}};
    for (std::size_t i = 0; i < reader->frame_count(); ++i) {
        auto bytes = reader->frame(i);
        if (!bytes) return std::nullopt;
        f.frames.push_back(std::move(*bytes));
    }
    return f;
}

inline bool have_tool(const char* name) {
    return std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::filesystem::path scratch_dir() {
    auto dir = std::filesystem::temp_directory_path() /
               ("dicomkit_j2k_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

/// GDCM's decoding of `path` (gdcmconv --raw), nullopt when gdcmconv is missing or fails.
inline std::optional<Frames> gdcm_raw(const std::string& path) {
    if (!have_tool("gdcmconv")) return std::nullopt;
    const auto out = scratch_dir() / (std::filesystem::path(path).stem().string() + ".raw.dcm");
    const std::string cmd = "gdcmconv --raw '" + path + "' '" + out.string() + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) return std::nullopt;
    auto f = load_frames(out.string());
    std::filesystem::remove(out);
    return f;
}

/// Writes a Secondary Capture file holding `frames` encoded in `ts`, laid out as `info`.
inline bool write_encapsulated(const std::string& path, const PixelInfo& info, const std::string& ts,
                               const std::vector<Bytes>& frames) {
    io::DicomFile file;
    DataSet& ds = file.dataset;
    ds.set_string(Tag(0x0008, 0x0016), VR::UI, "1.2.840.10008.5.1.4.1.1.7");
    ds.set_string(Tag(0x0008, 0x0018), VR::UI, "2.25.1234567890123456789");
    ds.set_string(Tag(0x0008, 0x0060), VR::CS, "OT");
    ds.set_string(Tag(0x0010, 0x0010), VR::PN, "Test^J2K");
    ds.set_string(Tag(0x0020, 0x000D), VR::UI, "2.25.1234567890123456790");
    ds.set_string(Tag(0x0020, 0x000E), VR::UI, "2.25.1234567890123456791");
    PixelInfo stored = info;
    stored.frames = static_cast<std::uint32_t>(frames.size());
    apply(stored, ds);
    PixelFragments f;
    f.fragments = frames;
    for (auto& frag : f.fragments)
        if (frag.size() % 2) frag.push_back(0);
    ds.set(Element(Tag(0x7FE0, 0x0010), VR::OB, std::move(f)));
    const auto* syntax = io::find_transfer_syntax(ts);
    if (syntax == nullptr) return false;
    file.transfer_syntax = *syntax;
    file.transfer_syntax_uid = ts;
    file.meta = io::make_meta(ds, *syntax);
    io::FileWriteOptions options;
    options.transfer_syntax = syntax;
    return io::write_file(path, file, options).has_value();
}

/// A native frame of `info` filled with random values (noise) or a smooth gradient.
inline Bytes make_image(const PixelInfo& info, bool smooth, std::uint32_t seed) {
    Bytes out(info.frame_bytes());
    std::mt19937 rng(seed);
    const std::int64_t lo = info.is_signed ? -(std::int64_t{1} << (info.bits_stored - 1)) : 0;
    const std::int64_t hi = info.is_signed ? (std::int64_t{1} << (info.bits_stored - 1)) - 1
                                           : (std::int64_t{1} << info.bits_stored) - 1;
    std::uniform_int_distribution<std::int64_t> noise(lo, hi);
    const unsigned bytes = info.bytes_per_sample();
    std::size_t i = 0;
    for (std::uint32_t y = 0; y < info.rows; ++y)
        for (std::uint32_t x = 0; x < info.columns; ++x)
            for (unsigned c = 0; c < info.samples_per_pixel; ++c, ++i) {
                std::int64_t v;
                if (smooth) {
                    const double t = (static_cast<double>(x) / info.columns + static_cast<double>(y) / info.rows +
                                      0.3 * c) / 2.6;
                    v = lo + static_cast<std::int64_t>(t * static_cast<double>(hi - lo));
                } else {
                    v = noise(rng);
                }
                const auto u = static_cast<std::uint64_t>(v);
                for (unsigned b = 0; b < bytes; ++b) out[i * bytes + b] = static_cast<std::uint8_t>(u >> (8 * b));
            }
    return out;
}

}  // namespace dicomkit::pixel::test
