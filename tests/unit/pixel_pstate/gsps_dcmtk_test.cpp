// A GSPS on a CT image rendered by dicomkit and by DCMTK's dcmp2pgm: geometry, LUTs, shutters.
// dcmp2pgm applies the LUTs, rotation and flip but neither display shutters, the displayed area
// nor graphic annotations: those are checked against the shutter value, a crop of its output,
// and the annotation's own pixels.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/render/presentation_apply.hpp>

#include "gsps_builder.hpp"

using namespace dicomkit;
using namespace dicomkit::pixel::render;
namespace fs = std::filesystem;

namespace {

struct Image {
    io::DicomFile file;
    pixel::PixelInfo info;
    Bytes frame;
};

Image load_ct() {
    auto f = io::read_file(std::string(DICOMKIT_TEST_DATA) + "/pixel/CT_small.dcm");
    EXPECT_TRUE(f) << f.error().to_string();
    auto frames = pixel::FrameSet::open(*f);
    EXPECT_TRUE(frames) << frames.error().to_string();
    pixel::CodecRegistry none;
    auto info = frames->decoded_info(none);
    auto bytes = frames->decoded(0, none);
    EXPECT_TRUE(info && bytes);
    return {std::move(*f), *info, std::move(*bytes)};
}

test::GspsSpec spec_for(const Image& img) {
    test::GspsSpec s;
    s.image_class = img.file.dataset.string_or(Tag(0x0008, 0x0016));
    s.image_uid = img.file.dataset.string_or(Tag(0x0008, 0x0018));
    s.series_uid = img.file.dataset.string_or(Tag(0x0020, 0x000E));
    s.annotations = false;
    return s;
}

/// Writes the state, runs dcmp2pgm, reads its 8-bit PGM; an empty raster when that fails.
Raster dcmp2pgm(const DataSet& gsps, const std::string& name) {
    fs::path dir = fs::temp_directory_path() / fmt::format("dk_gsps_{}", ::getpid());
    fs::create_directories(dir);
    io::DicomFile f;
    f.dataset = gsps;
    f.meta = io::make_meta(gsps, io::ts::ExplicitVRLittleEndian);
    std::string ps = (dir / (name + ".dcm")).string(), pgm = (dir / (name + ".pgm")).string();
    EXPECT_TRUE(io::write_file(ps, f));
    std::string cmd = fmt::format("dcmp2pgm -q -p '{}' '{}/pixel/CT_small.dcm' '{}'", ps, DICOMKIT_TEST_DATA, pgm);
    Raster r;
    if (std::system(cmd.c_str()) != 0) return r;
    std::ifstream in(pgm, std::ios::binary);
    std::string magic;
    unsigned w = 0, h = 0, maxval = 0;
    in >> magic >> w >> h >> maxval;
    in.get();
    if (magic != "P5" || maxval != 255) return r;
    std::vector<char> px((std::istreambuf_iterator<char>(in)), {});
    if (px.size() != std::size_t{w} * h) return r;
    r.width = w, r.height = h;
    for (char c : px) r.samples.push_back(static_cast<unsigned char>(c));
    fs::remove_all(dir);
    return r;
}

bool have_dcmp2pgm() { return std::system("dcmp2pgm --version > /dev/null 2>&1") == 0; }

/// Where the state's shutters leave the image visible, in the output's orientation.
Raster visible_mask(const PresentationState& ps, std::uint32_t w, std::uint32_t h) {
    Raster m;
    m.width = w, m.height = h;
    m.samples.assign(std::size_t{w} * h, 1);
    apply_shutter(m, ps.shutter, nullptr, 0);
    return spatial_transform(m, ps.rotation, ps.flip);
}

}  // namespace

class GspsDcmtk : public ::testing::TestWithParam<std::tuple<int, bool, std::string>> {};

