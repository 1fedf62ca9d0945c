// libjpeg-turbo through its libjpeg API: errors are taken with setjmp/longjmp in functions that
// hold no C++ objects with destructors, warnings about corrupt data are treated as failures.
#include <dicomkit/pixel/jpeg/jpeg_turbo.hpp>

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <jpeglib.h>

namespace dicomkit::pixel::jpeg {

namespace {

#define DICOMKIT_STR2(x) #x
#define DICOMKIT_STR(x) DICOMKIT_STR2(x)

struct ErrorState {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int warnings;
};

extern "C" void on_error(j_common_ptr c) {
    auto* e = reinterpret_cast<ErrorState*>(c->err);
    (*c->err->format_message)(c, e->message);
    std::longjmp(e->jump, 1);
}

extern "C" void on_message(j_common_ptr c, int level) {
    auto* e = reinterpret_cast<ErrorState*>(c->err);
    if (level < 0 && e->warnings++ == 0) (*c->err->format_message)(c, e->message);
}

/// The part between setjmp and the end: plain C state only. Returns 0, or 1 with e->message set.
int decode_c(jpeg_decompress_struct* cinfo, ErrorState* e, const std::uint8_t* in, unsigned long size,
             std::uint32_t rows, std::uint32_t columns, int components, ColorIn color, std::uint8_t* out) {
    if (setjmp(e->jump)) return 1;
    jpeg_mem_src(cinfo, in, size);
    jpeg_read_header(cinfo, TRUE);
    if (cinfo->image_width != columns || cinfo->image_height != rows || cinfo->num_components != components) {
        std::snprintf(e->message, sizeof e->message, "stream is %ux%u with %d components, the data set says %ux%u with %d",
                      cinfo->image_width, cinfo->image_height, cinfo->num_components, columns, rows, components);
        return 1;
    }
    if (components == 1) {
        cinfo->jpeg_color_space = JCS_GRAYSCALE;
        cinfo->out_color_space = JCS_GRAYSCALE;
    } else if (components == 3) {
        cinfo->jpeg_color_space = color == ColorIn::YCbCrToRgb ? JCS_YCbCr : JCS_RGB;
        cinfo->out_color_space = JCS_RGB;
    } else {
        std::snprintf(e->message, sizeof e->message, "%d components", components);
        return 1;
    }
    cinfo->dct_method = JDCT_ISLOW;
    jpeg_start_decompress(cinfo);
    const std::size_t row_bytes = std::size_t{columns} * static_cast<std::size_t>(components);
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW rowp[8];
        JDIMENSION want = cinfo->output_height - cinfo->output_scanline;
        if (want > 8) want = 8;
        for (JDIMENSION i = 0; i < want; ++i) rowp[i] = out + (cinfo->output_scanline + i) * row_bytes;
        if (jpeg_read_scanlines(cinfo, rowp, want) == 0) {
            std::snprintf(e->message, sizeof e->message, "no progress at line %u", cinfo->output_scanline);
            return 1;
        }
        if (e->warnings) return 1;
    }
    jpeg_finish_decompress(cinfo);
    return e->warnings ? 1 : 0;
}

int encode_c(jpeg_compress_struct* cinfo, ErrorState* e, const std::uint8_t* in, std::uint32_t rows,
             std::uint32_t columns, int components, bool ycbcr_input, int quality, unsigned char** buf,
             unsigned long* size) {
    if (setjmp(e->jump)) return 1;
    jpeg_mem_dest(cinfo, buf, size);
    cinfo->image_width = columns;
    cinfo->image_height = rows;
    cinfo->input_components = components;
    cinfo->in_color_space = components == 1 ? JCS_GRAYSCALE : (ycbcr_input ? JCS_YCbCr : JCS_RGB);
    jpeg_set_defaults(cinfo);
    jpeg_set_quality(cinfo, quality, TRUE);
    cinfo->write_JFIF_header = FALSE;
    cinfo->dct_method = JDCT_ISLOW;
    cinfo->optimize_coding = TRUE;
    if (components == 3) {
        jpeg_set_colorspace(cinfo, JCS_YCbCr);
        cinfo->write_JFIF_header = FALSE;
        cinfo->comp_info[0].h_samp_factor = 2;
        cinfo->comp_info[0].v_samp_factor = 1;
        cinfo->comp_info[1].h_samp_factor = 1;
        cinfo->comp_info[1].v_samp_factor = 1;
        cinfo->comp_info[2].h_samp_factor = 1;
        cinfo->comp_info[2].v_samp_factor = 1;
    }
    jpeg_start_compress(cinfo, TRUE);
    const std::size_t row_bytes = std::size_t{columns} * static_cast<std::size_t>(components);
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW rowp[8];
        JDIMENSION want = cinfo->image_height - cinfo->next_scanline;
        if (want > 8) want = 8;
        for (JDIMENSION i = 0; i < want; ++i)
            rowp[i] = const_cast<std::uint8_t*>(in + (cinfo->next_scanline + i) * row_bytes);
        jpeg_write_scanlines(cinfo, rowp, want);
    }
    jpeg_finish_compress(cinfo);
    return 0;
}

}  // namespace

std::string turbo_decode(std::span<const std::uint8_t> in, std::uint32_t rows, std::uint32_t columns, int components,
                         ColorIn color, std::span<std::uint8_t> out) {
    if (out.size() < std::size_t{rows} * columns * static_cast<std::size_t>(components)) return "output too small";
    jpeg_decompress_struct cinfo;
    ErrorState e;
    std::memset(&e, 0, sizeof e);
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = on_error;
    e.mgr.emit_message = on_message;
    jpeg_create_decompress(&cinfo);
    const int failed = decode_c(&cinfo, &e, in.data(), in.size(), rows, columns, components, color, out.data());
    jpeg_destroy_decompress(&cinfo);
    return failed ? std::string(e.message[0] ? e.message : "libjpeg failed") : std::string();
}

std::string turbo_encode(std::span<const std::uint8_t> in, std::uint32_t rows, std::uint32_t columns, int components,
                         bool ycbcr_input, int quality, std::vector<std::uint8_t>& out) {
    jpeg_compress_struct cinfo;
    ErrorState e;
    std::memset(&e, 0, sizeof e);
    cinfo.err = jpeg_std_error(&e.mgr);
    e.mgr.error_exit = on_error;
    e.mgr.emit_message = on_message;
    jpeg_create_compress(&cinfo);
    unsigned char* buf = nullptr;
    unsigned long size = 0;
    const int failed = encode_c(&cinfo, &e, in.data(), rows, columns, components, ycbcr_input, quality, &buf, &size);
    jpeg_destroy_compress(&cinfo);
    if (!failed && buf) out.assign(buf, buf + size);
    std::free(buf);
    return failed ? std::string(e.message[0] ? e.message : "libjpeg failed") : std::string();
}

const char* turbo_version() { return "libjpeg-turbo " DICOMKIT_STR(LIBJPEG_TURBO_VERSION); }

}  // namespace dicomkit::pixel::jpeg
