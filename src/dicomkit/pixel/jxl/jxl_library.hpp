// JxlLibrary: libjxl opened at the first JPEG XL frame (dlopen of its versioned soname), not at
// start-up, so commands that never meet JPEG XL do not pay for loading it and what it pulls in
// (libhwy, brotli, lcms2, and their static initialisers).
#pragma once

#include <memory>
#include <string>

#include <jxl/decode.h>
#include <jxl/encode.h>

#include <dicomkit/base/error.hpp>

namespace dicomkit::pixel::detail {

/// The libjxl functions the codec calls, with the types of the headers it was built against.
struct JxlApi {
    decltype(&::JxlDecoderCreate) DecoderCreate = nullptr;
    decltype(&::JxlDecoderDestroy) DecoderDestroy = nullptr;
    decltype(&::JxlDecoderSubscribeEvents) DecoderSubscribeEvents = nullptr;
    decltype(&::JxlDecoderSetKeepOrientation) DecoderSetKeepOrientation = nullptr;
    decltype(&::JxlDecoderSetInput) DecoderSetInput = nullptr;
    decltype(&::JxlDecoderCloseInput) DecoderCloseInput = nullptr;
    decltype(&::JxlDecoderProcessInput) DecoderProcessInput = nullptr;
    decltype(&::JxlDecoderGetBasicInfo) DecoderGetBasicInfo = nullptr;
    decltype(&::JxlDecoderImageOutBufferSize) DecoderImageOutBufferSize = nullptr;
    decltype(&::JxlDecoderSetImageOutBuffer) DecoderSetImageOutBuffer = nullptr;
    decltype(&::JxlEncoderCreate) EncoderCreate = nullptr;
    decltype(&::JxlEncoderDestroy) EncoderDestroy = nullptr;
    decltype(&::JxlEncoderInitBasicInfo) EncoderInitBasicInfo = nullptr;
    decltype(&::JxlEncoderSetBasicInfo) EncoderSetBasicInfo = nullptr;
    decltype(&::JxlColorEncodingSetToSRGB) ColorEncodingSetToSRGB = nullptr;
    decltype(&::JxlEncoderSetColorEncoding) EncoderSetColorEncoding = nullptr;
    decltype(&::JxlEncoderFrameSettingsCreate) EncoderFrameSettingsCreate = nullptr;
    decltype(&::JxlEncoderFrameSettingsSetOption) EncoderFrameSettingsSetOption = nullptr;
    decltype(&::JxlEncoderSetFrameLossless) EncoderSetFrameLossless = nullptr;
    decltype(&::JxlEncoderSetFrameDistance) EncoderSetFrameDistance = nullptr;
    decltype(&::JxlEncoderAddImageFrame) EncoderAddImageFrame = nullptr;
    decltype(&::JxlEncoderCloseInput) EncoderCloseInput = nullptr;
    decltype(&::JxlEncoderProcessOutput) EncoderProcessOutput = nullptr;
};

/// An open libjxl; closed (dlclose) when destroyed.
class JxlLibrary {
public:
    JxlLibrary(const JxlLibrary&) = delete;
    JxlLibrary& operator=(const JxlLibrary&) = delete;
    ~JxlLibrary();

    /// Opens `soname` and resolves every function of JxlApi; the error names the library and
    /// the missing symbol or the loader's message.
    [[nodiscard]] static Result<std::unique_ptr<JxlLibrary>> open(const std::string& soname);
    /// The soname this build expects (the one it was compiled against).
    [[nodiscard]] static const char* default_soname() noexcept;

    [[nodiscard]] const JxlApi& api() const noexcept { return api_; }

private:
    JxlLibrary() = default;
    void* handle_ = nullptr;
    JxlApi api_;
};

}  // namespace dicomkit::pixel::detail
