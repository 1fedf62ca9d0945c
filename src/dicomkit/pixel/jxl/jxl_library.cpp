// Loading libjxl with dlopen and resolving the functions the codec calls.
#include <dicomkit/pixel/jxl/jxl_library.hpp>

#include <dlfcn.h>

#include <fmt/format.h>
#include <jxl/version.h>

namespace dicomkit::pixel::detail {

namespace {
#define DICOMKIT_STR2(x) #x
#define DICOMKIT_STR(x) DICOMKIT_STR2(x)
#ifdef DICOMKIT_JXL_SONAME
constexpr const char* kSoname = DICOMKIT_JXL_SONAME;
#else
// libjxl 0.x names its soname by major and minor version (libjxl.so.0.7).
constexpr const char* kSoname = "libjxl.so." DICOMKIT_STR(JPEGXL_MAJOR_VERSION) "." DICOMKIT_STR(JPEGXL_MINOR_VERSION);
#endif
#undef DICOMKIT_STR
#undef DICOMKIT_STR2

template <typename F>
bool resolve(void* handle, const char* name, F& out) {
    out = reinterpret_cast<F>(::dlsym(handle, name));
    return out != nullptr;
}
}  // namespace

const char* JxlLibrary::default_soname() noexcept { return kSoname; }

JxlLibrary::~JxlLibrary() {
    if (handle_) ::dlclose(handle_);
}

Result<std::unique_ptr<JxlLibrary>> JxlLibrary::open(const std::string& soname) {
    // RTLD_NODELETE: libjxl's thread-local state and atexit handlers outlive a dlclose safely.
    void* handle = ::dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle) {
        const char* why = ::dlerror();
        return make_error(ErrorCode::Unsupported,
                          fmt::format("JPEG XL needs {} (libjxl), which cannot be loaded: {}", soname,
                                      why ? why : "unknown reason"));
    }
    std::unique_ptr<JxlLibrary> lib(new JxlLibrary);
    lib->handle_ = handle;
    JxlApi& a = lib->api_;
    const char* missing = nullptr;
    auto need = [&](const char* name, auto& fn) {
        if (!missing && !resolve(handle, name, fn)) missing = name;
    };
    need("JxlDecoderCreate", a.DecoderCreate);
    need("JxlDecoderDestroy", a.DecoderDestroy);
    need("JxlDecoderSubscribeEvents", a.DecoderSubscribeEvents);
    need("JxlDecoderSetKeepOrientation", a.DecoderSetKeepOrientation);
    need("JxlDecoderSetInput", a.DecoderSetInput);
    need("JxlDecoderCloseInput", a.DecoderCloseInput);
    need("JxlDecoderProcessInput", a.DecoderProcessInput);
    need("JxlDecoderGetBasicInfo", a.DecoderGetBasicInfo);
    need("JxlDecoderImageOutBufferSize", a.DecoderImageOutBufferSize);
    need("JxlDecoderSetImageOutBuffer", a.DecoderSetImageOutBuffer);
    need("JxlEncoderCreate", a.EncoderCreate);
    need("JxlEncoderDestroy", a.EncoderDestroy);
    need("JxlEncoderInitBasicInfo", a.EncoderInitBasicInfo);
    need("JxlEncoderSetBasicInfo", a.EncoderSetBasicInfo);
    need("JxlColorEncodingSetToSRGB", a.ColorEncodingSetToSRGB);
    need("JxlEncoderSetColorEncoding", a.EncoderSetColorEncoding);
    need("JxlEncoderFrameSettingsCreate", a.EncoderFrameSettingsCreate);
    need("JxlEncoderFrameSettingsSetOption", a.EncoderFrameSettingsSetOption);
    need("JxlEncoderSetFrameLossless", a.EncoderSetFrameLossless);
    need("JxlEncoderSetFrameDistance", a.EncoderSetFrameDistance);
    need("JxlEncoderAddImageFrame", a.EncoderAddImageFrame);
    need("JxlEncoderCloseInput", a.EncoderCloseInput);
    need("JxlEncoderProcessOutput", a.EncoderProcessOutput);
    if (missing)
        return make_error(ErrorCode::Unsupported,
                          fmt::format("JPEG XL: {} has no function {} (a libjxl other than the one this build expects?)",
                                      soname, missing));
    return lib;
}

}  // namespace dicomkit::pixel::detail
