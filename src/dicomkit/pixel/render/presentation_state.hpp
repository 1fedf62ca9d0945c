// PresentationState: a Grayscale Softcopy Presentation State (PS3.3 A.33.1) read into a model.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>

namespace dicomkit::pixel::render {

/// PS3.3 C.11.11: one image of the Referenced Series Sequence; `frames` empty means all frames.
struct PsImageReference {
    std::string sop_class_uid;
    std::string sop_instance_uid;
    std::vector<std::int32_t> frames;  ///< Referenced Frame Number (0008,1160), 1-based
};

struct PsSeriesReference {
    std::string series_instance_uid;
    std::vector<PsImageReference> images;
};

/// PS3.3 C.11.1: the state's Modality LUT (a LUT or rescale); absent means the identity.
struct PsModalityTransform {
    double slope = 1.0;
    double intercept = 0.0;
    std::string rescale_type;
    std::optional<Lut> lut;
};

/// PS3.3 C.11.8: one item of the Softcopy VOI LUT Sequence; `images` empty means every image.
struct PsVoi {
    std::vector<PsImageReference> images;
    std::vector<double> centers;
    std::vector<double> widths;
    std::string function = "LINEAR";  ///< VOI LUT Function (0028,1056)
    std::optional<Lut> lut;         ///< first item of VOI LUT Sequence (0028,3010)
};

/// PS3.3 C.11.6: Presentation LUT Shape IDENTITY or INVERSE, or a LUT.
struct PsPresentationLut {
    std::string shape = "IDENTITY";
    std::optional<Lut> lut;
};

/// PS3.3 C.10.4: one item of the Displayed Area Selection Sequence.
enum class SizeMode : std::uint8_t { ScaleToFit, TrueSize, Magnify };
struct PsDisplayedArea {
    std::vector<PsImageReference> images;
    std::array<std::int32_t, 2> tlhc{1, 1};  ///< column\row, 1-based, before spatial transformation
    std::array<std::int32_t, 2> brhc{1, 1};
    SizeMode mode = SizeMode::ScaleToFit;
    std::optional<std::array<double, 2>> pixel_spacing;  ///< row\column spacing, mm
    std::array<std::int32_t, 2> aspect_ratio{1, 1};      ///< vertical\horizontal
    double magnification = 1.0;
};

/// PS3.3 C.7.6.11 and C.7.6.15: the display shutters (their union hides the image outside).
struct PsShutter {
    bool rectangular = false;
    bool circular = false;
    bool polygonal = false;
    bool bitmap = false;
    std::int32_t left = 0, right = 0, upper = 0, lower = 0;  ///< 1-based columns and rows
    std::array<std::int32_t, 2> center{0, 0};                 ///< row\column
    std::int32_t radius = 0;
    std::vector<std::array<std::int32_t, 2>> vertices;        ///< row\column pairs
    std::uint16_t overlay_group = 0;                          ///< Shutter Overlay Group (0018,6100)
    std::uint16_t presentation_value = 0;                     ///< P-value 0..0xFFFF
    std::optional<std::array<std::uint16_t, 3>> color_lab;    ///< PS3.3 C.10.7.1.1 scaled CIELab
    [[nodiscard]] bool any() const { return rectangular || circular || polygonal || bitmap; }
};

/// PS3.3 C.11.7: an overlay shown on a graphic layer.
struct PsOverlayActivation {
    std::uint16_t group = 0;
    std::string layer;
};

enum class AnnotationUnits : std::uint8_t { Pixel, Display };

/// PS3.3 C.10.5: a graphic object; points are column\row (x\y), PIXEL units with 0\0 the top left
/// corner of the first pixel, DISPLAY units 0..1 over the displayed area.
struct PsGraphic {
    enum class Type : std::uint8_t { Point, Polyline, Interpolated, Circle, Ellipse };
    AnnotationUnits units = AnnotationUnits::Pixel;
    Type type = Type::Polyline;
    std::vector<std::array<float, 2>> points;
    bool filled = false;
};

/// PS3.3 C.10.5: a text object with a bounding box, an anchor point, or both.
struct PsText {
    std::string text;
    AnnotationUnits box_units = AnnotationUnits::Pixel;
    std::optional<std::array<float, 2>> box_tlhc, box_brhc;
    std::string justification = "LEFT";
    AnnotationUnits anchor_units = AnnotationUnits::Pixel;
    std::optional<std::array<float, 2>> anchor;
    bool anchor_visible = false;
};

/// One item of the Graphic Annotation Sequence: what it draws on which layer for which images.
struct PsAnnotation {
    std::vector<PsImageReference> images;
    std::string layer;
    std::vector<PsGraphic> graphics;
    std::vector<PsText> texts;
};

/// PS3.3 C.10.7: a graphic layer, drawn in ascending `order`.
struct PsLayer {
    std::string name;
    std::int32_t order = 0;
    std::optional<std::uint16_t> grey;  ///< Recommended Display Grayscale Value, P-value
    std::optional<std::array<std::uint16_t, 3>> color_lab;
    std::string description;
};

/// The whole state as read.
struct PresentationState {
    std::string sop_instance_uid;
    std::string content_label;
    std::vector<PsSeriesReference> series;
    std::optional<PsModalityTransform> modality;
    std::vector<PsVoi> voi;
    PsPresentationLut presentation_lut;
    std::uint16_t rotation = 0;  ///< Image Rotation (0070,0042): 0, 90, 180, 270 clockwise
    bool flip = false;           ///< Image Horizontal Flip (0070,0041), after the rotation
    std::vector<PsDisplayedArea> displayed_areas;
    PsShutter shutter;
    std::vector<Overlay> overlays;  ///< Overlay Plane module of the state
    std::vector<PsOverlayActivation> activations;
    std::vector<PsAnnotation> annotations;
    std::vector<PsLayer> layers;
};

/// What the state says for one image (and frame): the items that apply to it resolved.
struct ImagePresentation {
    const PresentationState* state = nullptr;
    std::uint32_t frame = 1;                          ///< 1-based
    const PsVoi* voi = nullptr;                       ///< nullptr: no VOI transformation
    std::optional<PsDisplayedArea> displayed_area;    ///< nullopt: none applies (whole image)
    std::vector<const PsAnnotation*> annotations;     ///< sorted by their layer's order
};

/// PS3.3 A.33.1: reads a GSPS data set. Errors (InvalidValue) name the attribute that is wrong,
/// e.g. a rotation other than 0/90/180/270 or a Graphic Data count that does not match.
[[nodiscard]] Result<PresentationState> parse_presentation_state(const DataSet& ds);

/// PS3.3 C.11.11: the parts of `state` that apply to image `sop_instance_uid`, frame `frame`
/// (1-based); a NotFound error naming the UIDs when the state does not reference that image or
/// frame.
[[nodiscard]] Result<ImagePresentation> resolve_for_image(const PresentationState& state,
                                                          std::string_view sop_instance_uid,
                                                          std::uint32_t frame = 1);

/// The layer named `name` (nullptr when the Graphic Layer Sequence does not list it).
[[nodiscard]] const PsLayer* find_layer(const PresentationState& state, std::string_view name);

/// PS3.3 C.10.7.1.1: scaled CIELab (0..0xFFFF each) -> 8-bit sRGB (D65).
[[nodiscard]] std::array<std::uint8_t, 3> lab_to_srgb(const std::array<std::uint16_t, 3>& lab);

}  // namespace dicomkit::pixel::render
