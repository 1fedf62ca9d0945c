// Reading a Grayscale Softcopy Presentation State (PS3.3 A.33.1) into PresentationState.
#include <dicomkit/pixel/render/presentation_state.hpp>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include <dicomkit/pixel/render/overlay.hpp>

namespace dicomkit::pixel::render {

namespace {

constexpr Tag kReferencedSeries{0x0008, 0x1115};
constexpr Tag kReferencedImage{0x0008, 0x1140};
constexpr Tag kRefSopClass{0x0008, 0x1150};
constexpr Tag kRefSopInstance{0x0008, 0x1155};
constexpr Tag kRefFrame{0x0008, 0x1160};
constexpr Tag kSeriesUid{0x0020, 0x000E};
constexpr Tag kSopInstance{0x0008, 0x0018};
constexpr Tag kContentLabel{0x0070, 0x0080};
constexpr Tag kLutDescriptor{0x0028, 0x3002};
constexpr Tag kLutExplanation{0x0028, 0x3003};
constexpr Tag kLutData{0x0028, 0x3006};
constexpr Tag kModalityLutSeq{0x0028, 0x3000};
constexpr Tag kRescaleIntercept{0x0028, 0x1052};
constexpr Tag kRescaleSlope{0x0028, 0x1053};
constexpr Tag kRescaleType{0x0028, 0x1054};
constexpr Tag kSoftcopyVoiSeq{0x0028, 0x3110};
constexpr Tag kVoiLutSeq{0x0028, 0x3010};
constexpr Tag kWindowCenter{0x0028, 0x1050};
constexpr Tag kWindowWidth{0x0028, 0x1051};
constexpr Tag kVoiFunction{0x0028, 0x1056};
constexpr Tag kPresentationLutSeq{0x2050, 0x0010};
constexpr Tag kPresentationLutShape{0x2050, 0x0020};
constexpr Tag kFlip{0x0070, 0x0041};
constexpr Tag kRotation{0x0070, 0x0042};
constexpr Tag kDisplayedAreaSeq{0x0070, 0x005A};
constexpr Tag kAreaTlhc{0x0070, 0x0052};
constexpr Tag kAreaBrhc{0x0070, 0x0053};
constexpr Tag kSizeMode{0x0070, 0x0100};
constexpr Tag kPresPixelSpacing{0x0070, 0x0101};
constexpr Tag kPresAspect{0x0070, 0x0102};
constexpr Tag kPresMagnification{0x0070, 0x0103};
constexpr Tag kShutterShape{0x0018, 0x1600};
constexpr Tag kShutterLeft{0x0018, 0x1602};
constexpr Tag kShutterRight{0x0018, 0x1604};
constexpr Tag kShutterUpper{0x0018, 0x1606};
constexpr Tag kShutterLower{0x0018, 0x1608};
constexpr Tag kShutterCenter{0x0018, 0x1610};
constexpr Tag kShutterRadius{0x0018, 0x1612};
constexpr Tag kShutterVertices{0x0018, 0x1620};
constexpr Tag kShutterValue{0x0018, 0x1622};
constexpr Tag kShutterLab{0x0018, 0x1624};
constexpr Tag kShutterOverlayGroup{0x0018, 0x6100};
constexpr Tag kAnnotationSeq{0x0070, 0x0001};
constexpr Tag kGraphicLayer{0x0070, 0x0002};
constexpr Tag kBoxUnits{0x0070, 0x0003};
constexpr Tag kAnchorUnits{0x0070, 0x0004};
constexpr Tag kGraphicUnits{0x0070, 0x0005};
constexpr Tag kTextValue{0x0070, 0x0006};
constexpr Tag kTextObjectSeq{0x0070, 0x0008};
constexpr Tag kGraphicObjectSeq{0x0070, 0x0009};
constexpr Tag kBoxTlhc{0x0070, 0x0010};
constexpr Tag kBoxBrhc{0x0070, 0x0011};
constexpr Tag kBoxJustification{0x0070, 0x0012};
constexpr Tag kAnchorPoint{0x0070, 0x0014};
constexpr Tag kAnchorVisible{0x0070, 0x0015};
constexpr Tag kGraphicDimensions{0x0070, 0x0020};
constexpr Tag kGraphicPointCount{0x0070, 0x0021};
constexpr Tag kGraphicData{0x0070, 0x0022};
constexpr Tag kGraphicType{0x0070, 0x0023};
constexpr Tag kGraphicFilled{0x0070, 0x0024};
constexpr Tag kLayerSeq{0x0070, 0x0060};
constexpr Tag kLayerOrder{0x0070, 0x0062};
constexpr Tag kLayerGrey{0x0070, 0x0066};
constexpr Tag kLayerDescription{0x0070, 0x0068};
constexpr Tag kLayerLab{0x0070, 0x0401};

Unexpected invalid(Tag tag, std::string message) {
    return Unexpected(std::move(Error(ErrorCode::InvalidValue, std::move(message))).at_tag(tag.str()));
}

const std::vector<DataSet>* items(const DataSet& ds, Tag tag) {
    const Element* e = ds.find(tag);
    if (!e || !e->is_sequence()) return nullptr;
    return &e->sequence().items;
}

std::string text(const DataSet& ds, Tag tag, std::string_view fallback = {}) { return ds.string_or(tag, fallback); }

template <typename T>
Result<std::vector<T>> values(const DataSet& ds, Tag tag, std::size_t min_count) {
    const Element* e = ds.find(tag);
    if (!e) return invalid(tag, "missing");
    auto v = e->numbers<T>();
    if (!v) return Unexpected(std::move(Error(v.error())).at_tag(tag.str()));
    if (v->size() < min_count) return invalid(tag, fmt::format("{} values, {} needed", v->size(), min_count));
    return v;
}

template <typename T>
std::optional<T> number(const DataSet& ds, Tag tag) {
    auto v = ds.get_number<T>(tag);
    if (!v) return std::nullopt;
    return *v;
}

std::vector<PsImageReference> image_refs(const DataSet& ds) {
    std::vector<PsImageReference> out;
    if (const auto* list = items(ds, kReferencedImage)) {
        for (const DataSet& it : *list) {
            PsImageReference r;
            r.sop_class_uid = text(it, kRefSopClass);
            r.sop_instance_uid = text(it, kRefSopInstance);
            if (const Element* f = it.find(kRefFrame)) {
                if (auto v = f->numbers<std::int32_t>()) r.frames = *v;
            }
            out.push_back(std::move(r));
        }
    }
    return out;
}

/// PS3.3 C.11.1.1.1: descriptor (entries, first mapped, bits) and LUT Data, 8-bit data packed
/// two a word when the VR is OW and the bits are 8.
Result<Lut> read_lut(const DataSet& item) {
    const Element* d = item.find(kLutDescriptor);
    if (!d || d->bytes().size() < 6) return invalid(kLutDescriptor, "missing or short LUT Descriptor");
    auto b = d->bytes();
    auto u16 = [&](std::size_t i) { return static_cast<std::uint16_t>(b[2 * i] | (b[2 * i + 1] << 8)); };
    Lut lut;
    const std::uint32_t entries = u16(0) == 0 ? 65536u : u16(0);
    lut.first_mapped = d->vr() == VR::SS ? static_cast<std::int16_t>(u16(1)) : u16(1);
    lut.bits = u16(2);
    if (lut.bits < 1 || lut.bits > 16) return invalid(kLutDescriptor, fmt::format("LUT bits {}", lut.bits));
    lut.explanation = text(item, kLutExplanation);
    const Element* data = item.find(kLutData);
    if (!data) return invalid(kLutData, "missing LUT Data");
    auto bytes = data->bytes();
    lut.data.resize(entries);
    if (bytes.size() >= std::size_t{entries} * 2) {
        for (std::uint32_t i = 0; i < entries; ++i)
            lut.data[i] = static_cast<std::uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    } else if (lut.bits <= 8 && bytes.size() >= entries) {
        for (std::uint32_t i = 0; i < entries; ++i) lut.data[i] = bytes[i];
    } else {
        return invalid(kLutData, fmt::format("{} bytes for {} entries", bytes.size(), entries));
    }
    return lut;
}

Result<void> read_luts(const DataSet& ds, PresentationState& ps) {
    if (const auto* seq = items(ds, kModalityLutSeq); seq && !seq->empty()) {
        auto lut = read_lut(seq->front());
        if (!lut) return Unexpected(lut.error());
        ps.modality = PsModalityTransform{};
        ps.modality->lut = std::move(*lut);
    } else if (ds.contains(kRescaleSlope) || ds.contains(kRescaleIntercept)) {
        ps.modality = PsModalityTransform{};
        ps.modality->slope = number<double>(ds, kRescaleSlope).value_or(1.0);
        ps.modality->intercept = number<double>(ds, kRescaleIntercept).value_or(0.0);
        ps.modality->rescale_type = text(ds, kRescaleType);
    }
    if (const auto* seq = items(ds, kSoftcopyVoiSeq)) {
        for (const DataSet& it : *seq) {
            PsVoi v;
            v.images = image_refs(it);
            if (const auto* luts = items(it, kVoiLutSeq); luts && !luts->empty()) {
                auto lut = read_lut(luts->front());
                if (!lut) return Unexpected(lut.error());
                v.lut = std::move(*lut);
            } else {
                auto c = values<double>(it, kWindowCenter, 1);
                if (!c) return Unexpected(c.error());
                auto w = values<double>(it, kWindowWidth, c->size());
                if (!w) return Unexpected(w.error());
                v.centers = *c;
                v.widths = *w;
                if (std::any_of(v.widths.begin(), v.widths.end(), [](double x) { return !(x >= 1.0); }))
                    return invalid(kWindowWidth, "a window width below 1");
                v.function = text(it, kVoiFunction, "LINEAR");
                if (v.function.empty()) v.function = "LINEAR";
            }
            ps.voi.push_back(std::move(v));
        }
    }
    if (const auto* seq = items(ds, kPresentationLutSeq); seq && !seq->empty()) {
        auto lut = read_lut(seq->front());
        if (!lut) return Unexpected(lut.error());
        ps.presentation_lut.lut = std::move(*lut);
        ps.presentation_lut.shape.clear();
    } else {
        std::string shape = text(ds, kPresentationLutShape, "IDENTITY");
        if (shape != "IDENTITY" && shape != "INVERSE")
            return invalid(kPresentationLutShape, fmt::format("shape \"{}\"", shape));
        ps.presentation_lut.shape = shape;
    }
    return {};
}

Result<void> read_geometry(const DataSet& ds, PresentationState& ps) {
    if (auto r = number<std::int32_t>(ds, kRotation)) {
        if (*r != 0 && *r != 90 && *r != 180 && *r != 270)
            return invalid(kRotation, fmt::format("Image Rotation {} is not 0, 90, 180 or 270", *r));
        ps.rotation = static_cast<std::uint16_t>(*r);
    }
    ps.flip = text(ds, kFlip) == "Y";
    const auto* seq = items(ds, kDisplayedAreaSeq);
    if (!seq) return {};
    for (const DataSet& it : *seq) {
        PsDisplayedArea a;
        a.images = image_refs(it);
        auto tl = values<std::int32_t>(it, kAreaTlhc, 2);
        if (!tl) return Unexpected(tl.error());
        auto br = values<std::int32_t>(it, kAreaBrhc, 2);
        if (!br) return Unexpected(br.error());
        a.tlhc = {(*tl)[0], (*tl)[1]};
        a.brhc = {(*br)[0], (*br)[1]};
        std::string mode = text(it, kSizeMode);
        if (mode == "SCALE TO FIT") a.mode = SizeMode::ScaleToFit;
        else if (mode == "TRUE SIZE") a.mode = SizeMode::TrueSize;
        else if (mode == "MAGNIFY") a.mode = SizeMode::Magnify;
        else return invalid(kSizeMode, fmt::format("Presentation Size Mode \"{}\"", mode));
        if (auto s = values<double>(it, kPresPixelSpacing, 2)) {
            a.pixel_spacing = std::array<double, 2>{(*s)[0], (*s)[1]};
            a.aspect_ratio = {0, 0};
        }
        if (auto r = values<std::int32_t>(it, kPresAspect, 2)) a.aspect_ratio = {(*r)[0], (*r)[1]};
        if (a.pixel_spacing && a.aspect_ratio[0] == 0) {
            // The ratio of the spacings stands for the aspect ratio (vertical\horizontal).
            const double ratio = (*a.pixel_spacing)[0] / (*a.pixel_spacing)[1];
            if (std::isfinite(ratio) && ratio >= 1e-3 && ratio <= 1e3)
                a.aspect_ratio = {static_cast<std::int32_t>(std::lround(ratio * 1000)), 1000};
        }
        if (a.aspect_ratio[0] <= 0 || a.aspect_ratio[1] <= 0) a.aspect_ratio = {1, 1};
        if (a.mode == SizeMode::Magnify) {
            auto m = number<double>(it, kPresMagnification);
            if (!m || !(*m > 0.0) || *m > 64.0)
                return invalid(kPresMagnification, "MAGNIFY without a ratio in (0, 64]");
            a.magnification = *m;
        }
        ps.displayed_areas.push_back(std::move(a));
    }
    return {};
}

Result<void> read_shutters(const DataSet& ds, PresentationState& ps) {
    const Element* shape = ds.find(kShutterShape);
    if (!shape) return {};
    auto shapes = shape->strings();
    if (!shapes) return Unexpected(shapes.error());
    PsShutter& s = ps.shutter;
    for (auto sv : *shapes) {
        std::string name(trim_spaces(sv));
        if (name == "RECTANGULAR") {
            s.rectangular = true;
            auto l = number<std::int32_t>(ds, kShutterLeft), r = number<std::int32_t>(ds, kShutterRight);
            auto u = number<std::int32_t>(ds, kShutterUpper), lo = number<std::int32_t>(ds, kShutterLower);
            if (!l || !r || !u || !lo) return invalid(kShutterLeft, "RECTANGULAR shutter without its edges");
            s.left = *l, s.right = *r, s.upper = *u, s.lower = *lo;
        } else if (name == "CIRCULAR") {
            s.circular = true;
            auto c = values<std::int32_t>(ds, kShutterCenter, 2);
            if (!c) return Unexpected(c.error());
            auto radius = number<std::int32_t>(ds, kShutterRadius);
            if (!radius || *radius < 0) return invalid(kShutterRadius, "CIRCULAR shutter without a radius");
            s.center = {(*c)[0], (*c)[1]};
            s.radius = *radius;
        } else if (name == "POLYGONAL") {
            s.polygonal = true;
            auto v = values<std::int32_t>(ds, kShutterVertices, 6);
            if (!v) return Unexpected(v.error());
            if (v->size() % 2) return invalid(kShutterVertices, "an odd number of values");
            for (std::size_t i = 0; i + 1 < v->size(); i += 2) s.vertices.push_back({(*v)[i], (*v)[i + 1]});
        } else if (name == "BITMAP") {
            s.bitmap = true;
            auto g = number<std::uint16_t>(ds, kShutterOverlayGroup);
            if (!g || (*g & 0xFF01) != 0x6000) return invalid(kShutterOverlayGroup, "BITMAP shutter without an overlay group");
            s.overlay_group = *g;
        } else if (!name.empty()) {
            return invalid(kShutterShape, fmt::format("Shutter Shape \"{}\"", name));
        }
    }
    s.presentation_value = number<std::uint16_t>(ds, kShutterValue).value_or(0);
    if (auto lab = values<std::uint16_t>(ds, kShutterLab, 3))
        s.color_lab = std::array<std::uint16_t, 3>{(*lab)[0], (*lab)[1], (*lab)[2]};
    return {};
}

AnnotationUnits units(const DataSet& ds, Tag tag) {
    return text(ds, tag) == "DISPLAY" ? AnnotationUnits::Display : AnnotationUnits::Pixel;
}

std::optional<std::array<float, 2>> point(const DataSet& ds, Tag tag) {
    auto v = values<double>(ds, tag, 2);
    if (!v) return std::nullopt;
    return std::array<float, 2>{static_cast<float>((*v)[0]), static_cast<float>((*v)[1])};
}

Result<PsGraphic> read_graphic(const DataSet& it) {
    PsGraphic g;
    g.units = units(it, kGraphicUnits);
    std::string type = text(it, kGraphicType);
    std::size_t need = 1;
    if (type == "POINT") g.type = PsGraphic::Type::Point;
    else if (type == "POLYLINE") g.type = PsGraphic::Type::Polyline, need = 2;
    else if (type == "INTERPOLATED") g.type = PsGraphic::Type::Interpolated, need = 2;
    else if (type == "CIRCLE") g.type = PsGraphic::Type::Circle, need = 2;
    else if (type == "ELLIPSE") g.type = PsGraphic::Type::Ellipse, need = 4;
    else return invalid(kGraphicType, fmt::format("Graphic Type \"{}\"", type));
    if (auto dims = number<std::uint16_t>(it, kGraphicDimensions); dims && *dims != 2)
        return invalid(kGraphicDimensions, fmt::format("Graphic Dimensions {}", *dims));
    auto data = values<double>(it, kGraphicData, 2 * need);
    if (!data) return Unexpected(data.error());
    if (data->size() % 2) return invalid(kGraphicData, "an odd number of values");
    if (auto n = number<std::uint16_t>(it, kGraphicPointCount); n && *n * 2u != data->size())
        return invalid(kGraphicData, fmt::format("{} values for {} points", data->size(), *n));
    if ((g.type == PsGraphic::Type::Circle && data->size() != 4) ||
        (g.type == PsGraphic::Type::Ellipse && data->size() != 8) ||
        (g.type == PsGraphic::Type::Point && data->size() != 2))
        return invalid(kGraphicData, fmt::format("{} with {} values", type, data->size()));
    for (std::size_t i = 0; i < data->size(); i += 2)
        g.points.push_back({static_cast<float>((*data)[i]), static_cast<float>((*data)[i + 1])});
    g.filled = text(it, kGraphicFilled) == "Y";
    return g;
}

Result<void> read_annotations(const DataSet& ds, PresentationState& ps) {
    if (const auto* seq = items(ds, kLayerSeq)) {
        for (const DataSet& it : *seq) {
            PsLayer l;
            l.name = text(it, kGraphicLayer);
            l.order = number<std::int32_t>(it, kLayerOrder).value_or(0);
            l.grey = number<std::uint16_t>(it, kLayerGrey);
            if (auto lab = values<std::uint16_t>(it, kLayerLab, 3))
                l.color_lab = std::array<std::uint16_t, 3>{(*lab)[0], (*lab)[1], (*lab)[2]};
            l.description = text(it, kLayerDescription);
            ps.layers.push_back(std::move(l));
        }
    }
    const auto* seq = items(ds, kAnnotationSeq);
    if (!seq) return {};
    for (const DataSet& it : *seq) {
        PsAnnotation a;
        a.images = image_refs(it);
        a.layer = text(it, kGraphicLayer);
        if (!find_layer(ps, a.layer))
            return invalid(kGraphicLayer, fmt::format("layer \"{}\" is not in the Graphic Layer Sequence", a.layer));
        if (const auto* gs = items(it, kGraphicObjectSeq)) {
            for (const DataSet& g : *gs) {
                auto graphic = read_graphic(g);
                if (!graphic) return Unexpected(graphic.error());
                a.graphics.push_back(std::move(*graphic));
            }
        }
        if (const auto* ts = items(it, kTextObjectSeq)) {
            for (const DataSet& t : *ts) {
                PsText x;
                x.text = text(t, kTextValue);
                x.box_units = units(t, kBoxUnits);
                x.box_tlhc = point(t, kBoxTlhc);
                x.box_brhc = point(t, kBoxBrhc);
                x.justification = text(t, kBoxJustification, "LEFT");
                x.anchor_units = units(t, kAnchorUnits);
                x.anchor = point(t, kAnchorPoint);
                x.anchor_visible = text(t, kAnchorVisible) == "Y";
                if (!x.anchor && !(x.box_tlhc && x.box_brhc))
                    return invalid(kTextObjectSeq, "a text object with neither a bounding box nor an anchor point");
                a.texts.push_back(std::move(x));
            }
        }
        ps.annotations.push_back(std::move(a));
    }
    return {};
}

bool refers_to(const std::vector<PsImageReference>& refs, std::string_view uid, std::uint32_t frame) {
    if (refs.empty()) return true;
    return std::any_of(refs.begin(), refs.end(), [&](const PsImageReference& r) {
        return r.sop_instance_uid == uid &&
               (r.frames.empty() || std::find(r.frames.begin(), r.frames.end(), std::int32_t(frame)) != r.frames.end());
    });
}

}  // namespace

Result<PresentationState> parse_presentation_state(const DataSet& ds) {
    PresentationState ps;
    ps.sop_instance_uid = text(ds, kSopInstance);
    ps.content_label = text(ds, kContentLabel);
    const auto* series = items(ds, kReferencedSeries);
    if (!series || series->empty()) return invalid(kReferencedSeries, "a presentation state references no series");
    for (const DataSet& it : *series) {
        PsSeriesReference s;
        s.series_instance_uid = text(it, kSeriesUid);
        s.images = image_refs(it);
        if (s.images.empty()) return invalid(kReferencedImage, "a referenced series without images");
        ps.series.push_back(std::move(s));
    }
    if (auto r = read_luts(ds, ps); !r) return Unexpected(r.error());
    if (auto r = read_geometry(ds, ps); !r) return Unexpected(r.error());
    if (auto r = read_shutters(ds, ps); !r) return Unexpected(r.error());
    auto overlays = read_overlays(ds);
    if (!overlays) return Unexpected(overlays.error());
    ps.overlays = std::move(*overlays);
    for (std::uint16_t group = 0x6000; group <= 0x601E; group += 2) {
        std::string layer = ds.string_or(Tag(group, 0x1001));
        if (!layer.empty()) ps.activations.push_back({group, layer});
    }
    if (auto r = read_annotations(ds, ps); !r) return Unexpected(r.error());
    return ps;
}

const PsLayer* find_layer(const PresentationState& state, std::string_view name) {
    for (const PsLayer& l : state.layers)
        if (l.name == name) return &l;
    return nullptr;
}

Result<ImagePresentation> resolve_for_image(const PresentationState& state, std::string_view uid,
                                            std::uint32_t frame) {
    bool referenced = false;
    for (const PsSeriesReference& s : state.series) {
        for (const PsImageReference& r : s.images) {
            if (r.sop_instance_uid != uid) continue;
            if (!r.frames.empty() && std::find(r.frames.begin(), r.frames.end(), std::int32_t(frame)) == r.frames.end())
                return make_error(ErrorCode::NotFound,
                                  fmt::format("presentation state {} references image {} but not its frame {}",
                                              state.sop_instance_uid, uid, frame));
            referenced = true;
        }
    }
    if (!referenced)
        return make_error(ErrorCode::NotFound, fmt::format("presentation state {} does not reference image {}",
                                                           state.sop_instance_uid, uid));
    ImagePresentation out;
    out.state = &state;
    out.frame = frame;
    for (const PsVoi& v : state.voi)
        if (!out.voi && refers_to(v.images, uid, frame)) out.voi = &v;
    for (const PsDisplayedArea& a : state.displayed_areas)
        if (!out.displayed_area && refers_to(a.images, uid, frame)) out.displayed_area = a;
    for (const PsAnnotation& a : state.annotations)
        if (refers_to(a.images, uid, frame)) out.annotations.push_back(&a);
    auto order = [&](const PsAnnotation* a) {
        const PsLayer* l = find_layer(state, a->layer);
        return l ? l->order : 0;
    };
    std::stable_sort(out.annotations.begin(), out.annotations.end(),
                     [&](const PsAnnotation* a, const PsAnnotation* b) { return order(a) < order(b); });
    return out;
}

std::array<std::uint8_t, 3> lab_to_srgb(const std::array<std::uint16_t, 3>& lab) {
    // C.10.7.1.1: L* 0..100 -> 0..0xFFFF, a* and b* -128..127 -> 0..0xFFFF.
    double L = lab[0] * 100.0 / 65535.0;
    double a = lab[1] * 255.0 / 65535.0 - 128.0;
    double b = lab[2] * 255.0 / 65535.0 - 128.0;
    double fy = (L + 16.0) / 116.0, fx = fy + a / 500.0, fz = fy - b / 200.0;
    auto finv = [](double t) { return t > 6.0 / 29.0 ? t * t * t : 3.0 * (6.0 / 29.0) * (6.0 / 29.0) * (t - 4.0 / 29.0); };
    double X = 0.95047 * finv(fx), Y = finv(fy), Z = 1.08883 * finv(fz);
    double rgb[3] = {3.2406 * X - 1.5372 * Y - 0.4986 * Z, -0.9689 * X + 1.8758 * Y + 0.0415 * Z,
                     0.0557 * X - 0.2040 * Y + 1.0570 * Z};
    std::array<std::uint8_t, 3> out{};
    for (int i = 0; i < 3; ++i) {
        double c = std::clamp(rgb[i], 0.0, 1.0);
        c = c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
        out[i] = static_cast<std::uint8_t>(std::lround(c * 255.0));
    }
    return out;
}

}  // namespace dicomkit::pixel::render
