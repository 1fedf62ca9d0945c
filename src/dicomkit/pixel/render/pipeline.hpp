// The grayscale and colour rendering pipeline (PS3.3 C.11, PS3.4 Annex N) as plain parameters:
// filled from an image's data set, adjusted by the caller (window, presentation state), applied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/pixel/pixel_info.hpp>
#include <dicomkit/pixel/render/raster.hpp>

namespace dicomkit::pixel::render {

/// A lookup table as its LUT Descriptor describes it (PS3.3 C.11.1.1): `data[0]` is the output
/// for input `first_mapped`; inputs below map to data.front(), above to data.back().
struct Lut {
    std::int32_t first_mapped = 0;     ///< second descriptor value (SS or US per the pixel sign)
    std::uint16_t bits = 16;           ///< third descriptor value: bits of each entry (8..16)
    std::vector<std::uint16_t> data;   ///< entries (0 entries in the descriptor = 65536)
    std::string explanation;           ///< LUT Explanation (0028,3003), may be empty
    [[nodiscard]] bool operator==(const Lut&) const = default;
};

/// VOI LUT Function (0028,1056): PS3.3 C.11.2.1.2.1 LINEAR, C.11.2.1.3.2 LINEAR_EXACT,
/// C.11.2.1.3.1 SIGMOID.
enum class VoiFunction : std::uint8_t { Linear, LinearExact, Sigmoid };

/// Presentation LUT Shape (2050,0020), PS3.3 C.11.6.
enum class PresentationShape : std::uint8_t { Identity, Inverse };

struct Window {
    double center = 0;
    double width = 1;
    VoiFunction function = VoiFunction::Linear;
    std::string explanation;  ///< Window Center & Width Explanation (0028,1055)
    [[nodiscard]] bool operator==(const Window&) const = default;
};

/// One overlay plane (PS3.3 C.9.2, group 60xx), burned in when Pipeline::burn_overlays is set.
struct Overlay {
    std::uint16_t group = 0x6000;        ///< 6000..601E, even
    std::uint32_t rows = 0;              ///< Overlay Rows (60xx,0010)
    std::uint32_t columns = 0;           ///< Overlay Columns (60xx,0011)
    std::int32_t origin_row = 1;         ///< Overlay Origin (60xx,0050), 1-based, may be negative
    std::int32_t origin_column = 1;
    std::uint32_t frames = 1;            ///< Number of Frames in Overlay (60xx,0015)
    std::uint32_t first_frame = 1;       ///< Image Frame Origin (60xx,0051), 1-based
    std::string type;                    ///< Overlay Type (60xx,0040): "G" or "R"
    /// Overlay Data (60xx,3000): bits, least significant first, frame after frame. Empty when the
    /// overlay sits in bit `bit_position` of the pixel data (retired, PS3.5 8.1.2).
    std::vector<std::uint8_t> data;
    std::optional<std::uint16_t> bit_position;  ///< Overlay Bit Position (60xx,0102) when embedded
    [[nodiscard]] bool operator==(const Overlay&) const = default;
};

/// Red, green and blue palette LUTs of PALETTE COLOR images (PS3.3 C.7.6.3.1.5-6), segmented
/// palettes already expanded.
struct Palette {
    Lut red, green, blue;
    [[nodiscard]] bool operator==(const Palette&) const = default;
};

/// Everything that turns a decoded frame into a Raster. Grey images run stored value ->
/// modality -> VOI -> presentation; colour images are converted to RGB (YBR_FULL[_422] per
/// PS3.3 C.7.6.3.1.2, PALETTE COLOR through `palette`) and only scaled to the output bits.
struct Pipeline {
    std::size_t frame = 0;  ///< 0-based frame index (overlays of multi-frame images)

    // Modality LUT stage (PS3.3 C.11.1): `modality_lut` when present, else rescale.
    double rescale_slope = 1.0;         ///< (0028,1053)
    double rescale_intercept = 0.0;     ///< (0028,1052)
    std::string rescale_type;           ///< (0028,1054), e.g. "HU"; may be empty
    std::optional<Lut> modality_lut;    ///< Modality LUT Sequence (0028,3000)

    // VOI LUT stage (PS3.3 C.11.2): `window` when present, else `voi_lut`, else min/max of the
    // frame's modality values (pixel padding excluded).
    std::optional<Window> window;       ///< the file's first window by default; a user override
    std::optional<Lut> voi_lut;         ///< VOI LUT Sequence (0028,3010), first item
    std::vector<Window> windows;        ///< all windows the data set offers (for choosing)
    std::vector<Lut> voi_luts;          ///< all VOI LUTs the data set offers

    /// Pixel Padding Value (0028,0120) and Pixel Padding Range Limit (0028,0121), stored values.
    std::optional<std::int32_t> padding_value;
    std::optional<std::int32_t> padding_range_limit;

    // Presentation LUT stage (PS3.3 C.11.6): `presentation_lut` when present, else the shape.
    // MONOCHROME1 images start with shape INVERSE (PS3.4 N.2.1.1); a presentation state that sets
    // its own shape replaces it.
    PresentationShape presentation_shape = PresentationShape::Identity;
    std::optional<Lut> presentation_lut;

    std::optional<Palette> palette;     ///< PALETTE COLOR only

    std::vector<Overlay> overlays;      ///< 60xx groups of the data set
    bool burn_overlays = false;         ///< draw them (white on grey images) when set
    std::uint16_t overlay_value = 0xFFFF;  ///< P-value drawn, scaled to the output bits

    std::uint8_t output_bits = 8;       ///< 8 or 16 bits a sample in the Raster
};

/// The pipeline of frame `frame` of image `ds`: rescale or Modality LUT, windows, VOI LUTs,
/// padding, presentation LUT or shape (INVERSE for MONOCHROME1), palette, overlays. For enhanced
/// multi-frame images the Pixel Value Transformation (0028,9145) and Frame VOI LUT (0028,9132)
/// of the frame's Per-Frame Functional Groups (5200,9230) item come first, those of the Shared
/// Functional Groups (5200,9229) next, top-level attributes last. Malformed LUTs are errors.
[[nodiscard]] Result<Pipeline> pipeline_for(const DataSet& ds, std::size_t frame = 0);

/// Renders one decoded frame (`info` its layout, planar configuration 0, as
/// FrameSet::decoded_info() gives) through `p` into a grey (1 channel) or RGB (3 channels)
/// Raster of p.output_bits bits. Errors for layouts it cannot render (e.g. float samples).
[[nodiscard]] Result<Raster> render_frame(const Pipeline& p, const PixelInfo& info,
                                          std::span<const std::uint8_t> frame);

}  // namespace dicomkit::pixel::render
