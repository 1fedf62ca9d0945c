// Filling the rendering pipeline from an image's data set (PS3.3 C.11, C.7.6.16 functional groups).
#include <dicomkit/pixel/render/pipeline.hpp>

#include <dicomkit/pixel/render/lut.hpp>
#include <dicomkit/pixel/render/overlay.hpp>

#include <fmt/format.h>

#include <charconv>

namespace dicomkit::pixel::render {

namespace {

constexpr Tag kPhotometric{0x0028, 0x0004};
constexpr Tag kPixelRepresentation{0x0028, 0x0103};
constexpr Tag kPixelPaddingValue{0x0028, 0x0120};
constexpr Tag kPixelPaddingRangeLimit{0x0028, 0x0121};
constexpr Tag kWindowCenter{0x0028, 0x1050};
constexpr Tag kWindowWidth{0x0028, 0x1051};
constexpr Tag kRescaleIntercept{0x0028, 0x1052};
constexpr Tag kRescaleSlope{0x0028, 0x1053};
constexpr Tag kRescaleType{0x0028, 0x1054};
constexpr Tag kWindowExplanation{0x0028, 0x1055};
constexpr Tag kVoiLutFunction{0x0028, 0x1056};
constexpr Tag kModalityLutSequence{0x0028, 0x3000};
constexpr Tag kVoiLutSequence{0x0028, 0x3010};
constexpr Tag kFrameVoiLutSequence{0x0028, 0x9132};
constexpr Tag kPixelValueTransformationSequence{0x0028, 0x9145};
constexpr Tag kPresentationLutSequence{0x2050, 0x0010};
constexpr Tag kPresentationLutShape{0x2050, 0x0020};
constexpr Tag kSharedFunctionalGroups{0x5200, 0x9229};
constexpr Tag kPerFrameFunctionalGroups{0x5200, 0x9230};

/// The first item of sequence `tag` in `ds`, or null.
const DataSet* first_item(const DataSet* ds, Tag tag) {
    if (!ds) return nullptr;
    const Element* e = ds->find(tag);
    if (!e || !e->is_sequence() || e->sequence().items.empty()) return nullptr;
    return &e->sequence().items.front();
}

/// DS values of an element; empty when absent or unreadable.
std::vector<double> decimals(const DataSet& ds, Tag tag) {
    std::vector<double> out;
    const Element* e = ds.find(tag);
    if (!e || e->length() == 0) return out;
    auto v = e->numbers<double>();
    if (v) out = std::move(*v);
    return out;
}

VoiFunction voi_function(const DataSet& ds) {
    const std::string f = ds.string_or(kVoiLutFunction, "LINEAR");
    if (f == "LINEAR_EXACT") return VoiFunction::LinearExact;
    if (f == "SIGMOID") return VoiFunction::Sigmoid;
    return VoiFunction::Linear;
}

/// Windows and VOI LUTs of a data set or a Frame VOI LUT item; false when it has none.
Result<bool> read_voi(const DataSet& ds, bool is_signed, Pipeline& p) {
    const auto centers = decimals(ds, kWindowCenter), widths = decimals(ds, kWindowWidth);
    std::vector<std::string> explanations;
    if (const Element* e = ds.find(kWindowExplanation); e && e->length() > 0)
        if (auto s = e->strings()) explanations.assign(s->begin(), s->end());
    std::vector<Window> windows;
    for (std::size_t i = 0; i < std::min(centers.size(), widths.size()); ++i) {
        Window w{centers[i], widths[i], voi_function(ds), i < explanations.size() ? explanations[i] : std::string{}};
        if (w.width <= 0) continue;  // not a window a display can use
        windows.push_back(std::move(w));
    }
    std::vector<Lut> luts;
    if (const Element* seq = ds.find(kVoiLutSequence); seq && seq->is_sequence())
        for (const DataSet& item : seq->sequence().items) {
            auto lut = parse_lut(item, is_signed);
            if (!lut) return Unexpected(std::move(lut.error()).at_tag(kVoiLutSequence.str()));
            luts.push_back(std::move(*lut));
        }
    if (windows.empty() && luts.empty()) return false;
    p.windows = std::move(windows);
    p.voi_luts = std::move(luts);
    return true;
}

/// Rescale or Modality LUT of a data set or a Pixel Value Transformation item; false when none.
Result<bool> read_modality(const DataSet& ds, bool is_signed, Pipeline& p) {
    if (const DataSet* item = first_item(&ds, kModalityLutSequence)) {
        auto lut = parse_lut(*item, is_signed);
        if (!lut) return Unexpected(std::move(lut.error()).at_tag(kModalityLutSequence.str()));
        p.modality_lut = std::move(*lut);
        p.rescale_type = item->string_or(Tag{0x0028, 0x3004});  // Modality LUT Type
        return true;
    }
    const auto slope = decimals(ds, kRescaleSlope), intercept = decimals(ds, kRescaleIntercept);
    if (slope.empty() && intercept.empty()) return false;
    p.rescale_slope = slope.empty() || slope[0] == 0 ? 1.0 : slope[0];
    p.rescale_intercept = intercept.empty() ? 0.0 : intercept[0];
    p.rescale_type = ds.string_or(kRescaleType);
    return true;
}

std::optional<std::int32_t> padding(const DataSet& ds, Tag tag, bool is_signed) {
    const Element* e = ds.find(tag);
    if (!e || e->length() < 2) return std::nullopt;
    auto b = e->bytes();
    if (b.size() < 2) return std::nullopt;
    const auto raw = static_cast<std::uint16_t>(b[0] | (b[1] << 8));
    // US or SS by Pixel Representation (PS3.3 C.7.5.1.1.2); files written with the other VR too.
    if (e->vr() == VR::SS || (is_signed && e->vr() != VR::US)) return static_cast<std::int16_t>(raw);
    if (is_signed) return static_cast<std::int16_t>(raw);
    return raw;
}

}  // namespace

Result<Pipeline> pipeline_for(const DataSet& ds, std::size_t frame) {
    Pipeline p;
    p.frame = frame;
    const bool is_signed = ds.find(kPixelRepresentation) && ds.get_number<std::uint16_t>(kPixelRepresentation).value_or(0) == 1;
    const std::string photometric = ds.string_or(kPhotometric);

    // Functional groups first (PS3.3 C.7.6.16): the frame's item, then the shared item.
    const DataSet* per_frame = nullptr;
    if (const Element* e = ds.find(kPerFrameFunctionalGroups); e && e->is_sequence() && frame < e->sequence().items.size())
        per_frame = &e->sequence().items[frame];
    const DataSet* shared = first_item(&ds, kSharedFunctionalGroups);

    bool have_modality = false;
    for (const DataSet* group : {per_frame, shared}) {
        if (have_modality) break;
        if (const DataSet* item = first_item(group, kPixelValueTransformationSequence)) {
            auto r = read_modality(*item, is_signed, p);
            if (!r) return Unexpected(r.error());
            have_modality = *r;
        }
    }
    if (!have_modality) {
        auto r = read_modality(ds, is_signed, p);
        if (!r) return Unexpected(r.error());
    }

    bool have_voi = false;
    for (const DataSet* group : {per_frame, shared}) {
        if (have_voi) break;
        if (const DataSet* item = first_item(group, kFrameVoiLutSequence)) {
            auto r = read_voi(*item, is_signed, p);
            if (!r) return Unexpected(r.error());
            have_voi = *r;
        }
    }
    if (!have_voi) {
        auto r = read_voi(ds, is_signed, p);
        if (!r) return Unexpected(r.error());
    }
    // PS3.4 N.2.1.1 leaves the choice to the application: the first window, else the first LUT.
    if (!p.windows.empty()) p.window = p.windows.front();
    else if (!p.voi_luts.empty()) p.voi_lut = p.voi_luts.front();

    p.padding_value = padding(ds, kPixelPaddingValue, is_signed);
    if (p.padding_value) p.padding_range_limit = padding(ds, kPixelPaddingRangeLimit, is_signed);

    if (const DataSet* item = first_item(&ds, kPresentationLutSequence)) {
        auto lut = parse_lut(*item, false);
        if (!lut) return Unexpected(std::move(lut.error()).at_tag(kPresentationLutSequence.str()));
        p.presentation_lut = std::move(*lut);
    } else if (ds.contains(kPresentationLutShape)) {
        p.presentation_shape = ds.string_or(kPresentationLutShape) == "INVERSE" ? PresentationShape::Inverse
                                                                                 : PresentationShape::Identity;
    } else if (photometric == "MONOCHROME1") {
        p.presentation_shape = PresentationShape::Inverse;
    }

    if (photometric == "PALETTE COLOR") {
        Palette pal;
        auto red = parse_palette_lut(ds, Tag{0x0028, 0x1101}, Tag{0x0028, 0x1201}, Tag{0x0028, 0x1221});
        if (!red) return Unexpected(red.error());
        auto green = parse_palette_lut(ds, Tag{0x0028, 0x1102}, Tag{0x0028, 0x1202}, Tag{0x0028, 0x1222});
        if (!green) return Unexpected(green.error());
        auto blue = parse_palette_lut(ds, Tag{0x0028, 0x1103}, Tag{0x0028, 0x1203}, Tag{0x0028, 0x1223});
        if (!blue) return Unexpected(blue.error());
        pal.red = std::move(*red);
        pal.green = std::move(*green);
        pal.blue = std::move(*blue);
        p.palette = std::move(pal);
    }

    auto overlays = read_overlays(ds);
    if (!overlays) return Unexpected(overlays.error());
    p.overlays = std::move(*overlays);
    return p;
}

}  // namespace dicomkit::pixel::render
