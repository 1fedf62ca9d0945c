// FrameSet: the frames of a data set's pixel data one at a time, as stored or decoded through a
// CodecRegistry (PS3.5 8.2 native, A.4 encapsulated with Basic or Extended Offset Table, several
// fragments per frame, multi-frame; Float and Double Float Pixel Data).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace dicomkit::pixel {

class FrameSet {
public:
    /// The frames of `file` (pixel data in memory, deferred, or after where reading stopped; only
    /// the frame asked for is read). `file` must outlive the FrameSet.
    [[nodiscard]] static Result<FrameSet> open(const io::DicomFile& file, const PixelLimits& limits = {});
    /// The frames of a data set in memory encoded in `ts` (its pixel data as bytes or fragments).
    /// `ds` must outlive the FrameSet. `source` names it in errors.
    [[nodiscard]] static Result<FrameSet> from_dataset(const DataSet& ds, const io::TransferSyntax& ts,
                                                       std::string source = {}, const PixelLimits& limits = {});

    [[nodiscard]] const PixelInfo& info() const noexcept;
    [[nodiscard]] const io::TransferSyntax& transfer_syntax() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept;

    /// Frame `index` (0-based) as stored: native bytes little endian, laid out as info() (1-bit
    /// frames shifted to start at bit 0), or the encapsulated frame's bitstream (its fragments
    /// joined).
    [[nodiscard]] Result<Bytes> stored(std::size_t index) const;
    /// How decoded frames are laid out (photometric after decoding, planar configuration 0).
    [[nodiscard]] Result<PixelInfo> decoded_info(const CodecRegistry& codecs) const;
    /// Frame `index` decoded: native, planar configuration 0, laid out as decoded_info(). Errors
    /// name the source, the frame and the transfer syntax.
    [[nodiscard]] Result<Bytes> decoded(std::size_t index, const CodecRegistry& codecs) const;
    /// The same into `out` (decoded_info().frame_bytes() bytes at least): an encapsulated frame
    /// of one fragment is decoded where it lies, without a copy of its bitstream.
    [[nodiscard]] Result<void> decode_into(std::size_t index, const CodecRegistry& codecs, std::span<std::uint8_t> out) const;
    /// Offset just past the pixel data in the file's bytes when it was located after where
    /// reading stopped (io::FrameReader::end_offset); 0 otherwise.
    [[nodiscard]] std::uint64_t end_offset() const noexcept;

    FrameSet(FrameSet&&) noexcept;
    FrameSet& operator=(FrameSet&&) noexcept;
    ~FrameSet();

private:
    FrameSet();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dicomkit::pixel
