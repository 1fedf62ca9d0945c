// Builds Grayscale Softcopy Presentation State data sets for the tests.
#pragma once

#include <span>
#include <string>
#include <vector>

#include <dicomkit/core/dataset.hpp>

#include <fmt/format.h>

namespace dicomkit::test {

inline Element str(Tag t, VR vr, const std::string& v) { return Element::from_string(t, vr, v); }

template <typename T>
Element nums(Tag t, VR vr, std::vector<T> v) {
    return Element::from_numbers<T>(t, vr, std::span<const T>(v));
}

inline Element seq(Tag t, std::vector<DataSet> items) { return Element(t, VR::SQ, Sequence(std::move(items))); }

inline DataSet item(std::vector<Element> elements) {
    DataSet ds;
    for (auto& e : elements) ds.set(std::move(e));
    return ds;
}

/// Referenced Image Sequence (0008,1140) with one image.
inline Element image_ref(const std::string& cls, const std::string& uid) {
    return seq(Tag(0x0008, 0x1140), {item({str(Tag(0x0008, 0x1150), VR::UI, cls), str(Tag(0x0008, 0x1155), VR::UI, uid)})});
}

inline DataSet graphic(const std::string& type, std::vector<float> pts, bool filled = false,
                       const std::string& units = "PIXEL") {
    return item({str(Tag(0x0070, 0x0005), VR::CS, units), nums<std::uint16_t>(Tag(0x0070, 0x0020), VR::US, {2}),
                 nums<std::uint16_t>(Tag(0x0070, 0x0021), VR::US, {std::uint16_t(pts.size() / 2)}),
                 nums<float>(Tag(0x0070, 0x0022), VR::FL, pts), str(Tag(0x0070, 0x0023), VR::CS, type),
                 str(Tag(0x0070, 0x0024), VR::CS, filled ? "Y" : "N")});
}

/// A GSPS for one image: modality rescale, a window, rotation and flip, a displayed area,
/// rectangular and circular shutters, a polyline, a circle and a text on layer "LAYER1".
struct GspsSpec {
    std::string image_class = "1.2.840.10008.5.1.4.1.1.2";
    std::string image_uid = "1.2.3.4";
    std::string series_uid = "1.2.3";
    double slope = 1, intercept = -1024;
    double center = 40, width = 400;
    int rotation = 90;
    bool flip = true;
    std::vector<std::int32_t> tlhc{1, 1}, brhc{128, 128};
    std::string size_mode = "SCALE TO FIT";
    double magnification = 1.0;
    bool rect_shutter = true, circ_shutter = true;
    bool annotations = true;
    std::string lut_shape = "IDENTITY";
};

inline DataSet make_gsps(const GspsSpec& s) {
    DataSet ds;
    ds.set(str(Tag(0x0008, 0x0016), VR::UI, "1.2.840.10008.5.1.4.1.1.11.1"));
    ds.set(str(Tag(0x0008, 0x0018), VR::UI, "1.2.826.0.1.3680043.10.1234.1"));
    ds.set(str(Tag(0x0008, 0x0060), VR::CS, "PR"));
    ds.set(str(Tag(0x0020, 0x000D), VR::UI, "1.2.826.0.1.3680043.10.1234.2"));
    ds.set(str(Tag(0x0020, 0x000E), VR::UI, "1.2.826.0.1.3680043.10.1234.3"));
    ds.set(str(Tag(0x0070, 0x0080), VR::CS, "TEST"));
    // Type 1 and 2 attributes of the IOD that readers check (PS3.3 A.33.1).
    for (Tag t : {Tag(0x0008, 0x0020), Tag(0x0008, 0x0030), Tag(0x0008, 0x0050), Tag(0x0008, 0x0070),
                  Tag(0x0010, 0x0030), Tag(0x0010, 0x0040), Tag(0x0020, 0x0010), Tag(0x0070, 0x0081)})
        ds.set(Element(t, t == Tag(0x0008, 0x0020) || t == Tag(0x0010, 0x0030) ? VR::DA
                          : t == Tag(0x0008, 0x0030)                           ? VR::TM
                          : t == Tag(0x0008, 0x0070) || t == Tag(0x0070, 0x0081) ? VR::LO
                          : t == Tag(0x0008, 0x0050) || t == Tag(0x0020, 0x0010) ? VR::SH
                                                                                 : VR::CS));
    ds.set(Element(Tag(0x0008, 0x0090), VR::PN));
    ds.set(Element(Tag(0x0070, 0x0084), VR::PN));
    ds.set(str(Tag(0x0010, 0x0010), VR::PN, "TEST^GSPS"));
    ds.set(str(Tag(0x0010, 0x0020), VR::LO, "GSPS1"));
    ds.set(str(Tag(0x0020, 0x0011), VR::IS, "1"));
    ds.set(str(Tag(0x0020, 0x0013), VR::IS, "1"));
    ds.set(str(Tag(0x0070, 0x0082), VR::DA, "20260101"));
    ds.set(str(Tag(0x0070, 0x0083), VR::TM, "000000"));
    ds.set(seq(Tag(0x0008, 0x1115), {item({image_ref(s.image_class, s.image_uid),
                                           str(Tag(0x0020, 0x000E), VR::UI, s.series_uid)})}));
    ds.set(str(Tag(0x0028, 0x1052), VR::DS, fmt::format("{}", s.intercept)));
    ds.set(str(Tag(0x0028, 0x1053), VR::DS, fmt::format("{}", s.slope)));
    ds.set(str(Tag(0x0028, 0x1054), VR::LO, "HU"));
    ds.set(seq(Tag(0x0028, 0x3110), {item({image_ref(s.image_class, s.image_uid),
                                           str(Tag(0x0028, 0x1050), VR::DS, fmt::format("{}", s.center)),
                                           str(Tag(0x0028, 0x1051), VR::DS, fmt::format("{}", s.width))})}));
    ds.set(str(Tag(0x2050, 0x0020), VR::CS, s.lut_shape));
    ds.set(nums<std::uint16_t>(Tag(0x0070, 0x0042), VR::US, {std::uint16_t(s.rotation)}));
    ds.set(str(Tag(0x0070, 0x0041), VR::CS, s.flip ? "Y" : "N"));
    std::vector<Element> area{image_ref(s.image_class, s.image_uid),
                              nums<std::int32_t>(Tag(0x0070, 0x0052), VR::SL, s.tlhc),
                              nums<std::int32_t>(Tag(0x0070, 0x0053), VR::SL, s.brhc),
                              str(Tag(0x0070, 0x0100), VR::CS, s.size_mode),
                              str(Tag(0x0070, 0x0102), VR::IS, "1\\1")};
    if (s.size_mode == "MAGNIFY")
        area.push_back(nums<float>(Tag(0x0070, 0x0103), VR::FL, {float(s.magnification)}));
    ds.set(seq(Tag(0x0070, 0x005A), {item(std::move(area))}));
    std::string shapes;
    if (s.rect_shutter) shapes = "RECTANGULAR";
    if (s.circ_shutter) shapes += shapes.empty() ? "CIRCULAR" : "\\CIRCULAR";
    if (!shapes.empty()) {
        ds.set(str(Tag(0x0018, 0x1600), VR::CS, shapes));
        ds.set(str(Tag(0x0018, 0x1602), VR::IS, "10"));
        ds.set(str(Tag(0x0018, 0x1604), VR::IS, "120"));
        ds.set(str(Tag(0x0018, 0x1606), VR::IS, "5"));
        ds.set(str(Tag(0x0018, 0x1608), VR::IS, "110"));
        ds.set(str(Tag(0x0018, 0x1610), VR::IS, "60\\64"));
        ds.set(str(Tag(0x0018, 0x1612), VR::IS, "58"));
        ds.set(nums<std::uint16_t>(Tag(0x0018, 0x1622), VR::US, {0x2000}));
    }
    if (s.annotations) {
        ds.set(seq(Tag(0x0070, 0x0060),
                   {item({str(Tag(0x0070, 0x0002), VR::CS, "LAYER1"), str(Tag(0x0070, 0x0062), VR::IS, "1"),
                          nums<std::uint16_t>(Tag(0x0070, 0x0066), VR::US, {0xFFFF})})}));
        DataSet text = item({str(Tag(0x0070, 0x0003), VR::CS, "PIXEL"), str(Tag(0x0070, 0x0006), VR::ST, "Hi 42"),
                             nums<float>(Tag(0x0070, 0x0010), VR::FL, {20, 20}),
                             nums<float>(Tag(0x0070, 0x0011), VR::FL, {60, 30}),
                             str(Tag(0x0070, 0x0012), VR::CS, "LEFT")});
        ds.set(seq(Tag(0x0070, 0x0001),
                   {item({image_ref(s.image_class, s.image_uid), str(Tag(0x0070, 0x0002), VR::CS, "LAYER1"),
                          seq(Tag(0x0070, 0x0008), {text}),
                          seq(Tag(0x0070, 0x0009), {graphic("POLYLINE", {30, 80, 60, 95, 90, 80}),
                                                    graphic("CIRCLE", {64, 64, 64, 84})})})}));
    }
    return ds;
}

}  // namespace dicomkit::test
