// CharLS opened at the first JPEG-LS frame (dlopen of its soname), not at start-up, so commands
// that never meet JPEG-LS do not pay for loading it, relocating it and its static initialisers.
#pragma once

#include <charls/charls.h>

#include <dicomkit/base/error.hpp>

namespace dicomkit::pixel::detail {

/// The CharLS functions the codec calls, with the types of the headers it was built against.
struct CharlsApi {
    decltype(&::charls_get_error_message) get_error_message = nullptr;
    decltype(&::charls_jpegls_decoder_create) decoder_create = nullptr;
    decltype(&::charls_jpegls_decoder_destroy) decoder_destroy = nullptr;
    decltype(&::charls_jpegls_decoder_set_source_buffer) decoder_set_source_buffer = nullptr;
    decltype(&::charls_jpegls_decoder_read_header) decoder_read_header = nullptr;
    decltype(&::charls_jpegls_decoder_get_frame_info) decoder_get_frame_info = nullptr;
    decltype(&::charls_jpegls_decoder_get_interleave_mode) decoder_get_interleave_mode = nullptr;
    decltype(&::charls_jpegls_decoder_get_destination_size) decoder_get_destination_size = nullptr;
    decltype(&::charls_jpegls_decoder_decode_to_buffer) decoder_decode_to_buffer = nullptr;
    decltype(&::charls_jpegls_encoder_create) encoder_create = nullptr;
    decltype(&::charls_jpegls_encoder_destroy) encoder_destroy = nullptr;
    decltype(&::charls_jpegls_encoder_set_frame_info) encoder_set_frame_info = nullptr;
    decltype(&::charls_jpegls_encoder_set_preset_coding_parameters) encoder_set_preset_coding_parameters = nullptr;
    decltype(&::charls_jpegls_encoder_set_interleave_mode) encoder_set_interleave_mode = nullptr;
    decltype(&::charls_jpegls_encoder_set_near_lossless) encoder_set_near_lossless = nullptr;
    decltype(&::charls_jpegls_encoder_get_estimated_destination_size) encoder_get_estimated_destination_size = nullptr;
    decltype(&::charls_jpegls_encoder_set_destination_buffer) encoder_set_destination_buffer = nullptr;
    decltype(&::charls_jpegls_encoder_encode_from_buffer) encoder_encode_from_buffer = nullptr;
    decltype(&::charls_jpegls_encoder_get_bytes_written) encoder_get_bytes_written = nullptr;
};

/// CharLS's functions, the library opened at the first call (once, whichever thread comes first;
/// it stays loaded). The error names the library and the missing symbol or the loader's message.
[[nodiscard]] Result<const CharlsApi*> charls_api();

/// The soname this build opens (the one it was compiled against, e.g. libcharls.so.2).
[[nodiscard]] const char* charls_soname() noexcept;

}  // namespace dicomkit::pixel::detail
