// An image frame rendered under a presentation state: the pipeline, then the state's stages.
#include <dicomkit/pixel/render/presentation_apply.hpp>

namespace dicomkit::pixel::render {

namespace {
constexpr Tag kSopInstance{0x0008, 0x0018};
}  // namespace

Result<Raster> render_with_state(const DataSet& image, const PixelInfo& info, std::span<const std::uint8_t> frame_bytes,
                                 std::size_t frame, const PresentationState& state, std::uint8_t output_bits,
                                 const PresentOptions& options) {
    auto ip = resolve_for_image(state, image.string_or(kSopInstance), static_cast<std::uint32_t>(frame + 1));
    if (!ip) return Unexpected(ip.error());
    auto p = pipeline_for(image, frame);
    if (!p) return Unexpected(p.error());
    apply_state_luts(*ip, info, *p);
    p->output_bits = output_bits;
    auto raster = render_frame(*p, info, frame_bytes);
    if (!raster) return Unexpected(raster.error());
    return present(*ip, *raster, p->overlays, options);
}

}  // namespace dicomkit::pixel::render
