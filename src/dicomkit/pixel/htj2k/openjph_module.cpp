// dicomkit-openjph.so: OpenJphApi over OpenJPH 0.9 (memory files, line by line). Built as a module
// of its own (see openjph_api.hpp); it uses nothing of dicomkit but that header.
#include <dicomkit/pixel/htj2k/openjph_api.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include <openjph/ojph_arch.h>  // defines OJPH_EXPORT, which the other headers use
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_message.h>
#include <openjph/ojph_params.h>

namespace dicomkit::pixel::htj2k {
namespace {

/// Where the error stream's text goes (set once by route_messages).
std::atomic<OpenJphApi::MessageSink> g_sink{nullptr};

// OpenJPH 0.9 prints its messages to process-wide FILE streams (its configure_* functions have no
// effect) and throws std::runtime_error("ojph error") after an error. Its error stream is a
// cookie stream that hands the text to the caller's sink on the writing thread; info and warnings
// are dropped.
ssize_t capture_write(void*, const char* buf, size_t size) {
    if (OpenJphApi::MessageSink sink = g_sink.load(std::memory_order_acquire)) sink(buf, size);
    return static_cast<ssize_t>(size);
}
ssize_t drop_write(void*, const char*, size_t size) { return static_cast<ssize_t>(size); }

FILE* open_stream(bool capture) {
    cookie_io_functions_t io{};
    io.write = capture ? capture_write : drop_write;
    FILE* f = fopencookie(nullptr, "w", io);
    if (f != nullptr) std::setvbuf(f, nullptr, _IONBF, 0);
    return f;
}

class OpenJph final : public OpenJphApi {
public:
    void route_messages(MessageSink sink) override {
        static std::once_flag once;
        std::call_once(once, [sink] {
            g_sink.store(sink, std::memory_order_release);
            if (FILE* e = open_stream(true)) ojph::set_error_stream(e);
            if (FILE* w = open_stream(false)) {
                ojph::set_warning_stream(w);
                ojph::set_info_stream(w);
            }
        });
    }

    std::string decode(const std::uint8_t* data, std::size_t size, OjphDecodeSink& sink) override {
        ojph::mem_infile file;
        file.open(data, size);
        ojph::codestream cs;
        cs.read_headers(&file);
        ojph::param_siz siz = cs.access_siz();
        const ojph::point extent = siz.get_image_extent();
        const ojph::point offset = siz.get_image_offset();
        OjphImage image;
        image.width = extent.x > offset.x ? extent.x - offset.x : 0;
        image.height = extent.y > offset.y ? extent.y - offset.y : 0;
        image.components = siz.get_num_components();
        for (std::uint32_t c = 0; c < image.components && c < OjphImage::kMaxComponents; ++c) {
            const ojph::point d = siz.get_downsampling(c);
            OjphComponent& k = image.component[c];
            k.bit_depth = siz.get_bit_depth(c);
            k.is_signed = siz.is_signed(c);
            k.subsampled = d.x != 1 || d.y != 1;
            k.width = siz.get_recon_width(c);
            k.height = siz.get_recon_height(c);
        }
        if (std::string why = sink.check(image); !why.empty()) return why;
        cs.set_planar(false);
        cs.create();
        for (std::size_t y = 0; y < image.height; ++y) {
            for (std::uint32_t c = 0; c < image.components; ++c) {
                ojph::ui32 comp = 0;
                ojph::line_buf* line = cs.pull(comp);
                if (line == nullptr || comp >= image.components || line->size < image.width)
                    return "the decoder returned no line for row " + std::to_string(y);
                sink.row(y, comp, line->i32);
            }
        }
        cs.close();
        return {};
    }

    std::vector<std::uint8_t> encode(const OjphEncodeParams& p, OjphEncodeSource& source) override {
        ojph::codestream cs;
        ojph::param_siz siz = cs.access_siz();
        siz.set_image_extent(ojph::point(p.columns, p.rows));
        siz.set_image_offset(ojph::point(0, 0));
        siz.set_tile_size(ojph::size(p.columns, p.rows));
        siz.set_tile_offset(ojph::point(0, 0));
        siz.set_num_components(p.components);
        for (std::uint32_t c = 0; c < p.components; ++c)
            siz.set_component(c, ojph::point(1, 1), p.bits_stored, p.is_signed);
        ojph::param_cod cod = cs.access_cod();
        cod.set_num_decomposition(p.decomposition_levels);
        cod.set_block_dims(64, 64);
        cod.set_progression_order(p.rpcl ? "RPCL" : "LRCP");
        cod.set_color_transform(p.colour_transform);
        cod.set_reversible(p.reversible);
        if (!p.reversible) cs.access_qcd().set_irrev_quant(p.quantisation_step);
        cs.set_planar(false);

        ojph::mem_outfile file;
        file.open(p.size_hint > 4096 ? p.size_hint : 4096);
        cs.write_headers(&file);
        ojph::ui32 comp = 0;
        ojph::line_buf* line = cs.exchange(nullptr, comp);
        for (std::size_t y = 0; y < p.rows; ++y) {
            for (std::uint32_t c = 0; c < p.components; ++c) {
                if (line == nullptr || comp >= p.components) throw std::runtime_error("the encoder asked for no line");
                source.row(y, comp, line->i32);
                line = cs.exchange(line, comp);
            }
        }
        cs.flush();
        const auto size = static_cast<std::size_t>(file.tell());
        std::vector<std::uint8_t> out(file.get_data(), file.get_data() + size);
        cs.close();
        return out;
    }
};

}  // namespace
}  // namespace dicomkit::pixel::htj2k

extern "C" __attribute__((visibility("default"))) dicomkit::pixel::htj2k::OpenJphApi* dicomkit_openjph_api() {
    static dicomkit::pixel::htj2k::OpenJph api;
    return &api;
}