TEST_P(GspsDcmtk, GeometryLutsAndShuttersMatchDcmp2pgm) {
    if (!have_dcmp2pgm()) GTEST_SKIP() << "dcmp2pgm is not installed";
    Image img = load_ct();
    auto spec = spec_for(img);
    std::tie(spec.rotation, spec.flip, spec.lut_shape) = GetParam();
    DataSet gsps = test::make_gsps(spec);
    auto ps = parse_presentation_state(gsps);
    ASSERT_TRUE(ps) << ps.error().to_string();
    auto ours = render_with_state(img.file.dataset, img.info, img.frame, 0, *ps);
    ASSERT_TRUE(ours) << ours.error().to_string();
    Raster theirs = dcmp2pgm(gsps, fmt::format("r{}f{}{}", spec.rotation, spec.flip, spec.lut_shape));
    ASSERT_EQ(theirs.width, ours->width);
    ASSERT_EQ(theirs.height, ours->height);
    Raster mask = visible_mask(*ps, img.info.columns, img.info.rows);
    const std::uint16_t shutter = static_cast<std::uint16_t>((0x2000u * 255 + 32767) / 65535);
    std::size_t compared = 0, shuttered = 0, off_by_one = 0;
    for (std::uint32_t y = 0; y < ours->height; ++y) {
        for (std::uint32_t x = 0; x < ours->width; ++x) {
            if (mask.at(x, y)) {
                int d = std::abs(int(ours->at(x, y)) - int(theirs.at(x, y)));
                ASSERT_LE(d, 1) << "pixel " << x << "," << y;
                off_by_one += d;
                ++compared;
            } else {
                ASSERT_EQ(ours->at(x, y), shutter) << "pixel " << x << "," << y;
                ++shuttered;
            }
        }
    }
    EXPECT_GT(compared, 8000u);
    EXPECT_GT(shuttered, 2000u);
    RecordProperty("off_by_one", static_cast<int>(off_by_one));
}

INSTANTIATE_TEST_SUITE_P(Orientations, GspsDcmtk,
                         ::testing::Values(std::make_tuple(0, false, std::string("IDENTITY")),
                                           std::make_tuple(90, true, std::string("IDENTITY")),
                                           std::make_tuple(180, false, std::string("INVERSE")),
                                           std::make_tuple(270, true, std::string("IDENTITY")),
                                           std::make_tuple(90, false, std::string("INVERSE"))));

TEST(GspsDcmtkArea, DisplayedAreaIsACropOfTheTransformedImage) {
    if (!have_dcmp2pgm()) GTEST_SKIP() << "dcmp2pgm is not installed";
    Image img = load_ct();
    auto spec = spec_for(img);
    spec.rect_shutter = spec.circ_shutter = false;
    spec.tlhc = {11, 21}, spec.brhc = {50, 40};
    DataSet gsps = test::make_gsps(spec);  // rotation 90 and flip
    auto ps = parse_presentation_state(gsps);
    ASSERT_TRUE(ps);
    auto ours = render_with_state(img.file.dataset, img.info, img.frame, 0, *ps);
    ASSERT_TRUE(ours) << ours.error().to_string();
    Raster theirs = dcmp2pgm(gsps, "area");
    ASSERT_EQ(theirs.width, 128u);
    // Columns 11..50, rows 21..40 turned 90 degrees and flipped: x' = y, y' = x.
    ASSERT_EQ(ours->width, 20u);
    ASSERT_EQ(ours->height, 40u);
    for (std::uint32_t y = 0; y < ours->height; ++y)
        for (std::uint32_t x = 0; x < ours->width; ++x)
            ASSERT_LE(std::abs(int(ours->at(x, y)) - int(theirs.at(x + 20, y + 10))), 1) << x << "," << y;
}

TEST(GspsDcmtkAnnotations, OnlyTheAnnotationPixelsDiffer) {
    if (!have_dcmp2pgm()) GTEST_SKIP() << "dcmp2pgm is not installed";
    Image img = load_ct();
    auto spec = spec_for(img);
    spec.rect_shutter = spec.circ_shutter = false;
    spec.annotations = true;
    DataSet gsps = test::make_gsps(spec);
    auto ps = parse_presentation_state(gsps);
    ASSERT_TRUE(ps);
    auto ours = render_with_state(img.file.dataset, img.info, img.frame, 0, *ps);
    ASSERT_TRUE(ours);
    Raster theirs = dcmp2pgm(gsps, "annotations");
    ASSERT_EQ(theirs.width, ours->width);
    std::size_t inked = 0;
    for (std::uint32_t y = 0; y < ours->height; ++y)
        for (std::uint32_t x = 0; x < ours->width; ++x)
            if (std::abs(int(ours->at(x, y)) - int(theirs.at(x, y))) > 1) {
                ASSERT_EQ(ours->at(x, y), 255) << x << "," << y;  // the layer's white
                ++inked;
            }
    // A polyline, a 20-pixel circle (about 120 pixels) and five glyphs leave a few hundred.
    EXPECT_GT(inked, 150u);
    EXPECT_LT(inked, 600u);
}
