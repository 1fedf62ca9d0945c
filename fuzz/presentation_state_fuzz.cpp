// Fuzz target: a presentation state read, resolved for its first image and applied to a small
// raster (parse_presentation_state, resolve_for_image, present).
#include <cstddef>
#include <cstdint>
#include <vector>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/pixel/render/presentation_apply.hpp>

using namespace dicomkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto file = io::read_bytes(std::vector<std::uint8_t>(data, data + size));
    if (!file) return 0;
    auto ps = pixel::render::parse_presentation_state(file->dataset);
    if (!ps || ps->series.empty() || ps->series[0].images.empty()) return 0;
    auto ip = pixel::render::resolve_for_image(*ps, ps->series[0].images[0].sop_instance_uid, 1);
    if (!ip) return 0;
    pixel::render::Raster r;
    r.width = 32, r.height = 24;
    r.samples.assign(std::size_t{r.width} * r.height, 100);
    pixel::render::PresentOptions options;
    options.max_side = 512;
    (void)pixel::render::present(*ip, r, {}, options);
    return 0;
}
