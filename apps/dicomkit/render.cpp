// `dicomkit render FILE OUT.png|OUT.jpg`: one frame through the display pipeline to PNG or JPEG.
#include <cstdio>
#include <string>

#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/frames.hpp>
#include <dicomkit/pixel/render/pipeline.hpp>
#include <dicomkit/pixel/render/writers.hpp>

#include <fmt/format.h>

#include "commands.hpp"
#include "pstate_hook.hpp"

namespace dicomkit::cli {

namespace {

struct RenderArgs {
    std::string in, out, window, size, pstate;
    std::size_t frame = 0;
    int quality = 90;
    int bits = 8;
    bool overlays = false;
};

int fail(const std::string& message) {
    std::fprintf(stderr, "E: %s\n", message.c_str());
    return 1;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
}

int run_render(const RenderArgs& a) {
    const bool jpeg = ends_with(a.out, ".jpg") || ends_with(a.out, ".jpeg");
    if (!jpeg && !ends_with(a.out, ".png")) return fail("the output must end in .png, .jpg or .jpeg: " + a.out);
    auto file = io::read_file(a.in);
    if (!file) return fail(file.error().to_string());
    auto frames = pixel::FrameSet::open(*file);
    if (!frames) return fail(frames.error().to_string());
    if (a.frame >= frames->size())
        return fail(fmt::format("{}: frame {} asked for, the file has {}", a.in, a.frame, frames->size()));
    const auto codecs = pixel::standard_codecs();
    auto info = frames->decoded_info(codecs);
    if (!info) return fail(info.error().to_string());
    auto bytes = frames->decoded(a.frame, codecs);
    if (!bytes) return fail(bytes.error().to_string());

    auto pipeline = pixel::render::pipeline_for(file->dataset, a.frame);
    if (!pipeline) return fail(std::move(pipeline.error()).in_file(a.in).to_string());
    pipeline->output_bits = static_cast<std::uint8_t>(jpeg ? 8 : a.bits);
    pipeline->burn_overlays = a.overlays;
    pixel::render::Pipeline& p = *pipeline;
    RasterStep after;
    if (!a.pstate.empty()) {
        auto step = apply_presentation_state(a.pstate, file->dataset, p);
        if (!step) return fail(step.error().to_string());
        after = std::move(*step);
    }
    if (!a.window.empty()) {  // the user's window over everything else
        double c = 0, w = 0;
        if (std::sscanf(a.window.c_str(), "%lf,%lf", &c, &w) != 2 || w <= 0)
            return fail("--window wants CENTER,WIDTH with a positive width: " + a.window);
        p.window = pixel::render::Window{c, w, p.window ? p.window->function : pixel::render::VoiFunction::Linear, "user"};
        p.voi_lut.reset();
    }
    auto raster = pixel::render::render_frame(p, *info, *bytes);
    if (!raster) return fail(std::move(raster.error()).in_file(a.in).to_string());
    if (after)
        if (auto r = after(*raster); !r) return fail(r.error().to_string());
    if (!a.size.empty()) {
        unsigned w = 0, h = 0;
        if (std::sscanf(a.size.c_str(), "%ux%u", &w, &h) != 2 || (w == 0 && h == 0))
            return fail("--size wants WIDTHxHEIGHT: " + a.size);
        auto [fw, fh] = pixel::render::fit_size(raster->width, raster->height, w, h);
        *raster = pixel::render::resize(*raster, fw, fh);
    }
    auto encoded = jpeg ? pixel::render::encode_jpeg(*raster, a.quality) : pixel::render::encode_png(*raster);
    if (!encoded) return fail(encoded.error().to_string());
    std::FILE* f = std::fopen(a.out.c_str(), "wb");
    if (!f) return fail("cannot write " + a.out);
    const bool ok = std::fwrite(encoded->data(), 1, encoded->size(), f) == encoded->size();
    if (std::fclose(f) != 0 || !ok) return fail("cannot write " + a.out);
    return 0;
}

}  // namespace

void add_render(CLI::App& app, Action& run) {
    auto args = std::make_shared<RenderArgs>();
    CLI::App* cmd = app.add_subcommand("render", "Render one frame to PNG or JPEG through the display pipeline");
    cmd->add_option("file", args->in, "DICOM image")->required();
    cmd->add_option("out", args->out, "Output .png, .jpg or .jpeg")->required();
    cmd->add_option("--frame", args->frame, "0-based frame index (default 0)");
    cmd->add_option("--window", args->window, "Window CENTER,WIDTH instead of the file's");
    cmd->add_option("--size", args->size, "Fit into WIDTHxHEIGHT keeping the aspect");
    cmd->add_option("--quality", args->quality, "JPEG quality 1-100 (default 90)")->check(CLI::Range(1, 100));
    cmd->add_option("--bits", args->bits, "PNG bits a sample: 8 or 16 (default 8)")->check(CLI::IsMember({8, 16}));
    cmd->add_flag("--overlays", args->overlays, "Burn in the overlay planes (60xx)");
    cmd->add_option("--pstate", args->pstate, "Grayscale Softcopy Presentation State to apply");
    cmd->callback([&run, args] { run = [args] { return run_render(*args); }; });
}

}  // namespace dicomkit::cli
