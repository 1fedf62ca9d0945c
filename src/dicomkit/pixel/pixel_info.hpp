// PixelInfo: the Image Pixel Module attributes that say how a frame's bytes are laid out (PS3.3
// C.7.6.3, PS3.5 8.1-8.2), read from a data set with checked size arithmetic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::pixel {

/// Which pixel data element holds the samples: Pixel Data (7FE0,0010) holds integers; Float
/// Pixel Data (7FE0,0008) 32-bit and Double Float Pixel Data (7FE0,0009) 64-bit IEEE values.
enum class SampleFormat : std::uint8_t { Integer, Float32, Float64 };

/// How the samples of one frame are laid out once decoded ("native"): little endian, each sample
/// in a container of bits_allocated bits (1, 8, 16, 32 or 64), samples of a pixel together
/// (planar_configuration 0) or one plane per sample (1); bits_allocated 1 packs 8 pixels a byte,
/// least significant bit first (PS3.5 8.1.1).
struct PixelInfo {
    std::uint32_t rows = 0;
    std::uint32_t columns = 0;
    std::uint32_t frames = 1;                  ///< Number of Frames (0028,0008), 1 when absent
    std::uint16_t samples_per_pixel = 1;       ///< (0028,0002)
    std::uint16_t bits_allocated = 0;          ///< (0028,0100)
    std::uint16_t bits_stored = 0;             ///< (0028,0101)
    std::uint16_t high_bit = 0;                ///< (0028,0102)
    bool is_signed = false;                    ///< Pixel Representation (0028,0103) = 1
    std::uint16_t planar_configuration = 0;    ///< (0028,0006), 0 when absent
    std::string photometric;                   ///< (0028,0004), e.g. "MONOCHROME2", "YBR_FULL_422"
    SampleFormat format = SampleFormat::Integer;

    /// Samples in one frame (rows x columns x samples per pixel).
    [[nodiscard]] std::uint64_t samples_per_frame() const noexcept;
    /// Bytes of one native frame; for bits_allocated 1 the bits rounded up to whole bytes.
    [[nodiscard]] std::uint64_t frame_bytes() const noexcept;
    /// Bits of one native frame (frames of 1-bit data follow each other without padding).
    [[nodiscard]] std::uint64_t frame_bits() const noexcept;
    /// Bytes of one sample's container (1 for bits_allocated 1 and 8, 2, 4, 8).
    [[nodiscard]] std::uint32_t bytes_per_sample() const noexcept;
    [[nodiscard]] bool is_color() const noexcept { return samples_per_pixel > 1; }
    [[nodiscard]] bool operator==(const PixelInfo&) const = default;
};

/// Limits on what describe() accepts: a header that asks for more is an error, never an
/// allocation.
struct PixelLimits {
    std::uint64_t max_frame_bytes = std::uint64_t{4} << 30;   ///< one decoded frame
    std::uint64_t max_total_bytes = std::uint64_t{64} << 30;  ///< all frames together
};

/// Reads the Image Pixel Module of `ds` (top level). Every size product is checked: rows,
/// columns, samples, bits allocated and frames that overflow or pass `limits`, and values out of
/// their ranges (bits stored > bits allocated, high bit != bits stored - 1 is accepted, high bit
/// >= bits allocated is not), give an InvalidValue/LimitExceeded error naming `source` (a file
/// name, may be empty) and the attribute, e.g. "Rows (0028,0010)".
[[nodiscard]] Result<PixelInfo> describe(const DataSet& ds, std::string_view source = {},
                                         const PixelLimits& limits = {});

/// Writes the attributes of `info` into `ds` (Rows ... Photometric Interpretation, Planar
/// Configuration only when samples_per_pixel > 1, Number of Frames only when it was there or
/// frames > 1).
void apply(const PixelInfo& info, DataSet& ds);

}  // namespace dicomkit::pixel
