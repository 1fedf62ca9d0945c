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

private:
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
