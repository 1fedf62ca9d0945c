// Helpers of the JPEG codec tests: frames of a file, peers run at test time, files written.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/frame_reader.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace jpegtest {

namespace fs = std::filesystem;
using dicomkit::Bytes;
using dicomkit::pixel::PixelInfo;

struct Frames {
    PixelInfo info;
    std::string ts;
    std::vector<Bytes> frames;
    bool has_pixels = false;
};

inline Frames load(const std::string& path) {
    Frames f;
    auto file = dicomkit::io::read_file(path);
    EXPECT_TRUE(file) << path << ": " << file.error().to_string();
    if (!file) return f;
    f.ts = file->transfer_syntax_uid.empty() ? std::string(file->transfer_syntax.uid) : file->transfer_syntax_uid;
    if (!file->dataset.find(dicomkit::Tag(0x7FE0, 0x0010))) return f;
    auto info = dicomkit::pixel::describe(file->dataset, path);
    EXPECT_TRUE(info) << info.error().to_string();
    if (!info) return f;
    f.info = *info;
    auto reader = dicomkit::io::FrameReader::open(*file);
    if (!reader) {
        // A Basic Offset Table that does not match the fragments (00191113.dcm has an entry
        // past the last one): a frame is then the fragments from one starting with SOI on.
        const auto* px = file->dataset.find(dicomkit::Tag(0x7FE0, 0x0010));
        EXPECT_TRUE(px->is_fragments()) << path << ": " << reader.error().to_string();
        if (!px->is_fragments()) return f;
        for (const Bytes& frag : px->fragments().fragments) {
            if (f.frames.empty() || (frag.size() >= 2 && frag[0] == 0xFF && frag[1] == 0xD8)) f.frames.emplace_back();
            f.frames.back().insert(f.frames.back().end(), frag.begin(), frag.end());
        }
        f.has_pixels = true;
        return f;
    }
    for (std::size_t i = 0; i < reader->frame_count(); ++i) {
        auto fr = reader->frame(i);
        EXPECT_TRUE(fr) << fr.error().to_string();
        if (fr) f.frames.push_back(std::move(*fr));
    }
    f.has_pixels = true;
    return f;
}

inline fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("dicomkit_jpeg_" + name + "_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
}

inline bool have(const char* tool) {
    return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

inline int run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

/// Sample i of a native frame (8 or 16-bit container, little endian).
inline int sample(const PixelInfo& info, const Bytes& b, std::size_t i) {
    if (info.bits_allocated == 8) return b[i];
    return b[2 * i] | (b[2 * i + 1] << 8);
}

/// Native frame with planar configuration 0, whatever the file had.
inline Bytes interleaved(const PixelInfo& info, const Bytes& b) {
    if (info.planar_configuration == 0 || info.samples_per_pixel == 1) return b;
    const std::size_t n = std::size_t{info.rows} * info.columns, s = info.samples_per_pixel, bps = info.bytes_per_sample();
    Bytes out(b.size());
    for (std::size_t p = 0; p < n; ++p)
        for (std::size_t c = 0; c < s; ++c)
            for (std::size_t k = 0; k < bps; ++k) out[(p * s + c) * bps + k] = b[(c * n + p) * bps + k];
    return out;
}

/// Writes a Secondary Capture file with native pixel data (Explicit VR Little Endian).
inline void write_native(const std::string& path, const PixelInfo& info, const Bytes& frame) {
    using dicomkit::Element;
    using dicomkit::Tag;
    using dicomkit::VR;
    dicomkit::io::DicomFile f;
    f.dataset.insert(Element::from_string(Tag(0x0008, 0x0016), VR::UI, "1.2.840.10008.5.1.4.1.1.7"));
    f.dataset.insert(Element::from_string(Tag(0x0008, 0x0018), VR::UI, "2.25.1234567890123456790"));
    f.dataset.insert(Element::from_string(Tag(0x0008, 0x0060), VR::CS, "OT"));
    dicomkit::pixel::apply(info, f.dataset);
    f.dataset.insert(Element::from_bytes(Tag(0x7FE0, 0x0010), info.bits_allocated == 8 ? VR::OB : VR::OW, frame));
    const auto* t = dicomkit::io::find_transfer_syntax("1.2.840.10008.1.2.1");
    ASSERT_NE(t, nullptr);
    f.transfer_syntax = *t;
    f.transfer_syntax_uid = std::string(t->uid);
    f.meta = dicomkit::io::make_meta(f.dataset, *t);
    auto w = dicomkit::io::write_file(path, f);
    ASSERT_TRUE(w) << w.error().to_string();
}

/// Writes a Secondary Capture file holding `frames` encoded in `ts`.
inline void write_encapsulated(const std::string& path, const PixelInfo& info, const std::string& ts,
                               const std::vector<Bytes>& frames) {
    using dicomkit::Element;
    using dicomkit::Tag;
    using dicomkit::VR;
    dicomkit::io::DicomFile f;
    f.dataset.insert(Element::from_string(Tag(0x0008, 0x0016), VR::UI, "1.2.840.10008.5.1.4.1.1.7"));
    f.dataset.insert(Element::from_string(Tag(0x0008, 0x0018), VR::UI, "2.25.1234567890123456789"));
    f.dataset.insert(Element::from_string(Tag(0x0008, 0x0060), VR::CS, "OT"));
    PixelInfo i = info;
    i.frames = static_cast<std::uint32_t>(frames.size());
    dicomkit::pixel::apply(i, f.dataset);
    dicomkit::PixelFragments pf;
    pf.fragments = frames;
    for (auto& fr : pf.fragments)
        if (fr.size() % 2) fr.push_back(0);
    f.dataset.insert(Element(Tag(0x7FE0, 0x0010), VR::OB, std::move(pf)));
    const auto* t = dicomkit::io::find_transfer_syntax(ts);
    ASSERT_NE(t, nullptr);
    f.transfer_syntax = *t;
    f.transfer_syntax_uid = ts;
    f.meta = dicomkit::io::make_meta(f.dataset, *t);
    auto w = dicomkit::io::write_file(path, f);
    ASSERT_TRUE(w) << w.error().to_string();
}

}  // namespace jpegtest
