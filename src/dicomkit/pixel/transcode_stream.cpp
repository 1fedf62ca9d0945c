// transcode_to_file(): an encapsulated file's frames decoded straight into a native little endian
// Part 10 file, each written where it belongs as soon as it is decoded.
#include <dicomkit/pixel/transcode.hpp>

#include <fmt/format.h>

#include <limits>

#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/transcode_frames.hpp>

namespace dicomkit::pixel {

namespace {

constexpr Tag kExtendedOffsetTable{0x7FE0, 0x0001};
constexpr Tag kExtendedOffsetTableLengths{0x7FE0, 0x0002};
constexpr Tag kPixelData{0x7FE0, 0x0010};

/// The header of a Pixel Data element of `length` bytes (PS3.5 7.1.2 explicit VR OB/OW with two
/// reserved bytes and a 32-bit length; 7.1.3 implicit VR), little endian.
void append_pixel_header(Bytes& out, bool explicit_vr, bool words, std::uint32_t length) {
    auto u16 = [&](std::uint16_t v) {
        out.push_back(static_cast<std::uint8_t>(v));
        out.push_back(static_cast<std::uint8_t>(v >> 8));
    };
    u16(kPixelData.group);
    u16(kPixelData.element);
    if (explicit_vr) {
        out.push_back('O');
        out.push_back(words ? 'W' : 'B');
        u16(0);
    }
    u16(static_cast<std::uint16_t>(length));
    u16(static_cast<std::uint16_t>(length >> 16));
}

}  // namespace

Result<bool> transcode_to_file(const io::DicomFile& file, const io::TransferSyntax& to, const CodecRegistry& registry,
                               const TranscodeOptions& options, const std::string& path,
                               const io::FileWriteOptions& write) {
    const io::TransferSyntax& from = file.transfer_syntax;
    // Only what this path writes exactly as write_file() would; anything else is left to transcode().
    if (!from.encapsulated || to.encapsulated || to.deflated || to.endian != Endian::Little) return false;
    if (!file.stopped_at || !file.source || !file.source->inflated.empty()) return false;
    if (write.write.group_lengths == io::GroupLengthPolicy::Add || file.dataset.find(Tag{0x7FE0, 0x0000})) return false;
    for (Tag t : {kPixelData, Tag{0x7FE0, 0x0008}, Tag{0x7FE0, 0x0009}})
        if (file.dataset.find(t)) return false;
    if (!registry.decoder(from.uid)) return false;
    auto set = FrameSet::open(file, options.limits);
    if (!set) return false;  // transcode() reports it, from the whole data set
    const PixelInfo& info = set->info();
    const std::uint32_t frames = info.frames;
    if (info.format != SampleFormat::Integer || frames == 0 || info.rows == 0 || info.columns == 0) return false;
    // Elements or padding after the pixel data: the whole data set is written by write_file().
    if (set->end_offset() == 0 || set->end_offset() != file.source->all_bytes().size()) return false;
    auto decoded_info = set->decoded_info(registry);
    if (!decoded_info || decoded_info->bits_allocated == 1) return false;
    const PixelInfo native = *decoded_info;
    const std::uint64_t frame_bytes = native.frame_bytes();
    const std::uint64_t total = frame_bytes * frames;
    if (total + total % 2 > std::numeric_limits<std::uint32_t>::max() - 1) return false;  // no 32-bit length

    auto named = [&](Error e) {
        if (!options.source.empty() && e.file.empty()) e.file = std::string(options.source);
        return Unexpected(std::move(e));
    };
    // Everything before the pixel data, with the Image Pixel Module of the decoded frames.
    io::DicomFile head;
    head.preamble = file.preamble;
    head.meta = file.meta;
    head.dataset = file.dataset;
    head.dataset.remove(kExtendedOffsetTable);
    head.dataset.remove(kExtendedOffsetTableLengths);
    apply(native, head.dataset);
    head.transfer_syntax = file.transfer_syntax;
    head.transfer_syntax_uid = file.transfer_syntax_uid;
    head.source = file.source;
    head.path = file.path;
    io::FileWriteOptions wo = write;
    wo.transfer_syntax = &to;
    auto bytes = io::encode_file(head, wo);
    if (!bytes) return Unexpected(std::move(bytes.error()).in_file(path));
    const std::uint64_t padded = total + total % 2;
    append_pixel_header(*bytes, to.explicit_vr, native.bits_allocated > 8, static_cast<std::uint32_t>(padded));
    const std::uint64_t base = bytes->size();

    auto out = AtomicFileWriter::create(path);
    if (!out) return Unexpected(out.error());
    if (auto ok = out->write_at(0, *bytes); !ok) return Unexpected(ok.error());
    bytes->clear();
    bytes->shrink_to_fit();
    const unsigned threads = detail::resolved_threads(options.threads, frames);
    std::vector<Bytes> buffers(threads);  // one frame for each thread
    auto work = [&](std::uint32_t i, unsigned worker) -> Result<void> {
        Bytes& buffer = buffers[worker];
        if (buffer.size() < frame_bytes) buffer.resize(static_cast<std::size_t>(frame_bytes));
        if (auto ok = set->decode_into(i, registry, buffer); !ok) return named(std::move(ok.error()));
        return out->write_at(base + frame_bytes * i, std::span<const std::uint8_t>(buffer).first(static_cast<std::size_t>(frame_bytes)));
    };
    if (auto ok = detail::for_each_frame(frames, threads, work); !ok) return Unexpected(ok.error());
    if (total % 2) {
        const std::uint8_t pad = 0;
        if (auto ok = out->write_at(base + total, {&pad, 1}); !ok) return Unexpected(ok.error());
    }
    if (auto ok = out->commit(); !ok) return Unexpected(ok.error());
    return true;
}

}  // namespace dicomkit::pixel
