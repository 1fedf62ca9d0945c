// FrameReader: one frame of pixel data at a time, from a file whose header was read without its
// pixel data (ReadOptions::stop_before = PixelData, or defer_larger_than). Only the bytes of the
// frame asked for are read. PS3.5 8.2 (native) and A.4 (encapsulated, offset tables).
#pragma once

#include <cstdint>
#include <vector>

#include <dicomkit/io/dicom_file.hpp>

namespace dicomkit::io {

class FrameReader {
public:
    /// Locates the pixel data of `file` (in memory, deferred, or after where reading stopped).
    [[nodiscard]] static Result<FrameReader> open(const DicomFile& file);

    [[nodiscard]] std::size_t frame_count() const noexcept { return frames_.size(); }
    [[nodiscard]] bool encapsulated() const noexcept { return encapsulated_; }
    /// Size of a native frame in bytes (0 for encapsulated data).
    [[nodiscard]] std::uint64_t frame_size() const noexcept { return frame_size_; }

    /// Frame `index`: native pixel bytes (little endian), or the compressed bitstream of an
    /// encapsulated frame (its fragments joined).
    [[nodiscard]] Result<Bytes> frame(std::size_t index) const;

    /// The pixel data of `file` located but not split into frames (frame_count() is 0), for
    /// callers that split by their own rules (pixel::FrameSet): Pixel Data (7FE0,0010), or Float
    /// (7FE0,0008) / Double Float (7FE0,0009) Pixel Data when there is no Pixel Data.
    [[nodiscard]] static Result<FrameReader> locate(const DicomFile& file);
    /// The same for a data set in memory (its values already little endian).
    [[nodiscard]] static Result<FrameReader> locate(const DataSet& ds);

    /// The element that holds the pixel data.
    [[nodiscard]] Tag pixel_tag() const noexcept { return tag_; }
    /// Bytes of native pixel data (0 for encapsulated data).
    [[nodiscard]] std::uint64_t native_length() const noexcept { return native_length_; }
    /// Bytes [offset, offset + length) of native pixel data, little endian (bounds checked).
    [[nodiscard]] Result<Bytes> read_native(std::uint64_t offset, std::uint64_t length) const;
    /// The Basic Offset Table (first item) of encapsulated data, empty when it was.
    [[nodiscard]] const Bytes& basic_offset_table() const noexcept { return bot_; }
    /// Fragments after the Basic Offset Table.
    [[nodiscard]] std::size_t fragment_count() const noexcept { return fragments_.size(); }
    [[nodiscard]] std::uint64_t fragment_length(std::size_t i) const noexcept { return fragments_[i].length; }
    /// Offset of fragment `i`'s item header from the first fragment's item header, as offset
    /// tables count (PS3.5 A.4).
    [[nodiscard]] std::uint64_t fragment_position(std::size_t i) const noexcept {
        return fragments_[i].item_offset - fragments_.front().item_offset;
    }
    /// Fragments [first, first + count) joined.
    [[nodiscard]] Result<Bytes> read_fragments(std::size_t first, std::size_t count) const;
    /// The first min(n, length) bytes of fragment `i`.
    [[nodiscard]] Result<Bytes> fragment_prefix(std::size_t i, std::size_t n) const;
    /// Fragment `i`'s bytes where they lie (the mapped file or the element), without a copy.
    [[nodiscard]] Result<std::span<const std::uint8_t>> fragment_view(std::size_t i) const { return fragment_bytes(i); }
    /// Offset in the source bytes just past the pixel data element (its sequence delimiter
    /// included) when it was located after where reading stopped; 0 otherwise.
    [[nodiscard]] std::uint64_t end_offset() const noexcept { return end_offset_; }

private:
    struct Fragment {
        std::uint64_t offset;       ///< of the value in the source (index for fragments in memory)
        std::uint64_t item_offset;  ///< of the item header
        std::uint64_t length;
    };
    [[nodiscard]] Result<std::span<const std::uint8_t>> fragment_bytes(std::size_t i) const;
    std::vector<Fragment> fragments_;
    Bytes bot_;
    std::uint64_t native_offset_ = 0;
    std::uint64_t native_length_ = 0;
    std::uint64_t end_offset_ = 0;
    Tag tag_{0x7FE0, 0x0010};

    struct Piece {
        std::uint64_t offset;  ///< in the source bytes (or in the in-memory element)
        std::uint64_t length;
    };
    std::shared_ptr<const Source> source_;
    const Element* in_memory_ = nullptr;  ///< pixel data already read (bytes or fragments)
    std::vector<std::vector<Piece>> frames_;
    bool encapsulated_ = false;
    Endian endian_ = Endian::Little;
    VR vr_ = VR::OW;
    std::uint64_t frame_size_ = 0;
};

}  // namespace dicomkit::io
