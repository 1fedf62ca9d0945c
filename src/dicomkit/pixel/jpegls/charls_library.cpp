// Loading CharLS with dlopen and resolving the functions the JPEG-LS codec calls.
#include <dicomkit/pixel/jpegls/charls_library.hpp>

#include <dlfcn.h>

#include <fmt/format.h>

namespace dicomkit::pixel::detail {

namespace {
#ifdef DICOMKIT_CHARLS_SONAME
constexpr const char* kSoname = DICOMKIT_CHARLS_SONAME;
#else
constexpr const char* kSoname = "libcharls.so.2";
#endif

template <typename F>
bool resolve(void* handle, const char* name, F& out) {
    out = reinterpret_cast<F>(::dlsym(handle, name));
    return out != nullptr;
}

Result<const CharlsApi*> load() {
    // RTLD_NODELETE: never unloaded, so the functions stay valid for the whole process.
    void* handle = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle) {
        const char* why = ::dlerror();
        return make_error(ErrorCode::Unsupported, fmt::format("JPEG-LS needs {} (CharLS), which cannot be loaded: {}",
                                                              kSoname, why ? why : "unknown reason"));
    }
    static CharlsApi api;
    CharlsApi& a = api;
    const char* missing = nullptr;
    auto need = [&](const char* name, auto& fn) {
        if (!missing && !resolve(handle, name, fn)) missing = name;
    };
    need("charls_get_error_message", a.get_error_message);
    need("charls_jpegls_decoder_create", a.decoder_create);
    need("charls_jpegls_decoder_destroy", a.decoder_destroy);
    need("charls_jpegls_decoder_set_source_buffer", a.decoder_set_source_buffer);
    need("charls_jpegls_decoder_read_header", a.decoder_read_header);
    need("charls_jpegls_decoder_get_frame_info", a.decoder_get_frame_info);
    need("charls_jpegls_decoder_get_interleave_mode", a.decoder_get_interleave_mode);
    need("charls_jpegls_decoder_get_destination_size", a.decoder_get_destination_size);
    need("charls_jpegls_decoder_decode_to_buffer", a.decoder_decode_to_buffer);
    need("charls_jpegls_encoder_create", a.encoder_create);
    need("charls_jpegls_encoder_destroy", a.encoder_destroy);
    need("charls_jpegls_encoder_set_frame_info", a.encoder_set_frame_info);
    need("charls_jpegls_encoder_set_preset_coding_parameters", a.encoder_set_preset_coding_parameters);
    need("charls_jpegls_encoder_set_interleave_mode", a.encoder_set_interleave_mode);
    need("charls_jpegls_encoder_set_near_lossless", a.encoder_set_near_lossless);
    need("charls_jpegls_encoder_get_estimated_destination_size", a.encoder_get_estimated_destination_size);
    need("charls_jpegls_encoder_set_destination_buffer", a.encoder_set_destination_buffer);
    need("charls_jpegls_encoder_encode_from_buffer", a.encoder_encode_from_buffer);
    need("charls_jpegls_encoder_get_bytes_written", a.encoder_get_bytes_written);
    if (missing)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("JPEG-LS: {} has no function {} (a CharLS other than the one this build expects?)",
                                      kSoname, missing));
    return &api;
}
}  // namespace

const char* charls_soname() noexcept { return kSoname; }

Result<const CharlsApi*> charls_api() {
    static const Result<const CharlsApi*> loaded = load();
    return loaded;
}

}  // namespace dicomkit::pixel::detail
