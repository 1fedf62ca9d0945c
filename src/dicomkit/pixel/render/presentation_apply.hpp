// Applying a Grayscale Softcopy Presentation State to an image, in the order of PS3.4 N.2.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/pixel/pixel_info.hpp>
#include <dicomkit/pixel/render/draw.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>
#include <dicomkit/pixel/render/presentation_state.hpp>
#include <dicomkit/pixel/render/raster.hpp>

namespace dicomkit::pixel::render {

/// How the displayed area is laid out on the output.
struct PresentOptions {
    /// SCALE TO FIT (PS3.3 C.10.4): the box the displayed area is fitted into, centred; without
    /// it the output is the displayed area at one image pixel a pixel (pixel aspect corrected).
    /// MAGNIFY and TRUE SIZE ignore it.
    std::optional<std::array<std::uint32_t, 2>> fit;
    std::uint32_t max_side = 16384;  ///< larger outputs are a LimitExceeded error
};

/// PS3.4 N.2.1-N.2.3: the state's Modality LUT, Softcopy VOI LUT and Presentation LUT replace the
/// image's in `p`. Without a Modality LUT module in the state the stage is the identity; without
/// a VOI item for the image the VOI stage is the identity over the modality output range (a
/// LINEAR_EXACT window over that range). The image's overlays are not burned by the pipeline:
/// the state's Overlay Activation decides (present()).
void apply_state_luts(const ImagePresentation& ip, const PixelInfo& info, Pipeline& p);

/// PS3.3 C.10.6: the raster rotated clockwise by `rotation` degrees (0/90/180/270), then flipped
/// left to right when `flip`.
[[nodiscard]] Raster spatial_transform(const Raster& in, std::uint16_t rotation, bool flip);

/// PS3.3 C.7.6.11, C.7.6.15: pixels outside the rectangular, circular and polygonal shutters, or
/// set in the bitmap shutter's overlay (for frame `frame`, 0-based), become `value` (a sample of
/// the raster's bit depth).
void apply_shutter(Raster& image, const PsShutter& shutter, const Overlay* bitmap, std::uint16_t value,
                   std::size_t frame = 0);

/// Where the pixels of the image land on the output: the spatial transformation followed by the
/// displayed area (PS3.3 C.10.4) and the scale of its presentation size mode.
struct Geometry {
    std::uint32_t image_width = 0, image_height = 0;  ///< before the transformation
    std::uint16_t rotation = 0;
    bool flip = false;
    std::array<double, 4> area{0, 0, 0, 0};  ///< x0, y0, x1, y1 after the transformation
    double scale_x = 1, scale_y = 1;         ///< output pixels per transformed pixel
    double offset_x = 0, offset_y = 0;       ///< output position of the area's top left corner
    std::uint32_t width = 0, height = 0;     ///< output size

    /// An image point (PIXEL units: 0\0 is the top left corner of the first pixel) on the output.
    [[nodiscard]] Point from_pixel(Point p) const;
    /// A DISPLAY units point (0..1 over the displayed area) on the output.
    [[nodiscard]] Point from_display(Point p) const;
};

/// The Geometry of an image of `width` x `height` under `ip` (the whole image when the state
/// selects no displayed area for it).
[[nodiscard]] Result<Geometry> make_geometry(const ImagePresentation& ip, std::uint32_t width,
                                             std::uint32_t height, const PresentOptions& options = {});

/// PS3.4 N.2.4-N.2.6 on a raster the pipeline rendered with apply_state_luts(): shutters,
/// activated overlays (the state's planes, else the image's `image_overlays` of that group),
/// spatial transformation, displayed area (nearest neighbour; output outside the image black),
/// then the graphic and text annotations in layer order. Annotations are drawn on the output
/// with their points carried through the same geometry, so text stays upright and lines stay
/// one output pixel wide.
[[nodiscard]] Result<Raster> present(const ImagePresentation& ip, const Raster& image,
                                     std::span<const Overlay> image_overlays, const PresentOptions& options = {});

/// All of it for frame `frame` (0-based) of `image`: pipeline_for, apply_state_luts,
/// render_frame, present. `state` must reference the image (else the NotFound error of
/// resolve_for_image).
[[nodiscard]] Result<Raster> render_with_state(const DataSet& image, const PixelInfo& info,
                                               std::span<const std::uint8_t> frame_bytes, std::size_t frame,
                                               const PresentationState& state, std::uint8_t output_bits = 8,
                                               const PresentOptions& options = {});

}  // namespace dicomkit::pixel::render
