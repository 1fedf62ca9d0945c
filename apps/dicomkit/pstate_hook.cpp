// `dicomkit render --pstate`: a Grayscale Softcopy Presentation State applied around the pipeline.
#include "pstate_hook.hpp"

#include <memory>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/pixel/pixel_info.hpp>
#include <dicomkit/pixel/render/presentation_apply.hpp>

namespace dicomkit::cli {

namespace {
constexpr Tag kSopClass{0x0008, 0x0016};
constexpr Tag kSopInstance{0x0008, 0x0018};
constexpr std::string_view kGspsClass = "1.2.840.10008.5.1.4.1.1.11.1";
}  // namespace

Result<RasterStep> apply_presentation_state(const std::string& path, const DataSet& image,
                                            pixel::render::Pipeline& pipeline) {
    namespace render = pixel::render;
    auto file = io::read_file(path);
    if (!file) return Unexpected(file.error());
    if (file->dataset.string_or(kSopClass) != kGspsClass)
        return Unexpected(Error(ErrorCode::InvalidArgument,
                                "not a Grayscale Softcopy Presentation State (SOP Class " +
                                    file->dataset.string_or(kSopClass) + ")")
                              .in_file(path));
    auto parsed = render::parse_presentation_state(file->dataset);
    if (!parsed) return Unexpected(std::move(parsed.error()).in_file(path));
    auto state = std::make_shared<render::PresentationState>(std::move(*parsed));
    auto resolved = render::resolve_for_image(*state, image.string_or(kSopInstance),
                                              static_cast<std::uint32_t>(pipeline.frame + 1));
    if (!resolved) return Unexpected(std::move(resolved.error()).in_file(path));
    auto info = pixel::describe(image);
    if (!info) return Unexpected(info.error());
    render::apply_state_luts(*resolved, *info, pipeline);
    auto overlays = pipeline.overlays;
    return RasterStep([state, ip = *resolved, overlays = std::move(overlays)](render::Raster& raster) -> Result<void> {
        auto out = render::present(ip, raster, overlays);
        if (!out) return Unexpected(out.error());
        raster = std::move(*out);
        return {};
    });
}

}  // namespace dicomkit::cli
